/* ax_accel_jobs.c — the job and result files between the CLI and the
 * cycle-accurate model (ax_accel.h gives the format). */
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L
#include "ax_accel.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Words per matrix at most: 2^32 (16 GiB) */
#define AX_JOB_MAX_WORDS ((int64_t)1 << 32)

static int put_words(FILE *f, const uint32_t *w, int64_t n)
{
    unsigned char buf[4096];
    int64_t i = 0;
    while (i < n) {
        size_t b = 0;
        for (; i < n && b + 4 <= sizeof buf; i++, b += 4) {
            uint32_t x = w[i];
            buf[b] = (unsigned char)x, buf[b + 1] = (unsigned char)(x >> 8);
            buf[b + 2] = (unsigned char)(x >> 16), buf[b + 3] = (unsigned char)(x >> 24);
        }
        if (fwrite(buf, 1, b, f) != b) return -1;
    }
    return 0;
}

static int get_words(FILE *f, uint32_t *w, int64_t n)
{
    unsigned char buf[4096];
    int64_t i = 0;
    while (i < n) {
        int64_t want = (n - i) * 4 < (int64_t)sizeof buf ? (n - i) * 4 : (int64_t)sizeof buf;
        if (fread(buf, 1, (size_t)want, f) != (size_t)want) return -1;
        for (int64_t b = 0; b < want; b += 4, i++)
            w[i] = (uint32_t)buf[b] | (uint32_t)buf[b + 1] << 8 | (uint32_t)buf[b + 2] << 16 |
                   (uint32_t)buf[b + 3] << 24;
    }
    return 0;
}

/* One text line (without its newline) into buf; -1 at the end of the file
 * or for a line longer than the buffer */
static int get_line(FILE *f, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, f)) return -1;
    size_t n = strlen(buf);
    if (n == 0 || buf[n - 1] != '\n') return -1;
    buf[n - 1] = 0;
    return 0;
}

/* Bytes from here to the end of a seekable file; -1 when it cannot tell */
static int64_t bytes_left(FILE *f)
{
    off_t here = ftello(f);
    if (here < 0 || fseeko(f, 0, SEEK_END)) return -1;
    off_t end = ftello(f);
    if (fseeko(f, here, SEEK_SET) || end < here) return -1;
    return (int64_t)(end - here);
}

/* m x n words within the limit (m, n >= 1) */
static int words_ok(int64_t m, int64_t n)
{
    return m >= 1 && n >= 1 && m <= AX_JOB_MAX_WORDS && n <= AX_JOB_MAX_WORDS / m;
}

int ax_accel_jobs_write_header(FILE *f, const ax_accel_job_hdr_t *h)
{
    const ax_accel_cfg_t *c = &h->cfg;
    return fprintf(f, "axsim-accel-jobs 1\nmac %s\narray %" PRId64 " %" PRId64 " %s %" PRId64
                      " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\njobs %" PRId64 "\n",
                   h->mac, c->rows, c->cols, ax_dataflow_name(c->dataflow), c->sram_kb[0],
                   c->sram_kb[1], c->sram_kb[2], c->word_bytes, c->bandwidth, h->jobs) < 0 ? -1 : 0;
}

