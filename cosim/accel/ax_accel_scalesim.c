/* ax_accel_scalesim.c — SCALE-Sim v2's files: its configuration (.cfg) and
 * topology (.csv) read into the accelerator's configuration and layers, and
 * its report files written (ax_accel.h; docs/accelerator.md lists every rule
 * and where axsim is stricter). */
#include "ax_accel.h"
#include "ax_accel_text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small text helpers ---------------------------------------------------- */

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

/* A whole decimal integer in [lo, hi] */
static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* ---- the configuration ------------------------------------------------------ */

enum { K_RUN, K_H, K_W, K_IFS, K_FLS, K_OFS, K_IFO, K_FLO, K_OFO, K_DF, K_BW, K_IB, K_COUNT };
static const struct {
    const char *section, *key;
    int required;
} keys[K_COUNT] = {
    {"general", "run_name", 1},
    {"architecture_presets", "ArrayHeight", 1},
    {"architecture_presets", "ArrayWidth", 1},
    {"architecture_presets", "IfmapSramSzkB", 1},
    {"architecture_presets", "FilterSramSzkB", 1},
    {"architecture_presets", "OfmapSramSzkB", 1},
    {"architecture_presets", "IfmapOffset", 1},
    {"architecture_presets", "FilterOffset", 1},
    {"architecture_presets", "OfmapOffset", 1},
    {"architecture_presets", "Dataflow", 1},
    {"architecture_presets", "Bandwidth", 0},
    {"run_presets", "InterfaceBandwidth", 1},
};

