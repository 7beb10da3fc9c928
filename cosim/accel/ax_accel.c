/* ax_accel.c — the accelerator's mapping, folds and analytic counts
 * (ax_accel.h; docs/accelerator.md derives every formula). */
#include "ax_accel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const df_names[] = {"os", "ws", "is"};
static const char *const mem_names[] = {"axsim", "scalesim"};

/* the index of s in names[0..n), or -1 */
static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

const char *ax_dataflow_name(ax_dataflow_t d)
{
    return (unsigned)d < 3 ? df_names[d] : "?";
}

int ax_dataflow_parse(const char *s, ax_dataflow_t *out, char *err, size_t errlen)
{
    const int d = name_index(df_names, 3, s);
    if (d >= 0) {
        *out = (ax_dataflow_t)d;
        return 0;
    }
    snprintf(err, errlen, "unknown dataflow '%s' (os: output stationary, ws: weight stationary, "
                          "is: input stationary)", s ? s : "");
    return -1;
}

const char *ax_memory_name(ax_memory_t m)
{
    return (unsigned)m < 2 ? mem_names[m] : "?";
}

int ax_memory_parse(const char *s, ax_memory_t *out, char *err, size_t errlen)
{
    const int m = name_index(mem_names, 2, s);
    if (m >= 0) {
        *out = (ax_memory_t)m;
        return 0;
    }
    snprintf(err, errlen, "unknown memory model '%s' (axsim: fold by fold, as the cycle-accurate "
                          "array; scalesim: SCALE-Sim v2's, address by address)", s ? s : "");
    return -1;
}

void ax_accel_cfg_default(ax_accel_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->run_name, sizeof c->run_name, "axsim_accel");
    c->rows = c->cols = 32;
    c->dataflow = AX_DF_WS;
    for (int b = 0; b < AX_BUF_COUNT; b++) c->sram_kb[b] = 64;
    c->offset[AX_BUF_IFMAP] = 0;
    c->offset[AX_BUF_FILTER] = 10000000;
    c->offset[AX_BUF_OFMAP] = 20000000;
    c->word_bytes = 1;
    c->bandwidth = 0;
}

int ax_accel_cfg_check(const ax_accel_cfg_t *c, char *err, size_t errlen)
{
    if (c->rows < 1 || c->rows > AX_ACCEL_MAX_SIDE || c->cols < 1 || c->cols > AX_ACCEL_MAX_SIDE) {
        snprintf(err, errlen, "array %lld x %lld: rows and columns must be 1..%d",
                 (long long)c->rows, (long long)c->cols, AX_ACCEL_MAX_SIDE);
        return -1;
    }
    if (c->streams < 0 || c->streams > 2) {
        snprintf(err, errlen, "%d streams per PE: give 1 (plain MACs) or 2 (DAA PEs)", c->streams);
        return -1;
    }
    if (c->streams == 2 && c->memory == AX_MEM_SCALESIM) {
        snprintf(err, errlen, "SCALE-Sim's memory model follows one word per PE row; an array of "
                              "DAA PEs (two streams per PE) runs with axsim's");
        return -1;
    }
    if ((unsigned)c->memory > AX_MEM_SCALESIM) {
        snprintf(err, errlen, "memory model %d is not axsim or scalesim", (int)c->memory);
        return -1;
    }
    if ((unsigned)c->dataflow > AX_DF_IS) {
        snprintf(err, errlen, "dataflow %d is not os, ws or is", (int)c->dataflow);
        return -1;
    }
    static const char *const buf[] = {"ifmap", "filter", "ofmap"};
    for (int b = 0; b < AX_BUF_COUNT; b++)
        if (c->sram_kb[b] < 1 || c->sram_kb[b] > ((int64_t)1 << 40)) {
            snprintf(err, errlen, "%s SRAM of %lld KiB: give 1 KiB to 2^40 KiB", buf[b],
                     (long long)c->sram_kb[b]);
            return -1;
        }
    if (c->word_bytes < 1 || c->word_bytes > 8) {
        snprintf(err, errlen, "word size of %lld bytes: give 1..8", (long long)c->word_bytes);
        return -1;
    }
    if (c->bandwidth < 0 || c->bandwidth > ((int64_t)1 << 30)) {
        snprintf(err, errlen, "DRAM bandwidth %lld words/cycle: give 0..2^30 (0: as needed)",
                 (long long)c->bandwidth);
        return -1;
    }
    return 0;
}

