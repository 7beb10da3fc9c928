/* ax_pool.c — the persistent thread pool behind ax_parallel_for (ax_pool.h). */
#define _POSIX_C_SOURCE 200809L
#include "ax_pool.h"

#include <pthread.h>
#include <stddef.h>

/* A persistent pool: networks call this thousands of times a second, and a
 * pthread_create per call cost more than the work. One job at a time (a
 * caller holds `submit`); the caller works too. Every worker below `want`
 * checks in and out of each job, so no worker can still be inside a job
 * when the next one is posted. A task that calls ax_parallel_for runs the
 * inner loop itself (no nesting into the pool). */
enum { POOL_MAX = 255 };

static struct {
    pthread_mutex_t submit, lock;
    pthread_cond_t wake, done;
    int nworkers;
    uint64_t gen;
    int want, out;         /* workers taking part in job gen; those not finished */
    ax_task_fn fn;
    void *ctx;
    int64_t ntasks, next;  /* next task, taken atomically */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL, 0, 0};

static _Thread_local int in_pool;

/* A forked child has none of the workers: it starts a pool of its own. */
static void pool_after_fork(void)
{
    pthread_mutex_init(&pool.submit, NULL);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.nworkers = 0, pool.want = pool.out = 0;
}

static void pool_run(ax_task_fn fn, void *ctx, int64_t ntasks)
{
    for (;;) {
        int64_t t = __atomic_fetch_add(&pool.next, 1, __ATOMIC_RELAXED);
        if (t >= ntasks) return;
        fn(ctx, t);
    }
}

static void *pool_worker(void *arg)
{
    const int id = (int)(intptr_t)arg;
    uint64_t seen = 0;
    in_pool = 1;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.gen == seen) pthread_cond_wait(&pool.wake, &pool.lock);
        seen = pool.gen;
        if (id >= pool.want) continue;
        ax_task_fn fn = pool.fn;
        void *ctx = pool.ctx;
        int64_t ntasks = pool.ntasks;
        pthread_mutex_unlock(&pool.lock);
        pool_run(fn, ctx, ntasks);
        pthread_mutex_lock(&pool.lock);
        if (--pool.out == 0) pthread_cond_signal(&pool.done);
    }
    return NULL;
}

int ax_parallel_for(int nthreads, int64_t ntasks, ax_task_fn fn, void *ctx)
{
    if (ntasks <= 0) return 0;
    if (nthreads > ntasks) nthreads = (int)ntasks;
    if (nthreads > POOL_MAX + 1) nthreads = POOL_MAX + 1;
    if (nthreads <= 1 || in_pool) {
        for (int64_t t = 0; t < ntasks; t++) fn(ctx, t);
        return 0;
    }
    pthread_mutex_lock(&pool.submit);
    pthread_mutex_lock(&pool.lock);
    static int atfork;
    if (!atfork) atfork = 1, pthread_atfork(NULL, NULL, pool_after_fork);
    while (pool.nworkers < nthreads - 1) { /* grow the pool on demand */
        pthread_t tid;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        int ok = pthread_create(&tid, &a, pool_worker, (void *)(intptr_t)pool.nworkers) == 0;
        pthread_attr_destroy(&a);
        if (!ok) break;
        pool.nworkers++;
    }
    const int want = nthreads - 1 < pool.nworkers ? nthreads - 1 : pool.nworkers;
    pool.fn = fn, pool.ctx = ctx, pool.ntasks = ntasks, pool.next = 0;
    pool.want = want, pool.out = want;
    pool.gen++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    in_pool = 1;
    pool_run(fn, ctx, ntasks); /* the caller works too */
    in_pool = 0;
    pthread_mutex_lock(&pool.lock);
    while (pool.out > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool.submit);
    return 0;
}
