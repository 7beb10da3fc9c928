// ax_cuda.cu — the cuda backend of the fast path (docs/fastpath.md):
// the very same C models (ax_units.h, ax_mac.h, ax_lut.h, all AX_HD) compiled
// as device code, one thread per output element folding k in ascending order
// (ax_mac_fold_chunked), on host pointers (copied to and from device buffers
// the engine keeps and grows).
//
// Two paths, chosen exactly as the cpu backend chooses (ax_gemm_cpu.c):
//
// Native fp32 (no flags asked for; prod and acc plain fp32 RNE; add_exact;
//   mul_exact, or a multiplier with a significand LUT whose fp32 table has
//   min >= 1/4 and all operand exponents within [-62, 62], checked on the
//   device while packing, else the generic path):
//     mul_exact   prod = __fmul_rn(a, b)                 (one IEEE rounding)
//     LUT         prod = __fmul_rn(T[xa|xb], __fmul_rn(sa, sb)), sa, sb = +-2^e
//                 (every step exact: the product is a normal fp32)
//     sum         acc  = __fadd_rn(acc, prod)             (IEEE, subnormals kept)
//   __fmul_rn/__fadd_rn are never contracted into an FMA, and the library is
//   compiled with --fmad=false --ftz=false. A NaN result becomes the canonical
//   0x7FC00000 at the end. Operands are first packed on the device (decoded to
//   value/scale and table offset, op(A) and op(B) laid out k-major, padded to
//   the tiles); the GEMM is a classic 2D-tiled kernel (64 x 128 outputs per
//   256-thread block, 8 x 4 per thread, k tiles of 16 in shared memory) in
//   which every thread still folds each of its outputs over k ascending. A
//   warp shares its output rows, so its LUT reads share one table row: for
//   M <= 3 (fp8) they never conflict on a bank. The fp32 table sits in shared
//   memory when it fits (M <= 7: up to 64 KiB, dynamic shared memory), else
//   (fp16, tf32: 4 MiB) in global memory, read through __ldg/L2.
// Generic (everything else, and whenever flags are asked for): ax_unpack on
//   tile load, ax_mul_special, the significand from the unit's LUT
//   (ax_lut_finish) when ax_lut_supported and ax_lut_fits (table in shared
//   memory up to 64 KiB, else global), else ax_sig_mul; ax_convert only when
//   prod and acc differ; ax_unit_apply for the adder; flags ORed per warp and
//   atomicOr'ed into one device word.
//
// Kernels are persistent (a grid of resident blocks loops over the output
// tiles), so a shared-memory table is loaded once per block. Every CUDA error
// is returned as -1 with a message, never an abort. The engine option
// cuda_generic (AXSIM_CUDA_GENERIC=1) forces the generic path (tests,
// benchmarks). The generic MAC step is ax_mac_step.h, the cpu backend's too.
//
// The synapse of spiking networks (cuda_spike, kernel in ax_cuda_spike.cuh):
// one thread per output element folds its inputs that hold a spike with
// ax_syn_step, k ascending; flags as above.
#include <cuda_runtime.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_convert.h"
#include "ax_backend.h"
#include "ax_mac_step.h"

#include "ax_cuda_kernels.cuh"
#include "ax_cuda_spike.cuh"

// ---- host: state ----------------------------------------------------------------------

typedef struct dbuf {
    void *p;
    size_t cap;
} dbuf_t;

typedef struct lutbuf {
    dbuf_t d;
    int valid, m;
    ax_unit_t unit;
} lutbuf_t;

typedef struct cuda_state {
    int dev, sms, smem_optin;
    dbuf_t A, B, C, as, ao, bs, bo, qx, qq, daa;
    uint32_t *words; // [0] flags, [1] "an exponent is out of the native range"
    lutbuf_t sig, f32;
} cuda_state_t;

#define AXC_FAIL(call, what)                                                                   \
    do {                                                                                       \
        cudaError_t rc_ = (call);                                                              \
        if (rc_ != cudaSuccess) {                                                              \
            cudaGetLastError();                                                                \
            return ax_fail(err, errlen, "backend cuda: %s: %s", what,                       \
                              cudaGetErrorString(rc_));                                        \
        }                                                                                      \
    } while (0)

static int dbuf_ensure(dbuf_t *b, size_t bytes, const char *what, char *err, size_t errlen)
{
    if (bytes == 0) bytes = 1;
    if (b->cap >= bytes) return 0;
    if (b->p) cudaFree(b->p);
    b->p = NULL, b->cap = 0;
    size_t want = bytes + bytes / 8; // a little headroom for the next, slightly larger GEMM
    cudaError_t rc = cudaMalloc(&b->p, want);
    if (rc != cudaSuccess) {
        cudaGetLastError();
        want = bytes;
        rc = cudaMalloc(&b->p, want);
    }
    if (rc != cudaSuccess) {
        cudaGetLastError();
        b->p = NULL;
        return ax_fail(err, errlen,
                          "backend cuda: cannot allocate %.1f MiB of device memory for %s: %s",
                          (double)bytes / 1048576.0, what, cudaGetErrorString(rc));
    }
    b->cap = want;
    return 0;
}

