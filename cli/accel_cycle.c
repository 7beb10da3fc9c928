/* accel_cycle.c — `axsim accel --mode cycle` (accel_cli.h): the model runs
 * its test images on the fast path; each conv and linear layer's operands
 * (the quantized input as im2col rows, the quantized weights) go to the
 * cycle-accurate array (axsim-accel, a separate process: SystemC elaborates
 * once per process) through a job file; the array's outputs and flags come
 * back and are compared with the layer's own fast-path kernel on the same
 * operands, its counts with the analytic model's. */
#define _GNU_SOURCE /* mkdtemp */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel_cli.h"
#include "ax_nn.h"
#include "cli.h"
#include "net_opts.h"

#ifndef AXSIM_WEIGHTS_DIR
#define AXSIM_WEIGHTS_DIR "networks/weights"
#endif

static const char verb[] = "accel";

#ifndef AXSIM_ACCEL_EXE
int accel_run_cycle(const accel_opts_t *o, accel_layer_t *ls, int64_t n)
{
    (void)o, (void)ls, (void)n;
    ax_cli_error(verb, "--mode cycle: this build has no SystemC model of the array (install "
                       "libsystemc-dev and Verilator, then rebuild); --mode analytic works");
    return AX_EXIT_USAGE;
}
#else

/* One GEMM handed to the array: which layer, and the fast path's answer */
typedef struct job {
    int64_t layer, image, group;
    int64_t m, n, k;
    uint32_t *want;   /* m x n */
} job_t;

/* The operands of group g of node d for one image (qx: its quantized
 * input, qw: the quantized weights): A (m x k) and B (k x n) as the array
 * takes them, and the fast path's output of the group into want */
static void gemm_operands(const ax_node_t *d, int64_t g, const uint32_t *qx, const uint32_t *qw,
                          const uint32_t *qc, uint32_t *A, uint32_t *B, uint32_t *want,
                          int64_t M, int64_t N, int64_t K)
{
    if (d->kind == AX_LAYER_LINEAR) {
        for (int64_t kk = 0; kk < K; kk++) A[kk] = qx[kk];
        for (int64_t kk = 0; kk < K; kk++)
            for (int64_t nn = 0; nn < N; nn++) B[kk * N + nn] = qw[nn * K + kk];
        for (int64_t nn = 0; nn < N; nn++) want[nn] = qc[nn];
        return;
    }
    const int64_t Cg = d->in_c / d->groups, Og = d->c / d->groups, kh = d->kh, kw = d->kw;
    const int64_t H = d->in_h, W = d->in_w, ow = d->w;
    for (int64_t mm = 0; mm < M; mm++) {
        const int64_t oy = mm / ow, ox = mm % ow;
        for (int64_t cl = 0; cl < Cg; cl++)
            for (int64_t ky = 0; ky < kh; ky++)
                for (int64_t kx = 0; kx < kw; kx++) {
                    const int64_t iy = oy * d->sh - d->ph + ky * d->dh, ix = ox * d->sw - d->pw + kx * d->dw;
                    const int64_t ci = g * Cg + cl;
                    const int64_t kk = (cl * kh + ky) * kw + kx;
                    /* padding: a +0 operand through the MAC, as ax_conv2d_fwd */
                    A[mm * K + kk] =
                        iy >= 0 && iy < H && ix >= 0 && ix < W ? qx[(ci * H + iy) * W + ix] : 0;
                }
    }
    for (int64_t nn = 0; nn < N; nn++)
        for (int64_t kk = 0; kk < K; kk++) B[kk * N + nn] = qw[(g * Og + nn) * K + kk];
    for (int64_t nn = 0; nn < N; nn++)
        for (int64_t mm = 0; mm < M; mm++) want[mm * N + nn] = qc[(g * Og + nn) * M + mm];
}

static int file_exists(const char *p)
{
    return access(p, R_OK) == 0;
}

/* axsim-accel on the job file; 0, or its exit status (its message printed) */
static int run_model(const accel_opts_t *o, const char *jobs, const char *results, int64_t vcd_job,
                     int64_t vcd_fold, const char *vcd_path)
{
    char vj[32], vf[32];
    const char *argv[16];
    int a = 0;
    argv[a++] = AXSIM_ACCEL_EXE;
    argv[a++] = "--jobs";
    argv[a++] = jobs;
    argv[a++] = "--results";
    argv[a++] = results;
    argv[a++] = "--pe";
    argv[a++] = o->pe;
    if (!o->quiet && isatty(2)) argv[a++] = "--progress";
    if (vcd_job >= 0) {
        snprintf(vj, sizeof vj, "%lld", (long long)vcd_job);
        snprintf(vf, sizeof vf, "%lld", (long long)vcd_fold);
        argv[a++] = "--vcd-job";
        argv[a++] = vj;
        argv[a++] = "--vcd-fold";
        argv[a++] = vf;
        argv[a++] = "--vcd-out";
        argv[a++] = vcd_path;
    }
    argv[a] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        ax_cli_error(verb, "cannot start %s: %s", AXSIM_ACCEL_EXE, strerror(errno));
        return AX_EXIT_FAIL;
    }
    if (pid == 0) {
        execv(AXSIM_ACCEL_EXE, (char *const *)argv);
        fprintf(stderr, "axsim accel: cannot run %s: %s\n", AXSIM_ACCEL_EXE, strerror(errno));
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 2) return AX_EXIT_USAGE;
    ax_cli_error(verb, "the cycle-accurate model failed (%s %d)",
                 WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    return AX_EXIT_FAIL;
}

