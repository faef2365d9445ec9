/* Observed against simulated: the rules; see pcsim/reconcile.h. */
#include "pcsim/reconcile.h"

#include <stdlib.h>
#include <string.h>

static uint64_t distance(uint64_t a, uint64_t b)
{
    return a > b ? a - b : b - a;
}

uint64_t pcs_observed_deviation(const struct pcs_observed *obs, const struct pcs_usage *sim)
{
    return distance(sim->cache_read, obs->cache_read) + distance(sim->cache_write, obs->cache_write);
}

int pcs_observed_agrees(const struct pcs_observed *obs, const struct pcs_usage *sim, uint64_t input_tokens)
{
    /* 1% of the input, exactly: deviation <= input / 100 iff 100 deviation <= input. */
    uint64_t deviation = pcs_observed_deviation(obs, sim);
    if (deviation <= PCS_AGREE_MIN_TOKENS)
        return 1;
    return (double)deviation <= PCS_AGREE_INPUT_SHARE * (double)input_tokens;
}

/* ---- The accumulator ---- */

void pcs_observed_usage(const struct pcs_request *req, struct pcs_usage *usage)
{
    usage->requests = 1;
    usage->input = req->input_tokens;
    usage->cache_read = req->observed.cache_read;
    usage->cache_write = req->observed.cache_write;
    usage->cache_write_1h = req->observed.cache_write_1h;
    usage->output = req->output_tokens;
}

double pcs_reconcile_error(const struct pcs_reconcile_sums *sums)
{
    return sums->observed.input ? (double)sums->deviation / (double)sums->observed.input : 0.0;
}

double pcs_reconcile_agreement(const struct pcs_reconcile_sums *sums)
{
    return sums->observed.requests ? (double)sums->agreeing / (double)sums->observed.requests : 0.0;
}

/* A worst-list candidate: the request itself is kept (its arrays dropped)
 * so that its place is written once the trace is done. */
struct worst_candidate {
    struct pcs_request req;
    struct pcs_usage observed, simulated;
    uint64_t deviation;
};

struct pcs_reconciler {
    struct pcs_reconcile_sums total;
    struct pcs_reconcile_sums *by_model; /* by trace model id, model_cap entries */
    size_t model_cap;
    uint64_t without_observed;
    uint64_t disagreeing;
    /* Largest deviation first; among equals the earlier request, which came
     * first: a later one with the same deviation goes after it. */
    struct worst_candidate worst[PCS_RECONCILE_WORST];
    size_t worst_count;
};

pcs_reconciler *pcs_reconciler_new(struct pcs_error *err)
{
    pcs_reconciler *reconciler = calloc(1, sizeof *reconciler);
    if (!reconciler)
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a reconciliation");
    return reconciler;
}

void pcs_reconciler_free(pcs_reconciler *reconciler)
{
    if (!reconciler)
        return;
    free(reconciler->by_model);
    free(reconciler);
}

static struct pcs_reconcile_sums *model_sums(pcs_reconciler *reconciler, uint32_t model)
{
    if (model >= reconciler->model_cap) {
        size_t cap = reconciler->model_cap ? reconciler->model_cap : 8;
        while (cap <= model)
            cap *= 2;
        struct pcs_reconcile_sums *sums = realloc(reconciler->by_model, cap * sizeof *sums);
        if (!sums)
            return NULL;
        memset(sums + reconciler->model_cap, 0, (cap - reconciler->model_cap) * sizeof *sums);
        reconciler->by_model = sums;
        reconciler->model_cap = cap;
    }
    return &reconciler->by_model[model];
}

static void add_sums(struct pcs_reconcile_sums *sums, const struct pcs_usage *observed,
                     const struct pcs_usage *simulated, uint64_t deviation, int agrees)
{
    pcs_usage_add(&sums->observed, observed);
    pcs_usage_add(&sums->simulated, simulated);
    sums->deviation += deviation;
    sums->agreeing += (uint64_t)agrees;
}

