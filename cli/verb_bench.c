/* verb_bench.c — `axsim bench gemm|conv`: MAC/s of every backend side by
 * side with the native baselines (OpenBLAS sgemm on the CPU, cuBLAS sgemm on
 * the GPU), as a table and as JSON. A benchmark, not a test: it checks only
 * that the backends agree on the bits of what they timed. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ax_hash.h"
#include "ax_fastpath.h"
#include "ax_baseline.h"
#include "ax_rng.h"
#include "cli.h"
#include "net_cli.h"
#include "ax_clock.h"


static const char *bench_help =
    "usage: axsim bench gemm [options]\n"
    "       axsim bench conv [options]\n"
    "       axsim bench train [options]   (network training; its own --help)\n"
    "\n"
    "Multiply-accumulates per second of each backend on the same problem, next to\n"
    "OpenBLAS sgemm (CPU) and cuBLAS sgemm (GPU, fp32, no tensor cores). The\n"
    "fast backends' results are compared bit for bit with each other; ref runs on\n"
    "the first rows only (its rate is per MAC all the same).\n"
    "\n"
    "  --mac CFG        MAC configuration (repeatable; default: a set of LUT,\n"
    "                   functional and generic configurations)\n"
    "  --size MxNxK     GEMM size (repeatable; default 256x256x256 and 1024x1024x1024)\n"
    "  --conv N,C,H,W,OC,K,S,P[,G]  convolution (repeatable; default 8,32,32,32,64,3,1,1)\n"
    "  --backends LIST  comma-separated: ref,cpu,cuda,openblas,cublas (default: all\n"
    "                   that can run here)\n"
    "  --threads N      CPU threads (default: every core)\n"
    "  --min-time S     seconds each measurement runs at least (default 0.5)\n"
    "  --json FILE      also write the results as JSON\n";

static const char *default_macs[] = {
    "mul=exact,in=fp32",
    "mul=exact,in=bf16",
    "mul=trunc,in=bf16",
    "mul=mitchell,in=bf16",
    "mul=mbm,in=bf16",
    "mul=mbm,in=fp16",
    "mul=realm,in=fp16",
    "mul=mbm,in=bf16,add=loa:l=8",
    "mul=drum:k=4,in=fp8e4m3,prod=fp16,add=exact,acc=fp16",
};

typedef struct problem {
    int conv;
    ax_gemm_shape_t g;
    ax_conv_shape_t c;
    double macs;
    char name[64];
} problem_t;

typedef int (*run_fn)(void *ctx);

/* Seconds per run: one warm-up, then runs until min_time has passed; a
 * warm-up that alone took min_time is the measurement. */
static double timed(run_fn fn, void *ctx, double min_time, int *ok)
{
    double w = ax_clock_now();
    *ok = fn(ctx) == 0;
    if (!*ok) return 0;
    w = ax_clock_now() - w;
    if (w >= min_time && min_time > 0) return w;
    int runs = 0;
    double t0 = ax_clock_now(), t;
    do {
        if (fn(ctx)) {
            *ok = 0;
            return 0;
        }
        runs++;
        t = ax_clock_now() - t0;
    } while (t < min_time);
    return t / runs;
}

typedef struct run_ctx {
    ax_engine_t *e;
    const ax_mac_cfg_t *cfg;
    problem_t *p;
    const uint32_t *A, *B;
    uint32_t *C;
    const float *fa, *fb;
    float *fc;
    float *col; /* ax_openblas_conv's im2col buffer */
    char err[256];
} run_ctx_t;

static int run_ax(void *v)
{
    run_ctx_t *r = v;
    if (r->p->conv) return ax_conv2d_fwd(r->e, r->cfg, &r->p->c, r->A, r->B, r->C, NULL, r->err, sizeof r->err);
    return ax_gemm(r->e, r->cfg, &r->p->g, r->A, r->B, r->C, NULL, r->err, sizeof r->err);
}

static int run_openblas(void *v)
{
    run_ctx_t *r = v;
    if (r->p->conv) return ax_openblas_conv(&r->p->c, r->fa, r->fb, r->fc, &r->col, r->err, sizeof r->err);
    const ax_gemm_shape_t *s = &r->p->g;
    ax_openblas_sgemm(s->m, s->n, s->k, r->fa, r->fb, r->fc);
    return 0;
}

