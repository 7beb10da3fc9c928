/* ax_hostcheck.h — checks a binary operation on bit patterns against the
 * host FPU: fp32 (IEEE flags too, read with <fenv.h>; x86-64 SSE detects
 * tininess after rounding, as axsim does) and fp16 / bf16 through float
 * (exact products; sums rounded twice, which is harmless because float's 24
 * bits are at least 2p+2 for p <= 11). NaN results match any NaN.
 * Used by `axsim hostcheck`, the main job and the tests; the operation is a
 * callback so that a test can plant a bug and watch the check fail. */
#ifndef AX_HOSTCHECK_H
#define AX_HOSTCHECK_H

#include <stdint.h>

#include "ax_format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t (*ax_binop_fn)(void *ctx, uint32_t a, uint32_t b, uint32_t *flags);

enum { AX_CHECK_MAX_RECORDS = 20 };

typedef struct ax_check_fail {
    uint32_t a, b, got, want, got_flags, want_flags;
} ax_check_fail_t;

typedef struct ax_check_report {
    uint64_t cases, fails;
    int nrec;
    ax_check_fail_t rec[AX_CHECK_MAX_RECORDS];
} ax_check_report_t;

/* kind: AX_KIND_MUL or AX_KIND_ADD. */

/* fp32: every pair of the special-value table (both orders), then nrandom
 * weighted random pairs (edges of the exponent range, cancellation,
 * significand patterns) from seed. Result and flags compared. */
void ax_hostcheck_fp32(int kind, ax_binop_fn fn, void *ctx, uint64_t nrandom, uint64_t seed,
                       ax_check_report_t *rep);

/* fp16 or bf16 (f must be one of them, RNE, no suffix): every a against b =
 * offset, offset+stride, ... (stride 1 = all 2^32 pairs). Results compared. */
void ax_hostcheck_16(int kind, ax_format_t f, ax_binop_fn fn, void *ctx, uint32_t stride,
                     uint32_t offset, ax_check_report_t *rep);

/* The host reference for one fp32 operation: result and flags. */
uint32_t ax_host_f32(int kind, uint32_t a, uint32_t b, uint32_t *flags);

/* The special-value table used for fp32 (count in *n). */
const uint32_t *ax_hostcheck_f32_specials(int *n);

#ifdef __cplusplus
}
#endif

#endif
