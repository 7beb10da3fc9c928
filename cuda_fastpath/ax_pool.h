/* ax_pool.h — the parallel-for every backend and layer of the fast path uses:
 * a persistent pool of threads over fixed task blocks. A leaf: it uses
 * nothing of the fast path. Not installed. */
#ifndef AX_POOL_H
#define AX_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs fn(ctx, t) for every task t in [0, ntasks) on up to nthreads threads.
 * Which thread runs a task never changes a result: tasks write disjoint
 * outputs. Returns 0, or -1 when no thread could be started. */
typedef void (*ax_task_fn)(void *ctx, int64_t task);
int ax_parallel_for(int nthreads, int64_t ntasks, ax_task_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* AX_POOL_H */