/* Parses exactly between min_n and max_n decimal integers in [lo, hi]
 * separated by sep ("256x256x256", "1,1,28,28,6,5,1,2"): the count, or -1
 * (a sign, a gap, trailing text, a value out of range or past 64 bits). */
static int parse_ints(const char *s, char sep, long long *v, int min_n, int max_n, long long lo, long long hi)
{
    int n = 0;
    for (const char *q = s;; q++) {
        if (n == max_n || *q < '0' || *q > '9') return -1;
        char *end;
        errno = 0;
        long long x = strtoll(q, &end, 10);
        if (errno || x < lo || x > hi) return -1;
        v[n++] = x;
        q = end;
        if (!*q) break;
        if (*q != sep) return -1;
    }
    return n < min_n ? -1 : n;
}

/* Elements of an operand (a x b) when every buffer of them fits in memory
 * arithmetic: a*b*8 bytes within int64_t. */
static int elems_ok(long long a, long long b, size_t *n)
{
    long long r;
    if (__builtin_mul_overflow(a, b, &r) || r > INT64_MAX / 8) return 0;
    *n = (size_t)r;
    return 1;
}

static int parse_size(const char *verb, const char *s, problem_t *p)
{
    long long v[3];
    size_t na, nb, nc;
    if (parse_ints(s, 'x', v, 3, 3, 1, INT32_MAX) < 0) {
        ax_cli_error(verb, "--size '%.40s%s': expected MxNxK with integers in 1..%d", s, strlen(s) > 40 ? "..." : "",
                     INT32_MAX);
        return -1;
    }
    if (!elems_ok(v[0], v[2], &na) || !elems_ok(v[2], v[1], &nb) || !elems_ok(v[0], v[1], &nc)) {
        ax_cli_error(verb, "--size '%s': an operand would hold more than 2^60 elements", s);
        return -1;
    }
    memset(p, 0, sizeof *p);
    p->g = ax_gemm_shape(v[0], v[1], v[2]);
    p->macs = (double)v[0] * (double)v[1] * (double)v[2];
    snprintf(p->name, sizeof p->name, "%lldx%lldx%lld", v[0], v[1], v[2]);
    return 0;
}

static int parse_conv(const char *s, problem_t *p)
{
    long long v[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    int got = parse_ints(s, ',', v, 8, 9, 0, INT32_MAX);
    memset(p, 0, sizeof *p);
    p->conv = 1;
    ax_conv_shape_t *c = &p->c;
    c->n = v[0], c->c = v[1], c->h = v[2], c->w = v[3], c->oc = v[4], c->kh = c->kw = v[5];
    c->stride_h = c->stride_w = v[6], c->pad_h = c->pad_w = v[7], c->dil_h = c->dil_w = 1;
    c->groups = v[8];
    int64_t oh, ow;
    char err[256];
    if (got < 0 || ax_conv_out(c, &oh, &ow, err, sizeof err)) {
        ax_cli_error("bench", "--conv '%.60s%s': %s", s, strlen(s) > 60 ? "..." : "",
                     got < 0 ? "expected N,C,H,W,OC,K,S,P[,G] with integers in 0..2147483647" : err);
        return -1;
    }
    p->macs = (double)c->n * (double)c->oc * (double)(oh * ow) * (double)(c->c / c->groups) *
              (double)(c->kh * c->kw);
    snprintf(p->name, sizeof p->name, "conv %s", s);
    return 0;
}

/* Operands as floats near 1 with both signs, and their bit patterns. */
static void operands(ax_engine_t *e, ax_format_t in, size_t n, uint64_t seed, float *f, uint32_t *q)
{
    ax_rng_t r = {seed};
    for (size_t i = 0; i < n; i++) f[i] = (float)((double)(int32_t)ax_rng_next(&r) / 2147483648.0 * 2.0);
    ax_quantize(e, in, f, q, n, NULL);
    ax_dequantize(e, in, q, f, n); /* the baselines see the same values */
}

static int want(const char *list, const char *name)
{
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n])) return 1;
    return 0;
}

