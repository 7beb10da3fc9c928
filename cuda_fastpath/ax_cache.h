/* ax_cache.h — what axsim's caches share (the LUTs of the fast path, the
 * bring-your-own builds of axsim verify): the cache folder, making a path of
 * folders, and the FNV-1a 64 checksum. */
#ifndef AX_CACHE_H
#define AX_CACHE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The folder for cached files: $AXSIM_CACHE_DIR, else $XDG_CACHE_HOME/axsim,
 * else $HOME/.cache/axsim. 0, or -1 when none is set. */
int ax_cache_dir(char *buf, size_t len);

/* mkdir -p: 0, or -1 with errno set. */
int ax_mkdirs(const char *dir);

/* FNV-1a 64 of n bytes. */
uint64_t ax_fnv1a64(const void *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* AX_CACHE_H */
