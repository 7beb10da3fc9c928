/* gemm_problem.h — the problems `axsim gemm` and `axsim bench` run: a GEMM
 * size or a convolution shape parsed from the command line, its operand
 * sizes, and seeded operands (gemm_problem.c). */
#ifndef AX_GEMM_PROBLEM_H
#define AX_GEMM_PROBLEM_H

#include <stddef.h>
#include <stdint.h>

#include "ax_fastpath.h"

typedef struct ax_problem {
    int conv;           /* 1: c, else g */
    ax_gemm_shape_t g;
    ax_conv_shape_t c;
    double macs;        /* multiply-accumulates of one run */
    char name[64];      /* "256x256x256", "conv 8,32,32,32,64,3,1,1" */
} ax_problem_t;

/* --size MxNxK: three integers in 1..2^31-1, no operand over 2^60 elements.
 * 0, or -1 with a message for verb. */
int ax_problem_size(const char *verb, const char *s, ax_problem_t *p);
/* --conv N,C,H,W,OC,K,S,P[,G] (square kernel, stride and padding; groups
 * default 1), with an output of at least 1x1. 0, or -1 with a message. */
int ax_problem_conv(const char *verb, const char *s, ax_problem_t *p);
/* Elements of the operands A (input), B (weights) and the result C. */
void ax_problem_elems(const ax_problem_t *p, size_t *na, size_t *nb, size_t *nc);

/* n seeded operands: floats in (-2, 2) quantized to in (q, the bits) and
 * back (f, the values the native baselines see). */
void ax_problem_operands(ax_engine_t *e, ax_format_t in, size_t n, uint64_t seed, float *f, uint32_t *q);

#endif
