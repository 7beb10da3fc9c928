/* ax_cpu_add_slow.c — the fp32 adder path's slow lanes (ax_cpu_add.h): the
 * lanes the models decide, from the original operands. */
#include "ax_cpu_add.h"

/* A narrow accumulator's lanes hold fp32 patterns of its values; the
 * models take and give its encoding */
static uint32_t to_acc(const fa_ctx_t *c, uint32_t x)
{
    return c->narrow ? ax_cpu_pack_exact(x, c->cfg->acc) : x;
}
static uint32_t to_lane(const fa_ctx_t *c, uint32_t x)
{
    return c->narrow ? ax_to_f32bits(x, c->cfg->acc) : x;
}

uint32_t ax_fa_slow_mac(const fa_ctx_t *c, uint32_t acc, int64_t row, int64_t lane, int64_t p,
                        uint32_t *fl)
{
    const ax_mac_cfg_t *g = c->cfg;
    const int64_t i = c->swap ? lane : row, j = c->swap ? row : lane;
    return to_lane(c, ax_mac_step(g, to_acc(c, acc), c->A[ax_a_index(c->s, i, p)], c->B[ax_b_index(c->s, p, j)], fl));
}

uint32_t ax_fa_slow_add(const fa_ctx_t *c, uint32_t acc, uint32_t t, uint32_t *fl)
{
    return to_lane(c, ax_add(c->cfg->add, to_acc(c, acc), to_acc(c, t), c->cfg->acc, c->cfg->acc, fl));
}
