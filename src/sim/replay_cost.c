/* Dollars for a replay; see pcsim/replay_cost.h. */
#include "pcsim/replay_cost.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash_table.h"
#include "pcsim/ttl_class.h"

/* Ledger kinds: what a request was for. */
enum { KIND_PLAIN = 0, KIND_TASK_OK = 1, KIND_TASK_FAILED = 2 };

/* A trace model's resolution, done on first sight. */
struct model_slot {
    int resolved;
    const struct pcs_model *model;
    const struct pcs_price_set *set;
    double multiplier; /* region uplift; the tier's multiplier comes per request */
    uint64_t unsold_tier_requests[PCS_TIER_COUNT];
};

/* Tasks: id -> whether its latest request succeeded. */
enum task_state { TASK_FAILED = 1, TASK_SUCCEEDED = 2 };

/* How the chosen cache's writes are billed (pcs_replay_cost_config.sold_preset). */
enum write_billing { WRITES_AS_WRITTEN = 0, WRITES_AS_5M, WRITES_AS_1H };

struct pcs_replay_coster {
    struct pcs_replay_cost_config config;
    enum write_billing write_billing;
    const pcs_trace *trace;
    struct model_slot *models;
    size_t model_cap;
    pcs_ledger *chosen;
    pcs_ledger *ideal;
    /* The requests that carry observed usage: that usage, and the chosen
     * cache's of the same requests (for the reconciliation's dollars). */
    pcs_ledger *observed;
    pcs_ledger *simulated;
    struct pcs_hash_table tasks; /* task id -> enum task_state */
    uint64_t task_requests;
};

pcs_replay_coster *pcs_replay_coster_new(const struct pcs_replay_cost_config *config, const pcs_trace *trace,
                                         struct pcs_error *err)
{
    pcs_replay_coster *coster = calloc(1, sizeof *coster);
    if (!coster) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a coster");
        return NULL;
    }
    coster->config = *config;
    coster->trace = trace;
    const struct pcs_ttl_class *sold;
    if (config->sold_preset && pcs_ttl_sale_of(config->sold_preset, config->sold_ttl_ms, &sold) == PCS_TTL_SOLD)
        coster->write_billing = pcs_ttl_class_bills_1h(sold) ? WRITES_AS_1H : WRITES_AS_5M;
    coster->chosen = pcs_ledger_new(err);
    coster->ideal = coster->chosen ? pcs_ledger_new(err) : NULL;
    coster->observed = coster->ideal ? pcs_ledger_new(err) : NULL;
    coster->simulated = coster->observed ? pcs_ledger_new(err) : NULL;
    if (!coster->simulated) {
        pcs_replay_coster_free(coster);
        return NULL;
    }
    return coster;
}

void pcs_replay_coster_free(pcs_replay_coster *coster)
{
    if (!coster)
        return;
    pcs_ledger_free(coster->chosen);
    pcs_ledger_free(coster->ideal);
    pcs_ledger_free(coster->observed);
    pcs_ledger_free(coster->simulated);
    free(coster->models);
    pcs_hash_release(&coster->tasks);
    free(coster);
}

static struct model_slot *model_slot(pcs_replay_coster *coster, uint32_t model)
{
    if (model >= coster->model_cap) {
        size_t cap = coster->model_cap ? coster->model_cap : 8;
        while (cap <= model)
            cap *= 2;
        struct model_slot *models = realloc(coster->models, cap * sizeof *models);
        if (!models)
            return NULL;
        memset(models + coster->model_cap, 0, (cap - coster->model_cap) * sizeof *models);
        coster->models = models;
        coster->model_cap = cap;
    }
    struct model_slot *slot = &coster->models[model];
    if (!slot->resolved) {
        slot->resolved = 1;
        slot->model = pcs_catalog_resolve(coster->config.catalog, pcs_trace_model_name(coster->trace, model), NULL);
        if (slot->model) {
            slot->set = pcs_model_prices_at(slot->model, coster->config.price_time_s);
            slot->multiplier =
                coster->config.region_uplift >= 0 ? coster->config.region_uplift : slot->model->provider->region_uplift;
        }
    }
    return slot;
}

const struct pcs_model *pcs_replay_coster_model(pcs_replay_coster *coster, uint32_t model)
{
    struct model_slot *slot = model_slot(coster, model);
    return slot ? slot->model : NULL;
}

