/* ax_openblas.c — the CPU baseline of axsim bench (ax_baseline.h): OpenBLAS
 * (Debian libopenblas0), loaded when a benchmark asks for it (dlopen), not
 * linked: a linked OpenBLAS starts its thread pool when axsim starts, and its
 * threads spin on every verb. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdlib.h>

#include "ax_baseline.h"
#include "ax_fail.h"

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a,
                         int lda, const float *b, int ldb, float beta, float *c, int ldc);
static sgemm_fn cblas_sgemm_p;
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111 };

int ax_openblas_load(int threads, char *err, size_t errlen)
{
    static void *lib;
    if (!lib) lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return ax_fail(err, errlen, "cannot load OpenBLAS (Debian libopenblas0): %s", dlerror());
    cblas_sgemm_p = (sgemm_fn)(uintptr_t)dlsym(lib, "cblas_sgemm");
    void (*set_threads)(int) = (void (*)(int))(uintptr_t)dlsym(lib, "openblas_set_num_threads");
    if (!cblas_sgemm_p || !set_threads)
        return ax_fail(err, errlen, "OpenBLAS lacks cblas_sgemm or openblas_set_num_threads");
    set_threads(threads);
    return 0;
}

void ax_openblas_sgemm(int64_t m, int64_t n, int64_t k, const float *A, const float *B, float *C)
{
    cblas_sgemm_p(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, (int)m, (int)n, (int)k, 1.0f, A,
                  (int)k, B, (int)n, 0.0f, C, (int)n);
}

int ax_openblas_conv(const ax_conv_shape_t *c, const float *fx, const float *fw, float *fy,
                     float **col, char *err, size_t errlen)
{
    int64_t oh, ow;
    if (ax_conv_out(c, &oh, &ow, err, errlen)) return -1;
    const int64_t cg = c->c / c->groups, ocg = c->oc / c->groups, kk = cg * c->kh * c->kw, P = oh * ow;
    if (!*col) *col = malloc((size_t)(kk * P) * sizeof(float));
    if (!*col) return ax_fail(err, errlen, "out of memory (im2col buffer)");
    for (int64_t n = 0; n < c->n; n++)
        for (int64_t g = 0; g < c->groups; g++) {
            for (int64_t ci = 0; ci < cg; ci++)
                for (int64_t ky = 0; ky < c->kh; ky++)
                    for (int64_t kx = 0; kx < c->kw; kx++) {
                        float *row = *col + ((ci * c->kh + ky) * c->kw + kx) * P;
                        const float *x = fx + ((n * c->c) + g * cg + ci) * c->h * c->w;
                        for (int64_t oy = 0; oy < oh; oy++) {
                            int64_t iy = oy * c->stride_h - c->pad_h + ky * c->dil_h;
                            for (int64_t ox = 0; ox < ow; ox++) {
                                int64_t ix = ox * c->stride_w - c->pad_w + kx * c->dil_w;
                                row[oy * ow + ox] = iy >= 0 && iy < c->h && ix >= 0 && ix < c->w ? x[iy * c->w + ix] : 0.0f;
                            }
                        }
                    }
            cblas_sgemm_p(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, (int)ocg, (int)P, (int)kk, 1.0f,
                          fw + g * ocg * kk, (int)kk, *col, (int)P, 0.0f, fy + (n * c->oc + g * ocg) * P, (int)P);
        }
    return 0;
}
