// ax_cublas.cu — the GPU baseline of axsim bench (ax_baseline.h): cuBLAS
// sgemm on device operands, loaded at run time (dlopen), not linked: its
// libraries are over 500 MB, and mapping them would slow every start of axsim.
#include <cublas_v2.h> // types only: the library is loaded by load_cublas
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>

#include "ax_baseline.h"
#include "ax_fail.h"

#define AXC_STR2(...) #__VA_ARGS__
#define AXC_STR(...) AXC_STR2(__VA_ARGS__)

// Operands of the timed sgemm: values in [-1, 1) from a hash of the index.
static __global__ void fill_kernel(float *x, size_t n, uint32_t seed)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        uint32_t h = (uint32_t)i * 2654435761u ^ seed;
        h ^= h >> 15, h *= 2246822519u, h ^= h >> 13;
        x[i] = (float)(h & 0xFFFF) / 32768.0f - 1.0f;
    }
}

static const char *cublas_msg(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_NOT_INITIALIZED: return "cuBLAS not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "cuBLAS allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "invalid value";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "architecture mismatch";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "execution failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "not supported";
    default: return "cuBLAS error";
    }
}

typedef struct cublas_api {
    cublasStatus_t (*create)(cublasHandle_t *);
    cublasStatus_t (*destroy)(cublasHandle_t);
    cublasStatus_t (*set_math_mode)(cublasHandle_t, cublasMath_t);
    cublasStatus_t (*sgemm)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                            const float *, const float *, int, const float *, int, const float *,
                            float *, int);
} cublas_api_t;

static int load_cublas(cublas_api_t *api, char *err, size_t errlen)
{
    static void *lib = NULL;
    if (!lib) lib = dlopen("libcublas.so." AXC_STR(CUBLAS_VER_MAJOR), RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcublas.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return ax_fail(err, errlen, "cuBLAS: cannot load libcublas.so: %s", dlerror());
    api->create = (cublasStatus_t(*)(cublasHandle_t *))dlsym(lib, "cublasCreate_v2");
    api->destroy = (cublasStatus_t(*)(cublasHandle_t))dlsym(lib, "cublasDestroy_v2");
    api->set_math_mode = (cublasStatus_t(*)(cublasHandle_t, cublasMath_t))dlsym(lib, "cublasSetMathMode");
    api->sgemm = (cublasStatus_t(*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                                    const float *, const float *, int, const float *, int,
                                    const float *, float *, int))dlsym(lib, "cublasSgemm_v2");
    if (!api->create || !api->destroy || !api->set_math_mode || !api->sgemm)
        return ax_fail(err, errlen, "cuBLAS: libcublas.so lacks cublasSgemm_v2 and friends");
    return 0;
}

// cuBLAS sgemm in CUBLAS_DEFAULT_MATH: plain fp32 (CUDA cores; TF32 tensor
// cores only under CUBLAS_TF32_TENSOR_OP_MATH, which is not set).
extern "C" int ax_cublas_sgemm_time(int64_t m, int64_t n, int64_t k, int reps, double *sec,
                                    char *err, size_t errlen)
{
    if (m < 1 || n < 1 || k < 1 || m > INT_MAX || n > INT_MAX || k > INT_MAX)
        return ax_fail(err, errlen, "cuBLAS benchmark: m, n, k must be in [1, %d]", INT_MAX);
    if (reps < 1) reps = 1;
    cublas_api_t api;
    if (load_cublas(&api, err, errlen)) return -1;
    cublasHandle_t h = NULL;
    cublasStatus_t bs = api.create(&h);
    if (bs != CUBLAS_STATUS_SUCCESS)
        return ax_fail(err, errlen, "cuBLAS: cannot create a handle: %s", cublas_msg(bs));
    float *a = NULL, *b = NULL, *c = NULL;
    cudaEvent_t t0 = NULL, t1 = NULL;
    int rc = 0;
    float ms = 0.0f;
    const float one = 1.0f, zero = 0.0f;
    cudaError_t ce = cudaMalloc(&a, (size_t)(m * k) * 4);
    if (ce == cudaSuccess) ce = cudaMalloc(&b, (size_t)(k * n) * 4);
    if (ce == cudaSuccess) ce = cudaMalloc(&c, (size_t)(m * n) * 4);
    if (ce == cudaSuccess) ce = cudaEventCreate(&t0);
    if (ce == cudaSuccess) ce = cudaEventCreate(&t1);
    if (ce != cudaSuccess) {
        cudaGetLastError();
        rc = ax_fail(err, errlen, "cuBLAS benchmark: %s", cudaGetErrorString(ce));
        goto done;
    }
    fill_kernel<<<256, 256>>>(a, (size_t)(m * k), 1u);
    fill_kernel<<<256, 256>>>(b, (size_t)(k * n), 2u);
    bs = api.set_math_mode(h, CUBLAS_DEFAULT_MATH);
    if (bs == CUBLAS_STATUS_SUCCESS) // warm-up
        bs = api.sgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, (int)m, (int)n, (int)k, &one, a, (int)m, b,
                         (int)k, &zero, c, (int)m);
    ce = cudaDeviceSynchronize();
    if (ce == cudaSuccess) ce = cudaEventRecord(t0);
    for (int r = 0; r < reps && bs == CUBLAS_STATUS_SUCCESS; r++)
        bs = api.sgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, (int)m, (int)n, (int)k, &one, a, (int)m, b,
                         (int)k, &zero, c, (int)m);
    if (ce == cudaSuccess) ce = cudaEventRecord(t1);
    if (ce == cudaSuccess) ce = cudaEventSynchronize(t1);
    if (ce == cudaSuccess) ce = cudaEventElapsedTime(&ms, t0, t1);
    if (bs != CUBLAS_STATUS_SUCCESS)
        rc = ax_fail(err, errlen, "cuBLAS sgemm: %s", cublas_msg(bs));
    else if (ce != cudaSuccess) {
        cudaGetLastError();
        rc = ax_fail(err, errlen, "cuBLAS benchmark: %s", cudaGetErrorString(ce));
    } else
        *sec = (double)ms / 1000.0 / reps;
done:
    if (t0) cudaEventDestroy(t0);
    if (t1) cudaEventDestroy(t1);
    cudaFree(a), cudaFree(b), cudaFree(c);
    api.destroy(h);
    return rc;
}
