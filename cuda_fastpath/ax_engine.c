/* ax_engine.c — backends by name, the engine, the GEMM entry point, the
 * parallel-for, quantization, and the ref backend (the oracle). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_fp_internal.h"
#include "ax_registry.h"

static const char *const backend_names[] = {"auto", "ref", "cpu", "cuda"};

int ax_backend_parse(const char *name, ax_backend_t *out, char *err, size_t errlen)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, backend_names[i])) {
            *out = (ax_backend_t)i;
            return 0;
        }
    return ax_fail(err, errlen, "unknown backend '%s' (choose auto, ref, cpu or cuda)", name);
}

const char *ax_backend_name(ax_backend_t b)
{
    return (unsigned)b < 4 ? backend_names[b] : "?";
}

int ax_cuda_available(char *why, size_t len) { return ax_cuda_probe(why, len); }

ax_engine_t *ax_engine_create(ax_backend_t b, int threads, char *err, size_t errlen)
{
    char why[256] = "";
    ax_backend_t chosen = b;
    if (b == AX_BACKEND_AUTO) chosen = ax_cuda_probe(why, sizeof why) ? AX_BACKEND_CUDA : AX_BACKEND_CPU;
    else if (b == AX_BACKEND_CUDA && !ax_cuda_probe(why, sizeof why)) {
        ax_fail(err, errlen, "backend cuda: %s", why);
        return NULL;
    } else if ((unsigned)b > AX_BACKEND_CUDA) {
        ax_fail(err, errlen, "unknown backend %d", (int)b);
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
    e->threads = chosen == AX_BACKEND_REF ? 1 : threads;
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
    ax_cuda_release(e);
    ax_cpu_release(e);
    ax_lut_cache_free(&e->luts);
    free(e);
}

ax_backend_t ax_engine_backend(const ax_engine_t *e) { return e->backend; }
int ax_engine_threads(const ax_engine_t *e) { return e->threads; }
const char *ax_engine_describe(const ax_engine_t *e) { return e->describe; }
const char *ax_engine_last_path(const ax_engine_t *e) { return e->last_path ? e->last_path : "none"; }

/* ---- parallel-for -------------------------------------------------------- */

/* A persistent pool: networks call this thousands of times a second, and a
 * pthread_create per call cost more than the work. One job at a time (a
 * caller holds `submit`); the caller works too. Every worker below `want`
 * checks in and out of each job, so no worker can still be inside a job
 * when the next one is posted. A task that calls ax_parallel_for runs the
 * inner loop itself (no nesting into the pool). */
enum { POOL_MAX = 255 };

static struct {
    pthread_mutex_t submit, lock;
    pthread_cond_t wake, done;
    int nworkers;
    uint64_t gen;
    int want, out;         /* workers taking part in job gen; those not finished */
    ax_task_fn fn;
    void *ctx;
    int64_t ntasks, next;  /* next task, taken atomically */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL, 0, 0};

static _Thread_local int in_pool;

/* A forked child has none of the workers: it starts a pool of its own. */
static void pool_after_fork(void)
{
    pthread_mutex_init(&pool.submit, NULL);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.nworkers = 0, pool.want = pool.out = 0;
}

static void pool_run(ax_task_fn fn, void *ctx, int64_t ntasks)
{
    for (;;) {
        int64_t t = __atomic_fetch_add(&pool.next, 1, __ATOMIC_RELAXED);
        if (t >= ntasks) return;
        fn(ctx, t);
    }
}

static void *pool_worker(void *arg)
{
    const int id = (int)(intptr_t)arg;
    uint64_t seen = 0;
    in_pool = 1;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.gen == seen) pthread_cond_wait(&pool.wake, &pool.lock);
        seen = pool.gen;
        if (id >= pool.want) continue;
        ax_task_fn fn = pool.fn;
        void *ctx = pool.ctx;
        int64_t ntasks = pool.ntasks;
        pthread_mutex_unlock(&pool.lock);
        pool_run(fn, ctx, ntasks);
        pthread_mutex_lock(&pool.lock);
        if (--pool.out == 0) pthread_cond_signal(&pool.done);
    }
    return NULL;
}

