/* ax_plot.c — PNG scatter plots through gnuplot (ax_plot.h).
 *
 * gnuplot reads a script from a pipe: terminal (pngcairo if it has it, else
 * png), output to a temporary file beside the target, labels, one inline
 * data block per series, one plot command. Its stdout is discarded, its
 * stderr kept in a second temporary file for the error message. */
#define _GNU_SOURCE
#include "ax_plot.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ax_fail.h"

#define AX_PLOT_PACKAGE "gnuplot-nox" /* Debian package that provides gnuplot */

static int is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The executable called name: name itself when it holds a '/', else the
 * first match on PATH (an empty PATH entry is the current folder). */
static int find_executable(const char *name, char *out, size_t len)
{
    if (strchr(name, '/')) return strlen(name) < len && is_executable(name) ? (strcpy(out, name), 0) : -1;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *s = path;;) {
        const char *e = strchr(s, ':');
        int dl = e ? (int)(e - s) : (int)strlen(s);
        int k = dl ? snprintf(out, len, "%.*s/%s", dl, s, name) : snprintf(out, len, "./%s", name);
        if (k > 0 && (size_t)k < len && is_executable(out)) return 0;
        if (!e) return -1;
        s = e + 1;
    }
}

/* s as a gnuplot single-quoted string: no escapes there but '' for a quote;
 * control characters (a newline would end the command) become spaces. */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'') fputs("''", f);
        else fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('\'', f);
}

/* s as a /bin/sh single-quoted word */
static void sh_word(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputs("'\\''", f);
        else fputc(*s, f);
    }
    fputc('\'', f);
}

static int keep_point(const ax_plot_point_t *q, int logx)
{
    return isfinite(q->x) && isfinite(q->y) && !(logx && q->x <= 0);
}

/* The terminal (pngcairo where gnuplot has it, else png) and the output */
static void write_terminal(FILE *f, const char *out_path)
{
    fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "  set terminal pngcairo noenhanced size 1200,800 font ',10'\n"
          "} else {\n"
          "  set terminal png noenhanced size 1200,800\n"
          "}\n"
          "set encoding utf8\nset output ", f);
    gp_string(f, out_path);
    fputc('\n', f);
}

/* The script for points whose series index is series[i] (-1: skipped). */
static void write_script(FILE *f, const char *out_path, const ax_plot_t *p, const ax_plot_point_t *pts,
                         int n, const int *series, const char *const *names, int nseries)
{
    static const int marker[] = {7, 5, 9, 11, 13, 15, 6, 4, 8, 10, 12, 14}; /* filled, then open */
    const int nmarker = (int)(sizeof marker / sizeof marker[0]);
    write_terminal(f, out_path);
    if (p->title) fputs("set title ", f), gp_string(f, p->title), fputs(" noenhanced\n", f);
    if (p->xlabel) fputs("set xlabel ", f), gp_string(f, p->xlabel), fputs(" noenhanced\n", f);
    if (p->ylabel) fputs("set ylabel ", f), gp_string(f, p->ylabel), fputs(" noenhanced\n", f);
    if (p->logx) fputs("set logscale x\n", f);
    fputs("set grid\nset key outside right top noenhanced\n"
          "set offsets graph 0.05, graph 0.15, graph 0.08, graph 0.08\n", f);

    int label = 0;
    for (int i = 0; i < n; i++) {
        if (series[i] < 0 || !pts[i].label || !*pts[i].label) continue;
        fprintf(f, "set label %d ", ++label);
        gp_string(f, pts[i].label);
        fprintf(f, " at first %.17g, first %.17g offset character 0.7,0.5 left front noenhanced "
                   "font ',8' textcolor lt %d\n",
                pts[i].x, pts[i].y, series[i] + 1);
    }
    for (int s = 0; s < nseries; s++) {
        fprintf(f, "$axs%d << EOD\n", s);
        for (int i = 0; i < n; i++)
            if (series[i] == s) fprintf(f, "%.17g %.17g\n", pts[i].x, pts[i].y);
        fputs("EOD\n", f);
    }

    int have_ref = isfinite(p->yref);
    if (nseries == 0) { /* an empty frame, with the reference line if any */
        fputs(p->logx ? "set xrange [1:10]\n" : "set xrange [0:1]\n", f);
        if (!have_ref) fputs("set yrange [0:1]\n", f);
        fputs("set label 'no points' at graph 0.5, graph 0.9 center\n", f);
    }
    /* the reference line is plotted (key entry, y autoscale) but sampled over
     * the data's x range only: an arrow draws it across the whole frame */
    if (have_ref)
        fprintf(f, "set arrow from graph 0, first %.17g to graph 1, first %.17g nohead back "
                   "dt 2 lw 2 lc rgb 'gray40'\n", p->yref, p->yref);
    fputs("plot ", f);
    for (int s = 0; s < nseries; s++) {
        fprintf(f, "%s$axs%d using 1:2 with points lt %d pt %d ps 1.5 ", s ? ", " : "", s, s + 1,
                marker[s % nmarker]);
        if (*names[s]) fputs("title ", f), gp_string(f, names[s]);
        else fputs("notitle", f);
    }
    if (have_ref || nseries == 0) {
        fprintf(f, "%s%.17g with lines dt 2 lw 2 lc rgb 'gray40' ", nseries ? ", " : "",
                have_ref ? p->yref : -1.0);
        if (have_ref && p->yref_label && *p->yref_label) fputs("title ", f), gp_string(f, p->yref_label);
        else fputs("notitle", f);
    }
    fputs("\nunset output\n", f);
}

