/* pcsim sweep: cached tokens (and dollars) as a function of the TTL or of
 * the cache's capacity, every point in one pass over the trace. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_pricing.h"
#include "pcsim/report.h"
#include "pcsim/sweep.h"

#define MAX_POINTS 1024
#define MAX_ALIASES 64
#define DEFAULT_RANGE_POINTS 16

static void print_help(FILE *out)
{
    fputs("Usage: pcsim sweep [options] --ttl LIST|RANGE TRACE...\n"
          "       pcsim sweep [options] --capacity LIST|RANGE TRACE...\n"
          "\n"
          "The cached-token curve of a trace: for every TTL (ttl, openai and breakpoint\n"
          "policies) or every capacity (lru), what a replay with that setting gives, token\n"
          "for token, plus the ideal cache's ceiling, and dollars per point when the\n"
          "trace's models are in the price catalog. TTL curves of ttl and openai and every\n"
          "capacity curve take one pass over the trace, however many points.\n"
          "A TRACE is a file, a directory (its files, recursively, in name order; hidden\n"
          "entries skipped, with a note), - for standard input (once), a FIFO or <(...),\n"
          "or a gzip/zstd file (.gz, .zst; told by its bytes), decompressed on the fly.\n"
          "\n"
          "Points:\n"
          "  --ttl LIST|RANGE       TTLs: a list (60,300,1h,24h) or a range FROM..TO[:N]\n"
          "                         of N log-spaced points (default 16), e.g. 1m..24h:64;\n"
          "                         each TTL overrides a trace's \"5m\"/\"1h\" markers\n"
          "  --capacity LIST|RANGE  capacities in tokens: 1M,3M,10M or 100k..100M:32\n"
          "\n"
          "Cache:\n"
          "  --policy NAME          for --ttl: ttl (default), openai, openai-24h, gemini,\n"
          "                         deepseek (openai-like), breakpoint, anthropic-5m,\n"
          "                         anthropic-1h, openai-bp (breakpoint; one cache per TTL);\n"
          "                         --capacity always uses lru\n"
          "  --min-tokens N, --granularity N   override the preset's\n"
          "\n"
          "Input (as for replay): --input-format FMT, --model NAME, --model-map FROM=TO,\n"
          "  --lenient\n"
          "Cost (as for replay): --tier T, --region-uplift X, --price-date WHEN,\n"
          "  --prices FILE, --no-cost\n"
          "\n"
          "Output:\n"
          "  --format FMT           text (default), json (schema pcsim.sweep.v1) or csv\n"
          "  --html FILE            also write a self-contained HTML page with the curve,\n"
          "                         the ideal ceiling and the providers' TTLs marked\n"
          "  --output FILE          write the report to FILE instead of stdout (written whole\n"
          "                         or not at all, as --html)\n"
          "  -h, --help             this help\n"
          "\n"
          "Examples:\n"
          "  pcsim sweep --ttl 1m..24h:64 --policy openai trace.jsonl\n"
          "  pcsim sweep --capacity 100k..100M:32 --html curve.html trace.jsonl\n",
          out);
}

enum { OPT_TTL = 256, OPT_CAPACITY, OPT_POLICY, OPT_MIN_TOKENS, OPT_GRANULARITY, OPT_INPUT_FORMAT, OPT_MODEL,
       OPT_MODEL_MAP, OPT_LENIENT, OPT_TIER, OPT_UPLIFT, OPT_PRICE_DATE, OPT_PRICES, OPT_NO_COST, OPT_FORMAT,
       OPT_HTML, OPT_THREADS, OPT_OUTPUT };

static const struct option options[] = {
    {"ttl", required_argument, NULL, OPT_TTL},
    {"capacity", required_argument, NULL, OPT_CAPACITY},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"min-tokens", required_argument, NULL, OPT_MIN_TOKENS},
    {"granularity", required_argument, NULL, OPT_GRANULARITY},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"model", required_argument, NULL, OPT_MODEL},
    {"model-map", required_argument, NULL, OPT_MODEL_MAP},
    {"lenient", no_argument, NULL, OPT_LENIENT},
    {"tier", required_argument, NULL, OPT_TIER},
    {"region-uplift", required_argument, NULL, OPT_UPLIFT},
    {"price-date", required_argument, NULL, OPT_PRICE_DATE},
    {"prices", required_argument, NULL, OPT_PRICES},
    {"no-cost", no_argument, NULL, OPT_NO_COST},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"html", required_argument, NULL, OPT_HTML},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct sweep_options {
    const char *ttl_spec;
    const char *capacity_spec;
    const char *preset;
    uint64_t min_tokens, granularity;
    int has_min, has_granularity;
    struct pcs_trace_config trace_config;
    struct pcs_model_alias aliases[MAX_ALIASES];
    size_t alias_count;
    int tier_override;
    double region_uplift;
    const char *price_date;
    const char *prices_path;
    int no_cost;
    int output; /* 0 text, 1 json, 2 csv */
    const char *html_path;
    const char *output_path;
    unsigned threads;
};