int ax_parallel_for(int nthreads, int64_t ntasks, ax_task_fn fn, void *ctx)
{
    if (ntasks <= 0) return 0;
    if (nthreads > ntasks) nthreads = (int)ntasks;
    if (nthreads > POOL_MAX + 1) nthreads = POOL_MAX + 1;
    if (nthreads <= 1 || in_pool) {
        for (int64_t t = 0; t < ntasks; t++) fn(ctx, t);
        return 0;
    }
    pthread_mutex_lock(&pool.submit);
    pthread_mutex_lock(&pool.lock);
    static int atfork;
    if (!atfork) atfork = 1, pthread_atfork(NULL, NULL, pool_after_fork);
    while (pool.nworkers < nthreads - 1) { /* grow the pool on demand */
        pthread_t tid;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        int ok = pthread_create(&tid, &a, pool_worker, (void *)(intptr_t)pool.nworkers) == 0;
        pthread_attr_destroy(&a);
        if (!ok) break;
        pool.nworkers++;
    }
    const int want = nthreads - 1 < pool.nworkers ? nthreads - 1 : pool.nworkers;
    pool.fn = fn, pool.ctx = ctx, pool.ntasks = ntasks, pool.next = 0;
    pool.want = want, pool.out = want;
    pool.gen++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    in_pool = 1;
    pool_run(fn, ctx, ntasks); /* the caller works too */
    in_pool = 0;
    pthread_mutex_lock(&pool.lock);
    while (pool.out > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool.submit);
    return 0;
}

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
    if (ax_cpu_plain_fp32(c->f)) {
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
    if (ax_cpu_plain_fp32(c->f)) { /* itself, but a NaN is the quiet NaN of its sign */
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
    if (e && e->backend == AX_BACKEND_CUDA && ax_quantize_cuda(e, f, x, q, n, flags, NULL, 0) == 0)
        return; /* else (a CUDA error) the host conversion, which is the same function */
    q_ctx_t c = {f, x, q, NULL, n, 0};
    ax_parallel_for(e ? e->threads : 1, (int64_t)((n + Q_BLOCK - 1) / Q_BLOCK), q_task, &c);
    if (flags) *flags |= c.flags;
}

void ax_dequantize(ax_engine_t *e, ax_format_t f, const uint32_t *q, float *x, size_t n)
{
    q_ctx_t c = {f, NULL, (uint32_t *)q, x, n, 0};
    ax_parallel_for(e ? e->threads : 1, (int64_t)((n + Q_BLOCK - 1) / Q_BLOCK), dq_task, &c);
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
    return 0;
}

int ax_mac_check(const ax_mac_cfg_t *c, char *err, size_t errlen)
{
    if (!ax_unit_desc(c->mul) || ax_unit_kind(c->mul) != AX_KIND_MUL)
        return ax_fail(err, errlen, "MAC configuration: 'mul' is not a multiplier");
    if (!ax_unit_desc(c->add) || ax_unit_kind(c->add) != AX_KIND_ADD)
        return ax_fail(err, errlen, "MAC configuration: 'add' is not an adder");
    return 0;
}

int ax_gemm(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
            const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
            char *err, size_t errlen)
{
    if (ax_gemm_check(s, err, errlen) || ax_mac_check(cfg, err, errlen)) return -1;
    if (s->m == 0 || s->n == 0) return 0;
    switch (e->backend) {
    case AX_BACKEND_REF: return ax_gemm_ref(e, cfg, s, A, B, C, flags, err, errlen);
    case AX_BACKEND_CPU: return ax_gemm_cpu(e, cfg, s, A, B, C, flags, err, errlen);
    case AX_BACKEND_CUDA: return ax_gemm_cuda(e, cfg, s, A, B, C, flags, err, errlen);
    default: return ax_fail(err, errlen, "engine has no backend");
    }
}

/* ---- ref: ax_mac_fold_chunked on a copy of each row and column ----------------- */

int ax_gemm_ref(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                char *err, size_t errlen)
{
    e->last_path = "ref";
    size_t k = (size_t)s->k;
    uint32_t *a = malloc((k + 1) * sizeof *a), *b = malloc((k + 1) * sizeof *b), fl = 0;
    if (!a || !b) {
        free(a);
        free(b);
        return ax_fail(err, errlen, "out of memory (GEMM k=%zu)", k);
    }
    for (int64_t bi = 0; bi < s->batch; bi++) {
        const uint32_t *Ab = A + bi * s->stride_a, *Bb = B + bi * s->stride_b;
        uint32_t *Cb = C + bi * s->stride_c;
        for (int64_t i = 0; i < s->m; i++) {
            for (size_t p = 0; p < k; p++) a[p] = Ab[ax_a_index(s, i, (int64_t)p)];
            for (int64_t j = 0; j < s->n; j++) {
                for (size_t p = 0; p < k; p++) b[p] = Bb[ax_b_index(s, (int64_t)p, j)];
                Cb[i * s->ldc + j] = ax_mac_fold_chunked(cfg, a, b, k, (size_t)s->chunk, &fl);
            }
        }
    }
    free(a);
    free(b);
    if (flags) *flags |= fl;
    return 0;
}
