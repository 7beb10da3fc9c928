// ax_cuda_spike.cuh — the device code of the cuda backend's synapse of
// spiking networks (ax_cuda.cu, its only includer, copies and launches it;
// ax_backend.h, ax_spike_shape_t). One thread per output element folds the
// inputs of its window that hold a spike, in ascending k = (ci*kh + ky)*kw +
// kx, with ax_syn_step: the C model compiled as device code, so the bits and
// flags are ax_syn_fold's. Private to cuda/.
#ifndef AX_CUDA_SPIKE_CUH
#define AX_CUDA_SPIKE_CUH

#include <cuda_runtime.h>

#include "ax_backend.h"
#include "ax_cuda_kernels.cuh"
#include "ax_mac.h"

enum { SPK_THREADS = 256 };

struct spike_args {
    const uint8_t *s;  // [n][c][h][wd]
    const uint32_t *w; // [oc][kf]
    uint32_t *y;       // [n][oc][oh][ow]
    uint32_t *flags;   // NULL: not asked for
    ax_mac_cfg_t cfg;
    int64_t c, h, wd, oc, kh, kw, sh, sw, ph, pw, dh, dw, cg, ocg, kf, oh, ow;
    int64_t total; // n*oc*oh*ow
};

// Output elements in the order (n, oy, ox, o): the threads of a warp share
// their output position and (for ocg >= 32) their group, so they read the
// same spikes and take the same branches; only the weights differ. Every
// thread of a block reaches flags_or.
__global__ void __launch_bounds__(SPK_THREADS) spike_kernel(spike_args a)
{
    const ax_mac_cfg_t cfg = a.cfg;
    const uint32_t zero = ax_fmt_zero(0, cfg.acc);
    const int64_t p = a.oh * a.ow;
    uint32_t fl = 0;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < a.total;
         e += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = e % a.oc, r = e / a.oc, n = r / p, pos = r - n * p;
        const int64_t oy = pos / a.ow, ox = pos - oy * a.ow, g = o / a.ocg;
        const int64_t by = oy * a.sh - a.ph, bx = ox * a.sw - a.pw; // iy = by + ky*dh
        const uint8_t *sb = a.s + (n * a.c + g * a.cg) * a.h * a.wd;
        const uint32_t *wo = a.w + o * a.kf;
        uint32_t acc = zero;
        for (int64_t ci = 0; ci < a.cg; ci++)
            for (int64_t ky = 0; ky < a.kh; ky++) {
                const int64_t iy = by + ky * a.dh;
                if (iy < 0 || iy >= a.h) continue; // padding: no spike
                const uint8_t *row = sb + (ci * a.h + iy) * a.wd;
                const uint32_t *wk = wo + (ci * a.kh + ky) * a.kw;
                for (int64_t kx = 0; kx < a.kw; kx++) {
                    const int64_t ix = bx + kx * a.dw;
                    if (ix >= 0 && ix < a.wd && row[ix]) acc = ax_syn_step(&cfg, acc, wk[kx], &fl);
                }
            }
        a.y[(n * a.oc + o) * p + pos] = acc;
    }
    if (a.flags) flags_or(a.flags, fl);
}

#endif // AX_CUDA_SPIKE_CUH
