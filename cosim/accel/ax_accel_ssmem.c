/* ax_accel_ssmem.c — SCALE-Sim v2's memory system, for --memory scalesim
 * (ax_accel.h; docs/accelerator.md, "SCALE-Sim's memory model").
 *
 * SCALE-Sim does not count memory by folds: it lays out, cycle by cycle,
 * the address every array port asks for (its demand matrices), and runs
 * each row of them through three buffers:
 *   - a read buffer per operand. USER bandwidth: the operand's whole
 *     prefetch order (its operand matrix fold by fold, most of them read
 *     diagonal by diagonal) is cut into sets of ceil(words/100) addresses;
 *     half the buffer's sets are active, and an address outside them fetches
 *     the next half's worth of sets from DRAM (bandwidth words per cycle)
 *     and stalls the array until it is in. CALC: the sets are built as the
 *     demand arrives, nothing stalls, and the DRAM traffic is what those sets
 *     hold, at the bandwidth it needs;
 *   - a write buffer for the ofmap: lines of bandwidth words; when more
 *     than half of it is full, the oldest half drains to DRAM; a write that
 *     finds it full waits for the drain.
 * A row's stall is how late its slowest buffer serves it; Total Cycles is
 * the cycle the last ofmap row is written. This file ports that model from
 * SCALE-Sim's rules (not its code) so its reports can be diffed with axsim's
 * on any configuration; the SystemC array keeps axsim's own memory model.
 */
#include "ax_accel.h"

#include <stdlib.h>
#include <string.h>

/* ---- addresses ------------------------------------------------------------
 * As SCALE-Sim numbers them, without its offsets (each buffer only ever
 * compares its own): ifmap (y*W + x)*C + c of a convolution's input,
 * filter m*window + j, ofmap p*filters + m; -1 for no request. */
typedef struct geo {
    int64_t P, win, M;                   /* ofmap pixels (m), window (k), filters (n) */
    int64_t h, w, ch, fw, s, ow;         /* a convolution; h == 0: a plain GEMM */
} geo_t;

static int64_t ifm(const geo_t *g, int64_t p, int64_t j)
{
    if (!g->h) return p * g->win + j;
    const int64_t orow = p / g->ow, ocol = p % g->ow, rowlen = g->fw * g->ch;
    const int64_t r = j / rowlen, rem = j % rowlen;
    const int64_t y = orow * g->s + r, x = ocol * g->s + rem / g->ch;
    if (y >= g->h || x >= g->w) return -1; /* a last window past the edge */
    return (y * g->w + x) * g->ch + rem % g->ch;
}
static int64_t fil(const geo_t *g, int64_t j, int64_t m)
{
    return m * g->win + j;
}
static int64_t ofm(const geo_t *g, int64_t p, int64_t m)
{
    return p * g->M + m;
}

typedef struct ss {
    geo_t g;
    ax_dataflow_t df;
    int64_t R, C, sr, sc, t, rf, cf;
} ss_t;

/* ports of each buffer: the array's rows or columns */
static int64_t ports(const ss_t *S, int b)
{
    if (S->df == AX_DF_IS) return b == AX_BUF_FILTER ? S->R : S->C;
    return b == AX_BUF_IFMAP ? S->R : S->C;
}

/* The address port j of buffer b asks for in row i of fold (fr, fc), or -1
 * (SCALE-Sim's demand matrices: operands skewed in, os results skewed out
 * bottom row first, ws/is stationary operands loaded in R rows, flipped) */
