/* ax_plot.h — PNG scatter plots through gnuplot (Debian package gnuplot-nox).
 *
 * The plot is not axsim's core, so it is drawn by gnuplot: a script is
 * written to gnuplot's standard input (popen), terminal pngcairo where that
 * gnuplot has it, else png. The executable is "gnuplot" on PATH, or whatever
 * AXSIM_GNUPLOT names (a path, or a name looked up on PATH). Every string
 * (title, axis labels, series, point labels) is shown as given: quoted for
 * gnuplot, noenhanced (an underscore is an underscore, not a subscript).
 * The PNG is written to a temporary file in the same folder, then renamed
 * over the path, so a failure leaves any file already there untouched. */
#ifndef AX_PLOT_H
#define AX_PLOT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One point; points of the same series (NULL counts as "") share a colour
 * and a marker and one key entry; label (NULL: none) is written beside the
 * point. */
typedef struct ax_plot_point {
    double x, y;
    const char *label;
    const char *series;
} ax_plot_point_t;

typedef struct ax_plot {
    const char *title, *xlabel, *ylabel; /* NULL: none */
    int logx;                            /* log-scale x axis */
    double yref;            /* NaN: none; else a dashed horizontal reference line, e.g. the fp32 accuracy */
    const char *yref_label; /* its key entry (NULL: none) */
} ax_plot_t;

/* Writes a scatter plot of pts (one colour/marker per distinct series, each
 * point annotated with its label) to png_path atomically (tmp file in the
 * same folder + rename; a failure leaves any existing file untouched).
 * Points with non-finite x or y are skipped (and with logx, x <= 0).
 * Returns 0, or -1 with a message in err: gnuplot not found (naming the
 * package to install), gnuplot failed (the error line of its stderr), or
 * cannot write. */
int ax_plot_scatter(const char *png_path, const ax_plot_t *p, const ax_plot_point_t *pts, int n,
                    char *err, size_t errlen);

/* Bars, one per labelled category (left axis, log scale with logy), and
 * optionally a line of a second value per category on a right axis from 0
 * to y2max (100 when 0), e.g. cycles and utilization per layer. Labels are
 * shown with quotes, backslashes and control characters as '_'. Written as
 * ax_plot_scatter writes; 0, or -1 with a message. */
typedef struct ax_plot_bars {
    const char *title, *ylabel, *y2label;
    const char *const *labels;
    const double *values, *line; /* line may be NULL */
    const char *values_name, *line_name;
    int n, logy;
    double y2max;
} ax_plot_bars_t;
int ax_plot_bars(const char *png_path, const ax_plot_bars_t *p, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