static void dbuf_free(dbuf_t *b)
{
    if (b->p) cudaFree(b->p);
    b->p = NULL, b->cap = 0;
}

static cuda_state_t *get_state(ax_fp_ctx_t *e, char *err, size_t errlen)
{
    if (e->state) return (cuda_state_t *)e->state;
    cuda_state_t *st = (cuda_state_t *)calloc(1, sizeof *st);
    if (!st) {
        ax_fail(err, errlen, "backend cuda: out of host memory");
        return NULL;
    }
    cudaError_t rc = cudaGetDevice(&st->dev);
    if (rc == cudaSuccess)
        rc = cudaDeviceGetAttribute(&st->sms, cudaDevAttrMultiProcessorCount, st->dev);
    if (rc == cudaSuccess)
        rc = cudaDeviceGetAttribute(&st->smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin,
                                    st->dev);
    if (rc == cudaSuccess) rc = cudaMalloc((void **)&st->words, 2 * sizeof(uint32_t));
    if (rc != cudaSuccess) {
        cudaGetLastError();
        ax_fail(err, errlen, "backend cuda: cannot initialize the device: %s",
                   cudaGetErrorString(rc));
        free(st);
        return NULL;
    }
    if (st->sms < 1) st->sms = 1;
    e->state = st;
    return st;
}

static void cuda_release(ax_fp_ctx_t *e)
{
    if (!e || !e->state) return;
    cuda_state_t *st = (cuda_state_t *)e->state;
    dbuf_t *bufs[] = {&st->A, &st->B, &st->C, &st->as, &st->ao, &st->bs,
                      &st->bo, &st->qx, &st->qq, &st->daa, &st->sig.d, &st->f32.d};
    for (dbuf_t *b : bufs) dbuf_free(b);
    if (st->words) cudaFree(st->words);
    free(st);
    e->state = NULL;
}

// The device copy of a table, uploaded when the unit or M changes.
static int lut_upload(lutbuf_t *lb, const void *host, size_t bytes, ax_unit_t u, int m,
                      const char *what, char *err, size_t errlen)
{
    if (lb->valid && lb->m == m && lb->unit.id == u.id && lb->unit.p[0] == u.p[0] &&
        lb->unit.p[1] == u.p[1])
        return 0;
    lb->valid = 0;
    if (dbuf_ensure(&lb->d, bytes, what, err, errlen)) return -1;
    AXC_FAIL(cudaMemcpy(lb->d.p, host, bytes, cudaMemcpyHostToDevice), what);
    lb->valid = 1, lb->m = m, lb->unit = u;
    return 0;
}

static int cuda_probe(char *why, size_t len)
{
    int n = 0;
    cudaError_t rc = cudaGetDeviceCount(&n);
    if (rc != cudaSuccess || n == 0) {
        if (rc != cudaSuccess) cudaGetLastError();
        snprintf(why, len, "no CUDA device: %s",
                 rc != cudaSuccess ? cudaGetErrorString(rc) : "none found");
        return 0;
    }
    int dev = 0;
    cudaDeviceProp prop;
    rc = cudaGetDevice(&dev);
    if (rc == cudaSuccess) rc = cudaGetDeviceProperties(&prop, dev);
    if (rc != cudaSuccess) {
        cudaGetLastError();
        snprintf(why, len, "no CUDA device: %s", cudaGetErrorString(rc));
        return 0;
    }
    // a device this build has no code for cannot run the kernels
    cudaFuncAttributes fa;
    rc = cudaFuncGetAttributes(&fa, quantize_kernel);
    if (rc != cudaSuccess) {
        cudaGetLastError();
#ifdef __CUDA_ARCH_LIST__
#define AXC_STR2(...) #__VA_ARGS__
#define AXC_STR(...) AXC_STR2(__VA_ARGS__)
        const char *archs = AXC_STR(__CUDA_ARCH_LIST__);
#else
        const char *archs = "?";
#endif
        snprintf(why, len, "CUDA device %s (sm_%d%d) cannot run this build (compiled for %s): %s",
                 prop.name, prop.major, prop.minor, archs, cudaGetErrorString(rc));
        return 0;
    }
    snprintf(why, len, "%s, sm_%d%d, %d SMs, %.0f GiB%s", prop.name, prop.major, prop.minor,
             prop.multiProcessorCount, (double)prop.totalGlobalMem / (1024.0 * 1024 * 1024),
             n > 1 ? " (device 0 of several)" : "");
    return 1;
}

// ---- host: planning and launching ----------------------------------------------------------

