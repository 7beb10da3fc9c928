/* ax_lut.h — significand-product tables generated from the C models.
 *
 * For a multiplier with a significand stage and an input format of M <= 10
 * mantissa bits, entry (xa << M) | xb holds the unit's significand product
 * p = ax_sig_mul(u, xa, xb, M) (AX_PFRAC(M) fraction bits, below 2^(PFRAC+3))
 * in 32 bits: p << -shift when shift < 0 (M <= 6: exact), else p >> shift
 * with every dropped bit ORed into bit 0 (shift = 2M - 14, M = 8..10).
 * Rounding the jammed entry gives the same bits and flags as rounding p
 * whenever the product format keeps at least 2 bits fewer than the entry's
 * leading one position (ax_lut_fits): the jam bit stays below the round bit.
 *
 * Tables are cached on disk (ax_lut_get) as <cache>/lut/<unit>-m<M>.lut with
 * a header: magic, file and model version, unit and parameters, M, shift,
 * entry count, FNV-1a checksum. A stale or corrupt file is reported on
 * stderr in one line, regenerated and rewritten atomically. */
#ifndef AX_LUT_H
#define AX_LUT_H

#include <stddef.h>
#include <stdint.h>

#include "ax_units.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { AX_LUT_MAX_M = 10 };

typedef struct ax_lut {
    ax_unit_t unit;
    int m;            /* input mantissa bits */
    int shift;        /* see above */
    int min_msb;      /* lowest leading-one position of a nonzero entry (32 if none) */
    uint32_t *sig;    /* 2^(2M) entries */
    float *f32;       /* fp32 product significands, see ax_lut_f32; NULL until asked */
    float f32_min;    /* smallest f32 entry */
    float *f32p;      /* the same with rows of 128 (M <= 7), see ax_lut_f32_rows128 */
} ax_lut_t;

/* A significand product from a table: the ax_mul_finish of the reference,
 * on the table entry. Same bits and flags as ax_mul when ax_lut_fits. */
AX_HD uint32_t ax_lut_finish(ax_unit_t u, ax_unpacked_t a, ax_unpacked_t b, uint32_t entry, int m,
                             int shift, ax_format_t fo, uint32_t *flags)
{
    return ax_round_pack(a.sign ^ b.sign, a.exp + b.exp - AX_PFRAC(m) + shift, entry, fo,
                         ax_mul_rm(u, fo), flags);
}

/* 1 when u has a significand stage and in has at most AX_LUT_MAX_M mantissa bits. */
int ax_lut_supported(ax_unit_t u, ax_format_t in);

/* 1 when a table of this unit rounds into prod exactly as the unit does. */
int ax_lut_fits(const ax_lut_t *l, ax_format_t prod);

/* Fills l from the C model (allocates l->sig). 0, or -1 when out of memory. */
int ax_lut_build(ax_lut_t *l, ax_unit_t u, int m);
void ax_lut_free(ax_lut_t *l);

/* Writes l to path atomically (a temporary file renamed over it). */
int ax_lut_save(const ax_lut_t *l, const char *path, char *err, size_t errlen);
/* Reads path into l, checking it is the table of (u, m) for this model
 * version, whole and uncorrupted. 0, or -1 with the reason in err. */
int ax_lut_load(ax_lut_t *l, const char *path, ax_unit_t u, int m, char *err, size_t errlen);

/* Path of the cached table of (u, m) under dir (ax_cache_dir, ax_cache.h). */
void ax_lut_path(char *buf, size_t len, const char *dir, ax_unit_t u, int m);

/* fp32 significands: entry value p * 2^-PFRAC rounded into fp32 with the
 * unit's rounding (the exact product's significand scale, exponent 0).
 * Computed once, on first use. NULL when out of memory. */
const float *ax_lut_f32(ax_lut_t *l);

/* ax_lut_f32 with every row padded to 128 entries: the product of fractions
 * xa, xb at (xa << 7) | xb, for kernels that look a row up with 128-entry
 * permutes. M <= 7 only (else NULL); NULL when out of memory. */
const float *ax_lut_f32_rows128(ax_lut_t *l);

/* The tables an engine has loaded. */
typedef struct ax_lut_cache {
    ax_lut_t *items[32];
    int n;
} ax_lut_cache_t;

/* The table of (u, m): from memory, else from the disk cache, else built
 * (and saved when a cache folder is writable). NULL when out of memory. */
ax_lut_t *ax_lut_get(ax_lut_cache_t *c, ax_unit_t u, int m);
void ax_lut_cache_free(ax_lut_cache_t *c);

#ifdef __cplusplus
}
#endif

#endif /* AX_LUT_H */
