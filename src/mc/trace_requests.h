/* A trace workload's requests (DESIGN §10), read once when the scenario
 * loads and kept in one compact, read-only copy: what a trial needs of each
 * request (time, model, prefix namespace, tokens, time to first token,
 * tier, task) and its prompt's bounds, in trace order. Every point of a
 * sweep, every trial and every thread reads the same copy; nothing is
 * copied per strategy or per thread. Internal to src/mc. */
#ifndef PCSIM_MC_TRACE_REQUESTS_H
#define PCSIM_MC_TRACE_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/cache.h"
#include "pcsim/scenario.h"
#include "pcsim/trace.h"

struct pcs_trace_requests {
    size_t count;     /* requests, in the trace's time order (ties in input order) */
    int64_t *t_ms;    /* arrival, ms on the trace's clock */
    int64_t *ttft_ms; /* time to first token, 0 when unknown */
    uint32_t *model;  /* index into model_names */
    uint32_t *namespace_id;
    uint32_t *input;     /* tokens */
    uint32_t *output;    /* tokens */
    uint32_t *task;      /* dense task index, < task_count */
    uint8_t *tier;       /* enum pcs_tier */
    uint8_t *flagged;    /* bit 0: the request's bounds carry flags (else it has none: NULL, not zeros);
                            bit 1: its units are content blocks (pcs_request.content_blocks) */
    size_t *first_bound; /* per request: its first bound's offset in the bound arrays */
    uint32_t *bounds;    /* per request: its bound count */
    uint64_t *units;
    uint32_t *ends;
    uint8_t *flags; /* per bound; NULL when no request of the trace is flagged */
    /* Per request, what its prompt shares with the previous request of the
     * same namespace and model (the cache's hint, pcs_cache_access_hinted):
     * 1 + that request's index (0: none), and how many leading units the
     * two prompts share. Computed once at load. */
    uint32_t *prefix_of;
    uint32_t *prefix_shared;
    /* Bounds stored: a prompt that extends the previous one of its
     * namespace and model shares that one's, and stores only its new ones. */
    size_t bound_count;
    size_t task_count;
    size_t model_count;
    char **model_names;
    char **places; /* per model: where it is first met ("file:line"), for messages */
};

/* Reads paths with format (0: detect), default_model for formats without
 * one, each request a step of its task as task says. On failure NULL with
 * err filled with the trace's message ("file:line: field F: problem"), or
 * PCS_ERR_PARSE when the trace has no request. */
struct pcs_trace_requests *pcs_trace_requests_load(const char *const *paths, size_t path_count, int format,
                                                   const char *default_model, enum pcs_trace_task task,
                                                   struct pcs_error *err);

void pcs_trace_requests_free(struct pcs_trace_requests *requests); /* NULL is a no-op */

/* The request's prompt as a request record borrowing the copy's arrays
 * (model and tier are the trace's; the caller sets what a strategy changes). */
void pcs_trace_requests_get(const struct pcs_trace_requests *requests, size_t index, struct pcs_request *req);

/* The cache hint of request index (pcs_cache_access_hinted): its prompt
 * named by 1 + index, and what it shares with prefix_of's. */
void pcs_trace_requests_hint(const struct pcs_trace_requests *requests, size_t index, struct pcs_cache_hint *hint);

/* The model name a trace model runs on in strategy: its model_map's entry
 * for trace_name, else trace_name itself. */
const char *pcs_trace_model_mapped(const struct pcs_strategy *strategy, const char *trace_name);

#endif