static int64_t round_up(int64_t x, int64_t q) { return (x + q - 1) / q * q; }

typedef void (*nat_fn)(nat_args);
typedef void (*gen_fn)(gen_args);

static nat_fn nat_pick(int kind, int chunked)
{
    switch (kind) {
    case NK_EXACT: return chunked ? nat_gemm_kernel<NK_EXACT, true> : nat_gemm_kernel<NK_EXACT, false>;
    case NK_LUT_SHARED:
        return chunked ? nat_gemm_kernel<NK_LUT_SHARED, true> : nat_gemm_kernel<NK_LUT_SHARED, false>;
    default:
        return chunked ? nat_gemm_kernel<NK_LUT_GLOBAL, true> : nat_gemm_kernel<NK_LUT_GLOBAL, false>;
    }
}

static gen_fn gen_pick(int mode)
{
    switch (mode) {
    case GL_SHARED: return gen_gemm_kernel<GL_SHARED>;
    case GL_GLOBAL: return gen_gemm_kernel<GL_GLOBAL>;
    default: return gen_gemm_kernel<GL_NONE>;
    }
}

// Whether a table of bytes fits in the dynamic shared memory of kernel fn
// next to its static shared memory; sets the attribute when it does.
static int smem_fits(const void *fn, size_t bytes, int optin, char *err, size_t errlen, int *fits)
{
    cudaFuncAttributes fa;
    AXC_FAIL(cudaFuncGetAttributes(&fa, fn), "kernel attributes");
    *fits = fa.sharedSizeBytes + bytes <= (size_t)optin;
    if (*fits)
        AXC_FAIL(cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes),
                 "shared memory for the LUT");
    return 0;
}

// A persistent grid: as many blocks as can be resident, at most one per tile.
static int grid_for(const void *fn, int threads, size_t smem, int sms, int64_t tiles, int *grid,
                    char *err, size_t errlen)
{
    int per_sm = 0;
    AXC_FAIL(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, fn, threads, smem),
             "occupancy");
    if (per_sm < 1)
        return ax_fail(err, errlen,
                          "backend cuda: the GEMM kernel cannot run on this device (%zu bytes of "
                          "shared memory per block)",
                          smem);
    int64_t g = (int64_t)per_sm * sms;
    *grid = (int)(tiles < g ? tiles : g);
    return 0;
}

typedef struct plan {
    path_t path;
    // native
    pack_args pa, pb;
    int pack_grid_a, pack_grid_b;
    nat_args na;
    nat_fn nfn;
    // generic
    gen_args ga;
    gen_fn gfn;
    int grid;
    size_t smem;
} plan_t;

static int nat_kind(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, ax_lut_t **lut)
{
    if (!ax_fmt_plain_fp32(cfg->prod) || !ax_fmt_plain_fp32(cfg->acc) || cfg->add.id != AX_ADD_EXACT)
        return -1;
    if (e->opts.cuda_generic) return -1;
    if (cfg->mul.id == AX_MUL_EXACT) return NK_EXACT;
    if (!ax_lut_supported(cfg->mul, cfg->in)) return -1;
    ax_lut_t *l = ax_lut_get(&e->luts, cfg->mul, cfg->in.mbits);
    if (!l || !ax_lut_fits(l, cfg->prod) || !ax_lut_f32(l) || !(l->f32_min >= 0.25f)) return -1;
    *lut = l;
    return NK_LUT_SHARED; // or global: decided with the kernel's shared memory
}

static int pack_grid(int sms, int64_t total)
{
    int64_t g = (total + 255) / 256, cap = (int64_t)sms * 16;
    return (int)(g < cap ? (g > 0 ? g : 1) : cap);
}