/* One value of a list or range end: a duration (ms) or a token count. */
static int parse_value(const char *text, int durations, double *value)
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
static int parse_points(const char *spec, int durations, double *values, size_t *count)
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
        uint64_t n = DEFAULT_RANGE_POINTS;
        if (colon) {
            *colon = '\0';
            if (cli_parse_count(colon + 1, &n) != 0 || n < 2 || n > MAX_POINTS)
                return -1;
        }
        double low, high;
        if (parse_value(buffer, durations, &low) != 0 || parse_value(to, durations, &high) != 0 || high <= low)
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
        if (*count == MAX_POINTS || parse_value(item, durations, &value) != 0)
            return -1;
        values[(*count)++] = value;
    }
    return *count ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct sweep_options *opts)
{
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_TTL: opts->ttl_spec = optarg; break;
        case OPT_CAPACITY: opts->capacity_spec = optarg; break;
        case OPT_POLICY: opts->preset = optarg; break;
        case OPT_MIN_TOKENS:
            if (cli_parse_count(optarg, &opts->min_tokens) != 0)
                return cli_usage_error("sweep", "--min-tokens: expected a token count, got '%s'", optarg);
            opts->has_min = 1;
            break;
        case OPT_GRANULARITY:
            if (cli_parse_count(optarg, &opts->granularity) != 0 || opts->granularity == 0)
                return cli_usage_error("sweep", "--granularity: expected a positive token count, got '%s'", optarg);
            opts->has_granularity = 1;
            break;
        case OPT_INPUT_FORMAT: {
            int format = pcs_trace_format_parse(optarg);
            char formats[128];
            if (format < 0)
                return cli_usage_error("sweep", "--input-format: unknown format '%s' (%s)", optarg,
                                       pcs_trace_format_list(formats, sizeof formats));
            opts->trace_config.format = (enum pcs_trace_format)format;
            break;
        }
        case OPT_MODEL:
            if (!*optarg)
                return cli_usage_error("sweep", "--model: empty model name");
            opts->trace_config.default_model = optarg;
            break;
        case OPT_MODEL_MAP:
            if (cli_add_model_map("sweep", optarg, opts->aliases, &opts->alias_count, MAX_ALIASES) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case OPT_LENIENT: opts->trace_config.lenient = 1; break;
        case OPT_TIER:
            opts->tier_override = pcs_tier_parse(optarg);
            if (opts->tier_override < 0)
                return cli_usage_error("sweep", "--tier: expected standard, batch, flex or priority, got '%s'", optarg);
            break;
        case OPT_UPLIFT:
            if (cli_parse_uplift(optarg, &opts->region_uplift) != 0)
                return cli_usage_error("sweep", "--region-uplift: expected 1.1, 0.1, 10%% or catalog, got '%s'",
                                       optarg);
            break;
        case OPT_PRICE_DATE: opts->price_date = optarg; break;
        case OPT_PRICES: opts->prices_path = optarg; break;
        case OPT_NO_COST: opts->no_cost = 1; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                opts->output = 0;
            else if (strcmp(optarg, "json") == 0)
                opts->output = 1;
            else if (strcmp(optarg, "csv") == 0)
                opts->output = 2;
            else
                return cli_usage_error("sweep", "--format: expected text, json or csv, got '%s'", optarg);
            break;
        case OPT_HTML: opts->html_path = optarg; break;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        case OPT_THREADS: {
            uint64_t threads;
            if (cli_parse_count(optarg, &threads) != 0 || threads == 0 || threads > 1024)
                return cli_usage_error("sweep", "--threads: expected 1 to 1024, got '%s'", optarg);
            opts->threads = (unsigned)threads;
            break;
        }
        default:
            return cli_option_error("sweep", argv);
        }
    }
    if (!opts->ttl_spec == !opts->capacity_spec)
        return cli_usage_error("sweep", "give either --ttl or --capacity");
    if (optind >= argc)
        return cli_usage_error("sweep", "no trace file given");
    return CLI_EXIT_OK;
}

