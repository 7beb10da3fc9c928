/* axsim.c — the axsim command: dispatches to its verbs, one file each
 * (verb_<name>.c); what they share is in cli.h. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} verbs[] = {
    {"formats", ax_verb_formats, "list the number formats and the format-name syntax"},
    {"units", ax_verb_units, "list the arithmetic units, their parameters and formulas"},
    {"calc", ax_verb_calc, "apply a unit to TestFloat-style vector lines; --check compares"},
    {"metrics", ax_verb_metrics, "error metrics of a unit against the exact unit"},
    {"hostcheck", ax_verb_hostcheck, "check the exact units against the host FPU"},
    {"verify", ax_verb_verify, "verify the RTL against the C models (Verilator), or your own unit"},
    {"gemm", ax_verb_gemm, "one GEMM through a MAC configuration on a chosen backend (--check vs ref)"},
    {"bench", ax_verb_bench, "MAC/s of the GEMM/conv backends next to OpenBLAS and cuBLAS"},
    {"train", ax_verb_train, "train a DNN with every MAC through the configured unit (checkpoints, --resume)"},
    {"eval", ax_verb_eval, "test accuracy of a checkpoint under a MAC configuration"},
    {"retrain", ax_verb_retrain, "approximation-aware fine-tuning of a checkpoint, accuracy before and after"},
    {"estimate", ax_verb_estimate, "the main job: accuracy of a planned accelerator, unit by unit (RTL checked)"},
    {"accel", ax_verb_accel, "the accelerator: cycles, utilization, memory traffic and energy per layer (SystemC array)"},
    {"survey", ax_verb_survey, "a summary of the units: list, host-FPU check, metrics of each"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsim VERB [options]   (axsim VERB --help for a verb's options)\n\n"
            "axsim is a co-simulation harness for approximate arithmetic in DNN and SNN\n"
            "accelerators: bit-exact C models of exact and approximate floating-point units.\n\n"
            "verbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].what);
    fprintf(out, "\n  --version  print the version\n");
}

int main(int argc, char **argv)
{
    /* The network verbs allocate and free buffers of megabytes per layer
     * (im2col columns, GEMM results): keep freed memory in the heap, so that
     * each layer does not fault in fresh pages again (glibc's largest
     * threshold for serving them from the heap: 32 MB). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1024 << 20);
    if (argc < 2) {
        usage(stderr);
        return AX_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("axsim %s\n", AXSIM_VERSION);
        return AX_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return AX_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[1], verbs[i].name)) return verbs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "axsim: unknown verb '%s'\n\n", argv[1]);
    usage(stderr);
    return AX_EXIT_USAGE;
}