/* a * b into *r unless it overflows int64 (a, b >= 0) */
static int mul_ok(int64_t a, int64_t b, int64_t *r)
{
    if (a != 0 && b > INT64_MAX / a) return 0;
    *r = a * b;
    return 1;
}

int ax_accel_layer_conv(ax_accel_layer_t *l, const char *name, int64_t ifmap_h, int64_t ifmap_w,
                        int64_t filt_h, int64_t filt_w, int64_t channels, int64_t filters,
                        int64_t stride, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    const int64_t lim = (int64_t)1 << 31;
    if (ifmap_h < 1 || ifmap_w < 1 || filt_h < 1 || filt_w < 1 || channels < 1 || filters < 1 ||
        stride < 1 || ifmap_h > lim || ifmap_w > lim || filt_h > lim || filt_w > lim ||
        channels > lim || filters > lim || stride > lim) {
        snprintf(err, errlen, "layer '%s': every size and the stride must be 1..2^31", name);
        return -1;
    }
    if (filt_h > ifmap_h || filt_w > ifmap_w) {
        snprintf(err, errlen, "layer '%s': a %lld x %lld filter does not fit a %lld x %lld ifmap "
                              "(no padding, as SCALE-Sim)", name, (long long)filt_h,
                 (long long)filt_w, (long long)ifmap_h, (long long)ifmap_w);
        return -1;
    }
    /* SCALE-Sim's ofmap: ceil((H - R + s) / s), so a last window may run
     * past the edge (SCALE-Sim requests nothing there) */
    int64_t oh = (ifmap_h - filt_h + 2 * stride - 1) / stride,
            ow = (ifmap_w - filt_w + 2 * stride - 1) / stride, win, px;
    if (!mul_ok(oh, ow, &l->m) || !mul_ok(filt_h, filt_w, &win) || !mul_ok(win, channels, &l->k)) {
        snprintf(err, errlen, "layer '%s': its sizes overflow", name);
        return -1;
    }
    l->n = filters;
    l->count = 1;
    if (mul_ok(ifmap_h, ifmap_w, &px) && mul_ok(px, channels, &px)) l->ifmap_words = px;
    l->conv_h = ifmap_h, l->conv_w = ifmap_w, l->conv_c = channels;
    l->filt_h = filt_h, l->filt_w = filt_w, l->stride = stride, l->out_w = ow;
    return 0;
}

void ax_accel_map(const ax_accel_cfg_t *c, const ax_accel_layer_t *l, ax_accel_map_t *o)
{
    memset(o, 0, sizeof *o);
    o->m = l->m, o->n = l->n, o->k = l->k;
    o->mq = c->streams == 2 ? l->m / 2 + l->m % 2 : l->m;
    o->ifmap_words = l->ifmap_words > 0 && l->ifmap_words < l->m * l->k ? l->ifmap_words
                                                                          : l->m * l->k;
    switch (c->dataflow) {
    case AX_DF_OS: o->sr = o->mq, o->sc = l->n, o->t = l->k; break;
    case AX_DF_WS: o->sr = l->k, o->sc = l->n, o->t = o->mq; break;
    default: o->sr = l->k, o->sc = o->mq, o->t = l->n; break;
    }
    o->row_folds = (o->sr + c->rows - 1) / c->rows;
    o->col_folds = (o->sc + c->cols - 1) / c->cols;
    o->folds = o->row_folds * o->col_folds;
    o->fold_cycles = c->dataflow == AX_DF_OS ? o->t + c->rows + c->cols - 2
                                             : o->t + 2 * c->rows + c->cols - 2;
    /* an operand that fits half its buffer stays (m*k, k*n checked by the
     * layer check before anything counts on them); the ifmap buffer holds
     * the input itself, the windows are read out of it */
    for (int b = 0; b < 2; b++) {
        int64_t half = c->sram_kb[b] * 1024 / c->word_bytes / 2;
        int64_t words = b == AX_BUF_IFMAP ? o->ifmap_words : l->k * l->n;
        o->resident[b] = words <= half;
    }
}