int ax_accel_read_config(const char *path, ax_accel_cfg_t *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    ax_accel_cfg_default(c);
    char line[1024], section[64] = "", val[K_COUNT][256];
    int seen[K_COUNT] = {0}, vline[K_COUNT] = {0}, lineno = 0, rc = 0;
    for (;;) {
        int r = next_line(f, path, line, sizeof line, &lineno, err, errlen);
        if (r) {
            rc = r < 0 ? -1 : 0;
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || e[1] || e - s - 1 >= (long)sizeof section) {
                snprintf(err, errlen, "%s:%d: a section header is [name]", path, lineno);
                rc = -1;
                break;
            }
            *e = 0;
            snprintf(section, sizeof section, "%s", trim(s + 1));
            continue;
        }
        char *sep = strpbrk(s, ":=");
        if (!sep) {
            snprintf(err, errlen, "%s:%d: expected 'key : value' or 'key = value', got '%s'", path,
                     lineno, s);
            rc = -1;
            break;
        }
        if (!*section) {
            snprintf(err, errlen, "%s:%d: '%s' comes before any [section]", path, lineno, s);
            rc = -1;
            break;
        }
        *sep = 0;
        char *k = trim(s), *v = trim(sep + 1);
        for (int i = 0; i < K_COUNT; i++)
            if (ieq(section, keys[i].section) && ieq(k, keys[i].key)) {
                if (seen[i]) {
                    snprintf(err, errlen, "%s:%d: %s is given twice (first on line %d)", path,
                             lineno, keys[i].key, vline[i]);
                    rc = -1;
                    goto done;
                }
                seen[i] = 1, vline[i] = lineno;
                snprintf(val[i], sizeof val[i], "%s", v);
            }
        /* anything else (MemoryBanks, [layout], [sparsity], ...) has no
         * effect on a dense run; it is accepted and ignored */
    }
    if (rc) goto done;
    for (int i = 0; i < K_COUNT; i++)
        if (keys[i].required && !seen[i]) {
            snprintf(err, errlen, "%s: [%s] %s is missing", path, keys[i].section, keys[i].key);
            rc = -1;
            goto done;
        }
    if (strlen(val[K_RUN]) >= sizeof c->run_name || !*val[K_RUN]) {
        snprintf(err, errlen, "%s:%d: run_name: give 1..%zu characters", path, vline[K_RUN],
                 sizeof c->run_name - 1);
        rc = -1;
        goto done;
    }
    memcpy(c->run_name, val[K_RUN], strlen(val[K_RUN]) + 1);
    static const int ints[] = {K_H, K_W, K_IFS, K_FLS, K_OFS, K_IFO, K_FLO, K_OFO};
    int64_t iv[K_COUNT] = {0};
    for (size_t t = 0; t < sizeof ints / sizeof ints[0]; t++) {
        int i = ints[t];
        int64_t lo = i <= K_W ? 1 : i <= K_OFS ? 1 : 0;
        int64_t hi = i <= K_W ? AX_ACCEL_MAX_SIDE : i <= K_OFS ? ((int64_t)1 << 40) : ((int64_t)1 << 50);
        if (parse_int(val[i], lo, hi, &iv[i])) {
            snprintf(err, errlen, "%s:%d: %s = '%s': give a whole number in %lld..%lld", path,
                     vline[i], keys[i].key, val[i], (long long)lo, (long long)hi);
            rc = -1;
            goto done;
        }
    }
    c->rows = iv[K_H], c->cols = iv[K_W];
    c->sram_kb[AX_BUF_IFMAP] = iv[K_IFS], c->sram_kb[AX_BUF_FILTER] = iv[K_FLS];
    c->sram_kb[AX_BUF_OFMAP] = iv[K_OFS];
    c->offset[AX_BUF_IFMAP] = iv[K_IFO], c->offset[AX_BUF_FILTER] = iv[K_FLO];
    c->offset[AX_BUF_OFMAP] = iv[K_OFO];
    char low[256];
    memcpy(low, val[K_DF], sizeof low);
    for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
    if (ax_dataflow_parse(low, &c->dataflow, err, errlen)) {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s:%d: Dataflow: %s", path, vline[K_DF], why);
        rc = -1;
        goto done;
    }
    if (!strcmp(val[K_IB], "CALC")) {
        c->bandwidth = 0;
    } else if (!strcmp(val[K_IB], "USER")) {
        if (!seen[K_BW]) {
            snprintf(err, errlen, "%s:%d: InterfaceBandwidth USER needs [architecture_presets] "
                                  "Bandwidth", path, vline[K_IB]);
            rc = -1;
            goto done;
        }
        /* a comma list (one per memory bank); SCALE-Sim uses the first */
        char first[256];
        snprintf(first, sizeof first, "%s", val[K_BW]);
        char *comma = strchr(first, ',');
        if (comma) *comma = 0;
        int64_t bw;
        if (parse_int(trim(first), 1, (int64_t)1 << 30, &bw)) {
            snprintf(err, errlen, "%s:%d: Bandwidth = '%s': give whole words per cycle, 1..2^30",
                     path, vline[K_BW], val[K_BW]);
            rc = -1;
            goto done;
        }
        c->bandwidth = (double)bw;
    } else {
        snprintf(err, errlen, "%s:%d: InterfaceBandwidth = '%s': give USER or CALC", path,
                 vline[K_IB], val[K_IB]);
        rc = -1;
        goto done;
    }
    rc = ax_accel_cfg_check(c, line, sizeof line);
    if (rc) snprintf(err, errlen, "%s: %s", path, line);
done:
    fclose(f);
    return rc;
}

/* ---- the topology ------------------------------------------------------------ */

/* The comma-separated fields of s, trimmed, in place: the count (a trailing
 * empty field, SCALE-Sim's closing comma, is dropped), at most max */
static int split_fields(char *s, char **out, int max)
{
    int n = 0;
    for (char *p = s;;) {
        char *c = strchr(p, ',');
        if (c) *c = 0;
        if (n == max) return max + 1;
        out[n++] = trim(p);
        if (!c) break;
        p = c + 1;
    }
    if (n > 0 && !*out[n - 1]) n--;
    return n;
}

