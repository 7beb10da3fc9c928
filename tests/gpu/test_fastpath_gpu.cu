// test_fastpath_gpu.cu — the cuda backend of the fast path against the ref
// backend (the scalar C models), bit for bit and flag for flag: LUT
// multipliers on the native fp32 path (LUT in shared and in global memory),
// mul_exact, the generic path (approximate adders, narrow accumulators and
// products, units without a LUT), chunked accumulation, transposes, leading
// dimensions, batches with shared operands, adversarial operands (zeros,
// infinities, NaNs, subnormals, exponents that force the generic path, long
// k), quantization against ax_from_f32bits, the synapse of spiking networks
// (ax_spike_linear_fwd, ax_spike_conv2d_fwd: densities 0 to 100 %, exact and
// approximate adders, padding, stride, dilation, groups), and a device
// allocation failure that must come back as an error. Every GEMM runs twice: without flags (the
// native path where the configuration allows) and with flags (generic).
//
// Exit 77 (skip) with one line when no CUDA device answers; 1 on the first
// mismatch, with the element decoded. AXSIM_PLANT_BUG=1 flips one result bit
// of the cuda backend before the comparison, to prove the test can fail.
// AXSIM_GPU_BENCH=1 also prints timings against cuBLAS sgemm (no check;
// AXSIM_GPU_BENCH_N sets the size, 2048 by default).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ax_convert.h"
#include "ax_fastpath.h"
#include "ax_backend.h"
#include "ax_baseline.h"
#include "ax_registry.h"
#include "ax_rng.h"
#include "fastpath_operands.h"