int ax_accel_layer_check(const ax_accel_cfg_t *c, const ax_accel_layer_t *l, char *err,
                         size_t errlen)
{
    const int64_t lim = (int64_t)1 << 40;
    if (l->m < 1 || l->n < 1 || l->k < 1 || l->count < 1 || l->m > lim || l->n > lim ||
        l->k > lim || l->count > lim) {
        snprintf(err, errlen, "layer '%s': GEMM %lld x %lld x %lld (x%lld) cannot map: m, n, k "
                              "and the count must be 1..2^40", l->name, (long long)l->m,
                 (long long)l->n, (long long)l->k, (long long)l->count);
        return -1;
    }
    ax_accel_map_t mp;
    ax_accel_map(c, l, &mp);
    int64_t x, y;
    if (!mul_ok(l->m, l->n, &x) || !mul_ok(x, l->k, &x) || !mul_ok(x, l->count, &x) ||
        !mul_ok(mp.folds, mp.fold_cycles, &y) || !mul_ok(y, l->count, &y) ||
        !mul_ok(y, c->rows * c->cols, &y) || !mul_ok(mp.t, mp.sc, &x) ||
        !mul_ok(x, mp.row_folds, &x) || !mul_ok(x, l->count, &x) || !mul_ok(mp.sr, mp.t, &x) ||
        !mul_ok(x, mp.col_folds, &x) || !mul_ok(x, l->count, &x)) {
        snprintf(err, errlen, "layer '%s': GEMM %lld x %lld x %lld (x%lld) on %lld x %lld: its "
                              "counts overflow 64 bits", l->name, (long long)l->m, (long long)l->n,
                 (long long)l->k, (long long)l->count, (long long)c->rows, (long long)c->cols);
        return -1;
    }
    return 0;
}

/* The rows of M in the slice [p0, p0 + np) of its mapped size mq: the
 * same, or with pairs, the rows the pairs hold */
static int64_t m_rows(const ax_accel_map_t *mp, int64_t p0, int64_t np)
{
    if (mp->mq == mp->m) return np;
    const int64_t end = 2 * (p0 + np) < mp->m ? 2 * (p0 + np) : mp->m;
    return end - 2 * p0;
}

void ax_accel_fold(const ax_accel_cfg_t *c, const ax_accel_map_t *mp, int64_t f,
                   ax_accel_fold_t *o)
{
    memset(o, 0, sizeof *o);
    const int64_t R = c->rows, C = c->cols, T = mp->t;
    const int64_t fr = f % mp->row_folds, fc = f / mp->row_folds;
    o->row0 = fr * R;
    o->rows_used = mp->sr - o->row0 < R ? mp->sr - o->row0 : R;
    o->col0 = fc * C;
    o->cols_used = mp->sc - o->col0 < C ? mp->sc - o->col0 : C;
    const int64_t used = o->rows_used * o->cols_used;
    /* with two streams per PE, M counts pairs on the array: the products,
     * A's words and the outputs count real rows (the last pair of an odd M
     * has one); B's words serve both streams of a pair */
    const int df = c->dataflow;
    const int64_t rows_m = df == AX_DF_OS ? m_rows(mp, o->row0, o->rows_used) : o->rows_used;
    const int64_t cols_m = df == AX_DF_IS ? m_rows(mp, o->col0, o->cols_used) : o->cols_used;
    const int64_t Tm = df == AX_DF_WS ? mp->m : T;
    o->macs = rows_m * cols_m * Tm;
    if (df == AX_DF_OS) {
        o->sram_reads[AX_BUF_IFMAP] = rows_m * T;
        o->sram_reads[AX_BUF_FILTER] = o->cols_used * T;
        o->sram_writes[AX_BUF_OFMAP] = rows_m * o->cols_used;
    } else {
        /* the stationary operand once, the streamed one T times per row, an
         * output per column and vector; partial sums read back after the
         * first row fold */
        const int stat = df == AX_DF_WS ? AX_BUF_FILTER : AX_BUF_IFMAP;
        const int strm = df == AX_DF_WS ? AX_BUF_IFMAP : AX_BUF_FILTER;
        o->sram_reads[stat] = o->rows_used * cols_m;
        o->sram_reads[strm] = Tm * o->rows_used;
        o->sram_writes[AX_BUF_OFMAP] = Tm * cols_m;
        if (fr > 0) o->sram_reads[AX_BUF_OFMAP] = Tm * cols_m;
    }
    /* DRAM: the fold's slice of an operand, unless it is already there */
    const int64_t rf = mp->row_folds;
    for (int b = 0; b < 2; b++) {
        /* which folds share a slice: os/ws ifmap and is filter by row fold,
         * os filter by column fold, the rest are the fold's own */
        int by_row = (b == AX_BUF_IFMAP && c->dataflow != AX_DF_IS) ||
                     (b == AX_BUF_FILTER && c->dataflow == AX_DF_IS);
        int by_col = b == AX_BUF_FILTER && c->dataflow == AX_DF_OS;
        int need;
        if (mp->resident[b]) /* fetched at first use */
            need = by_row ? fc == 0 : by_col ? fr == 0 : 1;
        else /* fetched unless the previous fold had the same slice */
            need = f == 0 || (by_row ? rf > 1 : by_col ? fr == 0 : 1);
        o->load[b] = need ? o->sram_reads[b] : 0;
    }
    /* a resident ifmap is fetched once, its distinct words: each first use
     * of a slice brings its share of them, in proportion to the im2col
     * words it covers (the shares add up to ifmap_words exactly) */
    if (mp->resident[AX_BUF_IFMAP] && o->load[AX_BUF_IFMAP] && mp->ifmap_words < mp->m * mp->k) {
        /* im2col words of the first-use slices before this fold: os/ws the
         * row folds before fr (each R rows x T); is every fold, column fold
         * by column fold */
        int64_t before = df == AX_DF_IS ? m_rows(mp, 0, fc * C) * mp->sr + fr * R * cols_m
                         : df == AX_DF_OS ? m_rows(mp, 0, fr * R) * T
                                          : fr * R * Tm;
        unsigned __int128 all = (unsigned __int128)(mp->m * mp->k), w = (unsigned __int128)mp->ifmap_words;
        int64_t lo = (int64_t)((unsigned __int128)before * w / all),
                hi = (int64_t)((unsigned __int128)(before + o->load[AX_BUF_IFMAP]) * w / all);
        o->load[AX_BUF_IFMAP] = hi - lo;
    }
    o->drain = df == AX_DF_OS ? rows_m * o->cols_used : fr == rf - 1 ? Tm * cols_m : 0;
    /* SCALE-Sim: mapping efficiency = used PEs / all; compute utilization =
     * mapping efficiency x T / the cycles of its reference block */
    const int64_t cyc = c->dataflow == AX_DF_OS ? T + R + C - 2 : T + 2 * R + 2 * C - 3;
    o->mapping_eff = (double)used / (double)(R * C);
    o->compute_util = (double)(used * T) / ((double)(R * C) * (double)cyc);
}

