/* ax_atomic.c — files replaced whole or not at all (ax_atomic.h). */
#define _POSIX_C_SOURCE 200809L
#include "ax_atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "ax_fail.h"

/* Removes "<base>.tmp.<pid>" in dir for pids that no longer run. */
static void remove_stale(const char *path)
{
    char dir[4200];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)), path);
    else snprintf(dir, sizeof dir, ".");
    size_t bl = strlen(base);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        const char *n = e->d_name;
        if (strncmp(n, base, bl) || strncmp(n + bl, ".tmp.", 5)) continue;
        const char *digits = n + bl + 5;
        char *end;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        if (end == digits || *end || errno || pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to judge */
        char stale[8500];
        snprintf(stale, sizeof stale, "%s/%s", dir, n);
        remove(stale);
    }
    closedir(d);
}

int ax_atomic_begin(ax_atomic_t *a, const char *path, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    if ((size_t)snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof a->tmp)
        return ax_fail(err, errlen, "%.200s...: path too long", path);
    remove_stale(path);
    int fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return ax_fail(err, errlen, "%s: cannot write %s: %s", path, a->tmp, strerror(errno));
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        int e = errno;
        close(fd);
        remove(a->tmp);
        return ax_fail(err, errlen, "%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}

int ax_atomic_commit(ax_atomic_t *a, char *err, size_t errlen)
{
    int e = 0;
    if (ferror(a->f)) e = errno ? errno : EIO;
    if (!e && fflush(a->f) != 0) e = errno;
    if (!e && fsync(fileno(a->f)) != 0) e = errno;
    if (fclose(a->f) != 0 && !e) e = errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0) e = errno;
    if (e) {
        remove(a->tmp);
        return ax_fail(err, errlen, "%s: cannot write: %s (the previous file, if any, is unchanged)", a->path,
                           strerror(e));
    }
    return 0;
}

void ax_atomic_abort(ax_atomic_t *a)
{
    if (a->f) fclose(a->f);
    a->f = NULL;
    if (a->tmp[0]) remove(a->tmp);
}

int ax_atomic_write(const char *path, const void *data, size_t n, char *err, size_t errlen)
{
    ax_atomic_t a;
    if (ax_atomic_begin(&a, path, err, errlen)) return -1;
    errno = 0;
    if (fwrite(data, 1, n, a.f) != n) {
        int e = errno ? errno : EIO;
        ax_atomic_abort(&a);
        return ax_fail(err, errlen, "%s: cannot write: %s (the previous file, if any, is unchanged)", path,
                           strerror(e));
    }
    return ax_atomic_commit(&a, err, errlen);
}

int ax_atomic_probe(const char *path, char *err, size_t errlen)
{
    ax_atomic_t a;
    if (ax_atomic_begin(&a, path, err, errlen)) return -1;
    ax_atomic_abort(&a);
    return 0;
}
