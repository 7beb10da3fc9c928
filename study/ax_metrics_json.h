/* ax_metrics_json.h — the error metrics of one unit (cmodels/ax_metrics.h) as
 * a JSON object, as axsim metrics prints them and results.json holds them. */
#ifndef AX_METRICS_JSON_H
#define AX_METRICS_JSON_H

#include "ax_metrics.h"
#include "ax_registry.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;
/* {"unit", "format", "out_format", "domain_pairs", "pairs", "sampled",
 * "seed" (when sampled), "error_rate", "med", "mred", "nmed", "wcre",
 * "bias", "mse"}; the caller owns it. */
struct cJSON *ax_metrics_json(ax_unit_t u, ax_format_t f, ax_format_t fo, const ax_metrics_t *m);

#ifdef __cplusplus
}
#endif

#endif /* AX_METRICS_JSON_H */