int ax_verb_bench(int argc, char **argv)
{
    static const struct option lo[] = {{"mac", required_argument, 0, 'm'},
                                       {"size", required_argument, 0, 's'},
                                       {"conv", required_argument, 0, 'c'},
                                       {"backends", required_argument, 0, 'b'},
                                       {"threads", required_argument, 0, 't'},
                                       {"min-time", required_argument, 0, 'T'},
                                       {"json", required_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    /* bench train has options and help of its own */
    if (argc >= 2 && !strcmp(argv[1], "train")) return ax_bench_train(argc - 1, argv + 1);
    if (argc < 2 || ax_cli_wants_help(argc, argv)) {
        fputs(bench_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? AX_EXIT_USAGE : AX_EXIT_OK;
    }
    const char *what = argv[1];
    if (strcmp(what, "gemm") && strcmp(what, "conv")) {
        ax_cli_error("bench", "unknown benchmark '%s' (choose gemm, conv or train)", what);
        return AX_EXIT_USAGE;
    }
    const int conv = !strcmp(what, "conv");
    const char *macs[64], *backends = NULL, *json = NULL;
    problem_t probs[16];
    int nmacs = 0, nprobs = 0, c;
    uint64_t threads = 0;
    double min_time = 0.5;
    argc--, argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (nmacs == 64) { ax_cli_error("bench", "--mac: at most 64"); return AX_EXIT_USAGE; }
            macs[nmacs++] = optarg;
            break;
        case 's':
        case 'c':
            if ((c == 's') == conv) {
                ax_cli_error("bench", "--%s is for 'bench %s'", c == 's' ? "size" : "conv",
                             c == 's' ? "gemm" : "conv");
                return AX_EXIT_USAGE;
            }
            if (nprobs == 16) { ax_cli_error("bench", "at most 16 problems"); return AX_EXIT_USAGE; }
            if ((c == 's' ? parse_size("bench", optarg, &probs[nprobs]) : parse_conv(optarg, &probs[nprobs]))) return AX_EXIT_USAGE;
            nprobs++;
            break;
        case 'b': backends = optarg; break;
        case 't': if (ax_cli_threads("bench", optarg, &threads)) return AX_EXIT_USAGE; break;
        case 'T': {
            char *end;
            min_time = strtod(optarg, &end);
            if (*end || !(min_time >= 0) || min_time > 600) {
                ax_cli_error("bench", "--min-time '%s': expected seconds in [0, 600]", optarg);
                return AX_EXIT_USAGE;
            }
            break;
        }
        case 'j': json = optarg; break;
        default: fputs(bench_help, stderr); return AX_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        ax_cli_error("bench", "unexpected argument '%s'", argv[optind]);
        return AX_EXIT_USAGE;
    }
    if (net_check_new_file("bench", "--json", json)) return AX_EXIT_USAGE;
    if (backends) {
        static const char *known[] = {"ref", "cpu", "cuda", "openblas", "cublas"};
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", backends);
        for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
            int ok = 0;
            for (int i = 0; i < 5; i++) ok |= !strcmp(t, known[i]);
            if (!ok) {
                ax_cli_error("bench", "--backends: unknown '%s' (ref, cpu, cuda, openblas, cublas)", t);
                return AX_EXIT_USAGE;
            }
        }
    }
    if (!nmacs)
        for (size_t i = 0; i < sizeof default_macs / sizeof *default_macs; i++) macs[nmacs++] = default_macs[i];
    ax_mac_cfg_t cfgs[64];
    for (int i = 0; i < nmacs; i++) {
        char err[256];
        if (ax_mac_parse(macs[i], &cfgs[i], err, sizeof err)) {
            ax_cli_error("bench", "--mac: %s", err);
            return AX_EXIT_USAGE;
        }
    }
    if (!nprobs) {
        if (conv) parse_conv("8,32,32,32,64,3,1,1", &probs[nprobs++]);
        else {
            parse_size("bench", "256x256x256", &probs[nprobs++]);
            parse_size("bench", "1024x1024x1024", &probs[nprobs++]);
        }
    }

    char err[256], why[256];
    ax_engine_t *ref = ax_engine_create(AX_BACKEND_REF, 1, err, sizeof err);
    ax_engine_t *cpu = ax_engine_create(AX_BACKEND_CPU, (int)threads, err, sizeof err);
    ax_engine_t *gpu = NULL;
    int have_gpu = ax_cuda_available(why, sizeof why);
    if (have_gpu && (want(backends, "cuda") || want(backends, "cublas")))
        gpu = ax_engine_create(AX_BACKEND_CUDA, 0, err, sizeof err);
    if (!ref || !cpu) {
        ax_cli_error("bench", "%s", err);
        return AX_EXIT_FAIL;
    }
    const int nthreads = ax_engine_threads(cpu);
    printf("axsim bench %s: %d CPU threads; %s\n", what, nthreads, have_gpu ? why : "no GPU");
    if (!have_gpu && backends && (want(backends, "cuda") || want(backends, "cublas")))
        printf("  (cuda and cublas skipped: %s)\n", why);
    printf("%-52s %-22s %-9s %11s %12s %10s %8s\n", "configuration", "problem", "backend", "ms/run",
           "MAC/s", "/baseline", "/ref");
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "results");
    cJSON_AddStringToObject(root, "benchmark", what);
    cJSON_AddNumberToObject(root, "threads", nthreads);
    cJSON_AddStringToObject(root, "gpu", have_gpu ? why : "none");
    int status = AX_EXIT_OK;
    int have_blas = 0;
    if (want(backends, "openblas")) {
        if (ax_openblas_load(nthreads, err, sizeof err) == 0) {
            have_blas = 1;
        } else {
            printf("  (openblas skipped: %s)\n", err);
        }
    }

    for (int pi = 0; pi < nprobs; pi++) {
        problem_t *p = &probs[pi];
        size_t na, nb, nc;
        int64_t oh = 1, ow = 1;
        if (p->conv) {
            ax_conv_out(&p->c, &oh, &ow, err, sizeof err);
            na = (size_t)(p->c.n * p->c.c * p->c.h * p->c.w);
            nb = (size_t)(p->c.oc * (p->c.c / p->c.groups) * p->c.kh * p->c.kw);
            nc = (size_t)(p->c.n * p->c.oc * oh * ow);
        } else {
            na = (size_t)(p->g.m * p->g.k), nb = (size_t)(p->g.k * p->g.n), nc = (size_t)(p->g.m * p->g.n);
        }
        float *fa = malloc(na * 4), *fb = malloc(nb * 4), *fc = malloc(nc * 4);
        uint32_t *A = malloc(na * 4), *B = malloc(nb * 4), *C1 = malloc(nc * 4), *C2 = malloc(nc * 4);
        if (!fa || !fb || !fc || !A || !B || !C1 || !C2) {
            ax_cli_error("bench", "out of memory for %s", p->name);
            return AX_EXIT_FAIL;
        }
        double base_cpu = 0, base_gpu = 0;
        run_ctx_t r = {.p = p, .fa = fa, .fb = fb, .fc = fc};
        for (int mi = 0; mi < nmacs; mi++) {
            const ax_mac_cfg_t *cfg = &cfgs[mi];
            char name[160];
            ax_mac_name(cfg, name, sizeof name);
            operands(cpu, cfg->in, na, 1 + (uint64_t)pi, fa, A);
            operands(cpu, cfg->in, nb, 1001 + (uint64_t)pi, fb, B);
            r.A = A, r.B = B, r.cfg = cfg;
            int ok;
            if (mi == 0 && have_blas) {
                base_cpu = timed(run_openblas, &r, min_time, &ok);
                printf("%-52s %-22s %-9s %11.3f %12.4g %10s %8s\n",
                       p->conv ? "OpenBLAS im2col + sgemm (fp32)" : "OpenBLAS sgemm (fp32)", p->name,
                       "openblas", base_cpu * 1e3, p->macs / base_cpu, "1", "");
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "config", p->conv ? "openblas im2col + sgemm" : "openblas sgemm");
                cJSON_AddStringToObject(o, "problem", p->name);
                cJSON_AddStringToObject(o, "backend", "openblas");
                cJSON_AddNumberToObject(o, "seconds", base_cpu);
                cJSON_AddNumberToObject(o, "macs_per_s", p->macs / base_cpu);
                cJSON_AddItemToArray(arr, o);
            }
            if (!p->conv && mi == 0 && gpu && want(backends, "cublas")) {
                if (ax_cublas_sgemm_time(p->g.m, p->g.n, p->g.k, 10, &base_gpu, err, sizeof err) == 0) {
                    printf("%-52s %-22s %-9s %11.3f %12.4g %10s %8s\n", "cuBLAS sgemm (fp32)", p->name,
                           "cublas", base_gpu * 1e3, p->macs / base_gpu, "1", "");
                    cJSON *o = cJSON_CreateObject();
                    cJSON_AddStringToObject(o, "config", "cublas sgemm");
                    cJSON_AddStringToObject(o, "problem", p->name);
                    cJSON_AddStringToObject(o, "backend", "cublas");
                    cJSON_AddNumberToObject(o, "seconds", base_gpu);
                    cJSON_AddNumberToObject(o, "macs_per_s", p->macs / base_gpu);
                    cJSON_AddItemToArray(arr, o);
                } else {
                    printf("  cublas: %s\n", err);
                    base_gpu = 0;
                }
            }
            double ref_rate = 0;
            struct { const char *name; ax_engine_t *e; } bks[] = {{"ref", ref}, {"cpu", cpu}, {"cuda", gpu}};
            int have_c1 = 0;
            for (int bi = 0; bi < 3; bi++) {
                if (!bks[bi].e || !want(backends, bks[bi].name)) continue;
                r.e = bks[bi].e;
                problem_t sub = *p;
                double macs = p->macs;
                if (bi == 0 && !p->conv) { /* ref: the first rows, about 2e7 MACs */
                    int64_t rows = (int64_t)(2e7 / ((double)p->g.n * (double)p->g.k)) + 1;
                    if (rows < sub.g.m) sub.g.m = rows;
                    macs = (double)sub.g.m * (double)sub.g.n * (double)sub.g.k;
                } else if (bi == 0) {
                    sub.c.n = 1;
                    macs = p->macs / (double)p->c.n;
                }
                r.p = &sub;
                r.C = bi == 1 || !have_c1 ? C1 : C2;
                double sec;
                if (bi == 2 && !p->conv) {
                    ok = ax_gemm_time_resident(gpu, cfg, &sub.g, A, B, 10, &sec, r.err, sizeof r.err) == 0;
                    if (ok) ok = run_ax(&r) == 0; /* the bits, for the comparison */
                } else {
                    sec = timed(run_ax, &r, bi == 0 ? 0 : min_time, &ok);
                }
                r.p = p;
                if (!ok) {
                    printf("%-52s %-22s %-9s failed: %s\n", name, p->name, bks[bi].name, r.err);
                    status = AX_EXIT_FAIL;
                    continue;
                }
                double rate = macs / sec;
                if (bi == 0) ref_rate = rate;
                if (bi == 1) have_c1 = 1;
                const char *agree = "";
                if (bi == 2 && have_c1 && memcmp(C1, C2, nc * 4)) {
                    agree = "  MISMATCH with cpu";
                    status = AX_EXIT_FAIL;
                }
                double base = bi == 2 ? base_gpu : base_cpu;
                char rb[32] = "", rr[32] = "";
                if (base > 0) snprintf(rb, sizeof rb, "1/%.3g", rate > 0 ? (p->macs / base) / rate : 0);
                if (ref_rate > 0 && bi > 0) snprintf(rr, sizeof rr, "%.0fx", rate / ref_rate);
                printf("%-52s %-22s %-9s %11.3f %12.4g %10s %8s%s\n", name, p->name, bks[bi].name,
                       sec * 1e3, rate, rb, rr, agree);
                if (bi > 0) printf("%-52s   path: %s\n", "", ax_engine_last_path(bks[bi].e));
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "config", name);
                cJSON_AddStringToObject(o, "problem", p->name);
                cJSON_AddStringToObject(o, "backend", bks[bi].name);
                cJSON_AddStringToObject(o, "path", ax_engine_last_path(bks[bi].e));
                cJSON_AddNumberToObject(o, "macs", macs);
                cJSON_AddNumberToObject(o, "seconds", sec);
                cJSON_AddNumberToObject(o, "macs_per_s", rate);
                if (base > 0) cJSON_AddNumberToObject(o, "fraction_of_baseline", rate / (p->macs / base));
                if (ref_rate > 0 && bi > 0) cJSON_AddNumberToObject(o, "times_ref", rate / ref_rate);
                cJSON_AddItemToArray(arr, o);
                fflush(stdout);
            }
        }
        free(fa), free(fb), free(fc), free(A), free(B), free(C1), free(C2), free(r.col);
    }
    if (json) {
        char *s = cJSON_Print(root), jerr[1024];
        if (!s || net_write_atomic(json, s, jerr, sizeof jerr)) {
            ax_cli_error("bench", "--json %s", s ? jerr : "out of memory");
            status = AX_EXIT_FAIL;
        }
        free(s);
    }
    cJSON_Delete(root);
    ax_engine_free(ref), ax_engine_free(cpu), ax_engine_free(gpu);
    return status;
}