/* The policy of a TTL curve with the user's overrides. */
static int ttl_config(const struct sweep_options *opts, struct pcs_cache_config *config)
{
    const char *preset = opts->preset ? opts->preset : "ttl";
    if (pcs_cache_preset(preset, config) != PCS_OK)
        return cli_usage_error("sweep", "unknown policy '%s'", preset);
    if (!pcs_policy_info(config->policy)->ttl_curve) {
        char names[96];
        return cli_usage_error("sweep", "--ttl curves are for %s presets, not '%s'",
                               pcs_policy_ttl_curve_names(names, sizeof names), preset);
    }
    if (opts->has_min)
        config->min_tokens = opts->min_tokens;
    if (opts->has_granularity)
        config->granularity = opts->granularity;
    return CLI_EXIT_OK;
}

/* Per-model minimums of the Anthropic and Gemini presets, from the catalog. */
struct model_presets {
    const char *preset;
    const pcs_catalog *catalog;
    const struct sweep_options *opts;
};

static enum pcs_status configure_model(void *context, uint32_t model, const char *name,
                                       struct pcs_cache_config *config, struct pcs_error *err)
{
    (void)model;
    const struct model_presets *presets = context;
    int64_t ttl_ms = config->ttl_ms;
    if (pcs_model_cache_config(presets->preset, pcs_catalog_resolve(presets->catalog, name, NULL), config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_ARG, "model %s: no cache preset", name);
    config->ttl_ms = ttl_ms;
    if (presets->opts->has_min)
        config->min_tokens = presets->opts->min_tokens;
    if (presets->opts->has_granularity)
        config->granularity = presets->opts->granularity;
    return PCS_OK;
}

static int write_outputs(const struct sweep_options *opts, const struct pcs_sweep_report *report)
{
    struct pcs_output file = {NULL, NULL, NULL, NULL};
    if (opts->output_path && cli_output_open("sweep", opts->output_path, &file) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    FILE *out = file.file ? file.file : stdout;
    enum pcs_status status = opts->output == 1   ? pcs_report_sweep_json(out, report)
                             : opts->output == 2 ? pcs_report_sweep_csv(out, report)
                                                 : pcs_report_sweep_text(out, report);
    if (file.file && cli_output_close("sweep", &file, status == PCS_OK) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    if (status != PCS_OK) {
        if (!opts->output_path)
            fprintf(stderr, "pcsim sweep: writing the report failed: %s\n", pcs_strerror(status));
        return CLI_EXIT_DATA;
    }
    if (!opts->html_path)
        return CLI_EXIT_OK;
    struct pcs_output html;
    int code = cli_output_open("sweep", opts->html_path, &html);
    if (code != CLI_EXIT_OK)
        return code;
    status = pcs_report_sweep_html(html.file, report);
    return cli_output_close("sweep", &html, status == PCS_OK);
}

int cmd_sweep(int argc, char **argv)
{
    struct sweep_options opts;
    memset(&opts, 0, sizeof opts);
    opts.trace_config = pcs_trace_config_default();
    opts.tier_override = -1;
    opts.region_uplift = 1.0;
    opts.threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    static double values[MAX_POINTS];
    size_t count = 0;
    int durations = opts.ttl_spec != NULL;
    if (parse_points(durations ? opts.ttl_spec : opts.capacity_spec, durations, values, &count) != 0)
        return cli_usage_error("sweep", "%s: expected a list (%s) or a range FROM..TO[:N], got '%s'",
                               durations ? "--ttl" : "--capacity", durations ? "60,300,1h" : "1M,3M,10M",
                               durations ? opts.ttl_spec : opts.capacity_spec);
    struct pcs_cache_config config;
    if (durations) {
        code = ttl_config(&opts, &config);
        if (code != CLI_EXIT_OK)
            return code;
    } else {
        if (opts.preset && strcmp(opts.preset, "lru") != 0)
            return cli_usage_error("sweep", "--capacity curves use the lru policy, not '%s'", opts.preset);
        pcs_cache_preset("lru", &config);
    }
    double price_time_s = 0;
    if (cli_price_time("sweep", opts.price_date, &price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    struct pcs_error err = {0};
    /* The catalog prices the curve and gives per-model minimums. */
    const char *preset = durations ? (opts.preset ? opts.preset : "ttl") : "lru";
    int per_model = durations && pcs_preset_is_per_model(preset);
    int reads_catalog = !opts.no_cost || per_model;
    const struct cli_path outputs[] = {
        {"--output", opts.output_path, 1},
        {"--html", opts.html_path, 1},
    };
    struct cli_trace_inputs opened;
    code = cli_open_trace_inputs("sweep", argv + optind, (size_t)(argc - optind), opts.prices_path, reads_catalog,
                                 outputs, sizeof outputs / sizeof outputs[0], &opened);
    if (code != CLI_EXIT_OK)
        return code;
    pcs_catalog *catalog = opened.catalog;
    pcs_inputs *inputs = opened.inputs;
    opts.trace_config.aliases = opts.aliases;
    opts.trace_config.alias_count = opts.alias_count;
    opts.trace_config.threads = opts.threads;
    /* The files read (a directory's in its place) are the ones reported. */
    const char *const *paths = pcs_inputs_names(inputs);
    size_t path_count = pcs_inputs_count(inputs);
    enum pcs_status status;
    pcs_trace *trace = pcs_trace_open_inputs(inputs, &opts.trace_config, &err);
    if (!trace) {
        cli_trace_error("sweep", err.status, &err);
        pcs_inputs_free(inputs);
        pcs_catalog_free(catalog);
        return CLI_EXIT_DATA;
    }
    struct pcs_replay_cost_config pricing = {catalog, price_time_s, opts.tier_override, opts.region_uplift};
    struct pcs_sweep_result result;
    if (durations) {
        int64_t ttls[MAX_POINTS];
        for (size_t i = 0; i < count; i++)
            ttls[i] = (int64_t)values[i];
        struct model_presets presets = {preset, catalog, &opts};
        status = pcs_sweep_ttl_per_model(trace, &config, ttls, count, catalog && !opts.no_cost ? &pricing : NULL,
                                         opts.threads, per_model ? configure_model : NULL, &presets, &result, &err);
    } else {
        uint64_t capacities[MAX_POINTS];
        for (size_t i = 0; i < count; i++)
            capacities[i] = (uint64_t)values[i];
        status = pcs_sweep_capacity(trace, capacities, count, catalog && !opts.no_cost ? &pricing : NULL, opts.threads,
                                    &result, &err);
    }
    int exit_code = CLI_EXIT_OK;
    if (status != PCS_OK) {
        fprintf(stderr, "pcsim sweep: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        exit_code = CLI_EXIT_DATA;
    } else {
        if (result.skipped) {
            fprintf(stderr, "pcsim sweep: skipped %llu bad record%s (--lenient); the first:\n",
                    (unsigned long long)result.skipped, result.skipped == 1 ? "" : "s");
            pcs_trace_print_skips(trace, stderr, 5);
        }
        struct pcs_sweep_report report = {paths, path_count, preset, &result, trace,
                                          result.priced ? pcs_catalog_source(catalog) : NULL, price_time_s};
        exit_code = write_outputs(&opts, &report);
        pcs_sweep_result_free(&result);
    }
    pcs_trace_free(trace);
    pcs_inputs_free(inputs);
    pcs_catalog_free(catalog);
    return cli_finish_stdout(exit_code);
}