static int64_t demand(const ss_t *S, int b, int64_t fr, int64_t fc, int64_t i, int64_t j)
{
    const int64_t R = S->R, rs = fr * R, cs = fc * S->C;
    int64_t u;
    switch (S->df) {
    case AX_DF_OS: /* rows: pixels, columns: filters, time: the window */
        u = i - j;
        if (b == AX_BUF_IFMAP)
            return u >= 0 && u < S->t && rs + j < S->sr ? ifm(&S->g, rs + j, u) : -1;
        if (b == AX_BUF_FILTER)
            return u >= 0 && u < S->t && cs + j < S->sc ? fil(&S->g, u, cs + j) : -1;
        u -= S->t - 1;
        if (u < 0 || u >= R || rs + R - 1 - u >= S->sr || cs + j >= S->sc) return -1;
        return ofm(&S->g, rs + R - 1 - u, cs + j);
    case AX_DF_WS: /* rows: the window, columns: filters, time: pixels */
        if (b == AX_BUF_IFMAP) {
            u = i - j - R;
            return u >= 0 && u < S->t && rs + j < S->sr ? ifm(&S->g, u, rs + j) : -1;
        }
        if (b == AX_BUF_FILTER)
            return i < R && rs + R - 1 - i < S->sr && cs + j < S->sc
                       ? fil(&S->g, rs + R - 1 - i, cs + j)
                       : -1;
        u = i - j - (2 * R - 1);
        return u >= 0 && u < S->t && cs + j < S->sc ? ofm(&S->g, u, cs + j) : -1;
    default: /* is: rows: the window, columns: pixels, time: filters */
        if (b == AX_BUF_IFMAP)
            return i < R && rs + R - 1 - i < S->sr && cs + j < S->sc
                       ? ifm(&S->g, cs + j, rs + R - 1 - i)
                       : -1;
        if (b == AX_BUF_FILTER) {
            u = i - j - R;
            return u >= 0 && u < S->t && rs + j < S->sr ? fil(&S->g, rs + j, u) : -1;
        }
        u = i - j - (2 * R - 1);
        return u >= 0 && u < S->t && cs + j < S->sc ? ofm(&S->g, cs + j, u) : -1;
    }
}

/* The prefetch order of a read buffer (USER): an a x b matrix, the
 * operand's slices of every fold stacked, walked diagonal by diagonal
 * (unroll) or row by row */
typedef struct pf_shape {
    int64_t a, b;
    int diag;
} pf_shape_t;

static pf_shape_t pf_shape(const ss_t *S, int buf)
{
    pf_shape_t p;
    const int ifmap = buf == AX_BUF_IFMAP;
    switch (S->df) {
    case AX_DF_OS:
        p.a = ifmap ? S->rf * S->t : S->cf * S->t, p.b = ifmap ? S->R : S->C, p.diag = 1;
        break;
    case AX_DF_WS:
        p.a = ifmap ? S->rf * S->t : S->cf * S->sr, p.b = ifmap ? S->R : S->C, p.diag = ifmap;
        break;
    default:
        p.a = ifmap ? S->cf * S->sr : S->rf * S->t, p.b = ifmap ? S->C : S->R, p.diag = !ifmap;
        break;
    }
    return p;
}

static int64_t pf_entry(const ss_t *S, int buf, int64_t x, int64_t y)
{
    const int ifmap = buf == AX_BUF_IFMAP;
    int64_t f, v;
    switch (S->df) {
    case AX_DF_OS: /* slices over time, padded to the side */
        f = x / S->t, v = x % S->t;
        if (ifmap) return f * S->R + y < S->sr ? ifm(&S->g, f * S->R + y, v) : -1;
        return f * S->C + y < S->sc ? fil(&S->g, v, f * S->C + y) : -1;
    case AX_DF_WS:
        if (ifmap) {
            f = x / S->t, v = x % S->t;
            return f * S->R + y < S->sr ? ifm(&S->g, v, f * S->R + y) : -1;
        }
        f = x / S->sr, v = x % S->sr;
        return f * S->C + y < S->sc ? fil(&S->g, v, f * S->C + y) : -1;
    default:
        if (ifmap) {
            f = x / S->sr, v = x % S->sr;
            return f * S->C + y < S->sc ? ifm(&S->g, f * S->C + y, v) : -1;
        }
        f = x / S->t, v = x % S->t;
        return f * S->R + y < S->sr ? fil(&S->g, f * S->R + y, v) : -1;
    }
}

typedef void (*emit_fn)(void *arg, int64_t addr);

