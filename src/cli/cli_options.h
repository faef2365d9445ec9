/* The options replay and sweep (and the coming calibrate) share: how to
 * read the traces, how to price them, how many threads. Each is described
 * once, in one table (cli_options.c): its name, argument, help text and
 * handler; the commands parse them from it and print their --help from it
 * (src/cli only). */
#ifndef PCSIM_CLI_OPTIONS_H
#define PCSIM_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

#include "pcsim/cache.h"
#include "pcsim/pricing.h"
#include "pcsim/trace.h"

#define CLI_MAX_ALIASES 64

/* What the shared options set. */
struct cli_trace_cost {
    struct pcs_trace_config trace_config;            /* --input-format, --model, --lenient */
    struct pcs_model_alias aliases[CLI_MAX_ALIASES]; /* --model-map */
    size_t alias_count;
    int tier_override;       /* --tier: an enum pcs_tier, or -1 */
    double region_uplift;    /* --region-uplift: a multiplier, < 0: the catalog's */
    const char *price_date;  /* --price-date, or NULL */
    const char *prices_path; /* --prices, or NULL */
    int no_cost;             /* --no-cost */
    unsigned threads;        /* --threads */
};

/* The defaults: the trace's own formats and tiers, no uplift, two threads
 * on a machine with two cores or more. */
void cli_trace_cost_init(struct cli_trace_cost *shared);

/* The groups the shared options fall in, as the help shows them. */
enum cli_option_group { CLI_GROUP_INPUT, CLI_GROUP_COST, CLI_GROUP_SPEED };

/* getopt_long values of the shared options start here; a command's own
 * options use values below it. */
#define CLI_SHARED_OPTION_BASE 1024

/* A command's getopt_long table: its own options own[0..own_count), the
 * shared ones, --help (as 'h') and the terminator, into options (room for
 * cap entries; CLI_MAX_OPTIONS is enough). Returns options. */
#define CLI_MAX_OPTIONS 48
const struct option *cli_getopt_table(const struct option *own, size_t own_count, struct option *options, size_t cap);

/* The same with only the shared options of the groups whose bits
 * (1u << enum cli_option_group) are in groups: a command that prices
 * nothing leaves out CLI_GROUP_COST, and getopt_long refuses them. */
const struct option *cli_getopt_table_of(const struct option *own, size_t own_count, unsigned groups,
                                         struct option *options, size_t cap);

/* ---- cache parameters as options ---------------------------------------
 * Each parameter of the cache (pcsim/cache.h, enum pcs_cache_param) a user
 * may override has one option here: --ttl, --min-tokens, --granularity,
 * --capacity. getopt_long values of these start at CLI_PARAM_OPTION_BASE. */
#define CLI_PARAM_OPTION_BASE 2048

/* Appends to a getopt_long table made by cli_getopt_table (terminated,
 * room for cap entries) the options of the parameters whose PCS_USES_* bits
 * are in params. Returns options. */
const struct option *cli_getopt_add_params(struct option *options, size_t cap, unsigned params);

/* A command's option from either table: if opt is a parameter option's
 * getopt_long value, parses value into overrides; if a shared option's,
 * applies it to shared. Returns CLI_EXIT_OK, or prints the usage error and
 * returns it; -1 when opt is neither (the command's own, or unknown). */
int cli_table_option(const char *command, int opt, char *value, struct pcs_cache_overrides *overrides,
                     struct cli_trace_cost *shared);

/* Prints the help of the parameter options whose bits are in params, one
 * per line as cli_shared_help does. */
void cli_param_help(FILE *out, unsigned params);

/* Prints them in brief on one line: "  --min-tokens N, --granularity N   what". */
void cli_param_help_brief(FILE *out, unsigned params, const char *what);

/* Notes on stderr each override that policy does not read ("--granularity
 * has no effect on policy ttl"): said, not silently dropped. */
void cli_param_notes(const char *command, const struct pcs_cache_overrides *overrides, enum pcs_policy policy);

/* Prints a group's options for --help, one per line as
 * "  --name ARG          help" (continuation lines indented alike). */
void cli_shared_help(FILE *out, enum cli_option_group group);

/* Prints a group's options in brief after lead ("Input (as for replay):"):
 * "--name ARG" joined by ", ", wrapped below 80 columns, continuation lines
 * indented by two spaces. */
void cli_shared_help_brief(FILE *out, const char *lead, enum cli_option_group group);

/* ---- per-model presets on a TTL curve (sweep --ttl, calibrate) --------- */

/* What cli_curve_model_config reads: the preset, the catalog its models'
 * parameters come from, and the user's overrides (all borrowed). */
struct cli_curve_model_presets {
    const char *preset;
    const pcs_catalog *catalog;
    const struct pcs_cache_overrides *overrides;
};

/* A pcs_model_config_fn (context: a struct cli_curve_model_presets) for a
 * curve's lanes: the model's own configuration of the preset with the
 * overrides applied, keeping the lane's TTL (the point being played).
 * PCS_ERR_ARG, err naming the model, when the preset has none for it. */
enum pcs_status cli_curve_model_config(void *context, uint32_t model, const char *name, struct pcs_cache_config *config,
                                       struct pcs_error *err);

/* ---- points of a curve (sweep --ttl, --capacity; calibrate --ttl) ------ */

#define CLI_MAX_CURVE_POINTS 1024
#define CLI_DEFAULT_RANGE_POINTS 16

/* A LIST ("a,b,c") or RANGE ("a..b[:n]", n log-spaced points, ends
 * included, default CLI_DEFAULT_RANGE_POINTS) of durations (durations != 0:
 * "300", "5m", "1h", into ms) or token counts ("3M") into values[0..*count)
 * (room for CLI_MAX_CURVE_POINTS), rounded to whole ms or tokens; a range's
 * duplicates are dropped. 0 on success, -1 if malformed. */
int cli_parse_curve_points(const char *spec, int durations, double *values, size_t *count);

#endif
