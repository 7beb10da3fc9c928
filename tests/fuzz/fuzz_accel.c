/* fuzz_accel.c — the accelerator's readers (cosim/accel): SCALE-Sim's
 * configuration and topology files (ax_accel_scalesim.c) and the job and
 * result files between axsim and axsim-accel (ax_accel_jobs.c), the
 * energy table (ax_accel_energy.c). The first byte picks the reader (mod 5),
 * the rest is the file. Invariants: an
 * accepted configuration passes ax_accel_cfg_check; every accepted layer
 * either maps (ax_accel_analytic succeeds on it, on a 3x5 array of each
 * dataflow) or is refused with a message; an accepted job has the sizes its
 * line declares, and all of its operands; accepted energies are finite and
 * not negative (the MAC's may be auto, -1). */
#include "ax_accel.h"
#include "fuzz_util.h"

static void topology(const char *path)
{
    ax_accel_layer_t *l;
    int64_t n;
    char err[512];
    if (ax_accel_read_topology(path, &l, &n, err, sizeof err)) {
        CHECK(l == NULL && n == 0 && err[0], "a refused topology leaves nothing");
        return;
    }
    CHECK(n >= 1 && l, "an accepted topology has a layer");
    for (int64_t i = 0; i < n; i++) {
        CHECK(l[i].m >= 1 && l[i].n >= 1 && l[i].k >= 1 && l[i].count == 1, "layer %lld sizes",
              (long long)i);
        for (int d = 0; d < 3; d++) {
            ax_accel_cfg_t c;
            ax_accel_cfg_default(&c);
            c.rows = 3, c.cols = 5, c.dataflow = (ax_dataflow_t)d, c.bandwidth = 7;
            ax_accel_counts_t k;
            if (ax_accel_layer_check(&c, &l[i], err, sizeof err)) continue;
            /* the fold loop is bounded: stay in small layers */
            ax_accel_map_t mp;
            ax_accel_map(&c, &l[i], &mp);
            if (mp.folds > 4096) continue;
            CHECK(ax_accel_analytic(&c, &l[i], &k, err, sizeof err) == 0, "%s", err);
            CHECK(k.macs == l[i].m * l[i].n * l[i].k, "MACs");
        }
    }
    free(l);
}

static void jobs(FILE *f)
{
    ax_accel_job_hdr_t h;
    char err[512], name[64];
    if (ax_accel_jobs_read_header(f, "jobs", &h, err, sizeof err)) return;
    CHECK(ax_accel_cfg_check(&h.cfg, err, sizeof err) == 0, "%s", err);
    for (int64_t j = 0; j < h.jobs && j < 64; j++) {
        int64_t m, n, k, iw;
        uint32_t *A, *B;
        if (ax_accel_jobs_read_job(f, "jobs", name, &m, &n, &k, &iw, &A, &B, err, sizeof err)) {
            CHECK(A == NULL && B == NULL, "a refused job leaves nothing");
            return;
        }
        CHECK(m >= 1 && n >= 1 && k >= 1, "sizes");
        /* touch every word: they must all be there */
        uint32_t x = 0;
        for (int64_t i = 0; i < m * k; i++) x ^= A[i];
        for (int64_t i = 0; i < k * n; i++) x ^= B[i];
        (void)x;
        free(A);
        free(B);
    }
}

static void results(FILE *f)
{
    int64_t n;
    char err[512], kind[8];
    if (ax_accel_results_read_header(f, "res", &n, err, sizeof err)) return;
    uint32_t C[64], fl;
    ax_accel_counts_t k;
    for (int64_t j = 0; j < n && j < 16; j++)
        if (ax_accel_results_read(f, "res", 8, 8, C, &fl, &k, kind, err, sizeof err)) return;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *path = fuzz_file(data + 1, size - 1);
    ax_accel_cfg_t c;
    char err[512];
    switch (data[0] % 5) {
    case 4: {
        ax_accel_energy_t e;
        if (ax_accel_read_energy(path, &e, err, sizeof err) == 0) {
            double v[] = {e.mul_fp32, e.add_fp32, e.sram_read, e.sram_write, e.dram_read,
                          e.dram_write, e.pe_idle};
            for (int i = 0; i < 7; i++) CHECK(v[i] >= 0 && v[i] <= 1e12, "energy %d", i);
            CHECK(e.mac == -1 || (e.mac >= 0 && e.mac <= 1e12), "mac energy");
        } else {
            CHECK(err[0], "a refused table says why");
        }
        break;
    }
    case 0:
        if (ax_accel_read_config(path, &c, err, sizeof err) == 0)
            CHECK(ax_accel_cfg_check(&c, err, sizeof err) == 0, "%s", err);
        else
            CHECK(err[0], "a refused configuration says why");
        break;
    case 1:
        topology(path);
        break;
    default: {
        FILE *f = fopen(path, "rb");
        if (!f) abort();
        if (data[0] % 5 == 2)
            jobs(f);
        else
            results(f);
        fclose(f);
    }
    }
    return 0;
}