/* The line of gnuplot's stderr that says what went wrong: its own error
 * message ('"-" line 12: ...', after an echo of the offending command), else
 * the first line that is not blank; "" when there is none. */
static void error_line(const char *path, char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    int have_first = 0;
    while (getline(&line, &cap, f) >= 0) {
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n")] = 0;
        if (!*s || *s == '^') continue;
        int located = 0;
        for (const char *t = strstr(s, "line "); t && !located; t = strstr(t + 1, "line ")) {
            size_t d = strspn(t + 5, "0123456789");
            located = d > 0 && t[5 + d] == ':';
        }
        if (located && !strstr(s, "warning:")) {
            snprintf(buf, len, "%s", s);
            break;
        }
        if (!have_first) snprintf(buf, len, "%s", s), have_first = 1;
    }
    free(line);
    fclose(f);
}

static int is_png(const char *path)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char b[8];
    FILE *f = fopen(path, "rb");
    int ok = f && fread(b, 1, 8, f) == 8 && !memcmp(b, sig, 8);
    if (f) fclose(f);
    return ok;
}

/* Runs gnuplot on the script write(f, tmp_png, ctx) writes, then moves the
 * PNG over png_path. 0, or -1 with a message. */
static int run_gnuplot(const char *png_path, void (*write)(FILE *, const char *, const void *),
                       const void *ctx, char *err, size_t errlen)
{
    const char *name = getenv("AXSIM_GNUPLOT");
    int from_env = name && *name;
    char exe[PATH_MAX];
    if (!from_env) name = "gnuplot";
    if (find_executable(name, exe, sizeof exe) != 0) {
        if (from_env)
            return ax_fail(err, errlen, "gnuplot not found: AXSIM_GNUPLOT=%s is not an executable "
                        "(install the Debian package " AX_PLOT_PACKAGE " or fix AXSIM_GNUPLOT)", name);
        return ax_fail(err, errlen, "gnuplot not found on PATH (install the Debian package " AX_PLOT_PACKAGE ")");
    }
    char tmp[PATH_MAX], errpath[PATH_MAX];
    int fd = -1, efd = -1, rc = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", png_path) >= (int)sizeof tmp ||
        snprintf(errpath, sizeof errpath, "%s.errXXXXXX", png_path) >= (int)sizeof errpath) {
        return ax_fail(err, errlen, "cannot write %s: path too long", png_path);
    }
    if ((fd = mkstemp(tmp)) < 0 || (efd = mkstemp(errpath)) < 0) {
        ax_fail(err, errlen, "cannot write %s: %s", png_path, strerror(errno));
        if (fd >= 0) close(fd), unlink(tmp);
        return -1;
    }
    mode_t mask = umask(0); /* mkstemp makes 0600; the PNG gets the usual mode */
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    close(efd);

    char *cmd = NULL;
    size_t cmdlen = 0;
    FILE *c = open_memstream(&cmd, &cmdlen);
    FILE *gp = NULL;
    if (c) {
        fputs("exec ", c), sh_word(c, exe), fputs(" >/dev/null 2>", c), sh_word(c, errpath);
        if (fclose(c) == 0) gp = popen(cmd, "w");
    }
    if (!gp) {
        ax_fail(err, errlen, "gnuplot failed: cannot start %s: %s", exe, strerror(errno));
    } else {
        /* a gnuplot that dies early must not take us with it (SIGPIPE) */
        struct sigaction ignore, old;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGPIPE, &ignore, &old);
        write(gp, tmp, ctx);
        int st = pclose(gp);
        sigaction(SIGPIPE, &old, NULL);

        char line[256];
        if (st == -1) {
            ax_fail(err, errlen, "gnuplot failed: %s", strerror(errno));
        } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            error_line(errpath, line, sizeof line);
            if (*line) ax_fail(err, errlen, "gnuplot failed: %s", line);
            else if (WIFEXITED(st))
                ax_fail(err, errlen, "gnuplot failed: %s exited with status %d", exe, WEXITSTATUS(st));
            else ax_fail(err, errlen, "gnuplot failed: %s killed by signal %d", exe, WTERMSIG(st));
        } else if (!is_png(tmp)) {
            ax_fail(err, errlen, "gnuplot failed: %s exited with status 0 but wrote no PNG", exe);
        } else if (rename(tmp, png_path) != 0) {
            ax_fail(err, errlen, "cannot write %s: %s", png_path, strerror(errno));
        } else {
            rc = 0;
        }
    }
    if (rc != 0) unlink(tmp);
    unlink(errpath);
    free(cmd);
    return rc;
}

