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
#include <cuda_runtime.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_convert.h"
#include "ax_backend.h"
#include "ax_mac_step.h"

// ---- tiles ---------------------------------------------------------------------

enum {
    NT_X = 32,                 // native block: 32 x 8 threads
    NT_Y = 8,
    NAT_THREADS = NT_X * NT_Y,
    TM = 8,                    // outputs per thread: TM rows x TN columns
    TN = 4,
    BM = NT_Y * TM,            // 64 rows of C per block tile
    BN = NT_X * TN,            // 128 columns
    BK = 16,                   // k per shared-memory tile
    GT = 16,                   // generic block: 16 x 16 threads, one output each
    GBK = 32,
    GEN_THREADS = GT * GT
};

enum { NK_EXACT = 0, NK_LUT_SHARED, NK_LUT_GLOBAL };   // native kernels
enum { GL_NONE = 0, GL_SHARED, GL_GLOBAL };             // generic kernels: where the LUT is

typedef enum path {
    P_GEN_NONE = 0,
    P_GEN_SHARED,
    P_GEN_GLOBAL,
    P_NAT_EXACT,
    P_NAT_LUT_SHARED,
    P_NAT_LUT_GLOBAL
} path_t;

static const char *const path_names[] = {
    "cuda generic (significand function)",  "cuda generic (LUT in shared memory)",
    "cuda generic (LUT in global memory)",   "cuda native fp32 (mul_exact)",
    "cuda native fp32 (LUT in shared memory)", "cuda native fp32 (LUT in global memory)"};

// ---- device code -------------------------------------------------------------------

extern __shared__ __align__(16) unsigned char ax_dyn_smem[];

// ORs fl of every thread of the block into *dst: a warp reduction, one atomic
// per warp. Every thread of the block must call it.
__device__ __forceinline__ void flags_or(uint32_t *dst, uint32_t fl)
{
    for (int o = 16; o > 0; o >>= 1) fl |= __shfl_xor_sync(0xFFFFFFFFu, fl, o);
    const int tid = threadIdx.y * blockDim.x + threadIdx.x;
    if ((tid & 31) == 0 && fl) atomicOr(dst, fl);
}

// The cpu backend's nat_decode: the value (mul_exact) or the scale +-2^exp
// (LUT) and the fraction; 0 when a finite exponent is outside [-62, 62].
__device__ __forceinline__ int nat_decode(uint32_t x, ax_format_t f, int lut, float *v, int *idx)
{
    ax_unpacked_t u = ax_unpack(x, f);
    *idx = 0;
    switch (u.cls) {
    case AX_CLS_ZERO: *v = __uint_as_float(u.sign << 31); return 1;
    case AX_CLS_INF: *v = __uint_as_float((u.sign << 31) | 0x7F800000u); return 1;
    case AX_CLS_QNAN:
    case AX_CLS_SNAN: *v = __uint_as_float(0x7FC00000u); return 1;
    default: break;
    }
    if (!lut) {
        *v = __uint_as_float(ax_to_f32bits(x, f)); // finite, nonzero: exact
        return 1;
    }
    if (u.exp < -62 || u.exp > 62) return 0;
    *v = __uint_as_float((u.sign << 31) | ((uint32_t)(u.exp + 127) << 23)); // +-2^exp, normal
    *idx = (int)(u.sig & ax_fmt_mmask(f));
    return 1;
}

// Packs one operand for the native kernel: element (r, q) of op(X) (r: row of
// op(A) or column of op(B); q: the k index) of item it goes to v[it][q][r],
// with r padded to rpad and q to kpad by +0 (offset 0). It is read from
// raw[it * stride + (rmajor ? r * ld + q : q * ld + r)]. o (LUT only) gets
// the table offset in bytes: fraction << oshift.
struct pack_args {
    const uint32_t *raw;
    float *v;
    int *o;
    uint32_t *bad;
    ax_format_t f;
    int lut, rmajor, oshift;
    int64_t ld, stride, rows, k, rpad, kpad, items;
};

__global__ void nat_pack_kernel(pack_args p)
{
    const int64_t plane = p.kpad * p.rpad, total = p.items * plane;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total;
         e += (int64_t)gridDim.x * blockDim.x) {
        const int64_t it = e / plane, rem = e - it * plane, q = rem / p.rpad, r = rem - q * p.rpad;
        float v = 0.0f;
        int idx = 0;
        if (r < p.rows && q < p.k) {
            uint32_t x = p.raw[it * p.stride + (p.rmajor ? r * p.ld + q : q * p.ld + r)];
            if (!nat_decode(x, p.f, p.lut, &v, &idx)) {
                *p.bad = 1; // this GEMM takes the generic path
                v = 0.0f, idx = 0;
            }
        }
        p.v[e] = v;
        if (p.o) p.o[e] = idx << p.oshift;
    }
}

