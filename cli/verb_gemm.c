/* verb_gemm.c — `axsim gemm`: one GEMM of seeded operands through a MAC
 * configuration on a chosen backend, its checksum, and with --check every
 * element compared with the ref backend. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ax_clock.h"
#include "ax_hash.h"
#include "cli.h"
#include "gemm_problem.h"

static const char *gemm_help =
    "usage: axsim gemm --mac CFG [--size MxNxK] [--backend B] [--threads N]\n"
    "                  [--seed S] [--chunk C] [--check]\n"
    "\n"
    "Runs one GEMM of seeded random operands (values in (-2, 2), quantized to the\n"
    "MAC's input format) through the MAC configuration CFG and prints the backend,\n"
    "the path, the time and a checksum (FNV-1a 64) of the result bits: the same\n"
    "seed and configuration give the same checksum on every backend and machine.\n"
    "\n"
    "  --mac CFG       e.g. mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32\n"
    "  --size MxNxK    default 256x256x256\n"
    "  --backend B     auto (default: cuda when a device answers, else cpu), ref, cpu, cuda\n"
    "  --threads N     CPU threads (default: every core)\n"
    "  --seed S        operand seed (default 1)\n"
    "  --chunk C       chunked accumulation: partial sums of C terms (default 0: none)\n"
    "  --check         also run the ref backend and compare every bit (exit 1 on a mismatch)\n";

/* The result C of engine e against the ref backend's, element by element:
 * the first difference decoded. AX_EXIT_OK or AX_EXIT_FAIL. */
static int check_ref(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *g, const uint32_t *A,
                     const uint32_t *B, const uint32_t *C, size_t nc)
{
    char err[256];
    uint32_t *R = malloc(nc * sizeof *R);
    ax_engine_t *r = R ? ax_engine_create(AX_BACKEND_REF, 1, err, sizeof err) : NULL;
    int status = AX_EXIT_OK;
    if (!R) {
        ax_cli_error("gemm", "ref: out of memory");
        status = AX_EXIT_FAIL;
    } else if (!r || ax_gemm(r, cfg, g, A, B, R, NULL, err, sizeof err)) {
        ax_cli_error("gemm", "ref: %s", err);
        status = AX_EXIT_FAIL;
    } else {
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < nc; i++)
            if (C[i] != R[i] && bad++ == 0) first = i;
        if (bad) {
            char d1[160], d2[160];
            printf("MISMATCH: %zu of %zu elements differ from ref; first C[%zu][%zu]:\n"
                   "  ref  %s\n  %-4s %s\n", bad, nc, first / (size_t)g->n, first % (size_t)g->n,
                   ax_cli_decode(R[first], cfg->acc, d1, sizeof d1), ax_backend_name(ax_engine_backend(e)),
                   ax_cli_decode(C[first], cfg->acc, d2, sizeof d2));
            status = AX_EXIT_FAIL;
        } else {
            printf("check: all %zu elements equal the ref backend bit for bit\n", nc);
        }
    }
    ax_engine_free(r);
    free(R);
    return status;
}

int ax_verb_gemm(int argc, char **argv)
{
    static const struct option lo[] = {{"mac", 1, 0, 'm'},     {"size", 1, 0, 's'},  {"backend", 1, 0, 'b'},
                                       {"threads", 1, 0, 't'}, {"seed", 1, 0, 'S'},  {"chunk", 1, 0, 'c'},
                                       {"check", 0, 0, 'k'},   {0, 0, 0, 0}};
    if (ax_cli_wants_help(argc, argv)) {
        fputs(gemm_help, stdout);
        return AX_EXIT_OK;
    }
    const char *mac = NULL;
    ax_problem_t p;
    ax_problem_size("gemm", "256x256x256", &p);
    ax_backend_t backend = AX_BACKEND_AUTO;
    uint64_t threads = 0, seed = 1, chunk = 0;
    int check = 0, c;
    char err[256];
    ax_cli_opt_begin();
    while ((c = ax_cli_opt("gemm", argc, argv, lo, 0)) > 0) {
        int bad = 0;
        switch (c) {
        case 'm': mac = optarg; break;
        case 's': bad = ax_problem_size("gemm", optarg, &p); break;
        case 'b': bad = ax_cli_backend("gemm", optarg, &backend); break;
        case 't': bad = ax_cli_threads("gemm", optarg, &threads); break;
        case 'S': bad = ax_cli_u64("gemm", "--seed", optarg, &seed); break;
        case 'c': bad = ax_cli_u64("gemm", "--chunk", optarg, &chunk); break;
        case 'k': check = 1; break;
        }
        if (bad) return AX_EXIT_USAGE;
    }
    if (c < 0) return AX_EXIT_USAGE;
    if (!mac) {
        ax_cli_error("gemm", "--mac is required (e.g. --mac mul=mbm,in=bf16)");
        return AX_EXIT_USAGE;
    }
    ax_mac_cfg_t cfg;
    if (ax_cli_mac("gemm", "--mac", mac, &cfg)) return AX_EXIT_USAGE;
    p.g.chunk = (int64_t)chunk;
    ax_engine_t *e = ax_engine_create(backend, (int)threads, err, sizeof err);
    if (!e) {
        ax_cli_error("gemm", "%s", err);
        return AX_EXIT_USAGE;
    }
    printf("%s\n", ax_engine_describe(e));
    size_t na, nb, nc;
    ax_problem_elems(&p, &na, &nb, &nc);
    float *f = malloc((na > nb ? na : nb) * 4);
    uint32_t *A = malloc(na * 4), *B = malloc(nb * 4), *C = malloc(nc * 4);
    int status = AX_EXIT_OK;
    if (!f || !A || !B || !C) {
        ax_cli_error("gemm", "out of memory for %s", p.name);
        status = AX_EXIT_FAIL;
        goto out;
    }
    ax_problem_operands(e, cfg.in, na, seed, f, A);
    ax_problem_operands(e, cfg.in, nb, seed + 0x9E3779B9u, f, B);
    double t0 = ax_clock_now();
    if (ax_gemm(e, &cfg, &p.g, A, B, C, NULL, err, sizeof err)) {
        ax_cli_error("gemm", "%s", err);
        status = AX_EXIT_FAIL;
        goto out;
    }
    double t = ax_clock_now() - t0;
    char name[160];
    printf("%s %s chunk=%llu seed=%llu: %.3f ms, %.4g MAC/s, path %s\n", ax_mac_name(&cfg, name, sizeof name),
           p.name, (unsigned long long)chunk, (unsigned long long)seed, t * 1e3, p.macs / t,
           ax_engine_last_path(e));
    printf("checksum %016llx\n", (unsigned long long)ax_fnv1a64(C, nc * sizeof *C));
    if (check) status = check_ref(e, &cfg, &p.g, A, B, C, nc);
out:
    free(f), free(A), free(B), free(C);
    ax_engine_free(e);
    return status;
}
