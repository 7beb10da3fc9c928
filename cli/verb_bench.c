/* verb_bench.c — `axsim bench gemm|conv`: MAC/s of every backend side by
 * side with the native baselines (OpenBLAS sgemm on the CPU, cuBLAS sgemm on
 * the GPU; cuda_fastpath/include/ax_baseline.h), as a table and as JSON. A
 * benchmark, not a test: it checks only that the backends agree on the bits
 * of what they timed. `axsim bench train` is verb_bench_train.c. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_baseline.h"
#include "ax_clock.h"
#include "ax_fastpath.h"
#include "cli.h"
#include "gemm_problem.h"

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
    "                   functional, approximate-adder and narrow-format ones)\n"
    "  --size MxNxK     GEMM size (repeatable; default 256x256x256 and 1024x1024x1024)\n"
    "  --conv N,C,H,W,OC,K,S,P[,G]  convolution (repeatable; default 8,32,32,32,64,3,1,1)\n"
    "  --backends LIST  comma-separated: ref,cpu,cuda,openblas,cublas (default: all\n"
    "                   that can run here)\n"
    "  --threads N      CPU threads (default: every core)\n"
    "  --min-time S     seconds each measurement runs at least (default 0.5)\n"
    "  --json FILE      also write the results as JSON (- for stdout)\n";

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
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16",
    "mul=exact,in=fp16,prod=fp16,add=exact,acc=fp16",
    "mul=mbm,in=bf16,prod=fp32,add=loa:l=4,acc=bf16",
};

enum { MAX_MACS = 64, MAX_PROBLEMS = 16 };

typedef struct bench_opts {
    int conv;
    const char *what, *backends, *json; /* backends NULL: all */
    const char *macs[MAX_MACS];
    ax_mac_cfg_t cfgs[MAX_MACS];
    int nmacs, nprobs;
    ax_problem_t probs[MAX_PROBLEMS];
    uint64_t threads;
    double min_time;
} bench_opts_t;

/* What the measurements of one run share. */
typedef struct bench {
    const bench_opts_t *o;
    ax_engine_t *eng[3]; /* ref, cpu, cuda (NULL: not here) */
    int have_blas;
    cJSON *arr;
    int status;
} bench_t;

static const char *const backend_names[3] = {"ref", "cpu", "cuda"};

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
    const ax_problem_t *p;
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

/* Whether the --backends list (NULL: everything) names name. */
static int want(const char *list, const char *name)
{
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n])) return 1;
    return 0;
}

/* ---- options -------------------------------------------------------------------- */

static int check_backends(const char *list)
{
    static const char *known[] = {"ref", "cpu", "cuda", "openblas", "cublas"};
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", list);
    for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
        int ok = 0;
        for (int i = 0; i < 5; i++) ok |= !strcmp(t, known[i]);
        if (!ok) {
            ax_cli_error("bench", "--backends: unknown '%s' (ref, cpu, cuda, openblas, cublas)", t);
            return -1;
        }
    }
    return 0;
}

/* A --size or --conv: the one the benchmark takes. */
static int add_problem(bench_opts_t *o, int c, const char *s)
{
    if ((c == 's') == o->conv) {
        ax_cli_error("bench", "--%s is for 'bench %s'", c == 's' ? "size" : "conv", c == 's' ? "gemm" : "conv");
        return -1;
    }
    if (o->nprobs == MAX_PROBLEMS) {
        ax_cli_error("bench", "at most %d problems", MAX_PROBLEMS);
        return -1;
    }
    ax_problem_t *p = &o->probs[o->nprobs++];
    return c == 's' ? ax_problem_size("bench", s, p) : ax_problem_conv("bench", s, p);
}

