/* A preset's cache for one model of the catalog; see pcsim/pricing.h. */
#include "pcsim/pricing.h"

#include <string.h>

int pcs_preset_is_per_model(const char *preset)
{
    return strcmp(preset, "auto") == 0 || pcs_cache_preset_per_model(preset);
}

enum pcs_status pcs_model_cache_config(const char *preset, const struct pcs_model *model,
                                       struct pcs_cache_config *config)
{
    const char *own = preset;
    if (strcmp(preset, "auto") == 0)
        own = model && model->cache_preset ? model->cache_preset : "none";
    enum pcs_status status = pcs_cache_preset(own, config);
    if (status != PCS_OK)
        return status;
    if (model && model->min_tokens && pcs_preset_is_per_model(preset))
        config->min_tokens = model->min_tokens;
    return PCS_OK;
}
