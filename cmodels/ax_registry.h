/* ax_registry.h — the list of units: names, kinds, parameters with defaults
 * and ranges, one-line formulas, the RTL module and parameters of each unit;
 * parsing of "name:key=value,...". Host only. The one table of units for
 * every language: scripts/gen_unit_table.c prints it for the RTL
 * (rtl/ax_units.vh) and for CMake (cmake/ax_units.cmake). */
#ifndef AX_REGISTRY_H
#define AX_REGISTRY_H

#include <stddef.h>

#include "ax_units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ax_param_desc {
    const char *name;
    int def, min, max;
    int pow2; /* value must be a power of two */
    const char *help;
    const char *rtl; /* the RTL parameter that carries it (ax_mul's K for mul_drum's k) */
} ax_param_desc_t;

typedef struct ax_unit_desc {
    ax_unit_id_t id;
    const char *name;
    int kind; /* AX_KIND_MUL / AX_KIND_ADD */
    int nparams;
    ax_param_desc_t params[AX_UNIT_MAX_PARAMS];
    int has_sig_stage; /* a multiplier whose significand stage a LUT can replace */
    const char *formula;
    const char *rtl_top; /* the RTL module (rtl/<rtl_top>.v); NULL: no RTL */
    int rtl_code;        /* its UNIT parameter there; stable, whatever the C enum's order */
} ax_unit_desc_t;

extern const ax_unit_desc_t ax_unit_table[AX_UNIT_COUNT];

const ax_unit_desc_t *ax_unit_desc(ax_unit_t u);
const ax_unit_desc_t *ax_unit_find(const char *name); /* NULL if unknown */

/* The unit with every parameter at its default. */
ax_unit_t ax_unit_default(ax_unit_id_t id);

/* Parses "mul_drum", "mul_drum:k=4", "mul_realm:m=8,q=6". Returns 0, or -1
 * with a message naming the valid units or parameters in err. */
int ax_unit_parse(const char *spec, ax_unit_t *out, char *err, size_t errlen);

/* Canonical spec with every parameter ("mul_drum:k=6"). */
const char *ax_unit_name(ax_unit_t u, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* AX_REGISTRY_H */
