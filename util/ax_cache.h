/* ax_cache.h — what axsim's caches share (the LUTs of the fast path, the
 * bring-your-own builds of axsim verify): the cache folder and making a
 * path of folders. */
#ifndef AX_CACHE_H
#define AX_CACHE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The folder for cached files: $AXSIM_CACHE_DIR, else $XDG_CACHE_HOME/axsim,
 * else $HOME/.cache/axsim. 0, or -1 when none is set. */
int ax_cache_dir(char *buf, size_t len);

/* mkdir -p: 0, or -1 with errno set. */
int ax_mkdirs(const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* AX_CACHE_H */
