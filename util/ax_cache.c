/* ax_cache.c — the cache folder and mkdir -p (ax_cache.h). */
#define _POSIX_C_SOURCE 200809L
#include "ax_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int ax_cache_dir(char *buf, size_t len)
{
    const char *v;
    if ((v = getenv("AXSIM_CACHE_DIR")) && *v) snprintf(buf, len, "%s", v);
    else if ((v = getenv("XDG_CACHE_HOME")) && *v) snprintf(buf, len, "%s/axsim", v);
    else if ((v = getenv("HOME")) && *v) snprintf(buf, len, "%s/.cache/axsim", v);
    else return -1;
    return 0;
}

int ax_mkdirs(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0777) && errno != EEXIST ? -1 : 0;
}
