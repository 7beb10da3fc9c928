/* ckpt_tool.c — makes checkpoints for the CLI tests of malformed input:
 *   ckpt_tool set IN OUT KEY=VALUE...   IN with metadata keys replaced
 *   ckpt_tool many N OUT                N empty tensors and N metadata keys
 *   ckpt_tool torch IN OUT [RULES]      IN as a PyTorch state_dict export:
 *       no metadata, names renamed by RULES (ax_ckpt_rename), and for each
 *       X.running_var an I64 scalar X.num_batches_tracked (BatchNorm's) and
 *       an unused U8 tensor "extra.mask"
 * It writes through the library's own saver, so the files differ from a
 * valid one only in what the test changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <stdint.h>

#include "ax_ckpt.h"

/* c as safetensors without metadata, F32 tensors then, per running_var, an
 * I64 num_batches_tracked (value 7), then a U8 "extra.mask" of 3 bytes. */
static int write_torch(const char *path, const ax_ckpt_t *c)
{
    cJSON *h = cJSON_CreateObject();
    uint64_t off = 0;
    int nbt = 0;
    char name[600];
    for (int i = 0; i < c->n; i++) {
        cJSON *o = cJSON_AddObjectToObject(h, c->t[i].name);
        double d[AX_CKPT_MAX_DIMS], r[2] = {(double)off, (double)(off + (uint64_t)c->t[i].count * 4)};
        for (int k = 0; k < c->t[i].ndim; k++) d[k] = (double)c->t[i].dims[k];
        cJSON_AddStringToObject(o, "dtype", "F32");
        cJSON_AddItemToObject(o, "shape", cJSON_CreateDoubleArray(d, c->t[i].ndim));
        cJSON_AddItemToObject(o, "data_offsets", cJSON_CreateDoubleArray(r, 2));
        off += (uint64_t)c->t[i].count * 4;
    }
    for (int i = 0; i < c->n; i++) {
        size_t l = strlen(c->t[i].name);
        if (l < 12 || strcmp(c->t[i].name + l - 12, ".running_var")) continue;
        snprintf(name, sizeof name, "%.*s.num_batches_tracked", (int)(l - 12), c->t[i].name);
        cJSON *o = cJSON_AddObjectToObject(h, name);
        double r[2] = {(double)off, (double)(off + 8)};
        cJSON_AddStringToObject(o, "dtype", "I64");
        cJSON_AddItemToObject(o, "shape", cJSON_CreateArray());
        cJSON_AddItemToObject(o, "data_offsets", cJSON_CreateDoubleArray(r, 2));
        off += 8, nbt++;
    }
    cJSON *o = cJSON_AddObjectToObject(h, "extra.mask");
    double d3 = 3, r[2] = {(double)off, (double)(off + 3)};
    cJSON_AddStringToObject(o, "dtype", "U8");
    cJSON_AddItemToObject(o, "shape", cJSON_CreateDoubleArray(&d3, 1));
    cJSON_AddItemToObject(o, "data_offsets", cJSON_CreateDoubleArray(r, 2));
    char *js = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    FILE *f = fopen(path, "wb");
    if (!js || !f) return 1;
    uint64_t len = strlen(js);
    unsigned char l8[8], i64[8] = {7, 0, 0, 0, 0, 0, 0, 0}, mask[3] = {1, 0, 1};
    for (int i = 0; i < 8; i++) l8[i] = (unsigned char)(len >> (8 * i));
    int ok = fwrite(l8, 1, 8, f) == 8 && fwrite(js, 1, len, f) == len;
    for (int i = 0; ok && i < c->n; i++) /* float32 little-endian, the host's order */
        ok = fwrite(c->t[i].data, 4, (size_t)c->t[i].count, f) == (size_t)c->t[i].count;
    for (int i = 0; ok && i < nbt; i++) ok = fwrite(i64, 1, 8, f) == 8;
    ok = ok && fwrite(mask, 1, 3, f) == 3;
    ok = fclose(f) == 0 && ok;
    free(js);
    return ok ? 0 : 1;
}

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
    } else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "torch")) {
        if (ax_ckpt_load(argv[2], &c, err, sizeof err) || (argc == 5 && ax_ckpt_rename(&c, argv[4], err, sizeof err) < 0)) {
            fprintf(stderr, "ckpt_tool: %s\n", err);
            return 1;
        }
        int rc = write_torch(argv[3], &c);
        ax_ckpt_free(&c);
        return rc;
    } else {
        fprintf(stderr, "usage: ckpt_tool set IN OUT KEY=VALUE... | ckpt_tool many N OUT | "
                        "ckpt_tool torch IN OUT [RULES]\n");
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