// Sets up the native path on operands already on the device and packs them;
// *ok = 0 when an exponent is out of range (then the generic path runs).
static int plan_native(ax_fp_ctx_t *e, cuda_state_t *st, const ax_mac_cfg_t *cfg,
                       const ax_gemm_shape_t *s, int kind, ax_lut_t *l, plan_t *pl, int *ok,
                       char *err, size_t errlen)
{
    const int lut = kind != NK_EXACT;
    const int64_t m = s->m, n = s->n, k = s->k;
    const int64_t mpad = round_up(m, BM), npad = round_up(n, BN), kpad = round_up(k, BK);
    const int64_t ia = s->stride_a ? s->batch : 1, ib = s->stride_b ? s->batch : 1;
    const size_t na = (size_t)(ia * kpad * mpad), nb = (size_t)(ib * kpad * npad);
    const int chunked = s->chunk > 0 && s->chunk < k;
    size_t smem = 0;
    if (lut) {
        const size_t entries = (size_t)1 << (2 * cfg->in.mbits), bytes = entries * sizeof(float);
        if (lut_upload(&st->f32, l->f32, bytes, cfg->mul, cfg->in.mbits, "the fp32 LUT", err,
                       errlen))
            return -1;
        int fits = 0;
        if (smem_fits((const void *)nat_pick(NK_LUT_SHARED, chunked), bytes, st->smem_optin, err,
                      errlen, &fits))
            return -1;
        kind = fits ? NK_LUT_SHARED : NK_LUT_GLOBAL;
        smem = fits ? bytes : 0;
        pl->na.lut = (const float *)st->f32.d.p;
        pl->na.lut_n = (int)entries;
    }
    if (dbuf_ensure(&st->as, na * 4, "packed A", err, errlen) ||
        dbuf_ensure(&st->bs, nb * 4, "packed B", err, errlen))
        return -1;
    if (lut && (dbuf_ensure(&st->ao, na * 4, "packed A offsets", err, errlen) ||
                dbuf_ensure(&st->bo, nb * 4, "packed B offsets", err, errlen)))
        return -1;
    pack_args *pa = &pl->pa, *pb = &pl->pb;
    memset(pa, 0, sizeof *pa);
    pa->raw = (const uint32_t *)st->A.p, pa->v = (float *)st->as.p;
    pa->o = lut ? (int *)st->ao.p : NULL, pa->bad = st->words + 1;
    pa->f = cfg->in, pa->lut = lut, pa->rmajor = !s->trans_a, pa->oshift = cfg->in.mbits + 2;
    pa->ld = s->lda, pa->stride = s->stride_a, pa->rows = m, pa->k = k;
    pa->rpad = mpad, pa->kpad = kpad, pa->items = ia;
    *pb = *pa;
    pb->raw = (const uint32_t *)st->B.p, pb->v = (float *)st->bs.p;
    pb->o = lut ? (int *)st->bo.p : NULL;
    pb->rmajor = s->trans_b, pb->oshift = 2;
    pb->ld = s->ldb, pb->stride = s->stride_b, pb->rows = n, pb->rpad = npad, pb->items = ib;
    pl->pack_grid_a = pack_grid(st->sms, (int64_t)na);
    pl->pack_grid_b = pack_grid(st->sms, (int64_t)nb);

    nat_args *g = &pl->na;
    g->as = (const float *)st->as.p, g->bs = (const float *)st->bs.p;
    g->ao = lut ? (const int *)st->ao.p : NULL, g->bo = lut ? (const int *)st->bo.p : NULL;
    g->C = (uint32_t *)st->C.p;
    g->m = m, g->n = n, g->k = k, g->kpad = kpad, g->mpad = mpad, g->npad = npad;
    g->chunk = chunked ? s->chunk : k;
    g->a_item = s->stride_a ? kpad * mpad : 0, g->b_item = s->stride_b ? kpad * npad : 0;
    g->mt = mpad / BM, g->nt = npad / BN, g->tiles = s->batch * g->mt * g->nt;
    pl->nfn = nat_pick(kind, chunked);
    pl->smem = smem;
    pl->path = kind == NK_EXACT ? P_NAT_EXACT : kind == NK_LUT_SHARED ? P_NAT_LUT_SHARED
                                                                     : P_NAT_LUT_GLOBAL;
    if (grid_for((const void *)pl->nfn, NAT_THREADS, smem, st->sms, g->tiles, &pl->grid, err,
                 errlen))
        return -1;

    // pack once and look at the exponent check
    uint32_t bad = 0;
    AXC_FAIL(cudaMemset(st->words + 1, 0, sizeof(uint32_t)), "clearing the range check");
    nat_pack_kernel<<<pl->pack_grid_a, 256>>>(*pa);
    AXC_FAIL(cudaGetLastError(), "packing A");
    nat_pack_kernel<<<pl->pack_grid_b, 256>>>(*pb);
    AXC_FAIL(cudaGetLastError(), "packing B");
    AXC_FAIL(cudaMemcpy(&bad, st->words + 1, sizeof bad, cudaMemcpyDeviceToHost),
             "packing the operands");
    (void)e;
    *ok = bad == 0;
    return 0;
}