void ax_accel_counts_add_fold(ax_accel_counts_t *k, const ax_accel_fold_t *fd)
{
    k->macs += fd->macs;
    k->mapping_eff_sum += fd->mapping_eff;
    k->compute_util_sum += fd->compute_util;
    for (int b = 0; b < AX_BUF_COUNT; b++) {
        k->sram_reads[b] += fd->sram_reads[b];
        k->sram_writes[b] += fd->sram_writes[b];
    }
}

void ax_accel_counts_finish(const ax_accel_cfg_t *c, ax_accel_counts_t *k)
{
    k->pe_cycles = k->cycles * c->rows * c->cols;
    k->mapping_eff = k->folds ? k->mapping_eff_sum / (double)k->folds : 0;
    k->compute_util = k->folds ? k->compute_util_sum / (double)k->folds : 0;
    /* a DAA PE has two product slots a cycle */
    const double slots = (double)k->pe_cycles * (c->streams == 2 ? 2 : 1);
    k->overall_util = slots > 0 ? (double)k->macs / slots : 0;
}

void ax_accel_counts_add(const ax_accel_cfg_t *c, ax_accel_counts_t *a, const ax_accel_counts_t *b)
{
    /* b runs after a: its ranges shift by a's cycles */
    const int64_t shift = a->cycles;
    for (int i = 0; i < AX_BUF_COUNT; i++) {
        if (a->gemms == 0) {
            a->sram_first[i] = b->sram_first[i];
            a->dram_first[i] = b->dram_first[i];
        }
        a->sram_last[i] = b->sram_last[i] + shift;
        if (b->has_dram[i]) {
            if (!a->has_dram[i]) a->dram_first[i] = b->dram_first[i] + shift;
            a->dram_last[i] = b->dram_last[i] + shift;
            a->has_dram[i] = 1;
        }
        a->dram_reads[i] += b->dram_reads[i];
        a->dram_writes[i] += b->dram_writes[i];
    }
    a->preload_cycles += b->preload_cycles;
    a->drain_cycles += b->drain_cycles;
    if (b->psum_words > a->psum_words) a->psum_words = b->psum_words;
    a->gemms += b->gemms;
    a->folds += b->folds;
    a->cycles += b->cycles;
    a->stall_cycles += b->stall_cycles;
    a->macs += b->macs;
    a->mapping_eff_sum += b->mapping_eff_sum;
    a->compute_util_sum += b->compute_util_sum;
    for (int i = 0; i < AX_BUF_COUNT; i++) {
        a->sram_reads[i] += b->sram_reads[i];
        a->sram_writes[i] += b->sram_writes[i];
    }
    ax_accel_counts_finish(c, a);
}

