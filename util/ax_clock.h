/* ax_clock.h — seconds on the monotonic clock, for rates and progress. */
#ifndef AX_CLOCK_H
#define AX_CLOCK_H

#include <time.h>

static inline double ax_clock_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#endif /* AX_CLOCK_H */