/* argv[0] is "gemm" or "conv". -1 to go on, or an exit code. */
static int parse_opts(bench_opts_t *o, int argc, char **argv)
{
    static const struct option lo[] = {{"mac", 1, 0, 'm'},     {"size", 1, 0, 's'},     {"conv", 1, 0, 'c'},
                                       {"backends", 1, 0, 'b'}, {"threads", 1, 0, 't'}, {"min-time", 1, 0, 'T'},
                                       {"json", 1, 0, 'j'},     {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->what = argv[0], o->conv = !strcmp(argv[0], "conv"), o->min_time = 0.5;
    int c;
    ax_cli_opt_begin();
    while ((c = ax_cli_opt("bench", argc, argv, lo, 0)) > 0) {
        int bad = 0;
        switch (c) {
        case 'm':
            if ((bad = o->nmacs == MAX_MACS)) ax_cli_error("bench", "--mac: at most %d", MAX_MACS);
            else o->macs[o->nmacs++] = optarg;
            break;
        case 's': case 'c': bad = add_problem(o, c, optarg); break;
        case 'b': bad = check_backends(o->backends = optarg); break;
        case 't': bad = ax_cli_threads("bench", optarg, &o->threads); break;
        case 'T': bad = ax_cli_double("bench", "--min-time", optarg, 0, 600, &o->min_time); break;
        case 'j': o->json = optarg; break;
        }
        if (bad) return AX_EXIT_USAGE;
    }
    if (c < 0 || ax_cli_check_new_file("bench", "--json", o->json)) return AX_EXIT_USAGE;
    if (!o->nmacs)
        for (size_t i = 0; i < sizeof default_macs / sizeof *default_macs; i++) o->macs[o->nmacs++] = default_macs[i];
    for (int i = 0; i < o->nmacs; i++)
        if (ax_cli_mac("bench", "--mac", o->macs[i], &o->cfgs[i])) return AX_EXIT_USAGE;
    if (!o->nprobs && o->conv) add_problem(o, 'c', "8,32,32,32,64,3,1,1");
    if (!o->nprobs && !o->conv) add_problem(o, 's', "256x256x256"), add_problem(o, 's', "1024x1024x1024");
    return -1;
}

/* ---- measurements ------------------------------------------------------------------ */

/* The JSON object of a result: config, problem, backend; the caller adds the rest. */
static cJSON *result(bench_t *b, const char *config, const ax_problem_t *p, const char *backend)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "config", config);
    cJSON_AddStringToObject(o, "problem", p->name);
    cJSON_AddStringToObject(o, "backend", backend);
    cJSON_AddItemToArray(b->arr, o);
    return o;
}

/* A native baseline's row: sec per run of the whole problem. */
static void baseline_row(bench_t *b, const char *label, const char *config, const ax_problem_t *p,
                         const char *backend, double sec)
{
    printf("%-52s %-22s %-9s %11.3f %12.4g %10s %8s\n", label, p->name, backend, sec * 1e3, p->macs / sec, "1", "");
    cJSON *o = result(b, config, p, backend);
    cJSON_AddNumberToObject(o, "seconds", sec);
    cJSON_AddNumberToObject(o, "macs_per_s", p->macs / sec);
}

typedef struct bufs {
    float *fa, *fb, *fc;
    uint32_t *A, *B, *C1, *C2;
    size_t na, nb, nc;
} bufs_t;

/* One MAC configuration on every backend asked for; the baselines (base[0]
 * cpu, base[1] gpu: seconds per run) are measured with the first. */