int64_t ax_accel_transfer_cycles(int64_t words, int64_t bw)
{
    return words <= 0 ? 0 : bw == 0 ? 1 : (words + bw - 1) / bw;
}

/* [lo, hi] into buffer b's DRAM range */
static void dram_range(ax_accel_counts_t *k, int b, int64_t lo, int64_t hi)
{
    if (!k->has_dram[b] || lo < k->dram_first[b]) k->dram_first[b] = lo;
    if (!k->has_dram[b] || hi > k->dram_last[b]) k->dram_last[b] = hi;
    k->has_dram[b] = 1;
}

void ax_accel_timeline(const ax_accel_cfg_t *c, const ax_accel_map_t *mp, int64_t *start,
                       ax_accel_counts_t *k)
{
    const int64_t F = mp->folds, L = mp->fold_cycles, T = mp->t, bw = c->bandwidth;
    const int64_t R = c->rows;
    for (int b = 0; b < AX_BUF_COUNT; b++) {
        k->dram_reads[b] = k->dram_writes[b] = 0;
        k->dram_first[b] = k->dram_last[b] = -1;
        k->has_dram[b] = 0;
    }
    ax_accel_fold_t prev, cur, next;
    ax_accel_fold(c, mp, 0, &cur);
    prev = next = cur;
    ax_accel_fold_t first_fold = cur;
    /* fold 0's operands, each channel just in time for cycle 0 */
    k->preload_cycles = 0;
    for (int b = 0; b < 2; b++) {
        int64_t d = ax_accel_transfer_cycles(cur.load[b], bw);
        if (d) dram_range(k, b, -d, -1);
        k->dram_reads[b] += cur.load[b];
        if (d > k->preload_cycles) k->preload_cycles = d;
    }
    int64_t S = 0, S1 = 0, of_free = 0, stall = 0;
    for (int64_t f = 0; f < F; f++) {
        if (start) start[f] = S;
        if (f == 1) S1 = S;
        int64_t next_start = S + L;
        if (f + 1 < F) {
            ax_accel_fold(c, mp, f + 1, &next);
            for (int b = 0; b < 2; b++) {
                int64_t d = ax_accel_transfer_cycles(next.load[b], bw);
                if (!d) continue;
                dram_range(k, b, S, S + d - 1);
                k->dram_reads[b] += next.load[b];
                if (S + d > next_start) next_start = S + d;
            }
        }
        if (f >= 1) {
            int64_t d = ax_accel_transfer_cycles(prev.drain, bw);
            if (d) {
                dram_range(k, AX_BUF_OFMAP, S, S + d - 1);
                k->dram_writes[AX_BUF_OFMAP] += prev.drain;
                of_free = S + d;
                if (of_free > next_start) next_start = of_free;
            }
        }
        if (f + 1 < F) {
            stall += next_start - (S + L);
            S = next_start;
            prev = cur;
            cur = next;
        }
    }
    /* S: the last fold's start; its last term accumulates at S + L */
    const int64_t SL = S, SF = S + L, end = S + L + 1;
    if (F == 1) S1 = SF;
    if (start) start[F] = SF;
    k->cycles = end;
    k->stall_cycles = stall;
    /* the last fold's outputs, after the end, behind what the channel has */
    k->drain_cycles = of_free > end ? of_free - end : 0;
    if (cur.drain) {
        int64_t st = of_free > end ? of_free : end, d = ax_accel_transfer_cycles(cur.drain, bw);
        dram_range(k, AX_BUF_OFMAP, st, st + d - 1);
        k->dram_writes[AX_BUF_OFMAP] += cur.drain;
        k->drain_cycles = st + d - end;
    }
    /* the SRAM accesses: the first fold's first and the last fold's last;
     * a command that enters a PE in a fold's last cycle retires at the next
     * clocked cycle, after any stall */
    const ax_accel_fold_t *f0 = &first_fold, *fl = &cur;
#define NEXT0(cc) ((cc) + 1 < L ? (cc) + 1 : S1)
#define NEXTL(cc) ((cc) + 1 < L ? SL + (cc) + 1 : SF)
    if (c->dataflow == AX_DF_OS) {
        k->sram_first[AX_BUF_IFMAP] = 0;
        k->sram_last[AX_BUF_IFMAP] = SL + T - 1 + fl->rows_used - 1;
        k->sram_first[AX_BUF_FILTER] = 0;
        k->sram_last[AX_BUF_FILTER] = SL + T - 1 + fl->cols_used - 1;
        k->sram_first[AX_BUF_OFMAP] = NEXT0(T - 1);
        k->sram_last[AX_BUF_OFMAP] = NEXTL(T - 1 + fl->rows_used - 1 + fl->cols_used - 1);
    } else {
        const int stat = c->dataflow == AX_DF_WS ? AX_BUF_FILTER : AX_BUF_IFMAP;
        const int strm = c->dataflow == AX_DF_WS ? AX_BUF_IFMAP : AX_BUF_FILTER;
        k->sram_first[stat] = R - f0->rows_used;
        k->sram_last[stat] = SL + R - 1;
        k->sram_first[strm] = R;
        k->sram_last[strm] = SL + R + T - 1 + fl->rows_used - 1;
        k->sram_first[AX_BUF_OFMAP] = NEXT0(2 * R - 1);
        k->sram_last[AX_BUF_OFMAP] = NEXTL(R + T - 1 + R - 1 + fl->cols_used - 1);
    }
#undef NEXT0
#undef NEXTL
}

