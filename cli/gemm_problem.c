/* gemm_problem.c — GEMM sizes, convolution shapes and seeded operands for
 * `axsim gemm` and `axsim bench` (gemm_problem.h). */
#define _GNU_SOURCE
#include "gemm_problem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_rng.h"
#include "cli.h"

/* Parses exactly between min_n and max_n decimal integers in [lo, hi]
 * separated by sep ("256x256x256", "1,1,28,28,6,5,1,2"): the count, or -1
 * (a sign, a gap, trailing text, a value out of range or past 64 bits). */
static int parse_ints(const char *s, char sep, long long *v, int min_n, int max_n, long long lo, long long hi)
{
    int n = 0;
    for (const char *q = s;; q++) {
        if (n == max_n || *q < '0' || *q > '9') return -1;
        char *end;
        errno = 0;
        long long x = strtoll(q, &end, 10);
        if (errno || x < lo || x > hi) return -1;
        v[n++] = x;
        q = end;
        if (!*q) break;
        if (*q != sep) return -1;
    }
    return n < min_n ? -1 : n;
}

/* Elements of an operand (a x b) when every buffer of them fits in memory
 * arithmetic: a*b*8 bytes within int64_t. */
static int elems_ok(long long a, long long b, size_t *n)
{
    long long r;
    if (__builtin_mul_overflow(a, b, &r) || r > INT64_MAX / 8) return 0;
    *n = (size_t)r;
    return 1;
}

int ax_problem_size(const char *verb, const char *s, ax_problem_t *p)
{
    long long v[3];
    size_t na, nb, nc;
    if (parse_ints(s, 'x', v, 3, 3, 1, INT32_MAX) < 0) {
        ax_cli_error(verb, "--size '%.40s%s': expected MxNxK with integers in 1..%d", s, strlen(s) > 40 ? "..." : "",
                     INT32_MAX);
        return -1;
    }
    if (!elems_ok(v[0], v[2], &na) || !elems_ok(v[2], v[1], &nb) || !elems_ok(v[0], v[1], &nc)) {
        ax_cli_error(verb, "--size '%s': an operand would hold more than 2^60 elements", s);
        return -1;
    }
    memset(p, 0, sizeof *p);
    p->g = ax_gemm_shape(v[0], v[1], v[2]);
    p->macs = (double)v[0] * (double)v[1] * (double)v[2];
    snprintf(p->name, sizeof p->name, "%lldx%lldx%lld", v[0], v[1], v[2]);
    return 0;
}

int ax_problem_conv(const char *verb, const char *s, ax_problem_t *p)
{
    long long v[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    int got = parse_ints(s, ',', v, 8, 9, 0, INT32_MAX);
    memset(p, 0, sizeof *p);
    p->conv = 1;
    ax_conv_shape_t *c = &p->c;
    c->n = v[0], c->c = v[1], c->h = v[2], c->w = v[3], c->oc = v[4], c->kh = c->kw = v[5];
    c->stride_h = c->stride_w = v[6], c->pad_h = c->pad_w = v[7], c->dil_h = c->dil_w = 1;
    c->groups = v[8];
    int64_t oh, ow;
    char err[256];
    if (got < 0 || ax_conv_out(c, &oh, &ow, err, sizeof err)) {
        ax_cli_error(verb, "--conv '%.60s%s': %s", s, strlen(s) > 60 ? "..." : "",
                     got < 0 ? "expected N,C,H,W,OC,K,S,P[,G] with integers in 0..2147483647" : err);
        return -1;
    }
    p->macs = (double)c->n * (double)c->oc * (double)(oh * ow) * (double)(c->c / c->groups) *
              (double)(c->kh * c->kw);
    snprintf(p->name, sizeof p->name, "conv %s", s);
    return 0;
}

void ax_problem_elems(const ax_problem_t *p, size_t *na, size_t *nb, size_t *nc)
{
    if (!p->conv) {
        *na = (size_t)(p->g.m * p->g.k), *nb = (size_t)(p->g.k * p->g.n), *nc = (size_t)(p->g.m * p->g.n);
        return;
    }
    int64_t oh = 1, ow = 1;
    char err[256];
    ax_conv_out(&p->c, &oh, &ow, err, sizeof err);
    *na = (size_t)(p->c.n * p->c.c * p->c.h * p->c.w);
    *nb = (size_t)(p->c.oc * (p->c.c / p->c.groups) * p->c.kh * p->c.kw);
    *nc = (size_t)(p->c.n * p->c.oc * oh * ow);
}

void ax_problem_operands(ax_engine_t *e, ax_format_t in, size_t n, uint64_t seed, float *f, uint32_t *q)
{
    ax_rng_t r = {seed};
    for (size_t i = 0; i < n; i++) f[i] = (float)((double)(int32_t)ax_rng_next(&r) / 2147483648.0 * 2.0);
    ax_quantize(e, in, f, q, n, NULL);
    ax_dequantize(e, in, q, f, n); /* the baselines see the same values */
}