struct nat_args {
    const float *as, *bs;   // packed values / scales: A [itemA][kpad][mpad], B [itemB][kpad][npad]
    const int *ao, *bo;     // table offsets in bytes (LUT kinds)
    const float *lut;       // fp32 significand table (global memory)
    uint32_t *C;            // [batch][m][n]
    int lut_n;              // entries
    int64_t m, n, k, kpad, mpad, npad;
    int64_t chunk;          // CHUNKED: 0 < chunk < k
    int64_t a_item, b_item; // elements per packed item, 0: one item for all
    int64_t mt, nt, tiles;
};

template <int KIND, bool CHUNKED>
__global__ void __launch_bounds__(NAT_THREADS) nat_gemm_kernel(nat_args g)
{
    constexpr bool LUT = KIND != NK_EXACT;
    constexpr int OB = LUT ? BK : 1;
    __shared__ __align__(16) float sAs[BK][BM];
    __shared__ __align__(16) float sBs[BK][BN];
    __shared__ __align__(16) int sAo[OB][BM];
    __shared__ __align__(16) int sBo[OB][BN];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * NT_X + tx;
    const char *lut_g = reinterpret_cast<const char *>(g.lut);
    if (KIND == NK_LUT_SHARED) {
        float *d = reinterpret_cast<float *>(ax_dyn_smem);
        for (int i = tid; i < g.lut_n; i += NAT_THREADS) d[i] = __ldg(&g.lut[i]);
        __syncthreads();
    }
    // global -> shared: A tile BK x BM, one float4 per thread; B tile BK x BN,
    // two float4 per thread (rows brow and brow + BK/2)
    const int arow = tid / (BM / 4), acol = (tid % (BM / 4)) * 4;
    const int brow = tid / (BN / 4), bcol = (tid % (BN / 4)) * 4;
    const int64_t per = g.mt * g.nt;
    for (int64_t t = blockIdx.x; t < g.tiles; t += gridDim.x) {
        const int64_t b = t / per, rr = t - b * per, bm = rr / g.nt, bn = rr - bm * g.nt;
        const int64_t i0 = bm * BM, j0 = bn * BN;
        const int64_t aoff = (g.a_item ? b * g.a_item : 0) + (int64_t)arow * g.mpad + i0 + acol;
        const int64_t boff = (g.b_item ? b * g.b_item : 0) + (int64_t)brow * g.npad + j0 + bcol;
        const int64_t bhalf = (int64_t)(BK / 2) * g.npad;
        const float *pas = g.as + aoff, *pbs = g.bs + boff;
        const int *pao = LUT ? g.ao + aoff : nullptr, *pbo = LUT ? g.bo + boff : nullptr;
        float acc[TM][TN], tot[TM][TN];
#pragma unroll
        for (int r = 0; r < TM; r++)
#pragma unroll
            for (int c = 0; c < TN; c++) acc[r][c] = 0.0f, tot[r][c] = 0.0f;
        int64_t next = g.chunk - 1; // CHUNKED: the k index that ends the current chunk
        float4 ra = __ldg(reinterpret_cast<const float4 *>(pas));
        float4 rb0 = __ldg(reinterpret_cast<const float4 *>(pbs));
        float4 rb1 = __ldg(reinterpret_cast<const float4 *>(pbs + bhalf));
        int4 oa = make_int4(0, 0, 0, 0), ob0 = oa, ob1 = oa;
        if (LUT) {
            oa = __ldg(reinterpret_cast<const int4 *>(pao));
            ob0 = __ldg(reinterpret_cast<const int4 *>(pbo));
            ob1 = __ldg(reinterpret_cast<const int4 *>(pbo + bhalf));
        }
        for (int64_t p0 = 0; p0 < g.kpad; p0 += BK) {
            __syncthreads(); // the previous tile is consumed
            *reinterpret_cast<float4 *>(&sAs[arow][acol]) = ra;
            *reinterpret_cast<float4 *>(&sBs[brow][bcol]) = rb0;
            *reinterpret_cast<float4 *>(&sBs[brow + BK / 2][bcol]) = rb1;
            if (LUT) {
                *reinterpret_cast<int4 *>(&sAo[arow][acol]) = oa;
                *reinterpret_cast<int4 *>(&sBo[brow][bcol]) = ob0;
                *reinterpret_cast<int4 *>(&sBo[brow + BK / 2][bcol]) = ob1;
            }
            __syncthreads();
            if (p0 + BK < g.kpad) { // prefetch the next tile into registers
                pas += BK * g.mpad, pbs += BK * g.npad;
                ra = __ldg(reinterpret_cast<const float4 *>(pas));
                rb0 = __ldg(reinterpret_cast<const float4 *>(pbs));
                rb1 = __ldg(reinterpret_cast<const float4 *>(pbs + bhalf));
                if (LUT) {
                    pao += BK * g.mpad, pbo += BK * g.npad;
                    oa = __ldg(reinterpret_cast<const int4 *>(pao));
                    ob0 = __ldg(reinterpret_cast<const int4 *>(pbo));
                    ob1 = __ldg(reinterpret_cast<const int4 *>(pbo + bhalf));
                }
            }
#pragma unroll
            for (int pp = 0; pp < BK; pp++) {
                float av[TM], bv[TN];
                int ai[TM], bi[TN];
                {
                    const float4 a0 = *reinterpret_cast<const float4 *>(&sAs[pp][ty * TM]);
                    const float4 a1 = *reinterpret_cast<const float4 *>(&sAs[pp][ty * TM + 4]);
                    const float4 b4 = *reinterpret_cast<const float4 *>(&sBs[pp][tx * TN]);
                    av[0] = a0.x, av[1] = a0.y, av[2] = a0.z, av[3] = a0.w;
                    av[4] = a1.x, av[5] = a1.y, av[6] = a1.z, av[7] = a1.w;
                    bv[0] = b4.x, bv[1] = b4.y, bv[2] = b4.z, bv[3] = b4.w;
                }
                if (LUT) {
                    const int4 a0 = *reinterpret_cast<const int4 *>(&sAo[LUT ? pp : 0][ty * TM]);
                    const int4 a1 = *reinterpret_cast<const int4 *>(&sAo[LUT ? pp : 0][ty * TM + 4]);
                    const int4 b4 = *reinterpret_cast<const int4 *>(&sBo[LUT ? pp : 0][tx * TN]);
                    ai[0] = a0.x, ai[1] = a0.y, ai[2] = a0.z, ai[3] = a0.w;
                    ai[4] = a1.x, ai[5] = a1.y, ai[6] = a1.z, ai[7] = a1.w;
                    bi[0] = b4.x, bi[1] = b4.y, bi[2] = b4.z, bi[3] = b4.w;
                }
#pragma unroll
                for (int r = 0; r < TM; r++) {
                    // the table row of a[r] (offsets in bytes), then one entry per column
                    const unsigned char *row_s = ax_dyn_smem + (LUT ? ai[r] : 0);
                    const char *row_g = lut_g + (LUT ? ai[r] : 0);
#pragma unroll
                    for (int c = 0; c < TN; c++) {
                        float prod;
                        if (KIND == NK_EXACT) {
                            prod = __fmul_rn(av[r], bv[c]);
                        } else {
                            float tbl;
                            if (KIND == NK_LUT_SHARED)
                                tbl = *reinterpret_cast<const float *>(row_s + bi[c]);
                            else
                                tbl = __ldg(reinterpret_cast<const float *>(row_g + bi[c]));
                            prod = __fmul_rn(tbl, __fmul_rn(av[r], bv[c]));
                        }
                        acc[r][c] = __fadd_rn(acc[r][c], prod);
                    }
                }
                if (CHUNKED && p0 + pp == next) { // end of a chunk: total += partial
#pragma unroll
                    for (int r = 0; r < TM; r++)
#pragma unroll
                        for (int c = 0; c < TN; c++) {
                            tot[r][c] = __fadd_rn(tot[r][c], acc[r][c]);
                            acc[r][c] = 0.0f;
                        }
                    next = next + g.chunk < g.k - 1 ? next + g.chunk : g.k - 1;
                }
            }
        }
        // Padding terms (k <= p < kpad) add +0 to an accumulator that is never
        // -0, so they change nothing; without chunks the total is 0 + acc = acc.
#pragma unroll
        for (int r = 0; r < TM; r++) {
            const int64_t i = i0 + ty * TM + r;
            if (i >= g.m) break;
#pragma unroll
            for (int c = 0; c < TN; c++) {
                const int64_t j = j0 + tx * TN + c;
                if (j < g.n) {
                    const float v = CHUNKED ? tot[r][c] : acc[r][c];
                    uint32_t bits = __float_as_uint(v);
                    if (v != v) bits = 0x7FC00000u; // the canonical NaN
                    g.C[(b * g.m + i) * g.n + j] = bits;
                }
            }
        }
    }
}

