/* ax_cpu_add_slow.c — the fp32 adder path's slow lanes (ax_cpu_add.h): the
 * lanes the models decide, from the original operands. */
#include "ax_cpu_add.h"

uint32_t ax_fa_slow_mac(const fa_ctx_t *c, uint32_t acc, int64_t row, int64_t lane, int64_t p,
                        uint32_t *fl)
{
    const ax_mac_cfg_t *g = c->cfg;
    const int64_t i = c->swap ? lane : row, j = c->swap ? row : lane;
    uint32_t t = ax_mul(g->mul, c->A[ax_a_index(c->s, i, p)], c->B[ax_b_index(c->s, p, j)], g->in,
                        g->prod, fl);
    return ax_add(g->add, acc, t, g->acc, g->acc, fl);
}

uint32_t ax_fa_slow_add(const fa_ctx_t *c, uint32_t acc, uint32_t t, uint32_t *fl)
{
    return ax_add(c->cfg->add, acc, t, c->cfg->acc, c->cfg->acc, fl);
}