namespace {

int g_plant = 0;  // AXSIM_PLANT_BUG=1
int g_planted = 0; // the bug has been planted once
int g_cases = 0;

[[noreturn]] void die(const char *what)
{
    printf("FAIL: %s\n", what);
    exit(1);
}

ax_format_t fmt(const char *name)
{
    ax_format_t f;
    char err[256];
    if (ax_format_parse(name, &f, err, sizeof err)) die(err);
    return f;
}

ax_mac_cfg_t mac(const char *spec)
{
    ax_mac_cfg_t c;
    char err[256];
    if (ax_mac_parse(spec, &c, err, sizeof err)) die(err);
    return c;
}


struct gemm_case {
    const char *spec;
    int64_t m, n, k;
    int ta, tb;
    int64_t batch;
    bool share_a, share_b; // stride 0: one matrix for every batch item
    int64_t chunk;
    dist d;
    const char *path; // substring the path without flags must contain
};

ax_gemm_shape_t shape_of(const gemm_case &c)
{
    ax_gemm_shape_t s = ax_gemm_shape(c.m, c.n, c.k);
    s.trans_a = c.ta, s.trans_b = c.tb;
    s.lda = (c.ta ? c.m : c.k) + 3, s.ldb = (c.tb ? c.k : c.n) + 1, s.ldc = c.n + 2;
    s.batch = c.batch;
    s.stride_a = c.share_a ? 0 : (c.ta ? c.k : c.m) * s.lda + 5;
    s.stride_b = c.share_b ? 0 : (c.tb ? c.n : c.k) * s.ldb;
    s.stride_c = c.m * s.ldc + (c.batch > 1 ? 7 : 0); // a gap between items of C
    s.chunk = c.chunk;
    return s;
}

std::string describe(const ax_mac_cfg_t &c, const ax_gemm_shape_t &s, dist d)
{
    char b[400], name[200];
    ax_mac_name(&c, name, sizeof name);
    snprintf(b, sizeof b, "%s m=%lld n=%lld k=%lld ta=%d tb=%d batch=%lld sa=%lld sb=%lld chunk=%lld %s",
             name, (long long)s.m, (long long)s.n, (long long)s.k, s.trans_a, s.trans_b,
             (long long)s.batch, (long long)s.stride_a, (long long)s.stride_b, (long long)s.chunk,
             dist_names[d]);
    return b;
}

std::string decode(uint32_t x, ax_format_t f)
{
    char b[96], fb[32];
    double v;
    uint64_t bits = ax_to_f64bits(x, f);
    memcpy(&v, &bits, 8);
    snprintf(b, sizeof b, "0x%08x (%s %.17g)", x, ax_format_name(f, fb, sizeof fb), v);
    return b;
}

ax_engine_t *engine(ax_backend_t b)
{
    char err[256];
    ax_engine_t *e = ax_engine_create(b, 1, err, sizeof err);
    if (!e) die(err);
    return e;
}

// One case, without and with flags; exits on the first difference.
void run_case(ax_engine_t *ref, ax_engine_t *cu, const gemm_case &gc, ax_rng_t *rng)
{
    const ax_mac_cfg_t c = mac(gc.spec);
    const ax_gemm_shape_t s = shape_of(gc);
    const std::vector<uint32_t> A = matrix(rng, c.in, gc.d, a_size(s));
    const std::vector<uint32_t> B = matrix(rng, c.in, gc.d == ONE_HUGE ? NEAR_ONE : gc.d, b_size(s));
    const size_t csize = (size_t)(s.stride_c * (s.batch - 1) + s.m * s.ldc);
    const std::string what = describe(c, s, gc.d);
    for (int want_flags = 0; want_flags < 2; want_flags++) {
        std::vector<uint32_t> Cr(csize, 0xDEADBEEFu), Ce(csize, 0xDEADBEEFu);
        uint32_t fr = 0, fe = 0;
        char err[512];
        uint64_t h0r, h0e, h1r, h1e, n0r, n0e, n1r, n1e;
        ax_engine_daa_counts(ref, &n0r, &h0r);
        ax_engine_daa_counts(cu, &n0e, &h0e);
        if (ax_gemm(ref, &c, &s, A.data(), B.data(), Cr.data(), want_flags ? &fr : nullptr, err,
                    sizeof err))
            die((what + ": ref: " + err).c_str());
        if (ax_gemm(cu, &c, &s, A.data(), B.data(), Ce.data(), want_flags ? &fe : nullptr, err,
                    sizeof err))
            die((what + ": cuda: " + err).c_str());
        ax_engine_daa_counts(ref, &n1r, &h1r);
        ax_engine_daa_counts(cu, &n1e, &h1e);
        if (n1r - n0r != n1e - n0e || h1r - h0r != h1e - h0e)
            die((what + ": the DAA counts of non-zero and high-precision products differ").c_str());
        const char *path = ax_engine_last_path(cu);
        if (g_plant && !g_planted) {
            Ce[0] ^= 1u; // planted bug: one flipped result bit
            g_planted = 1;
        }
        for (size_t x = 0; x < csize; x++) {
            if (Cr[x] == Ce[x]) continue;
            const int64_t b = s.batch > 1 ? (int64_t)x / s.stride_c : 0;
            const int64_t in_item = (int64_t)x - b * s.stride_c;
            const int64_t i = in_item / s.ldc, j = in_item % s.ldc;
            printf("MISMATCH %s, %s, path '%s': batch %lld C[%lld][%lld]%s: ref %s, cuda %s\n",
                   what.c_str(), want_flags ? "flags" : "no flags", path, (long long)b,
                   (long long)i, (long long)j, j >= s.n || i >= s.m ? " (a gap, must be untouched)" : "",
                   decode(Cr[x], c.acc).c_str(), decode(Ce[x], c.acc).c_str());
            exit(1);
        }
        if (want_flags && fr != fe) {
            char a[96], b[96];
            printf("MISMATCH %s, path '%s': flags ref %s, cuda %s\n", what.c_str(), path,
                   ax_flags_name(fr, a, sizeof a), ax_flags_name(fe, b, sizeof b));
            exit(1);
        }
        if (!want_flags && gc.path && !strstr(path, gc.path)) {
            printf("WRONG PATH %s: took '%s', expected '%s'\n", what.c_str(), path, gc.path);
            exit(1);
        }
        char fb[96];
        printf("ok  %-28s %s%s%s\n", path, what.c_str(), want_flags ? " flags=" : "",
               want_flags ? ax_flags_name(fr, fb, sizeof fb) : "");
        g_cases++;
    }
}

// The synapse of spiking networks (ax_spike_linear_fwd, ax_spike_conv2d_fwd):
// cuda against ref, bits and flags, without and with flags. linear: the shape's
// n, c and oc are n, in and out (the rest unused).
struct spike_case {
    const char *spec;
    bool linear;
    ax_conv_shape_t sh;
    uint32_t permille; // spike density
    dist d;            // weights
};

void run_spike_case(ax_engine_t *ref, ax_engine_t *cu, const spike_case &sc, ax_rng_t *rng)
{
    const ax_mac_cfg_t c = mac(sc.spec);
    const ax_conv_shape_t &sh = sc.sh;
    int64_t oh = 1, ow = 1;
    char err[512], name[200];
    if (!sc.linear && ax_conv_out(&sh, &oh, &ow, err, sizeof err)) die(err);
    const size_t ns = (size_t)(sc.linear ? sh.n * sh.c : sh.n * sh.c * sh.h * sh.w);
    const size_t nw = (size_t)(sc.linear ? sh.oc * sh.c : sh.oc * (sh.c / sh.groups) * sh.kh * sh.kw);
    const size_t ny = (size_t)(sh.n * sh.oc * oh * ow);
    std::vector<uint8_t> sp(ns);
    for (auto &b : sp) b = ax_rng_below(rng, 1000) < sc.permille ? (uint8_t)(1 + ax_rng_below(rng, 255)) : 0;
    const std::vector<uint32_t> w = matrix(rng, c.in, sc.d, nw);
    ax_mac_name(&c, name, sizeof name);
    char what[600];
    if (sc.linear)
        snprintf(what, sizeof what, "synapse %s linear n=%lld in=%lld out=%lld density %u/1000 %s", name,
                 (long long)sh.n, (long long)sh.c, (long long)sh.oc, sc.permille, dist_names[sc.d]);
    else
        snprintf(what, sizeof what,
                 "synapse %s conv n=%lld c=%lld %lldx%lld oc=%lld k=%lldx%lld s=%lld,%lld p=%lld,%lld "
                 "d=%lld,%lld g=%lld density %u/1000 %s",
                 name, (long long)sh.n, (long long)sh.c, (long long)sh.h, (long long)sh.w, (long long)sh.oc,
                 (long long)sh.kh, (long long)sh.kw, (long long)sh.stride_h, (long long)sh.stride_w,
                 (long long)sh.pad_h, (long long)sh.pad_w, (long long)sh.dil_h, (long long)sh.dil_w,
                 (long long)sh.groups, sc.permille, dist_names[sc.d]);
    for (int want_flags = 0; want_flags < 2; want_flags++) {
        std::vector<uint32_t> yr(ny, 0xDEADBEEFu), ye(ny, 0xDEADBEEFu);
        uint32_t fr = 0, fe = 0;
        ax_engine_t *es[2] = {ref, cu};
        std::vector<uint32_t> *ys[2] = {&yr, &ye};
        uint32_t *fs[2] = {&fr, &fe};
        for (int i = 0; i < 2; i++) {
            const int rc = sc.linear ? ax_spike_linear_fwd(es[i], &c, sh.n, sh.c, sh.oc, sp.data(), w.data(),
                                                           ys[i]->data(), want_flags ? fs[i] : nullptr, err,
                                                           sizeof err)
                                     : ax_spike_conv2d_fwd(es[i], &c, &sh, sp.data(), w.data(), ys[i]->data(),
                                                           want_flags ? fs[i] : nullptr, err, sizeof err);
            if (rc) die((std::string(what) + (i ? ": cuda: " : ": ref: ") + err).c_str());
        }
        const char *path = ax_engine_last_path(cu);
        if (g_plant && !g_planted) {
            ye[ny / 2] ^= 1u;
            g_planted = 1;
        }
        for (size_t x = 0; x < ny; x++)
            if (yr[x] != ye[x]) {
                printf("MISMATCH %s, %s, path '%s': y[%zu]: ref %s, cuda %s\n", what,
                       want_flags ? "flags" : "no flags", path, x, decode(yr[x], c.acc).c_str(),
                       decode(ye[x], c.acc).c_str());
                exit(1);
            }
        if (want_flags && fr != fe) {
            char a[96], b[96];
            printf("MISMATCH %s, path '%s': flags ref %s, cuda %s\n", what, path, ax_flags_name(fr, a, sizeof a),
                   ax_flags_name(fe, b, sizeof b));
            exit(1);
        }
        if (strcmp(path, "cuda synapse generic")) {
            printf("WRONG PATH %s: took '%s'\n", what, path);
            exit(1);
        }
        char fb[96];
        printf("ok  %-28s %s%s%s\n", path, what, want_flags ? " flags=" : "",
               want_flags ? ax_flags_name(fr, fb, sizeof fb) : "");
        g_cases++;
    }
}

void spike_cases(ax_engine_t *ref, ax_engine_t *cu, ax_rng_t *rng)
{
    const char *const specs[] = {"in=fp32", "in=bf16", "in=fp16:ftz,acc=fp32", "in=bf16,add=loa:l=6,acc=bf16",
                                 "in=fp16,add=trunc,acc=fp16", "in=fp32,add=trunc,acc=bf16",
                                 "in=fp8e4m3,add=eta:l=4,acc=fp16:rtz"};
    const ax_conv_shape_t lin[] = {{3, 37, 1, 1, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1},
                                   {400, 64, 1, 1, 700, 1, 1, 1, 1, 0, 0, 1, 1, 1}, // more outputs than resident threads
                                   {4, 2048, 1, 1, 300, 1, 1, 1, 1, 0, 0, 1, 1, 1}, // long folds
                                   {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1}};
    const ax_conv_shape_t conv[] = {{2, 6, 7, 6, 9, 3, 3, 2, 1, 1, 2, 1, 2, 3},   // stride, padding, dilation, groups
                                    {1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8},   // depthwise
                                    {2, 4, 5, 5, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1},  // 1 x 1
                                    {1, 3, 4, 5, 2, 2, 3, 2, 2, 2, 2, 2, 1, 1}};
    const uint32_t dens[] = {0, 100, 500, 1000};
    for (const char *spec : specs) {
        for (const ax_conv_shape_t &sh : lin)
            for (uint32_t d : dens)
                run_spike_case(ref, cu, {spec, true, sh, d, d == 500 ? SPECIALS : d == 1000 ? RAW : NEAR_ONE}, rng);
        for (const ax_conv_shape_t &sh : conv)
            for (uint32_t d : dens)
                run_spike_case(ref, cu, {spec, false, sh, d, d == 500 ? SPECIALS : d == 1000 ? RAW : NEAR_ONE}, rng);
    }
}

void quantize_cases(ax_engine_t *cu, ax_rng_t *rng)
{
    const size_t n = (1u << 20) + 3;
    std::vector<float> x(n);
    for (size_t i = 0; i < n; i++) {
        uint32_t b = (uint32_t)ax_rng_next(rng);
        if (i % 7 == 0) b = (b & 0x807FFFFFu) | (uint32_t)(0x60 + i % 0x40) << 23; // near 1
        memcpy(&x[i], &b, 4);
    }
    for (const char *fs : {"fp32", "fp16", "bf16", "fp8e4m3", "fp8e4m3:sat", "fp8e5m2",
                           "e6m9:rtz:ftz", "e2m1", "tf32"}) {
        const ax_format_t f = fmt(fs);
        std::vector<uint32_t> want(n), got(n, 0xDEADBEEFu), pub(n, 0xDEADBEEFu);
        uint32_t fw = 0, fg = 0, fp = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t b;
            memcpy(&b, &x[i], 4);
            want[i] = ax_from_f32bits(b, f, &fw);
        }
        char err[256];
        if (ax_backend_cuda.quantize(ax_engine_ctx(cu), f, x.data(), got.data(), n, &fg, err, sizeof err))
            die((std::string("quantize ") + fs + ": " + err).c_str());
        ax_quantize(cu, f, x.data(), pub.data(), n, &fp);
        if (g_plant && !g_planted) {
            got[n / 3] ^= 1u;
            g_planted = 1;
        }
        for (size_t i = 0; i < n; i++)
            if (got[i] != want[i] || pub[i] != want[i]) {
                uint32_t b;
                memcpy(&b, &x[i], 4);
                printf("MISMATCH quantize fp32 0x%08x -> %s: host %s, cuda %s, ax_quantize %s\n", b,
                       fs, decode(want[i], f).c_str(), decode(got[i], f).c_str(),
                       decode(pub[i], f).c_str());
                exit(1);
            }
        if (fg != fw || fp != fw) {
            char a[96], b[96], c[96];
            printf("MISMATCH quantize -> %s: flags host %s, cuda %s, ax_quantize %s\n", fs,
                   ax_flags_name(fw, a, sizeof a), ax_flags_name(fg, b, sizeof b),
                   ax_flags_name(fp, c, sizeof c));
            exit(1);
        }
        char fb[96];
        printf("ok  quantize fp32 -> %-14s %zu values, flags=%s\n", fs, n,
               ax_flags_name(fw, fb, sizeof fb));
        g_cases++;
    }
}

