/* ax_engine.c — the engine: the backend table, engines and their options
 * (the environment read here and nowhere else), the GEMM entry point (and
 * the synapse's, for ax_spike.c),
 * quantization, shape and configuration checks. It calls the backends
 * (ax_backend.h); they never call it. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_backend.h"
#include "ax_baseline.h"
#include "ax_mac_step.h"
#include "ax_registry.h"

struct ax_engine {
    ax_backend_t backend;
    const ax_backend_ops_t *ops;
    ax_fp_ctx_t ctx;
    char describe[320];
    ax_daa_count_t daa; /* every DAA GEMM's counts */
};

/* The backends by ax_backend_t (AUTO resolves to cpu or cuda). */
static const struct {
    const char *name;
    const ax_backend_ops_t *ops;
} backends[] = {{"auto", NULL}, {"ref", &ax_backend_ref}, {"cpu", &ax_backend_cpu}, {"cuda", &ax_backend_cuda}};
enum { NBACKENDS = sizeof backends / sizeof backends[0] };

int ax_backend_parse(const char *name, ax_backend_t *out, char *err, size_t errlen)
{
    for (int i = 0; i < NBACKENDS; i++)
        if (!strcmp(name, backends[i].name)) {
            *out = (ax_backend_t)i;
            return 0;
        }
    return ax_fail(err, errlen, "unknown backend '%s' (choose auto, ref, cpu or cuda)", name);
}

const char *ax_backend_name(ax_backend_t b)
{
    return (unsigned)b < NBACKENDS ? backends[b].name : "?";
}

int ax_cuda_available(char *why, size_t len) { return ax_backend_cuda.probe(why, len); }

ax_engine_opts_t ax_engine_opts_from_env(void)
{
    ax_engine_opts_t o;
    memset(&o, 0, sizeof o);
    const char *v = getenv("AXSIM_CPU_PATH");
    if (v && !strcmp(v, "generic")) o.cpu_path = AX_CPU_PATH_GENERIC;
    else if (v && !strcmp(v, "lut")) o.cpu_path = AX_CPU_PATH_LUT;
    v = getenv("AXSIM_CPU_KERNEL");
    o.cpu_scalar = v && !strcmp(v, "scalar");
    v = getenv("AXSIM_CUDA_GENERIC");
    o.cuda_generic = v && *v && strcmp(v, "0");
    return o;
}

/* Test builds only, for the tests that must catch them: AXSIM_PLANT_BUG=
 * cpu-adder-tie (AX_PLANT_ADDER_TIE) makes the cpu fp32 adder path round ties
 * of an even lsb up; cpu-narrow-tie (AX_PLANT_NARROW_TIE) makes the narrow
 * path round ties away from zero; cpu-loa-carry (AX_PLANT_LOA_CARRY) drops
 * add_loa's carry on the native kernels. */
static int plant_bug_from_env(void)
{
#ifdef AXSIM_TEST_HOOKS
    const char *v = getenv("AXSIM_PLANT_BUG");
    if (!v) return 0;
    return !strcmp(v, "cpu-adder-tie")    ? AX_PLANT_ADDER_TIE
           : !strcmp(v, "cpu-narrow-tie") ? AX_PLANT_NARROW_TIE
           : !strcmp(v, "cpu-loa-carry")  ? AX_PLANT_LOA_CARRY
                                          : 0;
#else
    return 0;
#endif
}

