/* ax_rng.h — splitmix64: the one seeded generator of axsim, so that the same
 * seed gives the same vectors everywhere. */
#ifndef AX_RNG_H
#define AX_RNG_H

#include "ax_hd.h"

typedef struct ax_rng {
    uint64_t s;
} ax_rng_t;

AX_HD uint64_t ax_rng_next(ax_rng_t *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (multiply-shift; bias below 2^-32 for n < 2^32). */
AX_HD uint32_t ax_rng_below(ax_rng_t *r, uint32_t n)
{
    return (uint32_t)(((ax_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1): the top 53 bits over 2^53, exact in a double. */
AX_HD double ax_rng_uniform(ax_rng_t *r)
{
    return (double)(ax_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
