// test_device_units.cu — the C models compiled by nvcc as device code give
// the same result bits and flags as the host build, for every unit on random
// operands in several formats, and the same conversions. Exit 77 (skip) when
// no CUDA device answers. AXSIM_PLANT_BUG=1 flips one device result bit, to
// show the comparison can fail.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <cuda_runtime.h>

#include "ax_convert.h"
#include "ax_registry.h"
#include "ax_rng.h"

#define cudaCheck(err) cuda_check((err), __FILE__, __LINE__)
static void cuda_check(cudaError_t e, const char *file, int line)
{
    if (e != cudaSuccess) {
        fprintf(stderr, "%s:%d: CUDA error: %s\n", file, line, cudaGetErrorString(e));
        exit(1);
    }
}

__global__ void apply_kernel(ax_unit_t u, ax_format_t fi, ax_format_t fo, const uint32_t *a,
                             const uint32_t *b, uint32_t *r, uint32_t *fl, int n, int plant)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    uint32_t flags = 0;
    r[i] = ax_unit_apply(u, a[i], b[i], fi, fo, &flags);
    if (plant && i == n / 2) r[i] ^= 1;
    fl[i] = flags;
}

__global__ void convert_kernel(ax_format_t fo, const uint32_t *a, uint32_t *r, uint32_t *fl, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    uint32_t flags = 0;
    r[i] = ax_from_f32bits(a[i], fo, &flags);
    fl[i] = flags;
}

int main()
{
    int ndev = 0;
    cudaError_t e = cudaGetDeviceCount(&ndev);
    if (e != cudaSuccess || ndev == 0) {
        printf("no CUDA device (%s): skipping\n", e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
        return 77;
    }
    const int plant = getenv("AXSIM_PLANT_BUG") && !strcmp(getenv("AXSIM_PLANT_BUG"), "1");
    const int n = 1 << 18;
    const char *units[] = {"mul_exact", "mul_trunc", "mul_drum:k=3", "mul_drum:k=6", "mul_mitchell",
                           "mul_mbm", "mul_realm:m=8,q=6", "mul_realm:m=16,q=15", "add_exact",
                           "add_trunc", "add_loa:l=4", "add_eta:l=6"};
    const char *fmts[][2] = {{"fp32", "fp32"}, {"fp16", "fp16"}, {"bf16", "bf16"},
                             {"bf16", "fp32"}, {"fp8e4m3", "fp8e4m3"}, {"fp8e5m2:ftz", "fp16"},
                             {"e6m9:rtz", "e6m9:rtz"}, {"tf32", "fp32"}};
    std::vector<uint32_t> ha(n), hb(n), hr(n), hf(n);
    uint32_t *da, *db, *dr, *df;
    cudaCheck(cudaMalloc(&da, n * 4));
    cudaCheck(cudaMalloc(&db, n * 4));
    cudaCheck(cudaMalloc(&dr, n * 4));
    cudaCheck(cudaMalloc(&df, n * 4));
    uint64_t passed = 0, failed = 0;
    char err[512];
    ax_rng_t rng = {42};
    for (auto &fp : fmts) {
        ax_format_t fi, fo;
        if (ax_format_parse(fp[0], &fi, err, sizeof err) || ax_format_parse(fp[1], &fo, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        uint32_t mask = ax_fmt_width(fi) == 32 ? 0xFFFFFFFFu : (1u << ax_fmt_width(fi)) - 1;
        for (int i = 0; i < n; i++) {
            uint64_t z = ax_rng_next(&rng);
            ha[i] = (uint32_t)z & mask;
            hb[i] = (uint32_t)(z >> 32) & mask;
        }
        cudaCheck(cudaMemcpy(da, ha.data(), n * 4, cudaMemcpyHostToDevice));
        cudaCheck(cudaMemcpy(db, hb.data(), n * 4, cudaMemcpyHostToDevice));
        for (const char *us : units) {
            ax_unit_t u;
            if (ax_unit_parse(us, &u, err, sizeof err)) {
                fprintf(stderr, "%s\n", err);
                return 1;
            }
            apply_kernel<<<(n + 255) / 256, 256>>>(u, fi, fo, da, db, dr, df, n, plant);
            cudaCheck(cudaGetLastError());
            cudaCheck(cudaMemcpy(hr.data(), dr, n * 4, cudaMemcpyDeviceToHost));
            cudaCheck(cudaMemcpy(hf.data(), df, n * 4, cudaMemcpyDeviceToHost));
            uint64_t bad = 0;
            for (int i = 0; i < n; i++) {
                uint32_t fl = 0, r = ax_unit_apply(u, ha[i], hb[i], fi, fo, &fl);
                if (r != hr[i] || fl != hf[i]) {
                    if (bad < 3)
                        printf("MISMATCH %s %s->%s a=%08x b=%08x host=%08x/%02x device=%08x/%02x\n", us,
                               fp[0], fp[1], ha[i], hb[i], r, fl, hr[i], hf[i]);
                    bad++;
                }
            }
            passed += bad == 0, failed += bad != 0;
        }
    }
    // conversions float32 -> each format
    for (int i = 0; i < n; i++) ha[i] = (uint32_t)ax_rng_next(&rng);
    cudaCheck(cudaMemcpy(da, ha.data(), n * 4, cudaMemcpyHostToDevice));
    for (const char *fs : {"fp16", "bf16", "fp8e4m3", "fp8e4m3:sat", "fp8e5m2", "e6m9:rtz:ftz", "e2m1"}) {
        ax_format_t fo;
        ax_format_parse(fs, &fo, err, sizeof err);
        convert_kernel<<<(n + 255) / 256, 256>>>(fo, da, dr, df, n);
        cudaCheck(cudaGetLastError());
        cudaCheck(cudaMemcpy(hr.data(), dr, n * 4, cudaMemcpyDeviceToHost));
        cudaCheck(cudaMemcpy(hf.data(), df, n * 4, cudaMemcpyDeviceToHost));
        uint64_t bad = 0;
        for (int i = 0; i < n; i++) {
            uint32_t fl = 0, r = ax_from_f32bits(ha[i], fo, &fl);
            bad += r != hr[i] || fl != hf[i];
        }
        if (bad) printf("MISMATCH convert fp32->%s: %llu\n", fs, (unsigned long long)bad);
        passed += bad == 0, failed += bad != 0;
    }
    printf("device vs host, %d vectors per case: %llu passed, %llu failed\n", n,
           (unsigned long long)passed, (unsigned long long)failed);
    return failed ? 1 : 0;
}