struct gen_args {
    const uint32_t *A, *B; // raw operands as the host has them
    uint32_t *C;           // [batch][m][n]
    uint32_t *flags;       // NULL: not asked for
    const uint32_t *lut;   // significand table (global memory)
    ax_mac_cfg_t cfg;
    int conv, ta, tb, chunked, lut_n, lut_shift;
    int64_t m, n, k, lda, ldb, stride_a, stride_b, chunk, mt, nt, tiles;
};

template <int LUTMODE>
__global__ void __launch_bounds__(GEN_THREADS) gen_gemm_kernel(gen_args g)
{
    __shared__ ax_unpacked_t sA[GBK][GT], sB[GBK][GT];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * GT + tx;
    const ax_mac_cfg_t &c = g.cfg;
    const uint32_t *lut = g.lut;
    if (LUTMODE == GL_SHARED) {
        uint32_t *d = reinterpret_cast<uint32_t *>(ax_dyn_smem);
        for (int i = tid; i < g.lut_n; i += GEN_THREADS) d[i] = __ldg(&g.lut[i]);
        __syncthreads();
        lut = d;
    }
    ax_unpacked_t zero;
    zero.cls = AX_CLS_ZERO, zero.sign = 0, zero.exp = 0, zero.sig = 0;
    const uint32_t acc0 = ax_fmt_zero(0, c.acc);
    uint32_t fl = 0;
    const int64_t per = g.mt * g.nt;
    for (int64_t t = blockIdx.x; t < g.tiles; t += gridDim.x) {
        const int64_t b = t / per, rr = t - b * per, bm = rr / g.nt, bn = rr - bm * g.nt;
        const int64_t i0 = bm * GT, j0 = bn * GT, i = i0 + ty, j = j0 + tx;
        const bool valid = i < g.m && j < g.n;
        const uint32_t *Ab = g.A + b * g.stride_a, *Bb = g.B + b * g.stride_b;
        uint32_t acc = acc0, tot = acc0;
        int64_t next = g.chunk - 1;
        for (int64_t p0 = 0; p0 < g.k; p0 += GBK) {
            __syncthreads();
            // unpack the tiles, reading along the stored rows (coalesced)
#pragma unroll
            for (int q = 0; q < GBK * GT / GEN_THREADS; q++) {
                const int e = tid + q * GEN_THREADS;
                int pl, rl;
                if (g.ta) pl = e / GT, rl = e % GT; // A stored [p][i]
                else rl = e / GBK, pl = e % GBK;    // A stored [i][p]
                int64_t p = p0 + pl, ii = i0 + rl;
                sA[pl][rl] = p < g.k && ii < g.m
                                 ? ax_unpack(Ab[g.ta ? p * g.lda + ii : ii * g.lda + p], c.in)
                                 : zero;
                if (g.tb) rl = e / GBK, pl = e % GBK; // B stored [j][p]
                else pl = e / GT, rl = e % GT;        // B stored [p][j]
                p = p0 + pl;
                const int64_t jj = j0 + rl;
                sB[pl][rl] = p < g.k && jj < g.n
                                 ? ax_unpack(Bb[g.tb ? jj * g.ldb + p : p * g.ldb + jj], c.in)
                                 : zero;
            }
            __syncthreads();
            const int kt = g.k - p0 < GBK ? (int)(g.k - p0) : GBK;
            if (valid) // threads past the matrix edge only help load the tiles
                for (int pp = 0; pp < kt; pp++) {
                    acc = ax_step_mac(&c, g.conv, acc, sA[pp][ty], sB[pp][tx],
                                      LUTMODE == GL_NONE ? nullptr : lut, g.lut_shift,
                                      LUTMODE == GL_GLOBAL, &fl);
                    if (g.chunked && p0 + pp == next) {
                        tot = ax_unit_apply(c.add, tot, acc, c.acc, c.acc, &fl);
                        acc = acc0;
                        next = next + g.chunk < g.k - 1 ? next + g.chunk : g.k - 1;
                    }
                }
        }
        if (valid) g.C[(b * g.m + i) * g.n + j] = g.chunked ? tot : acc;
    }
    if (g.flags) flags_or(g.flags, fl); // every thread of the block takes part
}

__global__ void quantize_kernel(const uint32_t *x, uint32_t *q, size_t n, ax_format_t f,
                                uint32_t *flags)
{
    uint32_t fl = 0;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        q[i] = ax_from_f32bits(x[i], f, &fl);
    if (flags) flags_or(flags, fl);
}

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
    dbuf_t A, B, C, as, ao, bs, bo, qx, qq;
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
                      &st->bo, &st->qx, &st->qq, &st->sig.d, &st->f32.d};
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
    // C comes back item by item into its rows of ldc (the gaps stay as they are)
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

extern "C" const ax_backend_ops_t ax_backend_cuda = {cuda_probe, cuda_gemm, cuda_quantize,
                                                     cuda_time_resident, cuda_release};