/* Keeps the candidate if it is among the largest deviations so far. */
static void keep_if_worst(pcs_reconciler *reconciler, const struct worst_candidate *candidate)
{
    size_t at = reconciler->worst_count;
    while (at > 0 && reconciler->worst[at - 1].deviation < candidate->deviation)
        at--;
    if (at == PCS_RECONCILE_WORST)
        return;
    size_t last = reconciler->worst_count < PCS_RECONCILE_WORST ? reconciler->worst_count : PCS_RECONCILE_WORST - 1;
    memmove(&reconciler->worst[at + 1], &reconciler->worst[at], (last - at) * sizeof reconciler->worst[0]);
    reconciler->worst[at] = *candidate;
    if (reconciler->worst_count < PCS_RECONCILE_WORST)
        reconciler->worst_count++;
}

enum pcs_status pcs_reconciler_add(pcs_reconciler *reconciler, const struct pcs_request *req,
                                   const struct pcs_usage *simulated)
{
    if (!req->has_observed) {
        reconciler->without_observed++;
        return PCS_OK;
    }
    struct pcs_reconcile_sums *model = model_sums(reconciler, req->model);
    if (!model)
        return PCS_ERR_NOMEM;
    struct pcs_usage observed;
    pcs_observed_usage(req, &observed);
    uint64_t deviation = pcs_observed_deviation(&req->observed, simulated);
    int agrees = pcs_observed_agrees(&req->observed, simulated, req->input_tokens);
    add_sums(&reconciler->total, &observed, simulated, deviation, agrees);
    add_sums(model, &observed, simulated, deviation, agrees);
    if (agrees)
        return PCS_OK;
    reconciler->disagreeing++;
    struct worst_candidate candidate = {
        .req = *req, .observed = observed, .simulated = *simulated, .deviation = deviation};
    /* The arrays are the reader's and go with the next request. */
    candidate.req.bound_count = 0;
    candidate.req.units = NULL;
    candidate.req.ends = NULL;
    candidate.req.flags = NULL;
    keep_if_worst(reconciler, &candidate);
    return PCS_OK;
}

int pcs_reconciler_has_observed(const pcs_reconciler *reconciler)
{
    return reconciler->total.observed.requests > 0;
}

enum pcs_status pcs_reconciler_finish(const pcs_reconciler *reconciler, const pcs_trace *trace,
                                      struct pcs_reconciliation *out, struct pcs_error *err)
{
    memset(out, 0, sizeof *out);
    size_t model_count = pcs_trace_model_count(trace);
    out->by_model = calloc(model_count ? model_count : 1, sizeof *out->by_model);
    out->worst = calloc(reconciler->worst_count ? reconciler->worst_count : 1, sizeof *out->worst);
    if (!out->by_model || !out->worst) {
        pcs_reconciliation_free(out);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a reconciliation");
    }
    out->model_count = model_count;
    for (size_t i = 0; i < model_count && i < reconciler->model_cap; i++)
        out->by_model[i] = reconciler->by_model[i];
    out->total = reconciler->total;
    out->without_observed = reconciler->without_observed;
    out->disagreeing = reconciler->disagreeing;
    for (size_t i = 0; i < reconciler->worst_count; i++) {
        const struct worst_candidate *candidate = &reconciler->worst[i];
        char place[4096];
        pcs_trace_request_place(trace, &candidate->req, place, sizeof place);
        struct pcs_reconcile_request *request = &out->worst[i];
        request->place = strdup(place);
        if (!request->place) {
            pcs_reconciliation_free(out);
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a reconciliation");
        }
        out->worst_count = i + 1;
        request->model = candidate->req.model;
        request->t_ms = candidate->req.t_ms;
        request->observed = candidate->observed;
        request->simulated = candidate->simulated;
        request->deviation = candidate->deviation;
    }
    return PCS_OK;
}

void pcs_reconciliation_free(struct pcs_reconciliation *reconciliation)
{
    if (!reconciliation)
        return;
    for (size_t i = 0; i < reconciliation->worst_count; i++)
        free(reconciliation->worst[i].place);
    free(reconciliation->worst);
    free(reconciliation->by_model);
    memset(reconciliation, 0, sizeof *reconciliation);
}
