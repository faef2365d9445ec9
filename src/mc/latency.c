/* An attempt's latency (docs/scenario.md#latency): its model's
 * ttft_seconds and duration_seconds, drawn from a stream of their own keyed
 * by (trial, task or request, step and attempt), so that giving a model a
 * latency moves no other draw of the trial, and two strategies that send
 * the same attempt to the same model see the same latency (common random
 * numbers). */
#include <math.h>

#include "mc_internal.h"

/* Seconds to whole ms, as gaps are converted (workload.c): negative and
 * NaN draws are 0, absurdly long ones capped. */
static int64_t seconds_to_ms(double seconds)
{
    return seconds > 0 ? llround(seconds < 1e12 ? seconds * 1000.0 : 1e15) : 0;
}

int pcs_scenario_has_latency(const struct pcs_scenario *scenario)
{
    for (size_t m = 0; m < scenario->model_count; m++)
        if (pcs_model_has_latency(&scenario->models[m]))
            return 1;
    return 0;
}

enum pcs_status pcs_latency_prepare(const struct pcs_scenario *scenario, struct trial_scratch *scratch,
                                    struct pcs_error *err)
{
    if (scratch->latency_rng || !pcs_scenario_has_latency(scenario))
        return PCS_OK;
    scratch->latency_rng = pcs_stream_new(err);
    return scratch->latency_rng ? PCS_OK : PCS_ERR_NOMEM;
}

void pcs_latency_draw(const struct pcs_scenario *scenario, const struct pcs_scenario_model *model, uint64_t trial,
                      uint64_t key, uint64_t which, gsl_rng *rng, struct attempt_latency *latency)
{
    latency->ttft_ms = 0;
    latency->duration_ms = 0;
    if (!pcs_model_has_latency(model))
        return;
    pcs_stream_key(rng, scenario->seed, trial, (uint64_t)STREAM_LATENCY << 56 | key, which);
    /* Always in this order, ttft first, whichever is given. */
    if (model->has_ttft)
        latency->ttft_ms = seconds_to_ms(pcs_dist_sample(&model->ttft_seconds, rng));
    if (model->has_duration)
        latency->duration_ms = seconds_to_ms(pcs_dist_sample(&model->duration_seconds, rng));
    /* A duration runs to the last token: never before the first. */
    if (latency->duration_ms < latency->ttft_ms)
        latency->duration_ms = latency->ttft_ms;
}
