/* Price-related helpers shared by 'pcsim prices' and 'pcsim replay'
 * (src/cli only). */
#ifndef PCSIM_CLI_PRICING_H
#define PCSIM_CLI_PRICING_H

#include <stdio.h>

#include "cli.h"
#include "pcsim/pricing.h"

/* The catalog file the command will read: path if given, else
 * $PCSIM_PRICES, else NULL (the built-in one). *what says which
 * ("--prices" or "$PCSIM_PRICES"), for messages. */
const char *cli_catalog_path(const char *path, const char **what);

/* The catalog: path if given, else $PCSIM_PRICES, else the built-in one.
 * On failure prints "pcsim COMMAND: <located error>" and returns NULL. */
pcs_catalog *cli_load_catalog(const char *command, const char *path);

/* Resolves name (provider_id may be NULL); when nothing matches prints
 * "pcsim COMMAND: unknown model 'x' (nearest: a, b, c)" and returns NULL. */
const struct pcs_model *cli_resolve_model(const char *command, const pcs_catalog *catalog, const char *name,
                                          const char *provider_id);

/* --price-date: the Unix time of text; NULL or "": $PCSIM_PRICE_DATE when set
 * (how tests and reproducible reports pin the date), else today at noon UTC,
 * so a day's runs agree. CLI_EXIT_OK, or prints a usage error naming the
 * option or the variable and returns it. */
int cli_price_time(const char *command, const char *text, double *unix_time_s);

/* What replay and sweep open before they work: the traces named on the
 * command line and, when reads_catalog, the price catalog (--prices,
 * $PCSIM_PRICES or the built-in one). First every output (outputs[0..
 * output_count), at most 7) is checked against the traces, the catalog and
 * each other (cli_check_paths); then the catalog is loaded and the traces
 * opened (cli_open_inputs). CLI_EXIT_OK with both set (catalog NULL when not
 * read), or the exit code after saying why, with nothing left open. */
struct cli_trace_inputs {
    pcs_catalog *catalog;
    pcs_inputs *inputs;
};
int cli_open_trace_inputs(const char *command, char *const *names, size_t count, const char *prices_path,
                          int reads_catalog, const struct cli_path *outputs, size_t output_count,
                          struct cli_trace_inputs *opened);

/* Nearest known names as ", "-joined text into buffer (for messages). */
void cli_nearest_models(const pcs_catalog *catalog, const char *name, char *buffer, size_t size);

/* --region-uplift: a multiplier (1.1), an extra share (0.1), a percentage
 * (10%) -> the multiplier; "catalog" -> -1 (each provider's own uplift from
 * the catalog). 0 on success, -1 if malformed. */
int cli_parse_uplift(const char *text, double *multiplier);

/* The multiplier of tier at model's provider; when it does not sell the
 * tier prints which tiers it sells and returns a negative number. */
double cli_tier_multiplier(const char *command, const struct pcs_model *model, enum pcs_tier tier);

#endif