static int plan_generic(ax_fp_ctx_t *e, cuda_state_t *st, const ax_mac_cfg_t *cfg,
                        const ax_gemm_shape_t *s, int want_flags, plan_t *pl, char *err,
                        size_t errlen)
{
    gen_args *g = &pl->ga;
    memset(g, 0, sizeof *g);
    int mode = GL_NONE;
    size_t smem = 0;
    if (ax_lut_supported(cfg->mul, cfg->in)) {
        ax_lut_t *l = ax_lut_get(&e->luts, cfg->mul, cfg->in.mbits);
        if (l && ax_lut_fits(l, cfg->prod)) {
            const size_t entries = (size_t)1 << (2 * l->m), bytes = entries * sizeof(uint32_t);
            if (lut_upload(&st->sig, l->sig, bytes, cfg->mul, l->m, "the significand LUT", err,
                           errlen))
                return -1;
            int fits = 0;
            if (smem_fits((const void *)gen_pick(GL_SHARED), bytes, st->smem_optin, err, errlen,
                          &fits))
                return -1;
            mode = fits ? GL_SHARED : GL_GLOBAL;
            smem = fits ? bytes : 0;
            g->lut = (const uint32_t *)st->sig.d.p;
            g->lut_n = (int)entries;
            g->lut_shift = l->shift;
        }
    }
    g->A = (const uint32_t *)st->A.p, g->B = (const uint32_t *)st->B.p;
    g->C = (uint32_t *)st->C.p;
    g->flags = want_flags ? st->words : NULL;
    g->cfg = *cfg;
    g->conv = !ax_fmt_eq(cfg->prod, cfg->acc);
    g->ta = s->trans_a, g->tb = s->trans_b;
    g->chunked = s->chunk > 0 && s->chunk < s->k;
    g->chunk = g->chunked ? s->chunk : s->k;
    g->m = s->m, g->n = s->n, g->k = s->k, g->lda = s->lda, g->ldb = s->ldb;
    g->stride_a = s->stride_a, g->stride_b = s->stride_b;
    g->mt = (s->m + GT - 1) / GT, g->nt = (s->n + GT - 1) / GT;
    g->tiles = s->batch * g->mt * g->nt;
    pl->gfn = gen_pick(mode);
    pl->smem = smem;
    pl->path = mode == GL_SHARED ? P_GEN_SHARED : mode == GL_GLOBAL ? P_GEN_GLOBAL : P_GEN_NONE;
    return grid_for((const void *)pl->gfn, GEN_THREADS, smem, st->sms, g->tiles, &pl->grid, err,
                    errlen);
}

// Chooses the path for operands already on the device (st->A, st->B) and
// makes room for C; a native plan has packed the operands already.
static int plan_make(ax_fp_ctx_t *e, cuda_state_t *st, const ax_mac_cfg_t *cfg,
                     const ax_gemm_shape_t *s, int want_flags, plan_t *pl, char *err,
                     size_t errlen)
{
    memset(pl, 0, sizeof *pl);
    if (dbuf_ensure(&st->C, (size_t)(s->batch * s->m * s->n) * 4, "C", err, errlen)) return -1;
    ax_lut_t *l = NULL;
    const int kind = want_flags ? -1 : nat_kind(e, cfg, &l);
    if (kind >= 0) {
        int ok = 0;
        if (plan_native(e, st, cfg, s, kind, l, pl, &ok, err, errlen)) return -1;
        if (ok) return 0;
        memset(pl, 0, sizeof *pl); // an exponent outside [-62, 62]: generic
    }
    return plan_generic(e, st, cfg, s, want_flags, pl, err, errlen);
}

// Launches the plan's kernels (asynchronously); pack: repack the operands
// of a native plan first (plan_make packed them once).
static int plan_run(cuda_state_t *st, const plan_t *pl, int pack, char *err, size_t errlen)
{
    if (pl->path >= P_NAT_EXACT) {
        if (pack) {
            nat_pack_kernel<<<pl->pack_grid_a, 256>>>(pl->pa);
            nat_pack_kernel<<<pl->pack_grid_b, 256>>>(pl->pb);
            AXC_FAIL(cudaGetLastError(), "packing the operands");
        }
        pl->nfn<<<pl->grid, dim3(NT_X, NT_Y), pl->smem>>>(pl->na);
        AXC_FAIL(cudaGetLastError(), "launching the native GEMM kernel");
    } else {
        if (pl->ga.flags) AXC_FAIL(cudaMemset(st->words, 0, sizeof(uint32_t)), "clearing flags");
        pl->gfn<<<pl->grid, dim3(GT, GT), pl->smem>>>(pl->ga);
        AXC_FAIL(cudaGetLastError(), "launching the generic GEMM kernel");
    }
    return 0;
}

// Elements of one batch item of A and B as stored (m, n, k >= 1).
static int64_t a_extent(const ax_gemm_shape_t *s)
{
    return s->trans_a ? (s->k - 1) * s->lda + s->m : (s->m - 1) * s->lda + s->k;
}
static int64_t b_extent(const ax_gemm_shape_t *s)
{
    return s->trans_b ? (s->n - 1) * s->ldb + s->k : (s->k - 1) * s->ldb + s->n;
}

