/* Helpers shared by the JSON report writers (internal to src/report).
 *
 * A document is built through one helper, pcs_report_json_put: a cJSON
 * constructor that ran out of memory returns NULL, and adding NULL (or to a
 * NULL parent, or an add that fails) marks the document out of memory
 * instead of leaving a member silently missing; pcs_report_json_finish then
 * returns PCS_ERR_NOMEM and prints nothing. The other adders below are
 * pcs_report_json_put with the item made for you.
 *
 * cJSON numbers are doubles, so counts and ratios go in as raw text: token
 * counts stay exact integers, ratios keep six decimals. */
#ifndef PCSIM_REPORT_JSON_H
#define PCSIM_REPORT_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "pcsim/cache.h"
#include "pcsim/status.h"

struct report_json {
    cJSON *root;       /* the document: an object, made by pcs_report_json_begin */
    int out_of_memory; /* an item could not be made or added */
};

/* Starts a document: root = {"schema": schema}. */
void pcs_report_json_begin(struct report_json *doc, const char *schema);

/* Adds item to parent under key (key NULL: appends to the array parent) and
 * returns it; when item or parent is NULL or the add fails, frees item,
 * marks doc out of memory and returns NULL. */
cJSON *pcs_report_json_put(struct report_json *doc, cJSON *parent, const char *key, cJSON *item);

/* pcs_report_json_put of a new object, array, number, boolean, null, raw
 * text or string; a NULL string is written as null. */
cJSON *pcs_report_json_object(struct report_json *doc, cJSON *parent, const char *key);
cJSON *pcs_report_json_array(struct report_json *doc, cJSON *parent, const char *key);
void pcs_report_json_add_number(struct report_json *doc, cJSON *parent, const char *key, double value);
void pcs_report_json_add_bool(struct report_json *doc, cJSON *parent, const char *key, int value);
void pcs_report_json_add_null(struct report_json *doc, cJSON *parent, const char *key);
void pcs_report_json_add_raw(struct report_json *doc, cJSON *parent, const char *key, const char *raw);
void pcs_report_json_add_string(struct report_json *doc, cJSON *parent, const char *key, const char *text);

/* Prints the document and a newline, then frees it (also on error):
 * PCS_ERR_NOMEM when it ran out of memory (nothing printed), PCS_ERR_IO when
 * a write failed. */
enum pcs_status pcs_report_json_finish(FILE *out, struct report_json *doc);

/* Frees the document unprinted (a writer's error path). */
void pcs_report_json_discard(struct report_json *doc);

/* Items (NULL when out of memory: hand them to pcs_report_json_put). */
cJSON *pcs_report_json_integer(uint64_t value);
cJSON *pcs_report_json_ratio(double value);
/* A number, or null when it has no value (pcs_report_no_value(REPORT_JSON)). */
cJSON *pcs_report_json_number(double value);

/* Adds to policy the parameters config's policy reads (pcs_policy_info),
 * but those in skip (PCS_USES_*: what a sweep varies), in one order:
 * "ttl_s", "min_tokens", "granularity", "capacity_tokens", "overflow_rpm"
 * (a refinement, pcs_cache_param_info's quiet_when_off, only when on). */
void pcs_report_json_policy_parameters(struct report_json *doc, cJSON *policy, const struct pcs_cache_config *config,
                                       unsigned skip);

/* Adds to parent, under key, an object of the parameters overrides gives
 * (a scenario strategy's changes to its preset), named and in units as
 * pcs_report_json_policy_parameters names them; nothing when none is given. */
void pcs_report_json_cache_overrides(struct report_json *doc, cJSON *parent, const char *key,
                                     const struct pcs_cache_overrides *overrides);

#endif
