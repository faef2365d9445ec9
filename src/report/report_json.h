/* Helpers shared by the JSON report writers (internal to src/report).
 * cJSON numbers are doubles, so counts and ratios go in as raw text: token
 * counts stay exact integers, ratios keep six decimals. */
#ifndef PCSIM_REPORT_JSON_H
#define PCSIM_REPORT_JSON_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "pcsim/cache.h"

cJSON *pcs_report_json_integer(uint64_t value);
cJSON *pcs_report_json_ratio(double value);
/* A number, or null when it has no value (pcs_report_no_value(REPORT_JSON)). */
cJSON *pcs_report_json_number(double value);

/* Adds to policy the parameters config's policy reads (pcs_policy_info),
 * but those in skip (PCS_USES_*: what a sweep varies), in one order:
 * "ttl_s", "min_tokens", "granularity", "capacity_tokens". */
void pcs_report_json_policy_parameters(cJSON *policy, const struct pcs_cache_config *config, unsigned skip);

/* {"input", "cache_read", "cache_write", "cache_write_1h", "uncached", "output"}. */
cJSON *pcs_report_json_tokens(const struct pcs_usage *usage);

#endif