int ax_accel_read_topology(const char *path, ax_accel_layer_t **layers, int64_t *count, char *err,
                           size_t errlen)
{
    *layers = NULL;
    *count = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    int64_t cap = 0;
    for (;;) {
        int r = next_line(f, path, line, sizeof line, &lineno, err, errlen);
        if (r) {
            rc = r < 0 ? -1 : 0;
            break;
        }
        char *s = trim(line);
        if (lineno == 1 || !*s) continue; /* the header, as SCALE-Sim skips it */
        char *fld[12];
        int n = split_fields(s, fld, 10);
        ax_accel_layer_t l;
        char why[256];
        int64_t v[8];
        if (n != 4 && n != 8 && n != 9) {
            snprintf(err, errlen, "%s:%d: %d fields; a layer is 'name, M, N, K,' (GEMM) or 'name, "
                                  "IFMAP height, IFMAP width, filter height, filter width, channels, "
                                  "filters, stride,' (conv)", path, lineno, n);
            rc = -1;
            break;
        }
        for (int i = 1; i < (n == 9 ? 8 : n); i++)
            if (parse_int(fld[i], 1, (int64_t)1 << 31, &v[i])) {
                snprintf(err, errlen, "%s:%d: field %d ('%s') of layer '%s': give a whole number "
                                      "1..2^31", path, lineno, i + 1, fld[i], fld[0]);
                rc = -1;
                goto done;
            }
        if (!*fld[0]) {
            snprintf(err, errlen, "%s:%d: the layer has no name", path, lineno);
            rc = -1;
            break;
        }
        if (n == 9 && strcmp(fld[8], "1:1")) {
            snprintf(err, errlen, "%s:%d: layer '%s': sparsity '%s' is not modelled (dense layers "
                                  "only: 1:1 or nothing)", path, lineno, fld[0], fld[8]);
            rc = -1;
            break;
        }
        if (n == 4) {
            memset(&l, 0, sizeof l);
            snprintf(l.name, sizeof l.name, "%s", fld[0]);
            l.m = v[1], l.n = v[2], l.k = v[3], l.count = 1;
        } else if (ax_accel_layer_conv(&l, fld[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], why,
                                       sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
            break;
        }
        if (*count == cap) {
            int64_t nc = cap ? 2 * cap : 16;
            if (nc > ((int64_t)1 << 20)) {
                snprintf(err, errlen, "%s:%d: more than 2^20 layers", path, lineno);
                rc = -1;
                break;
            }
            ax_accel_layer_t *p = realloc(*layers, (size_t)nc * sizeof *p);
            if (!p) {
                snprintf(err, errlen, "%s:%d: out of memory", path, lineno);
                rc = -1;
                break;
            }
            *layers = p, cap = nc;
        }
        (*layers)[(*count)++] = l;
    }
    if (!rc && *count == 0) {
        snprintf(err, errlen, "%s: no layers (the first line is the header, as in SCALE-Sim)", path);
        rc = -1;
    }
done:
    fclose(f);
    if (rc) {
        free(*layers);
        *layers = NULL;
        *count = 0;
    }
    return rc;
}

/* ---- the reports -------------------------------------------------------------- */

/* A double as Python's str() prints it (repr): the fewest significant
 * digits that read back to the same value; positional for exponents -4..15
 * with ".0" on whole numbers, else d.ddde+XX */
static void py_float(char *buf, size_t len, double x)
{
    if (isnan(x)) {
        snprintf(buf, len, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, len, x < 0 ? "-inf" : "inf");
        return;
    }
    if (x == 0) {
        snprintf(buf, len, signbit(x) ? "-0.0" : "0.0");
        return;
    }
    char e[40];
    int p = 1;
    for (; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, x);
        if (strtod(e, NULL) == x) break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, x);
    int exp10 = atoi(strchr(e, 'e') + 1);
    if (exp10 < -4 || exp10 >= 16) {
        /* Python drops a ".0" mantissa: 1e+16, 1.5e-05 */
        char *ep = strchr(e, 'e');
        snprintf(buf, len, "%.*s%s", (int)(ep - e), e, ep);
        return;
    }
    int decimals = p - 1 - exp10;
    snprintf(buf, len, "%.*f", decimals > 0 ? decimals : 0, x);
    if (!strchr(buf, '.')) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, ".0");
    }
}

