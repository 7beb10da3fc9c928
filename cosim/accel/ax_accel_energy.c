/* ax_accel_energy.c — energy = counts x per-operation energies (ax_accel.h;
 * the default table and its sources in docs/accelerator.md, "Energy"). */
#include "ax_accel.h"
#include "ax_accel_text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ax_accel_energy_default(ax_accel_energy_t *e)
{
    /* 45 nm reference points (Horowitz, ISSCC 2014): an fp32 multiply
     * 3.7 pJ, an fp32 add 0.9 pJ, a 64-bit read of an 8 KiB SRAM 10 pJ
     * (1.25 pJ per byte), a 64-bit DRAM access 1.3 to 2.6 nJ (160 pJ per
     * byte, the low end) */
    e->mac = -1;
    e->mul_fp32 = 3.7;
    e->add_fp32 = 0.9;
    e->sram_read = 1.25;
    e->sram_write = 1.25;
    e->dram_read = 160;
    e->dram_write = 160;
    e->pe_idle = 0;
}

double ax_accel_mac_energy(const ax_accel_energy_t *e, const ax_mac_cfg_t *mac)
{
    if (e->mac >= 0) return e->mac;
    /* first order: a multiplier's array grows with the square of the
     * significand (fp32: 24 bits), an adder with its width (fp32: 32). A
     * DAA PE fires hi (on in) and lo (on lo_in) for its two products each
     * cycle: the mean of the two per product */
    double p = mac->in.mbits + 1.0, w = ax_fmt_width(mac->acc), mul = (p / 24) * (p / 24);
    if (ax_mac_is_daa(mac)) {
        const double q = mac->daa.lo_in.mbits + 1.0;
        mul = (mul + (q / 24) * (q / 24)) / 2;
    }
    return e->mul_fp32 * mul + e->add_fp32 * w / 32;
}

void ax_accel_energy_of(const ax_accel_energy_t *e, const ax_mac_cfg_t *mac,
                        const ax_accel_cfg_t *c, const ax_accel_counts_t *k, ax_accel_pj_t *o)
{
    /* ifmap and filter words are the input format's bytes, ofmap words the
     * accumulator's */
    const double bi = (ax_fmt_width(mac->in) + 7) / 8, bo = (ax_fmt_width(mac->acc) + 7) / 8;
    o->mac = (double)k->macs * ax_accel_mac_energy(e, mac);
    o->sram = ((double)(k->sram_reads[AX_BUF_IFMAP] + k->sram_reads[AX_BUF_FILTER]) * bi) * e->sram_read +
              (double)k->sram_reads[AX_BUF_OFMAP] * bo * e->sram_read +
              (double)k->sram_writes[AX_BUF_OFMAP] * bo * e->sram_write;
    o->dram = ((double)(k->dram_reads[AX_BUF_IFMAP] + k->dram_reads[AX_BUF_FILTER]) * bi) * e->dram_read +
              (double)k->dram_writes[AX_BUF_OFMAP] * bo * e->dram_write;
    o->idle = (double)(k->cycles * c->rows * c->cols - k->macs) * e->pe_idle;
    o->total = o->mac + o->sram + o->dram + o->idle;
}

int ax_accel_read_energy(const char *path, ax_accel_energy_t *e, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    ax_accel_energy_default(e);
    static const char *const names[] = {"mac", "mul_fp32", "add_fp32", "sram_read", "sram_write",
                                        "dram_read", "dram_write", "pe_idle"};
    double *vals[] = {&e->mac, &e->mul_fp32, &e->add_fp32, &e->sram_read, &e->sram_write,
                      &e->dram_read, &e->dram_write, &e->pe_idle};
    char line[512];
    int lineno = 0, rc = 0;
    for (;;) {
        int r = next_line(f, path, line, sizeof line, &lineno, err, errlen);
        if (r) {
            rc = r < 0 ? -1 : 0;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'name = picojoules', got '%s'", path, lineno, s);
            rc = -1;
            break;
        }
        *eq = 0;
        char *k = trim(s), *v = trim(eq + 1), *end;
        int idx = -1;
        for (int i = 0; i < 8; i++)
            if (!strcmp(k, names[i])) idx = i;
        if (idx < 0) {
            snprintf(err, errlen, "%s:%d: unknown energy '%s' (mac, mul_fp32, add_fp32, sram_read, "
                                  "sram_write, dram_read, dram_write, pe_idle)", path, lineno, k);
            rc = -1;
            break;
        }
        if (idx == 0 && !strcmp(v, "auto")) {
            e->mac = -1;
            continue;
        }
        errno = 0;
        double x = strtod(v, &end);
        if (!*v || *end || errno || !isfinite(x) || x < 0 || x > 1e12) {
            snprintf(err, errlen, "%s:%d: %s = '%s': give picojoules, a number 0..1e12%s", path,
                     lineno, k, v, idx == 0 ? " (or auto)" : "");
            rc = -1;
            break;
        }
        *vals[idx] = x;
    }
    fclose(f);
    return rc;
}
