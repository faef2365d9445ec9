/* pcsim gen's summary of the trial it wrote, as JSON (schema pcsim.gen.v1,
 * docs/gen.md): the trial's own figures, what a replay of the trace must
 * give back. */
#include <cjson/cJSON.h>

#include "pcsim/gen.h"
#include "report_json.h"
#include "report_util.h"

/* The token counts of usage, under the names replay's JSON uses. */
static void add_tokens(struct report_json *doc, cJSON *parent, const struct pcs_usage *usage)
{
    cJSON *tokens = pcs_report_json_object(doc, parent, "tokens");
    pcs_report_json_put(doc, tokens, "input", pcs_report_json_integer(usage->input));
    pcs_report_json_put(doc, tokens, "cache_read", pcs_report_json_integer(usage->cache_read));
    pcs_report_json_put(doc, tokens, "cache_write", pcs_report_json_integer(usage->cache_write));
    pcs_report_json_put(doc, tokens, "cache_write_1h", pcs_report_json_integer(usage->cache_write_1h));
    pcs_report_json_put(doc, tokens, "uncached", pcs_report_json_integer(pcs_usage_uncached(usage)));
    pcs_report_json_put(doc, tokens, "output", pcs_report_json_integer(usage->output));
}

enum pcs_status pcs_report_gen_json(FILE *out, const struct pcs_gen_report *report)
{
    const struct pcs_scenario *scenario = report->scenario;
    const struct pcs_strategy *strategy = &scenario->strategies[report->strategy];
    const struct pcs_gen_summary *summary = report->summary;
    const struct pcs_trial_outcome *outcome = &summary->outcome;
    char when[64];
    struct report_json json;
    struct report_json *doc = &json;
    pcs_report_json_begin(doc, "pcsim.gen.v1");
    cJSON *root = doc->root;
    pcs_report_json_add_string(doc, root, "scenario", scenario->name);
    pcs_report_json_add_string(doc, root, "file", report->file);
    pcs_report_json_add_string(doc, root, "point", report->point);
    pcs_report_json_put(doc, root, "seed", pcs_report_json_integer(scenario->seed));
    pcs_report_json_put(doc, root, "trial", pcs_report_json_integer(report->trial));
    cJSON *chosen = pcs_report_json_object(doc, root, "strategy");
    pcs_report_json_add_string(doc, chosen, "name", strategy->name);
    pcs_report_json_add_string(doc, chosen, "tier", pcs_tier_name(strategy->tier));
    pcs_report_json_add_string(doc, chosen, "cache", strategy->cache);
    pcs_report_json_cache_overrides(doc, chosen, "cache_parameters", &strategy->cache_overrides);
    pcs_report_json_add_string(doc, root, "catalog", report->catalog);
    pcs_report_json_add_string(doc, root, "price_time", pcs_report_utc_time(report->price_time_s, when, sizeof when));
    pcs_report_json_add_number(doc, root, "region_uplift", report->region_uplift);
    pcs_report_json_put(doc, root, "lines", pcs_report_json_integer(summary->lines));
    pcs_report_json_put(doc, root, "tasks", pcs_report_json_integer(outcome->tasks));
    pcs_report_json_put(doc, root, "completed", pcs_report_json_integer(outcome->completed));
    pcs_report_json_put(doc, root, "escalated", pcs_report_json_integer(outcome->escalated));
    pcs_report_json_put(doc, root, "attempts", pcs_report_json_integer(outcome->requests));
    pcs_report_json_put(doc, root, "failed_attempts", pcs_report_json_integer(outcome->failed_requests));
    pcs_report_json_add_number(doc, root, "spend", outcome->spend);
    add_tokens(doc, root, &summary->total);
    cJSON *models = pcs_report_json_array(doc, root, "by_model");
    for (size_t m = 0; m < summary->model_count; m++) {
        const struct pcs_gen_model_summary *share = &summary->by_model[m];
        if (!share->model)
            continue; /* a cache of a trace's model no attempt used */
        cJSON *model = cJSON_CreateObject();
        pcs_report_json_add_string(doc, model, "alias", m < scenario->model_count ? share->name : "trace");
        if (m >= scenario->model_count)
            pcs_report_json_add_string(doc, model, "trace_model", share->name);
        pcs_report_json_add_string(doc, model, "model", share->model->id);
        pcs_report_json_put(doc, model, "attempts", pcs_report_json_integer(share->usage.requests));
        pcs_report_json_put(doc, model, "failed_attempts", pcs_report_json_integer(share->failed));
        add_tokens(doc, model, &share->usage);
        pcs_report_json_add_number(doc, model, "cost", share->cost);
        pcs_report_json_put(doc, models, NULL, model);
    }
    return pcs_report_json_finish(out, doc);
}
