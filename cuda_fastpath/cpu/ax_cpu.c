/* ax_cpu.c — the cpu backend: every core, three paths (docs/fastpath.md),
 * tried in this order:
 *
 * Native path (ax_cpu_native.c): add_exact, no flags asked for: IEEE fp32
 * arithmetic where it is proven equal to the unit; with prod and acc plain
 * fp32, or (the narrow path) rounded on the fp32 patterns to narrower product
 * and accumulator formats.
 *
 * fp32 adder path (ax_cpu_add.c): prod and acc plain fp32 under any adder,
 * flags or not: the adders written out on integer SIMD lanes.
 *
 * Generic path (ax_cpu_generic.c): everything else: the models' own stages
 * on pre-unpacked operands (ax_mac_step.h, the step the cuda backend runs
 * too), the significand LUT where it fits.
 *
 * The state the paths share (decode tables, buffers) is ax_cpu_state.c; the
 * synapse of spiking networks (binary spikes, no multiplier) is
 * ax_cpu_spike.c. */
#define _POSIX_C_SOURCE 200809L
#include "ax_cpu.h"

#include <stdlib.h>

static int cpu_gemm(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                    const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                    char *err, size_t errlen)
{
    if (!x->state && !(x->state = calloc(1, sizeof(ax_cpu_state_t))))
        return ax_fail(err, errlen, "out of memory (cpu backend state)");
    if (s->k > 0 && x->opts.cpu_path != AX_CPU_PATH_GENERIC) {
        int rc = ax_cpu_native(x, cfg, s, A, B, C, flags, err, errlen);
        if (rc != -2) return rc;
        rc = ax_cpu_fp32_adder(x, cfg, s, A, B, C, flags, err, errlen);
        if (rc != -2) return rc;
    }
    x->last_path = "cpu generic";
    return ax_cpu_generic(x, cfg, s, A, B, C, flags, err, errlen);
}

/* DAA (ax_daa.h): fp32 arithmetic where it is proven equal (ax_cpu_daa.c),
 * else the pair's fold on every core (ax_daa_gemm.c) */
static int cpu_gemm_daa(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                        const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                        ax_daa_count_t *cnt, char *err, size_t errlen)
{
    if (!x->state && !(x->state = calloc(1, sizeof(ax_cpu_state_t))))
        return ax_fail(err, errlen, "out of memory (cpu backend state)");
    if (x->opts.cpu_path != AX_CPU_PATH_GENERIC) {
        x->last_path = "cpu daa native fp32 (mul_exact)";
        const int rc = ax_cpu_daa(x, cfg, s, A, B, C, flags, cnt, err, errlen);
        if (rc != -2) return rc;
    }
    x->last_path = "cpu daa generic";
    return ax_daa_gemm_host(x->threads, cfg, s, A, B, C, flags, cnt, err, errlen);
}

const ax_backend_ops_t ax_backend_cpu = {NULL,           cpu_gemm,     NULL, NULL,
                                         ax_cpu_release, ax_cpu_spike, cpu_gemm_daa};