// A device allocation that cannot succeed is an error message, not an
// abort, and the engine works afterwards. The host operands are not read
// before the device buffers exist, so a short host array is safe here.
void allocation_failure(ax_engine_t *cu)
{
    const ax_mac_cfg_t c = mac("mul=mbm,in=bf16");
    ax_gemm_shape_t s = ax_gemm_shape(2, 2, 2);
    s.batch = 2;
    s.stride_a = (int64_t)1 << 42; // 16 TiB of A on the device
    s.stride_c = 4;
    std::vector<uint32_t> A(8, 0x3F80u), B(8, 0x3F80u), C(8, 0);
    char err[512] = "";
    int rc = ax_gemm(cu, &c, &s, A.data(), B.data(), C.data(), nullptr, err, sizeof err);
    if (rc != -1 || !strstr(err, "cannot allocate")) {
        printf("FAIL: an impossible device allocation gave rc=%d '%s'\n", rc, err);
        exit(1);
    }
    printf("ok  impossible allocation reported: %s\n", err);
    g_cases++;
}

void bench(ax_engine_t *cu)
{
    const char *sz = getenv("AXSIM_GPU_BENCH_N");
    const int64_t n = sz && atoll(sz) > 0 ? atoll(sz) : 2048;
    char err[256];
    double t_ref = 0;
    const double flop = 2.0 * n * n * n;
    if (ax_cublas_sgemm_time(n, n, n, 5, &t_ref, err, sizeof err)) {
        printf("bench: %s\n", err);
        t_ref = 0;
    } else {
        printf("bench %lld^3: cuBLAS sgemm (CUBLAS_DEFAULT_MATH) %.3f ms, %.1f GFLOP/s\n",
               (long long)n, t_ref * 1e3, flop / t_ref * 1e-9);
    }
    ax_rng_t r{5};
    for (const char *spec : {"mul=exact", "mul=mitchell,in=bf16", "mul=drum:k=3,in=fp8e4m3",
                             "mul=mbm,in=fp16", "mul=mitchell,in=bf16,add=loa:l=8"}) {
        const ax_mac_cfg_t c = mac(spec);
        const int64_t m = strstr(spec, "loa") ? (n + 3) / 4 : n;
        ax_gemm_shape_t s = ax_gemm_shape(m, m, m);
        std::vector<uint32_t> A = matrix(&r, c.in, NEAR_ONE, (size_t)(m * m)), B = A;
        double t = 0;
        if (ax_gemm_time_resident(cu, &c, &s, A.data(), B.data(), 3, &t, err, sizeof err)) {
            printf("bench %s: %s\n", spec, err);
            continue;
        }
        const double f = 2.0 * m * m * m;
        printf("bench %lld^3 %-36s %-40s %.3f ms, %.1f GFLOP/s = %.3f x cuBLAS\n", (long long)m, spec,
               ax_engine_last_path(cu), t * 1e3, f / t * 1e-9,
               t_ref > 0 ? (f / t) / (flop / t_ref) : 0.0);
    }
}

} // namespace

