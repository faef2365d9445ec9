/* pcsim sweep: cached tokens (and dollars) as a function of the TTL or of
 * the cache's capacity, every point in one pass over the trace. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dist/dist.h"
#include "cli_options.h"
#include "cli_pricing.h"
#include "pcsim/report.h"
#include "pcsim/sweep.h"

#define MAX_POINTS CLI_MAX_CURVE_POINTS

/* The parameters a sweep takes as overrides: all but the ones its curves vary. */
#define SWEEP_OVERRIDABLE (~(unsigned)(PCS_USES_TTL | PCS_USES_CAPACITY))

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
          "                         anthropic-1h, openai-bp (breakpoint; a lane per TTL);\n"
          "                         --capacity always uses lru\n",
          out);
    cli_param_help_brief(out, SWEEP_OVERRIDABLE, "override the preset's");
    fputs("\n", out);
    cli_shared_help_brief(out, "Input (as for replay):", CLI_GROUP_INPUT);
    cli_shared_help_brief(out, "Cost (as for replay):", CLI_GROUP_COST);
    cli_shared_help_brief(out, "Speed (as for replay):", CLI_GROUP_SPEED);
    fputs("\n"
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

enum { OPT_TTL = 256, OPT_CAPACITY, OPT_POLICY, OPT_FORMAT, OPT_HTML, OPT_OUTPUT };

/* Sweep's own options; the trace and cost options are cli_options.c's. */
static const struct option own_options[] = {
    {"ttl", required_argument, NULL, OPT_TTL},       {"capacity", required_argument, NULL, OPT_CAPACITY},
    {"policy", required_argument, NULL, OPT_POLICY}, {"format", required_argument, NULL, OPT_FORMAT},
    {"html", required_argument, NULL, OPT_HTML},     {"output", required_argument, NULL, OPT_OUTPUT},
};

struct sweep_options {
    const char *ttl_spec;
    const char *capacity_spec;
    const char *preset;
    struct pcs_cache_overrides overrides; /* of the parameters a curve does not vary */
    struct cli_trace_cost shared;
    int output; /* 0 text, 1 json, 2 csv */
    const char *html_path;
    const char *output_path;
};

static int parse_options(int argc, char **argv, struct sweep_options *opts)
{
    struct option table[CLI_MAX_OPTIONS];
    cli_getopt_table(own_options, sizeof own_options / sizeof own_options[0], table, CLI_MAX_OPTIONS);
    /* --ttl and --capacity are the curves' own lists; the other parameters override the preset's. */
    const struct option *options = cli_getopt_add_params(table, CLI_MAX_OPTIONS, SWEEP_OVERRIDABLE);
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_TTL: opts->ttl_spec = optarg; break;
        case OPT_CAPACITY: opts->capacity_spec = optarg; break;
        case OPT_POLICY: opts->preset = optarg; break;
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
        default: {
            int code = cli_table_option("sweep", opt, optarg, &opts->overrides, &opts->shared);
            if (code < 0)
                return cli_option_error("sweep", argv);
            if (code != CLI_EXIT_OK)
                return code;
        }
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
    pcs_cache_overrides_apply(&opts->overrides, config);
    return CLI_EXIT_OK;
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

/* Under mpirun every rank ends here: a failed rank ends the others (they
 * would wait for it), and only rank 0 has written anything. */
static int sweep_finish(int exit_code)
{
    if (exit_code == CLI_EXIT_DATA)
        pcs_dist_abort("sweep", exit_code);
    pcs_dist_finish();
    return cli_finish_stdout(exit_code);
}

int cmd_sweep(int argc, char **argv)
{
    struct sweep_options opts;
    memset(&opts, 0, sizeof opts);
    cli_trace_cost_init(&opts.shared);
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    static double values[MAX_POINTS];
    size_t count = 0;
    int durations = opts.ttl_spec != NULL;
    if (cli_parse_curve_points(durations ? opts.ttl_spec : opts.capacity_spec, durations, values, &count) != 0)
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
        if ((opts.overrides.given & PCS_USES_OVERFLOW) && opts.overrides.value[PCS_PARAM_OVERFLOW_RPM] > 0)
            return cli_usage_error("sweep", "--overflow-rpm: capacity curves do not route requests; replay "
                                            "--policy lru --capacity C --overflow-rpm N for each capacity");
    }
    double price_time_s = 0;
    if (cli_price_time("sweep", opts.shared.price_date, &price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    struct pcs_error err = {0};
    /* Under mpirun each rank sweeps its own points (point i is rank i mod
     * N's; every point is exact on its own) and rank 0 gathers and reports
     * the curve (src/dist/dist.h). */
    if (pcs_dist_start(&err) != PCS_OK) {
        fprintf(stderr, "pcsim sweep: %s\n", err.message);
        return sweep_finish(CLI_EXIT_DATA);
    }
    size_t asked = count;
    count = 0;
    for (size_t i = 0; i < asked; i++)
        if (pcs_dist_owns(i))
            values[count++] = values[i];
    /* The catalog prices the curve and gives per-model minimums. */
    const char *preset = durations ? (opts.preset ? opts.preset : "ttl") : "lru";
    int per_model = durations && pcs_preset_is_per_model(preset);
    int reads_catalog = !opts.shared.no_cost || per_model;
    const struct cli_path outputs[] = {
        {"--output", opts.output_path, 1},
        {"--html", opts.html_path, 1},
    };
    struct cli_trace_inputs opened;
    code = cli_open_trace_inputs("sweep", argv + optind, (size_t)(argc - optind), opts.shared.prices_path,
                                 reads_catalog, outputs, sizeof outputs / sizeof outputs[0], &opened);
    if (code != CLI_EXIT_OK)
        return sweep_finish(code);
    pcs_catalog *catalog = opened.catalog;
    pcs_inputs *inputs = opened.inputs;
    opts.shared.trace_config.threads = opts.shared.threads;
    /* The files read (a directory's in its place) are the ones reported. */
    const char *const *paths = pcs_inputs_names(inputs);
    size_t path_count = pcs_inputs_count(inputs);
    enum pcs_status status;
    pcs_trace *trace = pcs_trace_open_inputs(inputs, &opts.shared.trace_config, &err);
    if (!trace) {
        cli_trace_error("sweep", err.status, &err);
        pcs_inputs_free(inputs);
        pcs_catalog_free(catalog);
        return sweep_finish(CLI_EXIT_DATA);
    }
    struct pcs_replay_cost_config pricing = {
        catalog, price_time_s, opts.shared.tier_override, opts.shared.region_uplift, preset, 0};
    struct pcs_sweep_result result;
    memset(&result, 0, sizeof result);
    if (count == 0) {
        status = PCS_OK; /* more ranks than points: this one has none */
    } else if (durations) {
        int64_t ttls[MAX_POINTS];
        for (size_t i = 0; i < count; i++)
            ttls[i] = (int64_t)values[i];
        struct cli_curve_model_presets presets = {preset, catalog, &opts.overrides};
        status = pcs_sweep_ttl_per_model(trace, &config, ttls, count, catalog && !opts.shared.no_cost ? &pricing : NULL,
                                         opts.shared.threads, per_model ? cli_curve_model_config : NULL, &presets,
                                         &result, &err);
    } else {
        uint64_t capacities[MAX_POINTS];
        for (size_t i = 0; i < count; i++)
            capacities[i] = (uint64_t)values[i];
        status = pcs_sweep_capacity(trace, capacities, count, catalog && !opts.shared.no_cost ? &pricing : NULL,
                                    opts.shared.threads, &result, &err);
    }
    if (status == PCS_OK)
        status = pcs_dist_gather_sweep(&result, asked, &err);
    int exit_code = CLI_EXIT_OK;
    if (status != PCS_OK) {
        fprintf(stderr, "pcsim sweep: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        exit_code = CLI_EXIT_DATA;
    } else if (!pcs_dist_is_root()) {
        pcs_sweep_result_free(&result);
    } else {
        if (result.skipped) {
            fprintf(stderr, "pcsim sweep: skipped %llu bad record%s (--lenient); the first:\n",
                    (unsigned long long)result.skipped, result.skipped == 1 ? "" : "s");
            pcs_trace_print_skips(trace, stderr, 5);
        }
        struct pcs_sweep_report report = {paths,       path_count, preset,
                                          &result,     trace,      result.priced ? pcs_catalog_source(catalog) : NULL,
                                          price_time_s};
        exit_code = write_outputs(&opts, &report);
        pcs_sweep_result_free(&result);
    }
    pcs_trace_free(trace);
    pcs_inputs_free(inputs);
    pcs_catalog_free(catalog);
    return sweep_finish(exit_code);
}