int ax_accel_analytic(const ax_accel_cfg_t *c, const ax_accel_layer_t *l, ax_accel_counts_t *o,
                      char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (ax_accel_cfg_check(c, err, errlen) || ax_accel_layer_check(c, l, err, errlen)) return -1;
    ax_accel_map_t mp;
    ax_accel_map(c, l, &mp);
    /* One GEMM, fold by fold (the timeline below walks every fold too);
     * the means summed in fold order, as SCALE-Sim sums them (its last
     * digit depends on it) */
    ax_accel_counts_t one;
    memset(&one, 0, sizeof one);
    for (int64_t f = 0; f < mp.folds; f++) {
        ax_accel_fold_t fd;
        ax_accel_fold(c, &mp, f, &fd);
        ax_accel_counts_add_fold(&one, &fd);
    }
    one.gemms = 1;
    one.folds = mp.folds;
    if (c->dataflow != AX_DF_OS && mp.row_folds > 1) { /* a column fold's outputs */
        const int64_t cols = mp.sc < c->cols ? mp.sc : c->cols;
        one.psum_words = c->dataflow == AX_DF_WS ? mp.m * cols : mp.t * m_rows(&mp, 0, cols);
    }
    /* the folds back to back, waiting for the DRAM where it is slower; the
     * last term accumulates one cycle after the last fold */
    ax_accel_timeline(c, &mp, NULL, &one);
    if (c->memory == AX_MEM_SCALESIM && ax_accel_scalesim_memory(c, l, &mp, NULL, &one, err, errlen))
        return -1;
    ax_accel_counts_finish(c, &one);
    /* count identical GEMMs, one after another: the first one's first
     * accesses, the last one's last */
    *o = one;
    const int64_t g = l->count, shift = (g - 1) * one.cycles;
    o->gemms = g;
    o->folds *= g;
    o->cycles *= g;
    o->stall_cycles *= g;
    o->macs *= g;
    o->preload_cycles *= g;
    o->drain_cycles *= g;
    o->mapping_eff_sum *= (double)g;
    o->compute_util_sum *= (double)g;
    for (int b = 0; b < AX_BUF_COUNT; b++) {
        o->sram_reads[b] *= g;
        o->sram_writes[b] *= g;
        o->dram_reads[b] *= g;
        o->dram_writes[b] *= g;
        o->sram_last[b] += shift;
        if (o->has_dram[b]) o->dram_last[b] += shift;
    }
    ax_accel_counts_finish(c, o);
    return 0;
}

int64_t ax_accel_scalesim_cycles(const ax_accel_counts_t *k)
{
    return k->cycles - 2 * k->gemms;
}