int ax_accel_write_compute_report(FILE *f, const ax_accel_cfg_t *c, const ax_accel_counts_t *k,
                                  int64_t nlayers)
{
    if (fprintf(f, "LayerID, Total Cycles, Stall Cycles, Overall Util %%, Mapping Efficiency %%, "
                   "Compute Util %%,\n") < 0)
        return -1;
    for (int64_t i = 0; i < nlayers; i++) {
        char ou[32], me[32], cu[32];
        int64_t total = ax_accel_scalesim_cycles(&k[i]);
        double macs = (double)k[i].macs;
        py_float(ou, sizeof ou, total > 0 ? macs * 100 / ((double)total * (double)(c->rows * c->cols)) : 0);
        py_float(me, sizeof me, k[i].mapping_eff * 100);
        py_float(cu, sizeof cu, k[i].compute_util * 100);
        if (fprintf(f, "%lld, %lld, %lld, %s, %s, %s,\n", (long long)i, (long long)total,
                    (long long)k[i].stall_cycles, ou, me, cu) < 0)
            return -1;
    }
    return 0;
}

/* SRAM or DRAM words per cycle over a range [first, last] as SCALE-Sim
 * divides: by the layer's total cycles (SRAM) or the range (DRAM) */
int ax_accel_write_bandwidth_report(FILE *f, const ax_accel_cfg_t *c, const ax_accel_counts_t *k,
                                    int64_t nlayers)
{
    (void)c;
    if (fprintf(f, "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP "
                   "DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n") < 0)
        return -1;
    for (int64_t i = 0; i < nlayers; i++) {
        const ax_accel_counts_t *x = &k[i];
        double total = (double)ax_accel_scalesim_cycles(x);
        double v[6];
        v[0] = (double)x->sram_reads[AX_BUF_IFMAP] / total;
        v[1] = (double)x->sram_reads[AX_BUF_FILTER] / total;
        v[2] = (double)x->sram_writes[AX_BUF_OFMAP] / total;
        for (int b = 0; b < AX_BUF_COUNT; b++) {
            int64_t words = b == AX_BUF_OFMAP ? x->dram_writes[b] : x->dram_reads[b];
            v[3 + b] = x->has_dram[b] ? (double)words / (double)(x->dram_last[b] - x->dram_first[b] + 1) : 0;
        }
        if (fprintf(f, "%lld", (long long)i) < 0) return -1;
        for (int j = 0; j < 6; j++) {
            char b[32];
            py_float(b, sizeof b, v[j]);
            if (fprintf(f, ", %s", b) < 0) return -1;
        }
        if (fprintf(f, ",\n") < 0) return -1;
    }
    return 0;
}

int ax_accel_write_detailed_report(FILE *f, const ax_accel_cfg_t *c, const ax_accel_counts_t *k,
                                   int64_t nlayers)
{
    (void)c;
    if (fprintf(f, "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, "
                   "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP "
                   "Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, "
                   "DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter "
                   "Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, "
                   "DRAM OFMAP Writes,\n") < 0)
        return -1;
    for (int64_t i = 0; i < nlayers; i++) {
        const ax_accel_counts_t *x = &k[i];
        /* cycles print as SCALE-Sim's trace cycles do ("33.0") */
        if (fprintf(f, "%lld, %lld.0, %lld.0, %lld, %lld.0, %lld.0, %lld, %lld.0, %lld.0, %lld",
                    (long long)i, (long long)x->sram_first[0], (long long)x->sram_last[0],
                    (long long)x->sram_reads[0], (long long)x->sram_first[1],
                    (long long)x->sram_last[1], (long long)x->sram_reads[1],
                    (long long)x->sram_first[2], (long long)x->sram_last[2],
                    (long long)x->sram_writes[2]) < 0)
            return -1;
        for (int b = 0; b < AX_BUF_COUNT; b++) {
            int64_t words = b == AX_BUF_OFMAP ? x->dram_writes[b] : x->dram_reads[b];
            if (fprintf(f, ", %lld.0, %lld.0, %lld", (long long)x->dram_first[b],
                        (long long)x->dram_last[b], (long long)words) < 0)
                return -1;
        }
        if (fprintf(f, ",\n") < 0) return -1;
    }
    return 0;
}