int main()
{
    char why[256];
    if (!ax_cuda_available(why, sizeof why)) {
        printf("skipping the cuda fast-path test: %s\n", why);
        return 77;
    }
    const char *pb = getenv("AXSIM_PLANT_BUG");
    g_plant = pb && !strcmp(pb, "1");
    ax_engine_t *ref = engine(AX_BACKEND_REF), *cu = engine(AX_BACKEND_CUDA);
    ax_engine_t *aut = engine(AX_BACKEND_AUTO);
    printf("%s\n%s\n", ax_engine_describe(cu), ax_engine_describe(aut));
    if (ax_engine_backend(aut) != AX_BACKEND_CUDA) die("backend auto did not pick cuda with a device present");
    ax_engine_free(aut);

    const char *const LUT_S = "native fp32 (LUT in shared", *const LUT_G = "native fp32 (LUT in global";
    const char *const EXACT = "native fp32 (mul_exact)", *const GEN = "generic";
    const gemm_case cases[] = {
        // native fp32, LUT multipliers (bf16 table: 64 KiB of shared memory)
        {"mul=mitchell,in=bf16", 70, 150, 77, 0, 0, 1, false, false, 0, NEAR_ONE, LUT_S},
        {"mul=mitchell,in=bf16", 70, 150, 77, 1, 1, 1, false, false, 7, NEAR_ONE, LUT_S},
        {"mul=mbm,in=bf16", 65, 129, 33, 0, 1, 3, true, false, 0, SPECIALS_NORMAL, LUT_S},
        {"mul=realm:m=8,q=6,in=bf16", 40, 50, 60, 1, 0, 2, false, true, 7, SPECIALS_NORMAL, LUT_S},
        {"mul=drum:k=3,in=fp8e4m3", 65, 130, 40, 0, 0, 1, false, false, 0, SPECIALS, LUT_S},
        {"mul=drum:k=3,in=fp8e4m3", 64, 128, 48, 0, 0, 2, false, false, 7, RAW, LUT_S},
        {"mul=trunc,in=fp8e5m2", 33, 47, 29, 1, 1, 1, false, false, 0, SPECIALS, LUT_S},
        {"mul=mitchell,in=fp8e4m3", 20, 30, 41, 0, 0, 1, false, false, 0, ZEROS, LUT_S},
        // fp16 / tf32 tables: 4 MiB, global memory
        {"mul=mbm,in=fp16", 33, 45, 100, 0, 0, 1, false, false, 0, NEAR_ONE, LUT_G},
        {"mul=realm:m=4,q=5,in=fp16", 21, 140, 37, 1, 0, 2, false, false, 7, SPECIALS, LUT_G},
        {"mul=mbm,in=tf32", 17, 19, 23, 0, 0, 1, false, false, 0, NEAR_ONE, LUT_G},
        // exponents outside [-62, 62] (bf16 subnormals too): the native LUT path steps aside
        {"mul=realm:m=8,q=6,in=bf16", 40, 50, 60, 1, 0, 2, false, true, 7, SPECIALS, GEN},
        {"mul=realm:m=8,q=6,in=bf16", 30, 40, 50, 0, 0, 1, false, false, 0, WIDE, GEN},
        {"mul=mbm,in=bf16", 30, 40, 50, 0, 1, 1, false, false, 7, ONE_HUGE, GEN},
        // native fp32, mul_exact
        {"mul=exact", 70, 150, 77, 0, 0, 1, false, false, 0, RAW, EXACT},
        {"mul=exact", 31, 33, 35, 1, 1, 2, false, true, 7, WIDE, EXACT},
        {"mul=exact,in=bf16", 66, 131, 45, 0, 0, 3, false, true, 7, SPECIALS, EXACT},
        {"mul=exact,in=fp8e4m3:ftz", 25, 26, 27, 0, 0, 1, false, false, 0, SPECIALS, EXACT},
        // long k
        {"mul=mbm,in=bf16", 9, 11, 5000, 0, 0, 1, false, false, 0, NEAR_ONE, LUT_S},
        {"mul=mbm,in=bf16", 9, 11, 5000, 1, 0, 1, false, false, 7, NEAR_ONE, LUT_S},
        {"mul=exact", 7, 9, 5000, 0, 1, 1, false, false, 7, NEAR_ONE, EXACT},
        {"mul=drum:k=3,in=fp8e5m2,prod=fp16,add=eta:l=5,acc=fp16", 5, 6, 5000, 0, 0, 1, false,
         false, 7, NEAR_ONE, GEN},
        // generic: approximate adders, narrow accumulators and products, no LUT
        {"mul=mitchell,in=bf16,add=loa:l=8", 37, 41, 43, 0, 0, 1, false, false, 0, NEAR_ONE,
         "generic (LUT in shared"},
        {"mul=mitchell,in=bf16,add=loa:l=8", 37, 41, 43, 1, 1, 2, true, false, 7, SPECIALS, GEN},
        {"mul=mbm,in=bf16,acc=fp16", 29, 31, 64, 0, 0, 1, false, false, 0, NEAR_ONE, GEN},
        {"mul=drum:k=4,in=bf16,prod=bf16", 29, 31, 64, 0, 1, 1, false, false, 7, SPECIALS, GEN},
        {"mul=realm:m=16,q=15,in=fp16,prod=fp16,add=trunc,acc=fp16", 23, 24, 70, 1, 0, 1, false,
         false, 0, SPECIALS, GEN},
        {"mul=mitchell,in=fp32", 19, 21, 33, 0, 0, 1, false, false, 7, SPECIALS,
         "generic (significand function)"},
        {"mul=trunc,in=e6m9:rtz,prod=e6m9:rtz,add=eta:l=6,acc=e6m9:rtz", 18, 20, 45, 1, 1, 2,
         true, false, 0, RAW, GEN},
        {"mul=exact,in=fp8e4m3,prod=fp16,add=exact,acc=fp16", 40, 33, 90, 0, 0, 1, false, false,
         0, SPECIALS, GEN},
        {"mul=mbm,in=bf16,prod=fp32:ftz,acc=fp32:ftz", 20, 20, 20, 0, 0, 1, false, false, 0,
         SPECIALS, GEN},
        // DAA (ax_daa.h): the pair's fold per thread, partner rows across threads
        {"daa:hi=exact,lo=mitchell,policy=value,in=bf16", 37, 41, 43, 0, 0, 1, false, false, 0,
         NEAR_ONE, "cuda daa"},
        {"daa:hi=mbm,lo=drum:k=3,lo_in=fp8e4m3,policy=zero,in=bf16,prod=bf16,add=loa:l=4,acc=bf16",
         31, 20, 50, 1, 1, 2, true, false, 7, SPECIALS, "cuda daa"},
        {"daa:hi=exact,lo=trunc,policy=random,seed=5,in=fp16,prod=fp32", 401, 300, 33, 0, 1, 1,
         false, false, 0, ZEROS, "cuda daa"},
    };
    ax_rng_t rng{2024};
    for (const gemm_case &gc : cases) run_case(ref, cu, gc, &rng);
    quantize_cases(cu, &rng);
    spike_cases(ref, cu, &rng);
    allocation_failure(cu);
    run_case(ref, cu, cases[0], &rng); // the engine still works after an error
    const char *bn = getenv("AXSIM_GPU_BENCH");
    if (bn && !strcmp(bn, "1")) bench(cu);
    ax_engine_free(cu);
    ax_engine_free(ref);
    printf("cuda fast path equals ref: %d checks passed%s\n", g_cases,
           g_plant ? " (planted bug NOT caught)" : "");
    return 0;
}
