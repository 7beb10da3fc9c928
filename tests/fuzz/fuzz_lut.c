/* fuzz_lut.c — the LUT cache file reader ax_lut_load (cuda_fastpath/ax_lut.c)
 * on any file, then, for an accepted table, what the fast path computes
 * from its entries (ax_lut_f32, ax_lut_f32_rows128, ax_lut_fits).
 *
 * Input: byte 0 picks the (unit, M) the caller asks for (low 5 bits); bit 6
 * writes that unit's valid header fields over the file's, bit 7 its valid
 * checksum over the file's, so that the fuzzer also reaches the entries
 * behind a correct header and checksum. The rest is the file. Invariants: a
 * refused file gives one terminated reason that names a model version only
 * when the file is stale (a short header once printed an undefined one). */
#include "ax_cache.h"
#include "ax_hash.h"
#include "ax_convert.h"
#include "ax_lut.h"
#include "ax_registry.h"
#include "fuzz_util.h"

static const struct {
    const char *unit;
    int m;
} cases[] = {{"mul_exact", 0}, {"mul_exact", 1},  {"mul_exact", 3},     {"mul_trunc", 2},
             {"mul_drum:k=2", 2}, {"mul_drum:k=4", 3}, {"mul_mitchell", 3}, {"mul_mbm", 4},
             {"mul_realm:m=2,q=3", 3}, {"mul_realm", 4}, {"mul_mitchell", 5}, {"mul_exact", 8}};

enum { HDR = 120 }; /* sizeof(lut_header_t), docs/fastpath.md */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const int k = (data[0] & 0x1F) % (int)(sizeof cases / sizeof cases[0]);
    ax_unit_t u;
    char err[512];
    CHECK(!ax_unit_parse(cases[k].unit, &u, err, sizeof err), "%s", err);
    const int m = cases[k].m;
    size_t n = size - 1;
    uint8_t *file = malloc(n ? n : 1);
    if (!file) abort();
    memcpy(file, data + 1, n);
    if ((data[0] & 0x40) && n >= HDR) {
        memcpy(file, "AXSIMLUT", 8);
        put32(file + 8, 1);                /* file version */
        put32(file + 12, AX_MODEL_VERSION);
        put32(file + 16, (uint32_t)u.id);
        put32(file + 20, (uint32_t)u.p[0]);
        put32(file + 24, (uint32_t)u.p[1]);
        put32(file + 28, (uint32_t)m);
        put32(file + 32, (uint32_t)(2 * m - 14));
        put64(file + 40, (uint64_t)1 << (2 * m));
    }
    if ((data[0] & 0x80) && n >= HDR) put64(file + 48, ax_fnv1a64(file + HDR, n - HDR));
    const char *path = fuzz_file(file, n);
    ax_lut_t l;
    memset(err, 0x55, sizeof err);
    if (ax_lut_load(&l, path, u, m, err, sizeof err) == 0) {
        CHECK(n == HDR + ((size_t)4 << (2 * m)), "accepted a %zu-byte file for M = %d", n, m);
        CHECK(l.sig && l.m == m && l.shift == 2 * m - 14 && l.min_msb >= 0 && l.min_msb <= 32,
              "accepted table: m %d shift %d min_msb %d", l.m, l.shift, l.min_msb);
        ax_format_t fp32 = ax_fmt_fp32(), bf16 = ax_format_make(8, 7);
        ax_lut_fits(&l, fp32);
        ax_lut_fits(&l, bf16);
        ax_lut_f32(&l);
        ax_lut_f32_rows128(&l);
        ax_lut_free(&l);
    } else {
        fuzz_check_err(err, sizeof err);
        CHECK(!strstr(err, "model version") || !strncmp(err, "stale", 5),
              "'%s' names a model version", err);
        CHECK(l.sig == NULL, "a refused file left a table");
    }
    free(file);
    return 0;
}