ax_engine_t *ax_engine_create(ax_backend_t b, int threads, char *err, size_t errlen)
{
    char why[256] = "";
    ax_backend_t chosen = b;
    if ((unsigned)b >= NBACKENDS) {
        ax_fail(err, errlen, "unknown backend %d", (int)b);
        return NULL;
    }
    if (b == AX_BACKEND_AUTO) {
        chosen = ax_backend_cuda.probe(why, sizeof why) ? AX_BACKEND_CUDA : AX_BACKEND_CPU;
    } else if (backends[b].ops->probe && !backends[b].ops->probe(why, sizeof why)) {
        ax_fail(err, errlen, "backend %s: %s", backends[b].name, why);
        return NULL;
    }
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    ax_engine_t *e = calloc(1, sizeof *e);
    if (!e) {
        ax_fail(err, errlen, "out of memory");
        return NULL;
    }
    e->backend = chosen;
    e->ops = backends[chosen].ops;
    e->ctx.threads = chosen == AX_BACKEND_REF ? 1 : threads;
    e->ctx.opts = ax_engine_opts_from_env();
    e->ctx.plant_bug = plant_bug_from_env();
    if (b == AX_BACKEND_AUTO && chosen == AX_BACKEND_CPU)
        snprintf(e->describe, sizeof e->describe, "backend cpu (auto: %s; %d threads)", why, threads);
    else if (b == AX_BACKEND_AUTO)
        snprintf(e->describe, sizeof e->describe, "backend cuda (auto: %s)", why);
    else if (chosen == AX_BACKEND_CPU)
        snprintf(e->describe, sizeof e->describe, "backend cpu (%d threads)", threads);
    else if (chosen == AX_BACKEND_CUDA)
        snprintf(e->describe, sizeof e->describe, "backend cuda (%s)", why);
    else
        snprintf(e->describe, sizeof e->describe, "backend ref (scalar C models, 1 thread)");
    return e;
}

void ax_engine_free(ax_engine_t *e)
{
    if (!e) return;
    if (e->ops->release) e->ops->release(&e->ctx);
    ax_lut_cache_free(&e->ctx.luts);
    free(e);
}

ax_backend_t ax_engine_backend(const ax_engine_t *e) { return e->backend; }
int ax_engine_threads(const ax_engine_t *e) { return e->ctx.threads; }
const char *ax_engine_describe(const ax_engine_t *e) { return e->describe; }
const char *ax_engine_last_path(const ax_engine_t *e)
{
    return e->ctx.last_path ? e->ctx.last_path : "none";
}
ax_engine_opts_t ax_engine_options(const ax_engine_t *e) { return e->ctx.opts; }
void ax_engine_set_options(ax_engine_t *e, const ax_engine_opts_t *o) { e->ctx.opts = *o; }
ax_fp_ctx_t *ax_engine_ctx(ax_engine_t *e) { return &e->ctx; }

/* ---- quantization ---------------------------------------------------------- */

typedef struct q_ctx {
    ax_format_t f;
    const float *x;
    uint32_t *q;
    float *out;
    size_t n;
    uint32_t flags; /* ORed atomically by every task */
} q_ctx_t;

enum { Q_BLOCK = 1 << 16 };

/* A NaN's fp32 bit pattern (either sign, any payload). */
static inline int f32_nan(uint32_t b) { return (b & UINT32_C(0x7FFFFFFF)) > UINT32_C(0x7F800000); }

static void q_task(void *p, int64_t t)
{
    q_ctx_t *c = p;
    size_t lo = (size_t)t * Q_BLOCK, hi = lo + Q_BLOCK < c->n ? lo + Q_BLOCK : c->n;
    uint32_t fl = 0;
    if (ax_fmt_plain_fp32(c->f)) {
        /* fp32 (RNE, subnormals kept) to itself: every value but a NaN is
         * its own conversion; NaNs (canonical NaN, invalid for a signaling
         * one) take the reference function */
        for (size_t i = lo; i < hi; i++) {
            uint32_t b;
            memcpy(&b, &c->x[i], 4);
            c->q[i] = f32_nan(b) ? ax_from_f32bits(b, c->f, &fl) : b;
        }
        __atomic_fetch_or(&c->flags, fl, __ATOMIC_RELAXED);
        return;
    }
    for (size_t i = lo; i < hi; i++) {
        uint32_t b;
        memcpy(&b, &c->x[i], 4);
        c->q[i] = ax_from_f32bits(b, c->f, &fl);
    }
    __atomic_fetch_or(&c->flags, fl, __ATOMIC_RELAXED);
}

