/* The shared trace and cost options, described once; see cli_options.h. */
#include "cli_options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_pricing.h"
#include "common/text_append.h"

/* Help lines start in this column; an option longer than it leaves one space. */
#define HELP_COLUMN 22
#define HELP_WIDTH 80 /* the column generated help text ends by */
/* --help lines stay below this width. */
#define HELP_WIDTH 80

/* The tiers, "standard, batch, flex or priority". */
static const char *join_tiers(char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int tier = 0; tier < PCS_TIER_COUNT; tier++)
        pcs_text_append(buf, cap, &used, "%s%s",
                        tier == 0                    ? ""
                        : tier + 1 == PCS_TIER_COUNT ? " or "
                                                     : ", ",
                        pcs_tier_name((enum pcs_tier)tier));
    return buf;
}

/* ---- handlers: each sets its field or prints its usage error ---- */

static int set_input_format(const char *command, char *value, struct cli_trace_cost *shared)
{
    int format = pcs_trace_format_parse(value);
    char formats[128];
    if (format < 0)
        return cli_usage_error(command, "--input-format: unknown format '%s' (%s)", value,
                               pcs_trace_format_list(formats, sizeof formats));
    shared->trace_config.format = (enum pcs_trace_format)format;
    return CLI_EXIT_OK;
}

static int set_model(const char *command, char *value, struct cli_trace_cost *shared)
{
    if (!*value)
        return cli_usage_error(command, "--model: empty model name");
    shared->trace_config.default_model = value;
    return CLI_EXIT_OK;
}