static void pf_walk(const ss_t *S, int buf, emit_fn emit, void *arg)
{
    const pf_shape_t p = pf_shape(S, buf);
    if (!p.diag) {
        for (int64_t x = 0; x < p.a; x++)
            for (int64_t y = 0; y < p.b; y++) emit(arg, pf_entry(S, buf, x, y));
        return;
    }
    for (int64_t d = 0; d < p.a + p.b - 1; d++) {
        const int64_t lo = d - p.b + 1 > 0 ? d - p.b + 1 : 0;
        for (int64_t x = d < p.a - 1 ? d : p.a - 1; x >= lo; x--)
            emit(arg, pf_entry(S, buf, x, d - x));
    }
}

static int64_t cdiv(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* The most memory one buffer's address sets may take: SCALE-Sim's model
 * follows every address, so its tables grow with the operand */
#define SS_MAX_BYTES ((double)(1u << 30))

static int oom(char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory for SCALE-Sim's memory model");
    return -1;
}

/* A buffer's DRAM traffic: words moved, first and last cycle of its lines */
typedef struct ss_dram {
    int64_t words, first, last;
    int has;
} ss_dram_t;

static void dram_span(ss_dram_t *d, int64_t first, int64_t last)
{
    if (!d->has) d->first = first, d->has = 1;
    d->last = last;
}

/* into buffer b's counts (the words: *words, a read or write count) */
static void dram_report(const ss_dram_t *d, int b, int64_t *words, ax_accel_counts_t *k)
{
    *words = d->words;
    k->has_dram[b] = d->has;
    k->dram_first[b] = d->has ? d->first : -1;
    k->dram_last[b] = d->has ? d->last : -1;
}

static int too_big(const char *what, double bytes, char *err, size_t errlen)
{
    if (bytes <= SS_MAX_BYTES) return 0;
    snprintf(err, errlen, "the %s operand needs %.1f GiB of address tables in SCALE-Sim's memory "
                          "model, over its 1 GiB limit (--memory axsim counts by folds)",
             what, bytes / SS_MAX_BYTES);
    return 1;
}

/* ---- the USER read buffer ------------------------------------------------ */
typedef struct rbuf {
    int64_t active, pref, bw, eps;
    int64_t nsets, na, np, lines;
    int64_t space;            /* addresses 0..space-1 */
    int64_t *off;             /* the sets holding address a: ids[off[a] .. off[a+1]) */
    int32_t *ids;
    int32_t *lastset;         /* building: the set address a was last put in */
    int64_t set, ctr;         /* building: the open set and its count */
    int pass;
    int64_t s, e;             /* the active sets: [s, e), or wrapping around */
    int started;
    int64_t last;             /* the last DRAM cycle so far */
    ss_dram_t dram;
} rbuf_t;

static void rb_emit(void *arg, int64_t a)
{
    rbuf_t *b = arg;
    if (a < 0) return;
    if (b->lastset[a] != (int32_t)b->set) {
        b->lastset[a] = (int32_t)b->set;
        if (b->pass == 0)
            b->off[a + 1]++;
        else
            b->ids[b->off[a]++] = (int32_t)b->set; /* off[a] is the cursor in pass 1 */
    }
    if (++b->ctr == b->eps) b->set++, b->ctr = 0;
}

/* words: the buffer's size; 0, or -1 with a message */
static int rb_init(rbuf_t *b, const ss_t *S, int buf, int64_t words, int64_t bw, int64_t space,
                   char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->active = cdiv(words, 2);
    b->pref = words - b->active;
    b->bw = bw;
    b->eps = cdiv(words, 100);
    b->space = space;
    const pf_shape_t p = pf_shape(S, buf);
    /* per address an offset and a set, per prefetched word a set */
    if (too_big(buf == AX_BUF_IFMAP ? "ifmap" : "filter",
                ((double)space + 1) * 12 + (double)p.a * (double)p.b * 4, err, errlen))
        return -1;
    b->lines = cdiv(p.a * p.b, bw);
    b->off = calloc((size_t)space + 1, sizeof *b->off);
    b->lastset = malloc((size_t)space * sizeof *b->lastset);
    if (!b->off || !b->lastset) goto oom;
    /* pass 0 counts each address's sets, pass 1 lists them */
    for (b->pass = 0; b->pass < 2; b->pass++) {
        memset(b->lastset, 0xff, (size_t)space * sizeof *b->lastset);
        b->set = 0, b->ctr = 0;
        if (b->pass == 1) {
            for (int64_t a = 0; a < space; a++) b->off[a + 1] += b->off[a];
            b->ids = malloc((size_t)(b->off[space] ? b->off[space] : 1) * sizeof *b->ids);
            if (!b->ids) goto oom;
        }
        pf_walk(S, buf, rb_emit, b);
        if (b->pass == 1) /* the cursors moved each off[a] to off[a+1]: shift back */
            for (int64_t a = space; a > 0; a--) b->off[a] = b->off[a - 1];
        b->off[0] = 0;
    }
    b->nsets = b->set + 1; /* and the last, open one, even when empty */
    b->na = cdiv(b->active, b->eps) < b->nsets ? cdiv(b->active, b->eps) : b->nsets;
    b->np = cdiv(b->pref, b->eps) < b->nsets - b->na ? cdiv(b->pref, b->eps) : b->nsets - b->na;
    free(b->lastset);
    b->lastset = NULL;
    return 0;
oom:
    return oom(err, errlen);
}

static void rb_free(rbuf_t *b)
{
    free(b->off);
    free(b->ids);
    free(b->lastset);
}

static int rb_hit(const rbuf_t *b, int64_t a)
{
    const int32_t *lo = b->ids + b->off[a], *hi = b->ids + b->off[a + 1];
    if (lo == hi) return 0;
    /* the first set >= s */
    const int32_t *l = lo, *h = hi;
    while (l < h) {
        const int32_t *mid = l + (h - l) / 2;
        if (*mid < b->s)
            l = mid + 1;
        else
            h = mid;
    }
    if (b->s < b->e) return l < hi && *l < b->e;
    return l < hi || *lo < b->e; /* [s, nsets) and [0, e) */
}

/* serves one demand row at cycle cyc: the cycle its last word is in */
static int rb_service(rbuf_t *b, const int64_t *row, int64_t n, int64_t cyc, int64_t *out,
                      char *err, size_t errlen)
{
    if (!b->started) { /* the active half, before the first row */
        int64_t L = cdiv(b->active, b->bw);
        if (L > b->lines) L = b->lines;
        b->dram.words += L * b->bw;
        dram_span(&b->dram, cyc - L, cyc - 1);
        b->last = cyc - 1;
        b->s = 0, b->e = b->na;
        b->started = 1;
    }
    int64_t t = cyc + 1;
    for (int64_t j = 0; j < n; j++) {
        if (row[j] < 0) continue;
        for (int64_t tries = 0; !rb_hit(b, row[j]); tries++) {
            if (tries > b->nsets || b->np == 0) {
                snprintf(err, errlen, "SCALE-Sim memory model: address %lld is in no set "
                                      "(internal error)", (long long)row[j]);
                return -1;
            }
            b->s = (b->s + b->np) % b->nsets;
            b->e = (b->s + b->na) % b->nsets;
            const int64_t Lp = cdiv(b->pref, b->bw);
            b->dram.words += Lp * b->bw;
            dram_span(&b->dram, b->last + 2, b->last + 1 + Lp);
            b->last += Lp + 1;
            if (b->last > t) t = b->last;
        }
    }
    *out = t;
    return 0;
}

/* ---- the CALC read buffer: sets as the demand comes, never a stall ------- */
typedef struct ebuf {
    int64_t ips, bw;
    int32_t *lastset;           /* the set address a was last put in, -1 none */
    int64_t *size;              /* closed sets' sizes */
    int64_t nsize, cap;
    int64_t ncur, cid, rs, re, ps, pe, ls, le, first_cyc;
    int seen, done;
    ss_dram_t dram;
} ebuf_t;

static int eb_init(ebuf_t *b, const char *what, int64_t words, int64_t bw, int64_t space, char *err,
                   size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->ips = words / 100;
    b->bw = bw;
    b->re = 49, b->ps = b->pe = -1, b->ls = -2, b->le = -1;
    if (too_big(what, (double)space * 4, err, errlen)) return -1;
    b->lastset = malloc((size_t)(space ? space : 1) * sizeof *b->lastset);
    if (!b->lastset) return oom(err, errlen);
    memset(b->lastset, 0xff, (size_t)space * sizeof *b->lastset);
    return 0;
}

static void eb_free(ebuf_t *b)
{
    free(b->lastset);
    free(b->size);
}

static int eb_push(ebuf_t *b, int64_t n)
{
    if (b->nsize == b->cap) {
        int64_t nc = b->cap ? 2 * b->cap : 256;
        int64_t *p = realloc(b->size, (size_t)nc * sizeof *p);
        if (!p) return -1;
        b->size = p, b->cap = nc;
    }
    b->size[b->nsize++] = n;
    return 0;
}

/* fetches sets s..e over cycles ls+1 .. le+1 */
static void eb_prefetch(ebuf_t *b, int64_t s, int64_t e)
{
    for (int64_t k = s; k <= e && k < b->nsize; k++) b->dram.words += b->size[k];
    if (b->le - b->ls + 1 > 0) dram_span(&b->dram, b->ls + 1, b->le + 1);
}

static int eb_access(ebuf_t *b, int64_t cyc, int64_t a)
{
    const int64_t L = b->lastset[a];
    if (L >= b->rs && L < b->cid) return 0; /* in an active closed set */
    if (L == b->cid) return 0;              /* in the open one */
    b->lastset[a] = (int32_t)b->cid;
    if (++b->ncur < b->ips) return 0;
    if (eb_push(b, b->ncur)) return -1;
    b->ncur = 0;
    if (++b->cid != b->re + 1) return 0;
    if (!b->done) { /* the first 50 sets, fetched before the first request */
        b->le = b->first_cyc - 2;
        b->ls = b->le - cdiv(50 * b->ips, b->bw) + 1;
        eb_prefetch(b, 0, 49);
        b->ps = b->re + 1, b->pe = b->ps + 49;
        b->done = 1;
    } else { /* the next 50, over the cycles since the last */
        eb_prefetch(b, b->ps, b->pe);
        b->ps += 50, b->pe += 50;
    }
    b->rs += 50, b->re += 50;
    b->ls = b->le + 1, b->le = cyc;
    return 0;
}

static int eb_service(ebuf_t *b, const int64_t *row, int64_t n, int64_t cyc)
{
    for (int64_t j = 0; j < n; j++) {
        if (row[j] < 0) continue;
        if (!b->seen) b->first_cyc = cyc, b->seen = 1;
        if (eb_access(b, cyc, row[j])) return -1;
    }
    return 0;
}

static int eb_complete(ebuf_t *b)
{
    if (b->ncur > 0) {
        if (eb_push(b, b->ncur)) return -1;
    } else {
        b->cid--;
    }
    if (!b->done) {
        b->le = -2;
        b->ls = b->le - cdiv((b->cid + 1) * b->ips, b->bw) + 1;
        eb_prefetch(b, 0, b->cid);
    } else {
        eb_prefetch(b, b->ps, b->cid);
    }
    return 0;
}

/* ---- the ofmap write buffer ----------------------------------------------- */
typedef struct wbuf {
    int64_t total, active, drain, bw, free;
    int32_t *line;              /* words in each committed line */
    int64_t nlines, cap, drained;
    int64_t cur;                /* words in the open line */
    int64_t drain_end;
    ss_dram_t dram;
} wbuf_t;

static int wb_commit(wbuf_t *b, int64_t words)
{
    if (b->nlines == b->cap && b->drained > 0) { /* drop the drained lines: a buffer's worth stay */
        memmove(b->line, b->line + b->drained, (size_t)(b->nlines - b->drained) * sizeof *b->line);
        b->nlines -= b->drained;
        b->drained = 0;
    }
    if (b->nlines == b->cap) {
        int64_t nc = b->cap ? 2 * b->cap : 1024;
        int32_t *p = realloc(b->line, (size_t)nc * sizeof *p);
        if (!p) return -1;
        b->line = p, b->cap = nc;
    }
    b->line[b->nlines++] = (int32_t)words;
    return 0;
}

static int wb_flush(wbuf_t *b)
{
    if (b->cur == 0) return 0;
    const int64_t n = b->cur;
    b->cur = 0;
    return wb_commit(b, n);
}

/* drains up to half the buffer's lines from cycle start, one per cycle; the
 * words freed count every line but the last as full (as SCALE-Sim does) */
static int64_t wb_drain(wbuf_t *b, int64_t start)
{
    int64_t end = b->drained + cdiv(b->drain, b->bw);
    if (end > b->nlines) end = b->nlines;
    const int64_t k = end - b->drained;
    if (k <= 0) return start;
    const int64_t data = (k - 1) * b->bw + b->line[end - 1];
    b->dram.words += data;
    b->free += data;
    b->drained = end;
    dram_span(&b->dram, start, start + k - 1);
    return start + k - 1;
}

static int wb_service(wbuf_t *b, const int64_t *row, int64_t n, int64_t cyc, int64_t *out)
{
    int64_t t = cyc;
    for (int64_t j = 0; j < n; j++) {
        if (row[j] < 0) continue;
        b->free--;
        if (++b->cur == b->bw && wb_flush(b)) return -1;
        if (t < b->drain_end) {
            if (b->free <= 0) t = b->drain_end; /* full: wait for the drain */
        } else if (b->free < b->active) {   /* over half full: drain */
            if (wb_flush(b)) return -1;
            b->drain_end = wb_drain(b, t);
        }
    }
    *out = t;
    return 0;
}

/* ---- one GEMM ---------------------------------------------------------------- */
int ax_accel_scalesim_memory(const ax_accel_cfg_t *c, const ax_accel_layer_t *l,
                             const ax_accel_map_t *mp, int64_t *start, ax_accel_counts_t *k,
                             char *err, size_t errlen)
{
    ss_t S;
    memset(&S, 0, sizeof S);
    S.g.P = l->m, S.g.win = l->k, S.g.M = l->n;
    if (l->conv_h > 0) {
        if (l->conv_w < 1 || l->conv_c < 1 || l->filt_h < 1 || l->filt_w < 1 || l->stride < 1 ||
            l->out_w < 1 || l->m % l->out_w || l->filt_h * l->filt_w * l->conv_c != l->k ||
            l->conv_h > ((int64_t)1 << 31) || l->conv_w > ((int64_t)1 << 31)) {
            snprintf(err, errlen, "layer '%s': its convolution geometry does not match its GEMM "
                                  "%lld x %lld x %lld", l->name, (long long)l->m, (long long)l->n,
                     (long long)l->k);
            return -1;
        }
        S.g.h = l->conv_h, S.g.w = l->conv_w, S.g.ch = l->conv_c, S.g.fw = l->filt_w;
        S.g.s = l->stride, S.g.ow = l->out_w;
    }
    S.df = c->dataflow;
    S.R = c->rows, S.C = c->cols;
    S.sr = mp->sr, S.sc = mp->sc, S.t = mp->t, S.rf = mp->row_folds, S.cf = mp->col_folds;
    const int user = c->bandwidth > 0;
    /* the operands' address spaces (m*k and k*n fit: ax_accel_layer_check) */
    int64_t space_if = l->m * l->k;
    const int64_t space_fl = l->k * l->n;
    if (S.g.h) {
        const int64_t px = S.g.h * S.g.w; /* both <= 2^31 */
        space_if = px > INT64_MAX / S.g.ch ? INT64_MAX : px * S.g.ch;
    }
    int64_t words[AX_BUF_COUNT];
    for (int b = 0; b < AX_BUF_COUNT; b++) words[b] = c->sram_kb[b] * 1024 / c->word_bytes;

    int rc = -1;
    rbuf_t rb[2];
    ebuf_t eb[2];
    wbuf_t wb;
    memset(rb, 0, sizeof rb);
    memset(eb, 0, sizeof eb);
    memset(&wb, 0, sizeof wb);
    int64_t *row = NULL;
    wb.total = words[AX_BUF_OFMAP];
    wb.active = cdiv(wb.total, 2);
    wb.drain = wb.total - wb.active;
    wb.bw = user ? c->bandwidth : c->cols; /* CALC: a column's worth a cycle */
    wb.free = wb.total;
    for (int b = 0; b < 2; b++) {
        const int64_t space = b == AX_BUF_IFMAP ? space_if : space_fl;
        if (user ? rb_init(&rb[b], &S, b, words[b], c->bandwidth, space, err, errlen)
                 : eb_init(&eb[b], b == AX_BUF_IFMAP ? "ifmap" : "filter", words[b], 10, space, err,
                           errlen)) /* CALC: SCALE-Sim's 10 */
            goto out;
    }
    const int64_t maxports = S.R > S.C ? S.R : S.C;
    row = malloc((size_t)maxports * sizeof *row);
    if (!row) goto oom;

    int64_t stall = 0, i = 0, served[AX_BUF_COUNT] = {0, 0, 0};
    int any[AX_BUF_COUNT] = {0, 0, 0};
    for (int b = 0; b < AX_BUF_COUNT; b++) k->sram_first[b] = k->sram_last[b] = -1;
    for (int64_t fc = 0; fc < S.cf; fc++)
        for (int64_t fr = 0; fr < S.rf; fr++)
            for (int64_t r = 0; r < mp->fold_cycles; r++, i++) {
                const int64_t cyc = i + stall;
                if (start && r == 0) start[fc * S.rf + fr] = cyc;
                int64_t worst = 0;
                for (int b = 0; b < AX_BUF_COUNT; b++) {
                    const int64_t n = ports(&S, b);
                    int valid = 0;
                    for (int64_t j = 0; j < n; j++)
                        valid |= (row[j] = demand(&S, b, fr, fc, r, j)) >= 0;
                    int64_t t;
                    if (b == AX_BUF_OFMAP) {
                        if (wb_service(&wb, row, n, cyc, &t)) goto oom;
                        if (t - cyc > worst) worst = t - cyc;
                    } else if (user) {
                        if (rb_service(&rb[b], row, n, cyc, &t, err, errlen)) goto out;
                        if (t - cyc - 1 > worst) worst = t - cyc - 1;
                    } else {
                        if (eb_service(&eb[b], row, n, cyc)) goto oom;
                        t = cyc + 1;
                    }
                    served[b] = t;
                    if (valid) {
                        if (!any[b]) k->sram_first[b] = t, any[b] = 1;
                        k->sram_last[b] = t;
                    }
                }
                stall += worst;
            }
    for (int b = 0; b < 2 && !user; b++)
        if (eb_complete(&eb[b])) goto oom;
    if (wb_flush(&wb)) goto oom;
    for (int64_t t = served[AX_BUF_OFMAP]; wb.drained < wb.nlines;) t = wb_drain(&wb, t) + 1;

    const int64_t total = served[AX_BUF_OFMAP];
    if (start) start[mp->folds] = total + 1;
    k->stall_cycles = stall;
    k->cycles = total + 2; /* axsim counts SCALE-Sim's Total + 2 (ax_accel_scalesim_cycles) */
    k->preload_cycles = 0;
    for (int b = 0; b < 2; b++) {
        const ss_dram_t *d = user ? &rb[b].dram : &eb[b].dram;
        dram_report(d, b, &k->dram_reads[b], k);
        if (d->has && -d->first > k->preload_cycles) k->preload_cycles = -d->first;
    }
    dram_report(&wb.dram, AX_BUF_OFMAP, &k->dram_writes[AX_BUF_OFMAP], k);
    k->drain_cycles = wb.dram.has && wb.dram.last > total ? wb.dram.last - total : 0;
    rc = 0;
    goto out;
oom:
    oom(err, errlen);
out:
    for (int b = 0; b < 2; b++) {
        rb_free(&rb[b]);
        eb_free(&eb[b]);
    }
    free(wb.line);
    free(row);
    return rc;
}
