/* Price-related helpers shared by the subcommands; see cli_pricing.h. */
#include "cli_pricing.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/text_append.h"

const char *cli_catalog_path(const char *path, const char **what)
{
    *what = "--prices";
    if (path && *path)
        return path;
    *what = "$PCSIM_PRICES";
    path = getenv("PCSIM_PRICES");
    return path && *path ? path : NULL;
}

pcs_catalog *cli_load_catalog(const char *command, const char *path)
{
    struct pcs_error err = {0};
    const char *what;
    path = cli_catalog_path(path, &what);
    pcs_catalog *catalog = path && *path ? pcs_catalog_load(path, &err) : pcs_catalog_load_builtin(&err);
    if (!catalog)
        fprintf(stderr, "pcsim %s: %s\n", command, err.message);
    return catalog;
}

int cli_price_time(const char *command, const char *text, double *unix_time_s)
{
    struct pcs_error err = {0};
    const char *source = "--price-date";
    if (!text || !*text) {
        text = getenv("PCSIM_PRICE_DATE");
        source = "$PCSIM_PRICE_DATE";
        if (text && !*text)
            text = NULL;
    }
    if (pcs_parse_price_time(text ? text : "now", unix_time_s, &err) != PCS_OK)
        return cli_usage_error(command, "%s: %s", source, err.message);
    if (!text)
        *unix_time_s = (double)((long long)(*unix_time_s / 86400.0)) * 86400.0 + 43200.0;
    return CLI_EXIT_OK;
}

int cli_open_trace_inputs(const char *command, char *const *names, size_t count, const char *prices_path,
                          int reads_catalog, const struct cli_path *outputs, size_t output_count,
                          struct cli_trace_inputs *opened)
{
    memset(opened, 0, sizeof *opened);
    struct cli_path named[8];
    if (output_count >= sizeof named / sizeof named[0])
        return cli_usage_error(command, "too many outputs");
    memcpy(named, outputs, output_count * sizeof *outputs);
    const char *catalog_what = NULL;
    const char *catalog_path = reads_catalog ? cli_catalog_path(prices_path, &catalog_what) : NULL;
    named[output_count] = (struct cli_path){catalog_path ? catalog_what : NULL, catalog_path, 0};
    int code = cli_check_paths(command, named, output_count + 1, "trace", (const char *const *)names, count);
    if (code != CLI_EXIT_OK)
        return code;
    if (reads_catalog && !(opened->catalog = cli_load_catalog(command, prices_path)))
        return CLI_EXIT_DATA;
    opened->inputs = cli_open_inputs(command, names, count, prices_path, &code);
    if (!opened->inputs) {
        pcs_catalog_free(opened->catalog);
        opened->catalog = NULL;
        return code;
    }
    return CLI_EXIT_OK;
}

void cli_nearest_models(const pcs_catalog *catalog, const char *name, char *buffer, size_t size)
{
    const char *names[3];
    size_t count = pcs_catalog_nearest(catalog, name, names, 3);
    size_t used = 0;
    buffer[0] = '\0';
    for (size_t i = 0; i < count; i++)
        pcs_text_append(buffer, size, &used, "%s%s", i ? ", " : "", names[i]);
}

const struct pcs_model *cli_resolve_model(const char *command, const pcs_catalog *catalog, const char *name,
                                          const char *provider_id)
{
    if (provider_id && !pcs_catalog_find_provider(catalog, provider_id)) {
        fprintf(stderr, "pcsim %s: unknown provider '%s'; 'pcsim prices list' shows them all\n", command, provider_id);
        return NULL;
    }
    const struct pcs_model *model = pcs_catalog_resolve(catalog, name, provider_id);
    if (!model) {
        char nearest[256];
        cli_nearest_models(catalog, name, nearest, sizeof nearest);
        fprintf(stderr,
                "pcsim %s: unknown model '%s'%s%s (nearest known: %s); 'pcsim prices list' shows every "
                "model, --prices FILE takes your own catalog\n",
                command, name, provider_id ? " at provider " : "", provider_id ? provider_id : "",
                nearest[0] ? nearest : "none");
    }
    return model;
}

int cli_parse_uplift(const char *text, double *multiplier)
{
    if (strcmp(text, "catalog") == 0) {
        *multiplier = -1; /* each provider's own, from the catalog */
        return 0;
    }
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || !isfinite(value) || value < 0)
        return -1;
    if (strcmp(end, "%") == 0)
        value = 1.0 + value / 100.0;
    else if (*end != '\0')
        return -1;
    else if (value < 1.0)
        value = 1.0 + value;
    *multiplier = value;
    return 0;
}

double cli_tier_multiplier(const char *command, const struct pcs_model *model, enum pcs_tier tier)
{
    const struct pcs_provider *provider = model->provider;
    for (size_t i = 0; i < provider->tier_count; i++)
        if (provider->tiers[i].tier == tier)
            return provider->tiers[i].multiplier;
    fprintf(stderr, "pcsim %s: %s (%s) has no %s tier; it sells:", command, provider->name, model->id,
            pcs_tier_name(tier));
    for (size_t i = 0; i < provider->tier_count; i++)
        fprintf(stderr, " %s", pcs_tier_name(provider->tiers[i].tier));
    fprintf(stderr, "\n");
    return -1;
}