static int upload(cuda_state_t *st, const ax_gemm_shape_t *s, const uint32_t *A,
                  const uint32_t *B, char *err, size_t errlen)
{
    const int64_t ea = (s->stride_a ? (s->batch - 1) * s->stride_a : 0) + a_extent(s);
    const int64_t eb = (s->stride_b ? (s->batch - 1) * s->stride_b : 0) + b_extent(s);
    if (dbuf_ensure(&st->A, (size_t)ea * 4, "A", err, errlen) ||
        dbuf_ensure(&st->B, (size_t)eb * 4, "B", err, errlen))
        return -1;
    AXC_FAIL(cudaMemcpy(st->A.p, A, (size_t)ea * 4, cudaMemcpyHostToDevice), "copying A");
    AXC_FAIL(cudaMemcpy(st->B.p, B, (size_t)eb * 4, cudaMemcpyHostToDevice), "copying B");
    return 0;
}

// C ([batch][m][n] on the device) comes back item by item into its rows of
// ldc (the gaps stay as they are)
static int download(cuda_state_t *st, const ax_gemm_shape_t *s, uint32_t *C, char *err,
                    size_t errlen)
{
    const size_t w = (size_t)s->n * 4;
    if (s->batch == 1 || s->stride_c == s->m * s->ldc) {
        AXC_FAIL(cudaMemcpy2D(C, (size_t)s->ldc * 4, st->C.p, w, w, (size_t)(s->batch * s->m),
                              cudaMemcpyDeviceToHost),
                 "running the GEMM");
    } else {
        for (int64_t b = 0; b < s->batch; b++)
            AXC_FAIL(cudaMemcpy2D(C + b * s->stride_c, (size_t)s->ldc * 4,
                                  (const uint32_t *)st->C.p + b * s->m * s->n, w, w, (size_t)s->m,
                                  cudaMemcpyDeviceToHost),
                     "running the GEMM");
    }
    return 0;
}

static int cuda_gemm(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                     const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                     char *err, size_t errlen)
{
    if (s->m == 0 || s->n == 0) return 0;
    if (s->k == 0) { // the empty fold: +0 everywhere, no flags
        const uint32_t z = ax_fmt_zero(0, cfg->acc);
        for (int64_t b = 0; b < s->batch; b++)
            for (int64_t i = 0; i < s->m; i++)
                for (int64_t j = 0; j < s->n; j++) C[b * s->stride_c + i * s->ldc + j] = z;
        e->last_path = path_names[P_GEN_NONE];
        return 0;
    }
    cuda_state_t *st = get_state(e, err, errlen);
    if (!st) return -1;
    plan_t pl;
    if (upload(st, s, A, B, err, errlen) || plan_make(e, st, cfg, s, flags != NULL, &pl, err, errlen) ||
        plan_run(st, &pl, 0, err, errlen))
        return -1;
    e->last_path = path_names[pl.path];
    if (download(st, s, C, err, errlen)) return -1;
    if (flags && pl.ga.flags) {
        uint32_t fl = 0;
        AXC_FAIL(cudaMemcpy(&fl, st->words, sizeof fl, cudaMemcpyDeviceToHost), "reading flags");
        *flags |= fl;
    }
    return 0;
}

static int cuda_quantize(ax_fp_ctx_t *e, ax_format_t f, const float *x, uint32_t *q, size_t n,
                         uint32_t *flags, char *err, size_t errlen)
{
    if (n == 0) return 0;
    cuda_state_t *st = get_state(e, err, errlen);
    if (!st) return -1;
    if (dbuf_ensure(&st->qx, n * 4, "quantize input", err, errlen) ||
        dbuf_ensure(&st->qq, n * 4, "quantize output", err, errlen))
        return -1;
    AXC_FAIL(cudaMemcpy(st->qx.p, x, n * 4, cudaMemcpyHostToDevice), "copying quantize input");
    if (flags) AXC_FAIL(cudaMemset(st->words, 0, sizeof(uint32_t)), "clearing flags");
    int64_t blocks = (int64_t)((n + 255) / 256), cap = (int64_t)st->sms * 32;
    quantize_kernel<<<(int)(blocks < cap ? blocks : cap), 256>>>(
        (const uint32_t *)st->qx.p, (uint32_t *)st->qq.p, n, f, flags ? st->words : NULL);
    AXC_FAIL(cudaGetLastError(), "launching quantize");
    AXC_FAIL(cudaMemcpy(q, st->qq.p, n * 4, cudaMemcpyDeviceToHost), "quantizing");
    if (flags) {
        uint32_t fl = 0;
        AXC_FAIL(cudaMemcpy(&fl, st->words, sizeof fl, cudaMemcpyDeviceToHost), "reading flags");
        *flags |= fl;
    }
    return 0;
}

// ---- the kernels timed without transfers (ax_gemm_time_resident) --------------------------