/* Records the outcome of a task's latest request. */
static enum pcs_status note_task(struct pcs_hash_table *tasks, uint64_t id, int ok)
{
    return pcs_hash_put(tasks, id, 0, ok ? TASK_SUCCEEDED : TASK_FAILED);
}

enum pcs_status pcs_replay_coster_add(pcs_replay_coster *coster, const struct pcs_request *req,
                                      const struct pcs_usage *chosen, const struct pcs_usage *ideal,
                                      double *request_cost, struct pcs_error *err)
{
    *request_cost = -1;
    struct pcs_usage billed;
    if (coster->write_billing != WRITES_AS_WRITTEN) {
        billed = *chosen;
        billed.cache_write_1h = coster->write_billing == WRITES_AS_1H ? billed.cache_write : 0;
        chosen = &billed;
    }
    struct model_slot *slot = model_slot(coster, req->model);
    if (!slot)
        return PCS_ERR_NOMEM;
    uint32_t kind = req->has_task ? (req->ok ? KIND_TASK_OK : KIND_TASK_FAILED) : KIND_PLAIN;
    enum pcs_tier tier =
        coster->config.tier_override >= 0 ? (enum pcs_tier)coster->config.tier_override : (enum pcs_tier)req->tier;
    uint64_t prompt_class = 0;
    if (slot->model) {
        double tier_multiplier = pcs_provider_tier_multiplier(slot->model->provider, tier);
        if (tier_multiplier <= 0 && tier != PCS_TIER_STANDARD) {
            slot->unsold_tier_requests[tier]++;
            tier = PCS_TIER_STANDARD;
            tier_multiplier = pcs_provider_tier_multiplier(slot->model->provider, tier);
        }
        prompt_class = pcs_price_class(slot->set, req->input_tokens);
        struct pcs_cost cost;
        if (pcs_price_usage(slot->set, chosen, prompt_class, tier_multiplier * slot->multiplier, &cost, err) != PCS_OK)
            return PCS_ERR_ARG;
        *request_cost = cost.total;
    }
    if (req->has_task) {
        coster->task_requests++;
        if (note_task(&coster->tasks, req->task, req->ok) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    if (pcs_ledger_add(coster->chosen, req->model, kind, tier, prompt_class, chosen) != PCS_OK ||
        pcs_ledger_add(coster->ideal, req->model, kind, tier, prompt_class, ideal ? ideal : chosen) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (req->has_observed) {
        struct pcs_usage observed;
        pcs_observed_usage(req, &observed);
        if (pcs_ledger_add(coster->observed, req->model, kind, tier, prompt_class, &observed) != PCS_OK ||
            pcs_ledger_add(coster->simulated, req->model, kind, tier, prompt_class, chosen) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    return PCS_OK;
}

/* Prices entry's usage as it is (*with), with nothing cached (*without). */
static enum pcs_status price_entry(const struct model_slot *slot, const struct pcs_ledger_entry *entry,
                                   struct pcs_cost *with, double *without, struct pcs_error *err)
{
    double multiplier = pcs_provider_tier_multiplier(slot->model->provider, entry->tier) * slot->multiplier;
    enum pcs_status status = pcs_price_usage(slot->set, &entry->usage, entry->prompt_class, multiplier, with, err);
    if (status != PCS_OK || !without)
        return status;
    struct pcs_usage uncached = entry->usage;
    uncached.cache_read = uncached.cache_write = uncached.cache_write_1h = 0;
    struct pcs_cost cost;
    status = pcs_price_usage(slot->set, &uncached, entry->prompt_class, multiplier, &cost, err);
    *without = cost.total;
    return status;
}

static void add_cost(struct pcs_cost *sum, const struct pcs_cost *cost)
{
    sum->uncached += cost->uncached;
    sum->cache_read += cost->cache_read;
    sum->cache_write += cost->cache_write;
    sum->cache_write_1h += cost->cache_write_1h;
    sum->output += cost->output;
    sum->requests += cost->requests;
    sum->total += cost->total;
}

enum pcs_status pcs_replay_coster_finish(pcs_replay_coster *coster, struct pcs_replay_cost *cost, struct pcs_error *err)
{
    memset(cost, 0, sizeof *cost);
    size_t model_count = pcs_trace_model_count(coster->trace);
    cost->by_model = calloc(model_count ? model_count : 1, sizeof *cost->by_model);
    if (!cost->by_model)
        return PCS_ERR_NOMEM;
    cost->model_count = model_count;
    for (size_t i = 0; i < model_count; i++) {
        struct model_slot *slot = model_slot(coster, (uint32_t)i);
        if (!slot) {
            pcs_replay_cost_free(cost);
            return PCS_ERR_NOMEM;
        }
        cost->by_model[i].priced_as = slot->model;
        memcpy(cost->by_model[i].unsold_tier_requests, slot->unsold_tier_requests, sizeof slot->unsold_tier_requests);
    }
    enum pcs_status status = PCS_OK;
    for (size_t i = 0; i < pcs_ledger_count(coster->chosen) && status == PCS_OK; i++) {
        const struct pcs_ledger_entry *entry = pcs_ledger_entry(coster->chosen, i);
        const struct model_slot *slot = &coster->models[entry->model];
        if (!slot->model) {
            cost->unpriced_requests += entry->usage.requests;
            continue;
        }
        struct pcs_cost with;
        double without;
        status = price_entry(slot, entry, &with, &without, err);
        if (status != PCS_OK)
            break; /* with and without are unset */
        struct pcs_model_cost *model = &cost->by_model[entry->model];
        add_cost(&model->with_cache, &with);
        model->without_cache += without;
        add_cost(&cost->with_cache, &with);
        cost->without_cache += without;
        cost->priced_requests += entry->usage.requests;
        if (entry->kind != KIND_PLAIN) {
            cost->tasks.spend += with.total;
            if (entry->kind == KIND_TASK_FAILED)
                cost->tasks.failed_spend += with.total;
        }
    }
    for (size_t i = 0; i < pcs_ledger_count(coster->ideal) && status == PCS_OK; i++) {
        const struct pcs_ledger_entry *entry = pcs_ledger_entry(coster->ideal, i);
        const struct model_slot *slot = &coster->models[entry->model];
        if (!slot->model)
            continue;
        struct pcs_cost with;
        status = price_entry(slot, entry, &with, NULL, err);
        if (status != PCS_OK)
            break;
        cost->by_model[entry->model].ideal += with.total;
        cost->ideal += with.total;
    }
    cost->tasks.tasks = coster->tasks.count;
    cost->tasks.requests = coster->task_requests;
    for (size_t i = 0; coster->tasks.slots && i <= coster->tasks.mask; i++)
        cost->tasks.completed += coster->tasks.slots[i].value == TASK_SUCCEEDED;
    if (status != PCS_OK)
        pcs_replay_cost_free(cost);
    return status;
}

/* The dollars of one side of a reconciliation's sums. */
static double *side_usd(struct pcs_reconcile_sums *sums, int observed)
{
    return observed ? &sums->observed_usd : &sums->simulated_usd;
}

/* Prices one side's ledger (observed, or the chosen cache's of the same
 * requests) into the sums of each priced model and of all of them. */
static enum pcs_status price_side(const pcs_replay_coster *coster, int observed,
                                  struct pcs_reconciliation *reconciliation, struct pcs_error *err)
{
    const pcs_ledger *ledger = observed ? coster->observed : coster->simulated;
    for (size_t i = 0; i < pcs_ledger_count(ledger); i++) {
        const struct pcs_ledger_entry *entry = pcs_ledger_entry(ledger, i);
        const struct model_slot *slot = &coster->models[entry->model];
        if (!slot->model || entry->model >= reconciliation->model_count)
            continue;
        struct pcs_cost cost;
        enum pcs_status status = price_entry(slot, entry, &cost, NULL, err);
        if (status != PCS_OK)
            return status;
        *side_usd(&reconciliation->by_model[entry->model], observed) += cost.total;
        *side_usd(&reconciliation->total, observed) += cost.total;
    }
    return PCS_OK;
}

enum pcs_status pcs_replay_coster_reconcile(pcs_replay_coster *coster, struct pcs_reconciliation *reconciliation,
                                            struct pcs_error *err)
{
    for (size_t i = 0; i < reconciliation->model_count; i++) {
        const struct model_slot *slot = model_slot(coster, (uint32_t)i);
        if (!slot)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        struct pcs_reconcile_sums *model = &reconciliation->by_model[i];
        model->priced = slot->model != NULL;
        /* The total is priced when some observed request is. */
        if (model->priced && model->observed.requests)
            reconciliation->total.priced = 1;
    }
    enum pcs_status status = price_side(coster, 1, reconciliation, err);
    return status == PCS_OK ? price_side(coster, 0, reconciliation, err) : status;
}

void pcs_replay_cost_free(struct pcs_replay_cost *cost)
{
    free(cost->by_model);
    cost->by_model = NULL;
    cost->model_count = 0;
}
