/* ax_hd.h — host/device portability for the C models.
 *
 * Every model function is declared AX_HD: a static inline C function on the
 * host, a __host__ __device__ function under nvcc, so one source serves the
 * reference, the CPU fast path and the CUDA fast path. Integer-only helpers. */
#ifndef AX_HD_H
#define AX_HD_H

#include <stdint.h>

#if defined(__CUDACC__)
#define AX_HD __host__ __device__ static inline
#else
#define AX_HD static inline
#endif

/* Count leading zeros of a non-zero 64-bit value. */
AX_HD int ax_clz64(uint64_t x)
{
#if defined(__CUDA_ARCH__)
    return __clzll((long long)x);
#else
    return __builtin_clzll(x);
#endif
}

/* Position of the most significant set bit of a non-zero value. */
AX_HD int ax_msb64(uint64_t x) { return 63 - ax_clz64(x); }

/* Right shift that ORs every bit shifted out into bit 0 ("jamming"), for any
 * shift count, as SoftFloat's shiftRightJam. */
AX_HD uint64_t ax_shr_jam64(uint64_t x, int n)
{
    if (n <= 0) return x;
    if (n >= 64) return x != 0;
    return (x >> n) | ((x & ((UINT64_C(1) << n) - 1)) != 0);
}

#endif /* AX_HD_H */
