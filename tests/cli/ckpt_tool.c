/* ckpt_tool.c — makes checkpoints for the CLI tests of malformed input:
 *   ckpt_tool set IN OUT KEY=VALUE...   IN with metadata keys replaced
 *   ckpt_tool many N OUT                N empty tensors and N metadata keys
 * It writes through the library's own saver, so the files differ from a
 * valid one only in what the test changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_ckpt.h"

int main(int argc, char **argv)
{
    char err[1024];
    ax_ckpt_t c = {0};
    if (argc >= 4 && !strcmp(argv[1], "set")) {
        if (ax_ckpt_load(argv[2], &c, err, sizeof err)) {
            fprintf(stderr, "ckpt_tool: %s\n", err);
            return 1;
        }
        for (int i = 4; i < argc; i++) {
            char *eq = strchr(argv[i], '=');
            if (!eq) {
                fprintf(stderr, "ckpt_tool: '%s' is not KEY=VALUE\n", argv[i]);
                return 2;
            }
            *eq = 0;
            if (ax_ckpt_set_meta(&c, argv[i], eq + 1)) return 1;
        }
    } else if (argc == 4 && !strcmp(argv[1], "many")) {
        /* written by hand: the library's adder checks names one by one */
        long n = strtol(argv[2], NULL, 10);
        size_t cap = (size_t)n * 80 + 256, len = 0;
        char *h = malloc(cap);
        if (!h) return 1;
        len += (size_t)sprintf(h + len, "{\"__metadata__\":{\"model\":\"mlp\"");
        for (long i = 0; i < n; i++) len += (size_t)sprintf(h + len, ",\"k%ld\":\"v\"", i);
        len += (size_t)sprintf(h + len, "}");
        for (long i = 0; i < n; i++)
            len += (size_t)sprintf(h + len, ",\"t%ld\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}", i);
        len += (size_t)sprintf(h + len, "}");
        FILE *f = fopen(argv[3], "wb");
        unsigned char l8[8];
        for (int i = 0; i < 8; i++) l8[i] = (unsigned char)((uint64_t)len >> (8 * i));
        int ok = f && fwrite(l8, 1, 8, f) == 8 && fwrite(h, 1, len, f) == len;
        ok = f && fclose(f) == 0 && ok;
        free(h);
        return ok ? 0 : 1;
    } else {
        fprintf(stderr, "usage: ckpt_tool set IN OUT KEY=VALUE... | ckpt_tool many N OUT\n");
        return 2;
    }
    const char *out = argv[3];
    if (ax_ckpt_save(out, &c, err, sizeof err)) {
        fprintf(stderr, "ckpt_tool: %s\n", err);
        return 1;
    }
    ax_ckpt_free(&c);
    return 0;
}