static void dq_task(void *p, int64_t t)
{
    q_ctx_t *c = p;
    size_t lo = (size_t)t * Q_BLOCK, hi = lo + Q_BLOCK < c->n ? lo + Q_BLOCK : c->n;
    if (ax_fmt_plain_fp32(c->f)) { /* itself, but a NaN is the quiet NaN of its sign */
        for (size_t i = lo; i < hi; i++) {
            uint32_t b = c->q[i];
            b = f32_nan(b) ? ax_to_f32bits(b, c->f) : b;
            memcpy(&c->out[i], &b, 4);
        }
        return;
    }
    for (size_t i = lo; i < hi; i++) {
        uint32_t b = ax_to_f32bits(c->q[i], c->f);
        memcpy(&c->out[i], &b, 4);
    }
}

void ax_quantize(ax_engine_t *e, ax_format_t f, const float *x, uint32_t *q, size_t n,
                 uint32_t *flags)
{
    if (e && e->ops->quantize && e->ops->quantize(&e->ctx, f, x, q, n, flags, NULL, 0) == 0)
        return; /* else (a device error) the host conversion, which is the same function */
    q_ctx_t c = {f, x, q, NULL, n, 0};
    ax_parallel_for(e ? e->ctx.threads : 1, (int64_t)((n + Q_BLOCK - 1) / Q_BLOCK), q_task, &c);
    if (flags) *flags |= c.flags;
}

void ax_dequantize(ax_engine_t *e, ax_format_t f, const uint32_t *q, float *x, size_t n)
{
    q_ctx_t c = {f, NULL, (uint32_t *)q, x, n, 0};
    ax_parallel_for(e ? e->ctx.threads : 1, (int64_t)((n + Q_BLOCK - 1) / Q_BLOCK), dq_task, &c);
}

/* ---- shapes and configurations ----------------------------------------------- */

ax_gemm_shape_t ax_gemm_shape(int64_t m, int64_t n, int64_t k)
{
    ax_gemm_shape_t s;
    memset(&s, 0, sizeof s);
    s.m = m, s.n = n, s.k = k;
    s.lda = k > 1 ? k : 1, s.ldb = n > 1 ? n : 1, s.ldc = n > 1 ? n : 1;
    s.batch = 1;
    return s;
}

int ax_gemm_check(const ax_gemm_shape_t *s, char *err, size_t errlen)
{
    if (s->m < 0 || s->n < 0 || s->k < 0)
        return ax_fail(err, errlen, "GEMM shape m=%lld n=%lld k=%lld: dimensions must be >= 0",
                          (long long)s->m, (long long)s->n, (long long)s->k);
    int64_t acols = s->trans_a ? s->m : s->k, bcols = s->trans_b ? s->k : s->n;
    if (s->lda < acols || s->lda < 1)
        return ax_fail(err, errlen, "GEMM lda=%lld is below the %lld columns of A as stored",
                          (long long)s->lda, (long long)acols);
    if (s->ldb < bcols || s->ldb < 1)
        return ax_fail(err, errlen, "GEMM ldb=%lld is below the %lld columns of B as stored",
                          (long long)s->ldb, (long long)bcols);
    if (s->ldc < s->n || s->ldc < 1)
        return ax_fail(err, errlen, "GEMM ldc=%lld is below n=%lld", (long long)s->ldc,
                          (long long)s->n);
    if (s->batch < 1)
        return ax_fail(err, errlen, "GEMM batch=%lld must be >= 1", (long long)s->batch);
    if (s->stride_a < 0 || s->stride_b < 0 || s->stride_c < 0)
        return ax_fail(err, errlen, "GEMM batch strides must be >= 0");
    if (s->batch > 1 && s->stride_c < s->m * s->ldc && s->m > 0)
        return ax_fail(err, errlen, "GEMM stride_c=%lld: batch items of C would overlap",
                          (long long)s->stride_c);
    if (s->chunk < 0)
        return ax_fail(err, errlen, "GEMM chunk=%lld must be >= 0", (long long)s->chunk);
    if (s->pair_rows < 0)
        return ax_fail(err, errlen, "GEMM pair_rows=%lld must be >= 0", (long long)s->pair_rows);
    return 0;
}