static void bench_mac(bench_t *b, const ax_problem_t *p, int pi, int mi, bufs_t *m, run_ctx_t *r, double *base)
{
    const bench_opts_t *o = b->o;
    const ax_mac_cfg_t *cfg = &o->cfgs[mi];
    char name[160], err[256];
    ax_mac_name(cfg, name, sizeof name);
    ax_problem_operands(b->eng[1], cfg->in, m->na, 1 + (uint64_t)pi, m->fa, m->A);
    ax_problem_operands(b->eng[1], cfg->in, m->nb, 1001 + (uint64_t)pi, m->fb, m->B);
    r->A = m->A, r->B = m->B, r->cfg = cfg;
    int ok;
    if (mi == 0 && b->have_blas) {
        base[0] = timed(run_openblas, r, o->min_time, &ok);
        baseline_row(b, p->conv ? "OpenBLAS im2col + sgemm (fp32)" : "OpenBLAS sgemm (fp32)",
                     p->conv ? "openblas im2col + sgemm" : "openblas sgemm", p, "openblas", base[0]);
    }
    if (!p->conv && mi == 0 && b->eng[2] && want(o->backends, "cublas")) {
        if (ax_cublas_sgemm_time(p->g.m, p->g.n, p->g.k, 10, &base[1], err, sizeof err) == 0) {
            baseline_row(b, "cuBLAS sgemm (fp32)", "cublas sgemm", p, "cublas", base[1]);
        } else {
            printf("  cublas: %s\n", err);
            base[1] = 0;
        }
    }
    double ref_rate = 0;
    int have_c1 = 0;
    for (int bi = 0; bi < 3; bi++) {
        ax_engine_t *e = b->eng[bi];
        if (!e || !want(o->backends, backend_names[bi])) continue;
        r->e = e;
        ax_problem_t sub = *p;
        double macs = p->macs;
        if (bi == 0 && !p->conv) { /* ref: the first rows, about 2e7 MACs */
            int64_t rows = (int64_t)(2e7 / ((double)p->g.n * (double)p->g.k)) + 1;
            if (rows < sub.g.m) sub.g.m = rows;
            macs = (double)sub.g.m * (double)sub.g.n * (double)sub.g.k;
        } else if (bi == 0) {
            sub.c.n = 1;
            macs = p->macs / (double)p->c.n;
        }
        r->p = &sub;
        r->C = bi == 1 || !have_c1 ? m->C1 : m->C2;
        double sec;
        if (bi == 2 && !p->conv) {
            ok = ax_gemm_time_resident(e, cfg, &sub.g, m->A, m->B, 10, &sec, r->err, sizeof r->err) == 0;
            if (ok) ok = run_ax(r) == 0; /* the bits, for the comparison */
        } else {
            sec = timed(run_ax, r, bi == 0 ? 0 : o->min_time, &ok);
        }
        r->p = p;
        if (!ok) {
            printf("%-52s %-22s %-9s failed: %s\n", name, p->name, backend_names[bi], r->err);
            b->status = AX_EXIT_FAIL;
            continue;
        }
        double rate = macs / sec;
        if (bi == 0) ref_rate = rate;
        if (bi == 1) have_c1 = 1;
        const char *agree = "";
        if (bi == 2 && have_c1 && memcmp(m->C1, m->C2, m->nc * 4)) {
            agree = "  MISMATCH with cpu";
            b->status = AX_EXIT_FAIL;
        }
        double bs = bi == 2 ? base[1] : base[0];
        char rb[32] = "", rr[32] = "";
        if (bs > 0) snprintf(rb, sizeof rb, "1/%.3g", rate > 0 ? (p->macs / bs) / rate : 0);
        if (ref_rate > 0 && bi > 0) snprintf(rr, sizeof rr, "%.0fx", rate / ref_rate);
        printf("%-52s %-22s %-9s %11.3f %12.4g %10s %8s%s\n", name, p->name, backend_names[bi], sec * 1e3, rate,
               rb, rr, agree);
        if (bi > 0) printf("%-52s   path: %s\n", "", ax_engine_last_path(e));
        cJSON *j = result(b, name, p, backend_names[bi]);
        cJSON_AddStringToObject(j, "path", ax_engine_last_path(e));
        cJSON_AddNumberToObject(j, "macs", macs);
        cJSON_AddNumberToObject(j, "seconds", sec);
        cJSON_AddNumberToObject(j, "macs_per_s", rate);
        if (bs > 0) cJSON_AddNumberToObject(j, "fraction_of_baseline", rate / (p->macs / bs));
        if (ref_rate > 0 && bi > 0) cJSON_AddNumberToObject(j, "times_ref", rate / ref_rate);
        fflush(stdout);
    }
}