int ax_accel_jobs_write_job(FILE *f, const char *name, int64_t m, int64_t n, int64_t k,
                            int64_t ifmap_words, const uint32_t *A, const uint32_t *B)
{
    /* the name is the rest of the line: no newline in it */
    char nm[64];
    snprintf(nm, sizeof nm, "%s", name);
    for (char *p = nm; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    if (fprintf(f, "job %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %s\n", m, n, k,
                ifmap_words, nm) < 0)
        return -1;
    if (put_words(f, A, m * k) || put_words(f, B, k * n)) return -1;
    return 0;
}

int ax_accel_jobs_read_header(FILE *f, const char *path, ax_accel_job_hdr_t *h, char *err,
                              size_t errlen)
{
    char line[512], df[16];
    memset(h, 0, sizeof *h);
    ax_accel_cfg_default(&h->cfg);
    long long r, c, j, kb[3], wb, bw;
    if (get_line(f, line, sizeof line) || strcmp(line, "axsim-accel-jobs 1")) {
        snprintf(err, errlen, "%s, line 1: not an axsim-accel job file (version 1)", path);
        return -1;
    }
    if (get_line(f, line, sizeof line) || strncmp(line, "mac ", 4) || strlen(line + 4) >= sizeof h->mac) {
        snprintf(err, errlen, "%s, line 2: expected 'mac <spec>'", path);
        return -1;
    }
    snprintf(h->mac, sizeof h->mac, "%s", line + 4);
    char tail;
    if (get_line(f, line, sizeof line) ||
        sscanf(line, "array %lld %lld %15s %lld %lld %lld %lld %lld%c", &r, &c, df, &kb[0], &kb[1],
               &kb[2], &wb, &bw, &tail) != 8 ||
        ax_dataflow_parse(df, &h->cfg.dataflow, err, errlen)) {
        snprintf(err, errlen, "%s, line 3: expected 'array <rows> <cols> <os|ws|is> <ifmap KiB> "
                              "<filter KiB> <ofmap KiB> <word bytes> <bandwidth>'", path);
        return -1;
    }
    h->cfg.rows = r, h->cfg.cols = c;
    for (int b = 0; b < 3; b++) h->cfg.sram_kb[b] = kb[b];
    h->cfg.word_bytes = wb, h->cfg.bandwidth = bw;
    if (ax_accel_cfg_check(&h->cfg, line, sizeof line)) {
        snprintf(err, errlen, "%s, line 3: %s", path, line);
        return -1;
    }
    if (get_line(f, line, sizeof line) || sscanf(line, "jobs %lld", &j) != 1 || j < 0 ||
        j > (1LL << 30)) {
        snprintf(err, errlen, "%s, line 4: expected 'jobs <count>' (0..2^30)", path);
        return -1;
    }
    h->jobs = j;
    return 0;
}

int ax_accel_jobs_read_job(FILE *f, const char *path, char *name, int64_t *m, int64_t *n,
                           int64_t *k, int64_t *ifmap_words, uint32_t **A, uint32_t **B,
                           char *err, size_t errlen)
{
    char line[256];
    long long mm, nn, kk, iw;
    int off = 0;
    *A = *B = NULL;
    if (get_line(f, line, sizeof line) ||
        sscanf(line, "job %lld %lld %lld %lld %n", &mm, &nn, &kk, &iw, &off) != 4 || off == 0 ||
        iw < 0 ||
        !words_ok(mm, kk) || !words_ok(kk, nn) || !words_ok(mm, nn)) {
        snprintf(err, errlen, "%s: a job line is missing or wrong (expected 'job <m> <n> <k> "
                              "<ifmap words> <name>', each matrix at most 2^32 words)", path);
        return -1;
    }
    snprintf(name, 64, "%s", line + off);
    *m = mm, *n = nn, *k = kk, *ifmap_words = iw;
    /* the operands must be in the file before anything is allocated */
    int64_t left = bytes_left(f);
    if (left >= 0 && (left / 4 < mm * kk || left / 4 - mm * kk < kk * nn)) {
        snprintf(err, errlen, "%s: job '%s': the file ends inside its operands (%lld x %lld and "
                              "%lld x %lld words declared)", path, name, mm, kk, kk, nn);
        return -1;
    }
    *A = malloc((size_t)(mm * kk) * 4);
    *B = malloc((size_t)(kk * nn) * 4);
    if (!*A || !*B) {
        free(*A), free(*B);
        *A = *B = NULL;
        snprintf(err, errlen, "%s: job '%s': out of memory", path, name);
        return -1;
    }
    if (get_words(f, *A, mm * kk) || get_words(f, *B, kk * nn)) {
        free(*A), free(*B);
        *A = *B = NULL;
        snprintf(err, errlen, "%s: job '%s': the file ends inside its operands", path, name);
        return -1;
    }
    return 0;
}

int ax_accel_results_write_header(FILE *f, int64_t jobs)
{
    return fprintf(f, "axsim-accel-results 1\njobs %" PRId64 "\n", jobs) < 0 ? -1 : 0;
}

/* The integer counts a result carries, in this order */
#define I64(field) offsetof(ax_accel_counts_t, field)
static const size_t result_fields[] = {
    I64(cycles), I64(stall_cycles), I64(folds), I64(macs), I64(preload_cycles), I64(drain_cycles),
    I64(psum_words),
    I64(sram_reads[0]), I64(sram_reads[1]), I64(sram_reads[2]),
    I64(sram_writes[0]), I64(sram_writes[1]), I64(sram_writes[2]),
    I64(dram_reads[0]), I64(dram_reads[1]), I64(dram_reads[2]),
    I64(dram_writes[0]), I64(dram_writes[1]), I64(dram_writes[2]),
    I64(sram_first[0]), I64(sram_first[1]), I64(sram_first[2]),
    I64(sram_last[0]), I64(sram_last[1]), I64(sram_last[2]),
    I64(dram_first[0]), I64(dram_first[1]), I64(dram_first[2]),
    I64(dram_last[0]), I64(dram_last[1]), I64(dram_last[2])};
#undef I64
enum { RESULT_FIELDS = sizeof result_fields / sizeof result_fields[0] };

int ax_accel_results_write(FILE *f, int64_t m, int64_t n, const uint32_t *C, uint32_t flags,
                           const ax_accel_counts_t *k, const char *pe_kind)
{
    if (fprintf(f, "result %" PRId64 " %" PRId64 " %u %s %d %d %d", m, n, flags, pe_kind,
                k->has_dram[0], k->has_dram[1], k->has_dram[2]) < 0)
        return -1;
    for (size_t i = 0; i < RESULT_FIELDS; i++)
        if (fprintf(f, " %" PRId64, *(const int64_t *)((const char *)k + result_fields[i])) < 0)
            return -1;
    if (fprintf(f, " %a %a\n", k->mapping_eff_sum, k->compute_util_sum) < 0) return -1;
    return put_words(f, C, m * n);
}

int ax_accel_results_read_header(FILE *f, const char *path, int64_t *jobs, char *err,
                                 size_t errlen)
{
    char line[128];
    long long j;
    if (get_line(f, line, sizeof line) || strcmp(line, "axsim-accel-results 1") ||
        get_line(f, line, sizeof line) || sscanf(line, "jobs %lld", &j) != 1 || j < 0) {
        snprintf(err, errlen, "%s: not an axsim-accel result file (version 1)", path);
        return -1;
    }
    *jobs = j;
    return 0;
}

int ax_accel_results_read(FILE *f, const char *path, int64_t m, int64_t n, uint32_t *C,
                          uint32_t *flags, ax_accel_counts_t *k, char *pe_kind, char *err,
                          size_t errlen)
{
    char line[2048], kind[8];
    long long mm, nn;
    unsigned fl;
    int hd[3], off = 0;
    memset(k, 0, sizeof *k);
    int ok = get_line(f, line, sizeof line) == 0 &&
             sscanf(line, "result %lld %lld %u %7s %d %d %d %n", &mm, &nn, &fl, kind, &hd[0], &hd[1],
                    &hd[2], &off) == 7 && off > 0 && mm == m && nn == n;
    const char *p = line + off;
    for (size_t i = 0; ok && i < RESULT_FIELDS; i++) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno) ok = 0;
        *(int64_t *)((char *)k + result_fields[i]) = v;
        p = end;
    }
    double ms = 0, us = 0;
    int tail = 0;
    if (ok && (sscanf(p, " %la %la %n", &ms, &us, &tail) != 2 || p[tail])) ok = 0;
    if (!ok || k->cycles < 1 || k->folds < 1 || k->macs < 0) {
        snprintf(err, errlen, "%s: a result line is missing or does not match its job (%lld x "
                              "%lld)", path, (long long)m, (long long)n);
        return -1;
    }
    *flags = fl;
    k->gemms = 1;
    for (int b = 0; b < 3; b++) k->has_dram[b] = hd[b] != 0;
    k->mapping_eff_sum = ms, k->compute_util_sum = us;
    snprintf(pe_kind, 8, "%s", kind);
    if (get_words(f, C, m * n)) {
        snprintf(err, errlen, "%s: the file ends inside a result", path);
        return -1;
    }
    return 0;
}