/* The counts that must agree between the two models */
static int counts_equal(const ax_accel_counts_t *a, const ax_accel_counts_t *b)
{
    if (a->cycles != b->cycles || a->stall_cycles != b->stall_cycles || a->folds != b->folds ||
        a->macs != b->macs || a->preload_cycles != b->preload_cycles ||
        a->drain_cycles != b->drain_cycles || a->mapping_eff_sum != b->mapping_eff_sum ||
        a->compute_util_sum != b->compute_util_sum)
        return 0;
    for (int i = 0; i < AX_BUF_COUNT; i++)
        if (a->sram_reads[i] != b->sram_reads[i] || a->sram_writes[i] != b->sram_writes[i] ||
            a->dram_reads[i] != b->dram_reads[i] || a->dram_writes[i] != b->dram_writes[i] ||
            a->sram_first[i] != b->sram_first[i] || a->sram_last[i] != b->sram_last[i] ||
            a->has_dram[i] != b->has_dram[i] || a->dram_first[i] != b->dram_first[i] ||
            a->dram_last[i] != b->dram_last[i])
            return 0;
    return a->psum_words == b->psum_words;
}

int accel_run_cycle(const accel_opts_t *o, accel_layer_t *ls, int64_t n)
{
    char err[512], wpath[4200];
    net_job_t j;
    memset(&j, 0, sizeof j);
    net_opts_defaults(&j.o, verb);
    j.o.model = o->model, j.o.model_given = 1; /* accel --model (default lenet5) decides */
    j.o.onnx = o->onnx;                        /* ... or the ONNX file, with its weights */
    j.o.data = o->data;
    j.o.backend = o->backend;
    j.o.threads = o->threads;
    j.o.quiet = o->quiet;
    j.o.fwd = j.o.bwd = o->mac;
    const char *weights = o->weights;
    if (!weights && !o->onnx) {
        snprintf(wpath, sizeof wpath, "%s/%s-fashion-mnist.safetensors", AXSIM_WEIGHTS_DIR, o->model);
        if (file_exists(wpath)) weights = wpath;
        else if (!o->quiet)
            fprintf(stderr, "axsim accel: no shipped weights for %s; random ones (seed %llu): the "
                            "bit check needs operands, not a trained model\n",
                    o->model, (unsigned long long)j.o.seed);
    }
    j.o.weights = weights;
    int rc = net_job_load(&j, weights || o->onnx ? NO_WEIGHTS : 0);
    if (rc >= 0) return rc;
    ax_model_set_mac(j.m, j.e, &o->mac, &o->mac);
    const int64_t N = (int64_t)o->images;
    if (N > j.te.n) {
        ax_cli_error(verb, "--images %lld: the test set has %lld", (long long)N, (long long)j.te.n);
        net_job_close(&j);
        return AX_EXIT_USAGE;
    }
    if (ax_model_forward(j.m, j.te.x, N, 0, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        net_job_close(&j);
        return AX_EXIT_FAIL;
    }
    /* the layers must be the model's as the data shapes it */
    for (int64_t i = 0; i < n; i++) {
        const ax_node_t *d = &j.m->node[ls[i].node];
        int64_t m = d->kind == AX_LAYER_CONV ? d->h * d->w : 1;
        if (ls[i].node >= j.m->nnodes || m != ls[i].l.m) {
            ax_cli_error(verb, "the test images are %lldx%lldx%lld: give --input %lldx%lldx%lld",
                         (long long)j.te.c, (long long)j.te.h, (long long)j.te.w, (long long)j.te.c,
                         (long long)j.te.h, (long long)j.te.w);
            net_job_close(&j);
            return AX_EXIT_USAGE;
        }
    }

    /* the job file, in a private folder */
    const char *tmp = getenv("TMPDIR");
    char dir[4096], jobs_path[4200], res_path[4200];
    snprintf(dir, sizeof dir, "%s/axsim-accel-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        ax_cli_error(verb, "cannot make a folder for the jobs (%s): %s", dir, strerror(errno));
        net_job_close(&j);
        return AX_EXIT_FAIL;
    }
    snprintf(jobs_path, sizeof jobs_path, "%s/jobs", dir);
    snprintf(res_path, sizeof res_path, "%s/results", dir);
    int64_t njobs = 0;
    for (int64_t i = 0; i < n; i++) njobs += N * ls[i].l.count;
    job_t *jobs = calloc((size_t)njobs, sizeof *jobs);
    FILE *f = fopen(jobs_path, "wb");
    ax_accel_job_hdr_t h;
    memset(&h, 0, sizeof h);
    ax_mac_name(&o->mac, h.mac, sizeof h.mac);
    h.cfg = o->cfg;
    h.jobs = njobs;
    uint32_t *qx = NULL, *qw = NULL, *qc = NULL, *A = NULL, *B = NULL;
    int ok = jobs && f && !ax_accel_jobs_write_header(f, &h);
    int64_t vcd_job = -1, vcd_fold = 0;
    char vcd_path[4200] = "";
    const char *vcd_layer = NULL;
    char vcd_name[128];
    if (o->vcd) {
        snprintf(vcd_name, sizeof vcd_name, "%s", o->vcd);
        char *colon = strrchr(vcd_name, ':');
        if (colon) {
            char *e;
            vcd_fold = strtoll(colon + 1, &e, 10);
            if (*e || vcd_fold < 0) {
                ax_cli_error(verb, "--vcd %s: give LAYER or LAYER:FOLD", o->vcd);
                ok = 0, rc = AX_EXIT_USAGE;
            }
            *colon = 0;
        }
        vcd_layer = vcd_name;
    }
    int64_t jn = 0;
    for (int64_t b = 0; ok && b < N; b++)
        for (int64_t i = 0; ok && i < n; i++) {
            const ax_node_t *d = &j.m->node[ls[i].node];
            const ax_param_t *W = &j.m->param[d->weight];
            const int64_t in = d->in_c * d->in_h * d->in_w, outsz = d->c * d->h * d->w;
            const float *x = (d->in[0] < 0 ? j.te.x : j.m->node[d->in[0]].y) + b * in;
            const int64_t M = ls[i].l.m, Nn = ls[i].l.n, K = ls[i].l.k;
            uint32_t *nqx = realloc(qx, (size_t)in * 4), *nqw = realloc(qw, (size_t)W->count * 4),
                     *nqc = realloc(qc, (size_t)outsz * 4), *nA = realloc(A, (size_t)(M * K) * 4),
                     *nB = realloc(B, (size_t)(K * Nn) * 4);
            qx = nqx ? nqx : qx, qw = nqw ? nqw : qw, qc = nqc ? nqc : qc, A = nA ? nA : A,
            B = nB ? nB : B;
            if (!nqx || !nqw || !nqc || !nA || !nB) {
                ok = 0;
                break;
            }
            ax_quantize(j.e, o->mac.in, x, qx, (size_t)in, NULL);
            ax_quantize(j.e, o->mac.in, W->w, qw, (size_t)W->count, NULL);
            uint32_t flags = 0;
            int krc;
            if (d->kind == AX_LAYER_LINEAR) {
                krc = ax_linear_fwd(j.e, &o->mac, 1, in, d->c, qx, qw, qc, &flags, err, sizeof err);
            } else {
                ax_conv_shape_t s = {1, d->in_c, d->in_h, d->in_w, d->c, d->kh, d->kw, d->sh,
                                     d->sw, d->ph, d->pw, d->dh, d->dw, d->groups};
                krc = ax_conv2d_fwd(j.e, &o->mac, &s, qx, qw, qc, &flags, err, sizeof err);
            }
            if (krc) {
                ax_cli_error(verb, "%s: %s", ls[i].l.name, err);
                ok = 0, rc = AX_EXIT_FAIL;
                break;
            }
            /* the flags of the whole layer, per image: kept in the job of group 0 */
            for (int64_t g = 0; g < ls[i].l.count; g++, jn++) {
                job_t *jb = &jobs[jn];
                jb->layer = i, jb->image = b, jb->group = g, jb->m = M, jb->n = Nn, jb->k = K;
                jb->want = malloc((size_t)(M * Nn + 1) * 4);
                if (!jb->want) {
                    ok = 0;
                    break;
                }
                gemm_operands(d, g, qx, qw, qc, A, B, jb->want, M, Nn, K);
                jb->want[M * Nn] = g == 0 ? flags : 0;
                char name[64];
                snprintf(name, sizeof name, "%s img%lld g%lld", ls[i].l.name, (long long)b, (long long)g);
                if (ax_accel_jobs_write_job(f, name, M, Nn, K, ls[i].l.ifmap_words, A, B)) ok = 0;
                if (vcd_layer && vcd_job < 0 && b == 0 && g == 0 && !strcmp(vcd_layer, ls[i].l.name))
                    vcd_job = jn;
            }
        }
    free(qx), free(qw), free(qc), free(A), free(B);
    if (f && fclose(f)) ok = 0;
    if (ok && vcd_layer && vcd_job < 0) {
        ax_cli_error(verb, "--vcd %s: no layer of that name (the table's names)", vcd_layer);
        ok = 0, rc = AX_EXIT_USAGE;
    }
    if (ok && vcd_job >= 0) {
        ax_accel_map_t mp;
        ax_accel_map(&o->cfg, &ls[jobs[vcd_job].layer].l, &mp);
        if (vcd_fold >= mp.folds) {
            ax_cli_error(verb, "--vcd %s: the layer has %lld folds (0..%lld)", o->vcd,
                         (long long)mp.folds, (long long)mp.folds - 1);
            ok = 0, rc = AX_EXIT_USAGE;
        }
        if (o->vcd_path) snprintf(vcd_path, sizeof vcd_path, "%s", o->vcd_path);
        else snprintf(vcd_path, sizeof vcd_path, "%s/%s.fold%lld.vcd", o->out, vcd_layer, (long long)vcd_fold);
        if (ok && access(vcd_path, F_OK) == 0) {
            ax_cli_error(verb, "%s exists: nothing is overwritten (give --vcd-out)", vcd_path);
            ok = 0, rc = AX_EXIT_USAGE;
        }
    }
    if (!ok && !rc) {
        ax_cli_error(verb, "writing the jobs to %s failed: %s", jobs_path, errno ? strerror(errno) : "out of memory");
        rc = AX_EXIT_FAIL;
    }
    if (ok) rc = run_model(o, jobs_path, res_path, vcd_job, vcd_fold, vcd_path);

    /* the answers */
    if (ok && !rc) {
        FILE *r = fopen(res_path, "rb");
        int64_t got;
        uint32_t *C = NULL;
        if (!r || ax_accel_results_read_header(r, res_path, &got, err, sizeof err) || got != njobs) {
            ax_cli_error(verb, "%s", r ? err : strerror(errno));
            rc = AX_EXIT_FAIL;
        }
        for (int64_t i = 0; i < n; i++) {
            ls[i].outputs = ls[i].differ = 0;
            ls[i].flags_equal = ls[i].counts_equal = 1;
            memset(&ls[i].k, 0, sizeof ls[i].k);
        }
        uint32_t *lflags = calloc((size_t)n * (size_t)N + 1, 4);
        for (int64_t q = 0; !rc && q < njobs; q++) {
            job_t *jb = &jobs[q];
            accel_layer_t *L = &ls[jb->layer];
            uint32_t *nc = realloc(C, (size_t)(jb->m * jb->n) * 4), fl;
            ax_accel_counts_t k;
            char kind[8];
            if (!nc || !lflags) {
                ax_cli_error(verb, "out of memory");
                rc = AX_EXIT_FAIL;
                break;
            }
            C = nc;
            if (ax_accel_results_read(r, res_path, jb->m, jb->n, C, &fl, &k, kind, err, sizeof err)) {
                ax_cli_error(verb, "%s", err);
                rc = AX_EXIT_FAIL;
                break;
            }
            snprintf(L->pe_kind, sizeof L->pe_kind, "%s", kind);
            for (int64_t e = 0; e < jb->m * jb->n; e++) L->differ += C[e] != jb->want[e];
            L->outputs += jb->m * jb->n;
            lflags[jb->layer * N + jb->image] |= fl;
            /* each GEMM's counts against the analytic model's */
            ax_accel_layer_t one = L->l;
            one.count = 1;
            ax_accel_counts_t a;
            if (ax_accel_analytic(&o->cfg, &one, &a, err, sizeof err) || !counts_equal(&k, &a))
                L->counts_equal = 0;
            /* one image's counts, as the cycle-accurate model counted them */
            if (jb->image == 0) {
                ax_accel_counts_finish(&o->cfg, &k);
                ax_accel_counts_add(&o->cfg, &L->k, &k);
            }
        }
        for (int64_t q = 0; !rc && q < njobs; q++)
            if (jobs[q].group == 0 &&
                lflags[jobs[q].layer * N + jobs[q].image] != jobs[q].want[jobs[q].m * jobs[q].n])
                ls[jobs[q].layer].flags_equal = 0;
        free(lflags);
        free(C);
        if (r) fclose(r);
        if (!rc && vcd_job >= 0 && !o->quiet) fprintf(stderr, "axsim accel: VCD in %s\n", vcd_path);
    }
    for (int64_t q = 0; jobs && q < njobs; q++) free(jobs[q].want);
    free(jobs);
    remove(jobs_path);
    remove(res_path);
    rmdir(dir);
    net_job_close(&j);
    return rc;
}
#endif