typedef struct scatter_ctx {
    const ax_plot_t *p;
    const ax_plot_point_t *pts;
    int n;
    const int *series;
    const char *const *names;
    int nseries;
} scatter_ctx_t;

static void write_scatter(FILE *f, const char *out_path, const void *ctx)
{
    const scatter_ctx_t *c = ctx;
    write_script(f, out_path, c->p, c->pts, c->n, c->series, c->names, c->nseries);
}

int ax_plot_scatter(const char *png_path, const ax_plot_t *p, const ax_plot_point_t *pts, int n,
                    char *err, size_t errlen)
{
    const ax_plot_t none = {NULL, NULL, NULL, 0, NAN, NULL};
    if (!p) p = &none;
    /* series of each point, in order of first appearance; -1: skipped */
    int *series = malloc((n > 0 ? (size_t)n : 1) * sizeof *series);
    const char **names = malloc((n > 0 ? (size_t)n : 1) * sizeof *names);
    if (!series || !names) {
        free(series), free(names);
        return ax_fail(err, errlen, "out of memory");
    }
    int nseries = 0;
    for (int i = 0; i < n; i++) {
        series[i] = -1;
        if (!keep_point(&pts[i], p->logx)) continue;
        const char *s = pts[i].series ? pts[i].series : "";
        int k = 0;
        while (k < nseries && strcmp(names[k], s)) k++;
        if (k == nseries) names[nseries++] = s;
        series[i] = k;
    }

    scatter_ctx_t c = {p, pts, n, series, names, nseries};
    int rc = run_gnuplot(png_path, write_scatter, &c, err, errlen);
    free(series);
    free(names);
    return rc;
}


/* a label inside a gnuplot datablock's double quotes: no quote, backslash
 * or control character */
static void gp_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '_' : c, f);
    }
    fputc('"', f);
}

static void write_bars(FILE *f, const char *out_path, const void *ctx)
{
    const ax_plot_bars_t *p = ctx;
    write_terminal(f, out_path);
    if (p->title) fputs("set title ", f), gp_string(f, p->title), fputs(" noenhanced\n", f);
    if (p->ylabel) fputs("set ylabel ", f), gp_string(f, p->ylabel), fputs(" noenhanced\n", f);
    if (p->line && p->y2label) fputs("set y2label ", f), gp_string(f, p->y2label), fputs(" noenhanced\n", f);
    if (p->logy) fputs("set logscale y\n", f);
    fputs("set grid ytics\nset key outside right top noenhanced\nset style fill solid 0.6 border -1\n"
          "set boxwidth 0.7\nset xtics rotate by -35 noenhanced\nset ytics nomirror\n", f);
    if (p->line) fprintf(f, "set y2tics\nset y2range [0:%.17g]\n", p->y2max > 0 ? p->y2max : 100.0);
    fprintf(f, "set xrange [-0.6:%d.6]\n", p->n > 0 ? p->n - 1 : 0);
    fputs("$axb << EOD\n", f);
    for (int i = 0; i < p->n; i++) {
        gp_label(f, p->labels[i]);
        fprintf(f, " %.17g %.17g\n", p->values[i], p->line ? p->line[i] : 0.0);
    }
    fputs("EOD\n", f);
    if (p->n == 0) fputs("set label 'no layers' at graph 0.5, graph 0.9 center\nplot 1 notitle\n", f);
    else {
        fputs("plot $axb using 0:2:xtic(1) with boxes lc rgb '#4878a8' title ", f);
        gp_string(f, p->values_name ? p->values_name : "");
        if (p->line) {
            fputs(", $axb using 0:3 axes x1y2 with linespoints lw 2 pt 7 lc rgb '#c04020' title ", f);
            gp_string(f, p->line_name ? p->line_name : "");
        }
        fputc('\n', f);
    }
    fputs("unset output\n", f);
}

int ax_plot_bars(const char *png_path, const ax_plot_bars_t *p, char *err, size_t errlen)
{
    if (p->n < 0 || (p->n > 0 && (!p->labels || !p->values)))
        return ax_fail(err, errlen, "bar plot: no data");
    if (p->logy)
        for (int i = 0; i < p->n; i++)
            if (!(p->values[i] > 0) || !isfinite(p->values[i]))
                return ax_fail(err, errlen, "bar plot: a log scale needs positive values");
    return run_gnuplot(png_path, write_bars, p, err, errlen);
}