int ax_mac_check(const ax_mac_cfg_t *c, char *err, size_t errlen)
{
    if (!ax_unit_desc(c->mul) || ax_unit_kind(c->mul) != AX_KIND_MUL)
        return ax_fail(err, errlen, "MAC configuration: 'mul' is not a multiplier");
    if (!ax_unit_desc(c->add) || ax_unit_kind(c->add) != AX_KIND_ADD)
        return ax_fail(err, errlen, "MAC configuration: 'add' is not an adder");
    if (c->daa.policy < AX_DAA_NONE || c->daa.policy >= AX_DAA_POLICIES)
        return ax_fail(err, errlen, "MAC configuration: DAA policy %d is not one of static, zero, "
                                    "value, random", (int)c->daa.policy);
    if (ax_mac_is_daa(c)) {
        if (!ax_unit_desc(c->daa.lo) || ax_unit_kind(c->daa.lo) != AX_KIND_MUL)
            return ax_fail(err, errlen, "DAA configuration: 'lo' is not a multiplier");
        if (c->daa.lo_in.ebits > c->in.ebits || c->daa.lo_in.mbits > c->in.mbits)
            return ax_fail(err, errlen, "DAA configuration: lo_in is wider than in");
    }
    return 0;
}

void ax_engine_daa_counts(const ax_engine_t *e, uint64_t *nonzero, uint64_t *hi)
{
    if (nonzero) *nonzero = e->daa.nonzero;
    if (hi) *hi = e->daa.hi;
}

int ax_gemm(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
            const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
            char *err, size_t errlen)
{
    if (ax_gemm_check(s, err, errlen) || ax_mac_check(cfg, err, errlen)) return -1;
    if (s->m == 0 || s->n == 0) return 0;
    if (ax_mac_is_daa(cfg)) {
        if (!e->ops->gemm_daa)
            return ax_fail(err, errlen, "backend %s has no DAA GEMM", ax_backend_name(e->backend));
        return e->ops->gemm_daa(&e->ctx, cfg, s, A, B, C, flags, &e->daa, err, errlen);
    }
    return e->ops->gemm(&e->ctx, cfg, s, A, B, C, flags, err, errlen);
}

int ax_engine_spike(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                    const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags,
                    char *err, size_t errlen)
{
    if (!e->ops->spike)
        return ax_fail(err, errlen, "backend %s has no synapse", ax_backend_name(e->backend));
    if (ax_mac_is_daa(cfg))
        return ax_fail(err, errlen, "a DAA configuration shares multipliers between two streams; "
                                    "the synapse of spikes has no multiplier (give a plain MAC)");
    return e->ops->spike(&e->ctx, cfg, s, spk, w, y, flags, err, errlen);
}

int ax_gemm_time_resident(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                          const uint32_t *A, const uint32_t *B, int reps, double *sec, char *err,
                          size_t errlen)
{
    if (!e->ops->time_resident)
        return ax_fail(err, errlen, "backend %s keeps no operands resident", ax_backend_name(e->backend));
    if (ax_gemm_check(s, err, errlen) || ax_mac_check(cfg, err, errlen)) return -1;
    if (ax_mac_is_daa(cfg))
        return ax_fail(err, errlen, "DAA configurations are not timed with resident operands");
    return e->ops->time_resident(&e->ctx, cfg, s, A, B, reps, sec, err, errlen);
}
