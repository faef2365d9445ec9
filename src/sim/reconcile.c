/* Observed against simulated: the rules; see pcsim/reconcile.h. */
#include "pcsim/reconcile.h"

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