static int cuda_time_resident(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                              const uint32_t *A, const uint32_t *B, int reps, double *sec,
                              char *err, size_t errlen)
{
    if (s->m == 0 || s->n == 0 || s->k == 0)
        return ax_fail(err, errlen, "benchmark: m, n and k must be > 0");
    if (reps < 1) reps = 1;
    cuda_state_t *st = get_state(e, err, errlen);
    if (!st) return -1;
    plan_t pl;
    if (upload(st, s, A, B, err, errlen) || plan_make(e, st, cfg, s, 0, &pl, err, errlen)) return -1;
    e->last_path = path_names[pl.path];
    cudaEvent_t t0, t1;
    AXC_FAIL(cudaEventCreate(&t0), "creating events");
    if (cudaEventCreate(&t1) != cudaSuccess) {
        cudaEventDestroy(t0);
        AXC_FAIL(cudaGetLastError(), "creating events");
    }
    int rc = 0;
    float ms = 0.0f;
    cudaError_t ce;
    if ((rc = plan_run(st, &pl, 1, err, errlen)) == 0) { // warm-up
        ce = cudaDeviceSynchronize();
        if (ce == cudaSuccess) ce = cudaEventRecord(t0);
        for (int r = 0; r < reps && ce == cudaSuccess && rc == 0; r++)
            rc = plan_run(st, &pl, 1, err, errlen);
        if (rc == 0) {
            if (ce == cudaSuccess) ce = cudaEventRecord(t1);
            if (ce == cudaSuccess) ce = cudaEventSynchronize(t1);
            if (ce == cudaSuccess) ce = cudaEventElapsedTime(&ms, t0, t1);
            if (ce != cudaSuccess) {
                cudaGetLastError();
                rc = ax_fail(err, errlen, "backend cuda: benchmark: %s", cudaGetErrorString(ce));
            }
        }
    }
    cudaEventDestroy(t0);
    cudaEventDestroy(t1);
    if (rc == 0) *sec = (double)ms / 1000.0 / reps;
    return rc;
}

// ---- the synapse of spiking networks (ax_cuda_spike.cuh) ----------------------------------

// The spikes, weights and outputs go through the GEMM's device buffers (B, A
// and C): every call uploads its operands anew.
static int cuda_spike(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                      const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags,
                      char *err, size_t errlen)
{
    cuda_state_t *st = get_state(e, err, errlen);
    if (!st) return -1;
    // the engine checked that every count fits with room to spare
    const size_t ns = (size_t)(s->n * s->c * s->h * s->w), nw = (size_t)(s->oc * s->kf);
    const size_t ny = (size_t)(s->n * s->oc * s->oh * s->ow);
    if (dbuf_ensure(&st->B, ns, "the spikes", err, errlen) ||
        dbuf_ensure(&st->A, nw * 4, "the weights", err, errlen) ||
        dbuf_ensure(&st->C, ny * 4, "the synapse outputs", err, errlen))
        return -1;
    AXC_FAIL(cudaMemcpy(st->B.p, spk, ns, cudaMemcpyHostToDevice), "copying the spikes");
    AXC_FAIL(cudaMemcpy(st->A.p, w, nw * 4, cudaMemcpyHostToDevice), "copying the weights");
    if (flags) AXC_FAIL(cudaMemset(st->words, 0, sizeof(uint32_t)), "clearing flags");
    spike_args a;
    memset(&a, 0, sizeof a);
    a.s = (const uint8_t *)st->B.p, a.w = (const uint32_t *)st->A.p, a.y = (uint32_t *)st->C.p;
    a.flags = flags ? st->words : NULL;
    a.cfg = *cfg;
    a.c = s->c, a.h = s->h, a.wd = s->w, a.oc = s->oc, a.kh = s->kh, a.kw = s->kw;
    a.sh = s->sh, a.sw = s->sw, a.ph = s->ph, a.pw = s->pw, a.dh = s->dh, a.dw = s->dw;
    a.cg = s->cg, a.ocg = s->ocg, a.kf = s->kf, a.oh = s->oh, a.ow = s->ow;
    a.total = (int64_t)ny;
    int grid = 0;
    if (grid_for((const void *)spike_kernel, SPK_THREADS, 0, st->sms,
                 ((int64_t)ny + SPK_THREADS - 1) / SPK_THREADS, &grid, err, errlen))
        return -1;
    spike_kernel<<<grid, SPK_THREADS>>>(a);
    AXC_FAIL(cudaGetLastError(), "launching the synapse kernel");
    AXC_FAIL(cudaMemcpy(y, st->C.p, ny * 4, cudaMemcpyDeviceToHost), "running the synapse");
    if (flags) {
        uint32_t fl = 0;
        AXC_FAIL(cudaMemcpy(&fl, st->words, sizeof fl, cudaMemcpyDeviceToHost), "reading flags");
        *flags |= fl;
    }
    e->last_path = "cuda synapse generic";
    return 0;
}

// ---- DAA (ax_daa.h): one thread per output element, the host's fold ---------------------