static int add_model_map(const char *command, char *value, struct cli_trace_cost *shared)
{
    if (cli_add_model_map(command, value, shared->aliases, &shared->alias_count, CLI_MAX_ALIASES) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    shared->trace_config.aliases = shared->aliases;
    shared->trace_config.alias_count = shared->alias_count;
    return CLI_EXIT_OK;
}

static int set_lenient(const char *command, char *value, struct cli_trace_cost *shared)
{
    (void)command;
    (void)value;
    shared->trace_config.lenient = 1;
    return CLI_EXIT_OK;
}

static int set_tier(const char *command, char *value, struct cli_trace_cost *shared)
{
    shared->tier_override = pcs_tier_parse(value);
    char tiers[64];
    if (shared->tier_override < 0)
        return cli_usage_error(command, "--tier: expected %s, got '%s'", join_tiers(tiers, sizeof tiers), value);
    return CLI_EXIT_OK;
}

static int set_region_uplift(const char *command, char *value, struct cli_trace_cost *shared)
{
    if (cli_parse_uplift(value, &shared->region_uplift) != 0)
        return cli_usage_error(command,
                               "--region-uplift: expected a multiplier such as 1.1, a share such as 0.1, "
                               "a percentage such as 10%% or catalog, got '%s'",
                               value);
    return CLI_EXIT_OK;
}

static int set_price_date(const char *command, char *value, struct cli_trace_cost *shared)
{
    (void)command;
    shared->price_date = value;
    return CLI_EXIT_OK;
}

static int set_prices(const char *command, char *value, struct cli_trace_cost *shared)
{
    (void)command;
    shared->prices_path = value;
    return CLI_EXIT_OK;
}

static int set_no_cost(const char *command, char *value, struct cli_trace_cost *shared)
{
    (void)command;
    (void)value;
    shared->no_cost = 1;
    return CLI_EXIT_OK;
}

static int set_threads(const char *command, char *value, struct cli_trace_cost *shared)
{
    uint64_t count;
    if (cli_parse_count(value, &count) != 0 || count == 0 || count > 1024)
        return cli_usage_error(command, "--threads: expected a thread count from 1 to 1024, got '%s'", value);
    shared->threads = (unsigned)count;
    return CLI_EXIT_OK;
}

/* ---- the table ---- */

/* Help read from a registry rather than written here. */
/* Every format's name, then "(default: detected)", in lines that end by
 * column HELP_WIDTH (the list grows with the registry). */
static const char *describe_input_format(char *buf, size_t cap)
{
    const size_t room = HELP_WIDTH - HELP_COLUMN;
    size_t used = 0;
    size_t line_start = 0;
    buf[0] = '\0';
    for (int f = PCS_FORMAT_AUTO + 1; f <= PCS_FORMAT_COUNT; f++) {
        const char *word =
            f < PCS_FORMAT_COUNT ? pcs_trace_format_name((enum pcs_trace_format)f) : "(default: detected)";
        const char *comma = f + 1 < PCS_FORMAT_COUNT ? "," : "";
        if (used > line_start && used - line_start + 1 + strlen(word) + strlen(comma) > room) {
            pcs_text_append(buf, cap, &used, "\n");
            line_start = used;
        } else if (used > line_start) {
            pcs_text_append(buf, cap, &used, " ");
        }
        pcs_text_append(buf, cap, &used, "%s%s", word, comma);
    }
    return buf;
}

static const char *describe_tier(char *buf, size_t cap)
{
    char tiers[64];
    size_t used = 0;
    buf[0] = '\0';
    pcs_text_append(buf, cap, &used,
                    "price every request at tier %s\n"
                    "(default: each request's own tier, standard when it has none)",
                    join_tiers(tiers, sizeof tiers));
    return buf;
}

struct shared_option {
    const char *name;
    const char *argument; /* NULL: takes none */
    enum cli_option_group group;
    const char *help; /* lines joined by '\n'; NULL: describe */
    const char *(*describe)(char *buf, size_t cap);
    int (*handle)(const char *command, char *value, struct cli_trace_cost *shared);
};

static const struct shared_option shared_options[] = {
    {"input-format", "FMT", CLI_GROUP_INPUT, NULL, describe_input_format, set_input_format},
    {"model", "NAME", CLI_GROUP_INPUT,
     "model id for formats without one (Mooncake, Azure;\n"
     "default: default)",
     NULL, set_model},
    {"model-map", "FROM=TO", CLI_GROUP_INPUT, "use model id TO for the trace's FROM (repeatable)", NULL, add_model_map},
    {"lenient", NULL, CLI_GROUP_INPUT,
     "skip bad records, count them and report the first ones\n"
     "(default: the first bad record stops the run with its place)",
     NULL, set_lenient},
    {"tier", "T", CLI_GROUP_COST, NULL, describe_tier, set_tier},
    {"region-uplift", "X", CLI_GROUP_COST,
     "regional processing surcharge: 1.1, 0.1, 10% or catalog\n"
     "(each provider's own uplift from the catalog)",
     NULL, set_region_uplift},
    {"price-date", "WHEN", CLI_GROUP_COST,
     "prices in effect at WHEN (2026-11-23, 2026-11-23T08:30:00Z,\n"
     "now; default: $PCSIM_PRICE_DATE, else today, noon UTC)",
     NULL, set_price_date},
    {"prices", "FILE", CLI_GROUP_COST, "your own catalog (schema pcsim.catalog.v1); also $PCSIM_PRICES", NULL,
     set_prices},
    {"no-cost", NULL, CLI_GROUP_COST,
     "tokens only: no catalog, no dollars\n"
     "Models the catalog does not know are reported unpriced;\n"
     "name them with --model-map FROM=CATALOG_MODEL.",
     NULL, set_no_cost},
    {"threads", "N", CLI_GROUP_SPEED,
     "1 reads and simulates on one thread; 2 (the default on a\n"
     "machine with two cores or more) indexes several files, or a\n"
     "large one (16 MiB or more) in pieces, on two threads, and reads\n"
     "a long trace (20,000 requests or more) ahead on a second one;\n"
     "replay, sweep and calibrate parse a request log read in one\n"
     "pass, and count its tokens, on N threads at once. Results are\n"
     "the same.",
     NULL, set_threads},
};

#define SHARED_COUNT (sizeof shared_options / sizeof shared_options[0])

void cli_trace_cost_init(struct cli_trace_cost *shared)
{
    memset(shared, 0, sizeof *shared);
    shared->trace_config = pcs_trace_config_default();
    shared->tier_override = -1;
    shared->region_uplift = 1.0;
    shared->threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
}

const struct option *cli_getopt_table(const struct option *own, size_t own_count, struct option *options, size_t cap)
{
    return cli_getopt_table_of(own, own_count, ~0u, options, cap);
}

const struct option *cli_getopt_table_of(const struct option *own, size_t own_count, unsigned groups,
                                         struct option *options, size_t cap)
{
    static const struct option help = {"help", no_argument, NULL, 'h'};
    static const struct option end = {NULL, 0, NULL, 0};
    size_t count = 0;
    for (size_t i = 0; i < own_count && count + 2 < cap; i++)
        options[count++] = own[i];
    for (size_t i = 0; i < SHARED_COUNT && count + 2 < cap; i++) {
        if (!(groups & (1u << shared_options[i].group)))
            continue;
        struct option entry = {shared_options[i].name, shared_options[i].argument ? required_argument : no_argument,
                               NULL, CLI_SHARED_OPTION_BASE + (int)i};
        options[count++] = entry;
    }
    options[count++] = help;
    options[count] = end;
    return options;
}

/* One option's help: "  --name ARG          help", continuation lines
 * indented alike. */
static void print_option_help(FILE *out, const char *usage, const char *help)
{
    if (help[0] == '\n') /* a usage too long for the column: the help starts below it */
        fprintf(out, "  %s", usage);
    else
        fprintf(out, "  %-*s ", HELP_COLUMN - 3, usage);
    for (const char *line = help; *line;) {
        size_t length = strcspn(line, "\n");
        if (line != help)
            fprintf(out, "%*s", HELP_COLUMN, "");
        fprintf(out, "%.*s\n", (int)length, line);
        line += length;
        if (*line == '\n')
            line++;
    }
}

/* The options of the cache parameters; a parameter without a name has no
 * option (the markers: a --ttl overrides them). A switch (PCS_UNIT_SWITCH)
 * reads on, off, 1 or 0. */
static const struct {
    const char *name;     /* the option, without "--" */
    const char *arg;      /* its argument in --help */
    int duration;         /* read as 300, 5m, 1h (ms); else as a count, 3M */
    int positive;         /* 0 is refused */
    const char *expected; /* for the usage error: "expected ..., got '...'" */
    const char *help;     /* for --help; continuation lines after '\n' */
} param_options[PCS_PARAM_COUNT] = {
    [PCS_PARAM_TTL] = {"ttl", "SECONDS", 1, 1, "a positive duration such as 300, 5m or 1h",
                       "idle TTL: 300, 0.5, 5m, 1h, 24h (an entry is alive while\n"
                       "now < last use + TTL); given, it also overrides a\n"
                       "trace's \"5m\"/\"1h\" breakpoint markers (without it\n"
                       "they stand and the TTL covers unmarked breakpoints)"},
    [PCS_PARAM_MIN_TOKENS] = {"min-tokens", "N", 0, 0, "a token count", "shortest cacheable prefix in tokens"},
    [PCS_PARAM_GRANULARITY] = {"granularity", "N", 0, 1, "a positive token count",
                               "cached tokens are rounded down to a multiple of N (openai)"},
    [PCS_PARAM_CAPACITY] = {"capacity", "TOKENS", 0, 1, "a positive token count such as 3M",
                            "cache size for lru: 3000000, 3M, 500k"},
    [PCS_PARAM_OVERFLOW_RPM] = {"overflow-rpm", "N", 0, 0, "a number of requests per minute such as 15 (0: off)",
                                "overflow routing: a prefix (its first 256 tokens, with\n"
                                "its cache_key) sent more than N times a minute is spread\n"
                                "over more machines, each with its own cache (0: off;\n"
                                "the OpenAI presets: 15)"},
    [PCS_PARAM_VISIBLE_AFTER] = {"visible-after", "on|off", 0, 0, "on, off, 1 or 0",
                                 "\nbreakpoint: an entry becomes readable only once the\n"
                                 "request that wrote it has its first token (the\n"
                                 "trace's ttft); parallel requests before then miss"},
    [PCS_PARAM_LOOKBACK] = {"lookback", "N", 0, 0, "a count of units (0: off)",
                            "breakpoint: look for an entry at most N units back\n"
                            "from each breakpoint (prompts of content blocks\n"
                            "only; 0: anywhere on the prompt)"},
};

/* 1 if parameter p has an option and its bit is in params. */
static int param_option_in(int p, unsigned params)
{
    return param_options[p].name && (pcs_cache_param_info((enum pcs_cache_param)p)->uses & params);
}

void cli_param_help(FILE *out, unsigned params)
{
    for (int p = 0; p < PCS_PARAM_COUNT; p++) {
        if (!param_option_in(p, params))
            continue;
        char usage[64];
        snprintf(usage, sizeof usage, "--%s %s", param_options[p].name, param_options[p].arg);
        print_option_help(out, usage, param_options[p].help);
    }
}

void cli_param_help_brief(FILE *out, unsigned params, const char *what)
{
    size_t count = 0, column = 2;
    fputs("  ", out);
    for (int p = 0; p < PCS_PARAM_COUNT; p++) {
        if (!param_option_in(p, params))
            continue;
        char usage[64];
        int n = snprintf(usage, sizeof usage, "%s--%s %s", count++ ? ", " : "", param_options[p].name,
                         param_options[p].arg);
        if (count > 1 && column + (size_t)n > HELP_WIDTH) { /* go on on the next line, after the comma */
            fputs(",\n ", out);
            column = 1;
            memmove(usage, usage + 1, strlen(usage)); /* the comma is printed */
            n--;
        }
        fputs(usage, out);
        column += (size_t)n;
    }
    if (column + 3 + strlen(what) > HELP_WIDTH)
        fprintf(out, "\n    %s\n", what);
    else
        fprintf(out, "   %s\n", what);
}

const struct option *cli_getopt_add_params(struct option *options, size_t cap, unsigned params)
{
    size_t count = 0;
    while (options[count].name)
        count++;
    for (int p = 0; p < PCS_PARAM_COUNT && count + 1 < cap; p++) {
        if (!param_option_in(p, params))
            continue;
        struct option entry = {param_options[p].name, required_argument, NULL, CLI_PARAM_OPTION_BASE + p};
        options[count++] = entry;
    }
    struct option end = {NULL, 0, NULL, 0};
    options[count] = end;
    return options;
}

/* cli_table_option for the parameter options: -1 if opt is not one. */
static int parse_param_option(const char *command, int opt, const char *value, struct pcs_cache_overrides *overrides)
{
    if (opt < CLI_PARAM_OPTION_BASE || opt >= CLI_PARAM_OPTION_BASE + PCS_PARAM_COUNT)
        return -1;
    int p = opt - CLI_PARAM_OPTION_BASE;
    uint64_t parsed = 0;
    int bad;
    if (pcs_cache_param_info((enum pcs_cache_param)p)->unit == PCS_UNIT_SWITCH) {
        bad = 0;
        if (strcmp(value, "on") == 0 || strcmp(value, "1") == 0)
            parsed = 1;
        else if (strcmp(value, "off") != 0 && strcmp(value, "0") != 0)
            bad = 1;
    } else if (param_options[p].duration) {
        int64_t ms = 0;
        bad = cli_parse_seconds(value, &ms) != 0 || ms < 0;
        parsed = bad ? 0 : (uint64_t)ms;
    } else {
        bad = cli_parse_count(value, &parsed) != 0;
    }
    if (bad || (param_options[p].positive && parsed == 0))
        return cli_usage_error(command, "--%s: expected %s, got '%s'", param_options[p].name, param_options[p].expected,
                               value);
    overrides->value[p] = parsed;
    overrides->given |= pcs_cache_param_info((enum pcs_cache_param)p)->uses;
    return CLI_EXIT_OK;
}

void cli_param_notes(const char *command, const struct pcs_cache_overrides *overrides, enum pcs_policy policy)
{
    const unsigned uses = pcs_policy_info(policy)->uses;
    for (int p = 0; p < PCS_PARAM_COUNT; p++) {
        unsigned bit = pcs_cache_param_info((enum pcs_cache_param)p)->uses;
        if (param_options[p].name && (overrides->given & bit) && !(uses & bit))
            fprintf(stderr, "pcsim %s: note: --%s has no effect on policy %s\n", command, param_options[p].name,
                    pcs_policy_name(policy));
    }
}

/* cli_table_option for the shared options: -1 if opt is not one. */
static int apply_shared_option(const char *command, int opt, char *value, struct cli_trace_cost *shared)
{
    if (opt < CLI_SHARED_OPTION_BASE || opt >= CLI_SHARED_OPTION_BASE + (int)SHARED_COUNT)
        return -1;
    return shared_options[opt - CLI_SHARED_OPTION_BASE].handle(command, value, shared);
}

int cli_table_option(const char *command, int opt, char *value, struct pcs_cache_overrides *overrides,
                     struct cli_trace_cost *shared)
{
    int code = parse_param_option(command, opt, value, overrides);
    return code >= 0 ? code : apply_shared_option(command, opt, value, shared);
}

/* "--name ARG" into buf. */
static const char *usage_of(const struct shared_option *option, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    pcs_text_append(buf, cap, &used, "--%s%s%s", option->name, option->argument ? " " : "",
                    option->argument ? option->argument : "");
    return buf;
}

void cli_shared_help(FILE *out, enum cli_option_group group)
{
    for (size_t i = 0; i < SHARED_COUNT; i++) {
        const struct shared_option *option = &shared_options[i];
        if (option->group != group)
            continue;
        char usage[64], described[512];
        const char *help = option->help ? option->help : option->describe(described, sizeof described);
        print_option_help(out, usage_of(option, usage, sizeof usage), help);
    }
}

void cli_shared_help_brief(FILE *out, const char *lead, enum cli_option_group group)
{
    size_t column = strlen(lead);
    fputs(lead, out);
    size_t left = 0;
    for (size_t i = 0; i < SHARED_COUNT; i++)
        left += shared_options[i].group == group;
    for (size_t i = 0; i < SHARED_COUNT; i++) {
        if (shared_options[i].group != group)
            continue;
        char usage[64];
        usage_of(&shared_options[i], usage, sizeof usage);
        const char *comma = --left ? "," : "";
        size_t width = 1 + strlen(usage) + strlen(comma);
        if (column + width >= HELP_WIDTH) {
            fputs("\n ", out);
            column = 1;
        }
        fprintf(out, " %s%s", usage, comma);
        column += width;
    }
    fputs("\n", out);
}

/* ---- points of a curve -------------------------------------------------- */

/* One value of a list or range end: a duration (ms) or a token count. */
static int parse_curve_value(const char *text, int durations, double *value)
{
    if (durations) {
        int64_t ms;
        if (cli_parse_seconds(text, &ms) != 0 || ms <= 0)
            return -1;
        *value = (double)ms;
        return 0;
    }
    uint64_t count;
    if (cli_parse_count(text, &count) != 0 || count == 0)
        return -1;
    *value = (double)count;
    return 0;
}

/* A LIST ("a,b,c") or RANGE ("a..b[:n]", log-spaced, ends included) into
 * values[0..*count), rounded to whole ms or tokens, duplicates dropped. */
int cli_parse_curve_points(const char *spec, int durations, double *values, size_t *count)
{
    char buffer[512];
    if (strlen(spec) >= sizeof buffer)
        return -1;
    snprintf(buffer, sizeof buffer, "%s", spec);
    *count = 0;
    char *dots = strstr(buffer, "..");
    if (dots) {
        *dots = '\0';
        char *to = dots + 2;
        char *colon = strchr(to, ':');
        uint64_t n = CLI_DEFAULT_RANGE_POINTS;
        if (colon) {
            *colon = '\0';
            if (cli_parse_count(colon + 1, &n) != 0 || n < 2 || n > CLI_MAX_CURVE_POINTS)
                return -1;
        }
        double low, high;
        if (parse_curve_value(buffer, durations, &low) != 0 || parse_curve_value(to, durations, &high) != 0 ||
            high <= low)
            return -1;
        for (uint64_t i = 0; i < n; i++) {
            double value = round(low * pow(high / low, (double)i / (double)(n - 1)));
            if (*count == 0 || value != values[*count - 1])
                values[(*count)++] = value;
        }
        return 0;
    }
    for (char *item = strtok(buffer, ","); item; item = strtok(NULL, ",")) {
        double value;
        if (*count == CLI_MAX_CURVE_POINTS || parse_curve_value(item, durations, &value) != 0)
            return -1;
        values[(*count)++] = value;
    }
    return *count ? 0 : -1;
}

enum pcs_status cli_curve_model_config(void *context, uint32_t model, const char *name, struct pcs_cache_config *config,
                                       struct pcs_error *err)
{
    (void)model;
    const struct cli_curve_model_presets *presets = context;
    int64_t ttl_ms = config->ttl_ms;
    if (pcs_model_cache_config(presets->preset, pcs_catalog_resolve(presets->catalog, name, NULL), config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_ARG, "model %s: no cache preset", name);
    config->ttl_ms = ttl_ms;
    pcs_cache_overrides_apply(presets->overrides, config);
    return PCS_OK;
}