/* Every MAC configuration on one problem. 0, or -1 out of memory. */
static int bench_problem(bench_t *b, int pi)
{
    const ax_problem_t *p = &b->o->probs[pi];
    bufs_t m;
    ax_problem_elems(p, &m.na, &m.nb, &m.nc);
    m.fa = malloc(m.na * 4), m.fb = malloc(m.nb * 4), m.fc = malloc(m.nc * 4);
    m.A = malloc(m.na * 4), m.B = malloc(m.nb * 4), m.C1 = malloc(m.nc * 4), m.C2 = malloc(m.nc * 4);
    run_ctx_t r = {.p = p, .fa = m.fa, .fb = m.fb, .fc = m.fc};
    int rc = 0;
    if (!m.fa || !m.fb || !m.fc || !m.A || !m.B || !m.C1 || !m.C2) {
        ax_cli_error("bench", "out of memory for %s", p->name);
        rc = -1;
    } else {
        double base[2] = {0, 0};
        for (int mi = 0; mi < b->o->nmacs; mi++) bench_mac(b, p, pi, mi, &m, &r, base);
    }
    free(m.fa), free(m.fb), free(m.fc), free(m.A), free(m.B), free(m.C1), free(m.C2), free(r.col);
    return rc;
}

int ax_verb_bench(int argc, char **argv)
{
    /* bench train has options and help of its own */
    if (argc >= 2 && !strcmp(argv[1], "train")) return ax_verb_bench_train(argc - 1, argv + 1);
    if (argc < 2 || ax_cli_wants_help(argc, argv)) {
        fputs(bench_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? AX_EXIT_USAGE : AX_EXIT_OK;
    }
    if (strcmp(argv[1], "gemm") && strcmp(argv[1], "conv")) {
        ax_cli_error("bench", "unknown benchmark '%s' (choose gemm, conv or train)", argv[1]);
        return AX_EXIT_USAGE;
    }
    bench_opts_t o;
    int rc = parse_opts(&o, argc - 1, argv + 1);
    if (rc >= 0) return rc;

    char err[256], why[256];
    bench_t b = {&o, {NULL, NULL, NULL}, 0, NULL, AX_EXIT_OK};
    b.eng[0] = ax_engine_create(AX_BACKEND_REF, 1, err, sizeof err);
    b.eng[1] = b.eng[0] ? ax_engine_create(AX_BACKEND_CPU, (int)o.threads, err, sizeof err) : NULL;
    const int have_gpu = ax_cuda_available(why, sizeof why);
    const int gpu_wanted = want(o.backends, "cuda") || want(o.backends, "cublas");
    if (have_gpu && gpu_wanted) b.eng[2] = ax_engine_create(AX_BACKEND_CUDA, 0, err, sizeof err);
    if (!b.eng[0] || !b.eng[1]) {
        ax_cli_error("bench", "%s", err);
        ax_engine_free(b.eng[0]), ax_engine_free(b.eng[2]);
        return AX_EXIT_FAIL;
    }
    const int nthreads = ax_engine_threads(b.eng[1]);
    printf("axsim bench %s: %d CPU threads; %s\n", o.what, nthreads, have_gpu ? why : "no GPU");
    if (!have_gpu && o.backends && gpu_wanted) printf("  (cuda and cublas skipped: %s)\n", why);
    printf("%-52s %-22s %-9s %11s %12s %10s %8s\n", "configuration", "problem", "backend", "ms/run", "MAC/s",
           "/baseline", "/ref");
    cJSON *root = cJSON_CreateObject();
    b.arr = cJSON_AddArrayToObject(root, "results");
    cJSON_AddStringToObject(root, "benchmark", o.what);
    cJSON_AddNumberToObject(root, "threads", nthreads);
    cJSON_AddStringToObject(root, "gpu", have_gpu ? why : "none");
    if (want(o.backends, "openblas")) {
        if (ax_openblas_load(nthreads, err, sizeof err) == 0) b.have_blas = 1;
        else printf("  (openblas skipped: %s)\n", err);
    }
    int oom = 0;
    for (int pi = 0; pi < o.nprobs && !oom; pi++) oom = bench_problem(&b, pi) != 0;
    if (oom || (o.json && ax_cli_write_json("bench", o.json, root))) b.status = AX_EXIT_FAIL;
    cJSON_Delete(root);
    for (int i = 0; i < 3; i++) ax_engine_free(b.eng[i]);
    return b.status;
}