struct daa_args {
    const uint32_t *A, *B;
    uint32_t *C;                 // [batch][m][n]
    uint32_t *flags;             // NULL: not asked for
    unsigned long long *cnt;     // [0] non-zero products, [1] through mul
    ax_mac_cfg_t cfg;
    int ta, tb;
    int64_t m, n, k, lda, ldb, stride_a, stride_b, chunk, pair_rows, total;
};

enum { DAA_THREADS = 128 };

__global__ void __launch_bounds__(DAA_THREADS) daa_kernel(daa_args g)
{
    uint32_t fl = 0;
    ax_daa_count_t n = {0, 0};
    for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < g.total;
         t += (int64_t)gridDim.x * blockDim.x) {
        const int64_t b = t / (g.m * g.n), r = t % (g.m * g.n), i = r / g.n, j = r % g.n;
        int stream;
        const int64_t pi = ax_daa_pair_row(i, g.m, g.pair_rows, &stream);
        const uint32_t *Ab = g.A + b * g.stride_a, *Bb = g.B + b * g.stride_b;
        const uint32_t *row = Ab + (g.ta ? i : i * g.lda);
        const uint32_t *prow = pi >= 0 ? Ab + (g.ta ? pi : pi * g.lda) : NULL;
        g.C[t] = ax_daa_fold_chunked(&g.cfg, row, prow, stream, Bb + (g.tb ? j * g.ldb : j),
                                     g.ta ? g.lda : 1, g.tb ? 1 : g.ldb, g.k, g.chunk, &fl, &n);
    }
    if (g.flags && fl) atomicOr(g.flags, fl);
    if (n.nonzero) atomicAdd(&g.cnt[0], (unsigned long long)n.nonzero);
    if (n.hi) atomicAdd(&g.cnt[1], (unsigned long long)n.hi);
}

static int cuda_gemm_daa(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                         const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                         ax_daa_count_t *cnt, char *err, size_t errlen)
{
    if (s->k == 0) { // the empty fold: +0 everywhere, no flags, no products
        const uint32_t z = ax_fmt_zero(0, cfg->acc);
        for (int64_t b = 0; b < s->batch; b++)
            for (int64_t i = 0; i < s->m; i++)
                for (int64_t j = 0; j < s->n; j++) C[b * s->stride_c + i * s->ldc + j] = z;
        e->last_path = "cuda daa generic";
        return 0;
    }
    cuda_state_t *st = get_state(e, err, errlen);
    if (!st) return -1;
    const int64_t total = s->batch * s->m * s->n;
    if (upload(st, s, A, B, err, errlen) ||
        dbuf_ensure(&st->C, (size_t)total * 4, "C", err, errlen) ||
        dbuf_ensure(&st->daa, 2 * sizeof(unsigned long long), "the DAA counts", err, errlen))
        return -1;
    AXC_FAIL(cudaMemset(st->daa.p, 0, 2 * sizeof(unsigned long long)), "clearing the DAA counts");
    if (flags) AXC_FAIL(cudaMemset(st->words, 0, sizeof(uint32_t)), "clearing flags");
    daa_args g;
    memset(&g, 0, sizeof g);
    g.A = (const uint32_t *)st->A.p, g.B = (const uint32_t *)st->B.p, g.C = (uint32_t *)st->C.p;
    g.flags = flags ? st->words : NULL;
    g.cnt = (unsigned long long *)st->daa.p;
    g.cfg = *cfg;
    g.ta = s->trans_a, g.tb = s->trans_b;
    g.m = s->m, g.n = s->n, g.k = s->k, g.lda = s->lda, g.ldb = s->ldb;
    g.stride_a = s->stride_a, g.stride_b = s->stride_b, g.chunk = s->chunk;
    g.pair_rows = s->pair_rows, g.total = total;
    int grid = 0;
    if (grid_for((const void *)daa_kernel, DAA_THREADS, 0, st->sms,
                 (total + DAA_THREADS - 1) / DAA_THREADS, &grid, err, errlen))
        return -1;
    daa_kernel<<<grid, DAA_THREADS>>>(g);
    AXC_FAIL(cudaGetLastError(), "launching the DAA kernel");
    if (download(st, s, C, err, errlen)) return -1;
    unsigned long long c2[2];
    AXC_FAIL(cudaMemcpy(c2, st->daa.p, sizeof c2, cudaMemcpyDeviceToHost), "reading the DAA counts");
    cnt->nonzero += c2[0], cnt->hi += c2[1];
    if (flags) {
        uint32_t fl = 0;
        AXC_FAIL(cudaMemcpy(&fl, st->words, sizeof fl, cudaMemcpyDeviceToHost), "reading flags");
        *flags |= fl;
    }
    e->last_path = "cuda daa generic";
    return 0;
}

extern "C" const ax_backend_ops_t ax_backend_cuda = {cuda_probe,         cuda_gemm,
                                                     cuda_quantize,      cuda_time_resident,
                                                     cuda_release,       cuda_spike,
                                                     cuda_gemm_daa};
