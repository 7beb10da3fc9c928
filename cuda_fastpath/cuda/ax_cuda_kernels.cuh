// ax_cuda_kernels.cuh — the device code of the cuda backend (ax_cuda.cu,
// its only includer, which plans and launches it): tiles, the packing
// kernel, the native fp32 GEMM kernel, the generic GEMM kernel (the MAC step
// of ax_mac_step.h), quantization. Private to cuda/.
#ifndef AX_CUDA_KERNELS_CUH
#define AX_CUDA_KERNELS_CUH

#include <cuda_runtime.h>
#include <math.h>

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

#endif // AX_CUDA_KERNELS_CUH