/* ---- axsim gemm: one GEMM on a chosen backend ------------------------------------ */

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

int ax_verb_gemm(int argc, char **argv)
{
    static const struct option lo[] = {{"mac", required_argument, 0, 'm'},
                                       {"size", required_argument, 0, 's'},
                                       {"backend", required_argument, 0, 'b'},
                                       {"threads", required_argument, 0, 't'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"chunk", required_argument, 0, 'c'},
                                       {"check", no_argument, 0, 'k'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    if (ax_cli_wants_help(argc, argv)) {
        fputs(gemm_help, stdout);
        return AX_EXIT_OK;
    }
    const char *mac = NULL;
    problem_t p;
    parse_size("gemm", "256x256x256", &p);
    ax_backend_t backend = AX_BACKEND_AUTO;
    uint64_t threads = 0, seed = 1, chunk = 0;
    int check = 0, c;
    char err[256];
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'm': mac = optarg; break;
        case 's': if (parse_size("gemm", optarg, &p)) return AX_EXIT_USAGE; break;
        case 'b':
            if (ax_backend_parse(optarg, &backend, err, sizeof err)) {
                ax_cli_error("gemm", "--backend: %s", err);
                return AX_EXIT_USAGE;
            }
            break;
        case 't': if (ax_cli_threads("gemm", optarg, &threads)) return AX_EXIT_USAGE; break;
        case 'S': if (ax_cli_u64("gemm", "--seed", optarg, &seed)) return AX_EXIT_USAGE; break;
        case 'c': if (ax_cli_u64("gemm", "--chunk", optarg, &chunk)) return AX_EXIT_USAGE; break;
        case 'k': check = 1; break;
        default: fputs(gemm_help, stderr); return AX_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        ax_cli_error("gemm", "unexpected argument '%s'", argv[optind]);
        return AX_EXIT_USAGE;
    }
    if (!mac) {
        ax_cli_error("gemm", "--mac is required (e.g. --mac mul=mbm,in=bf16)");
        return AX_EXIT_USAGE;
    }
    ax_mac_cfg_t cfg;
    if (ax_mac_parse(mac, &cfg, err, sizeof err)) {
        ax_cli_error("gemm", "--mac: %s", err);
        return AX_EXIT_USAGE;
    }
    p.g.chunk = (int64_t)chunk;
    ax_engine_t *e = ax_engine_create(backend, (int)threads, err, sizeof err);
    if (!e) {
        ax_cli_error("gemm", "%s", err);
        return AX_EXIT_USAGE;
    }
    printf("%s\n", ax_engine_describe(e));
    size_t na = (size_t)(p.g.m * p.g.k), nb = (size_t)(p.g.k * p.g.n), nc = (size_t)(p.g.m * p.g.n);
    float *f = malloc((na > nb ? na : nb) * 4);
    uint32_t *A = malloc(na * 4), *B = malloc(nb * 4), *C = malloc(nc * 4), *R = check ? malloc(nc * 4) : NULL;
    int status = AX_EXIT_OK;
    if (!f || !A || !B || !C || (check && !R)) {
        ax_cli_error("gemm", "out of memory for %s", p.name);
        status = AX_EXIT_FAIL;
        goto out;
    }
    operands(e, cfg.in, na, seed, f, A);
    operands(e, cfg.in, nb, seed + 0x9E3779B9u, f, B);
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
    if (check) {
        ax_engine_t *r = ax_engine_create(AX_BACKEND_REF, 1, err, sizeof err);
        if (!r || ax_gemm(r, &cfg, &p.g, A, B, R, NULL, err, sizeof err)) {
            ax_cli_error("gemm", "ref: %s", err);
            status = AX_EXIT_FAIL;
        } else {
            size_t bad = 0, first = 0;
            for (size_t i = 0; i < nc; i++)
                if (C[i] != R[i] && bad++ == 0) first = i;
            if (bad) {
                char d1[160], d2[160];
                printf("MISMATCH: %zu of %zu elements differ from ref; first C[%zu][%zu]:\n"
                       "  ref  %s\n  %-4s %s\n", bad, nc, first / (size_t)p.g.n, first % (size_t)p.g.n,
                       ax_cli_decode(R[first], cfg.acc, d1, sizeof d1), ax_backend_name(ax_engine_backend(e)),
                       ax_cli_decode(C[first], cfg.acc, d2, sizeof d2));
                status = AX_EXIT_FAIL;
            } else {
                printf("check: all %zu elements equal the ref backend bit for bit\n", nc);
            }
        }
        ax_engine_free(r);
    }
out:
    free(f), free(A), free(B), free(C), free(R);
    ax_engine_free(e);
    return status;
}
