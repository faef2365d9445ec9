/* pcsim calibrate: the TTL that makes the cache model agree best with the
 * usage the provider reported (DESIGN §9), every TTL in one pass, then what
 * the trace costs under each preset with it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dist/dist.h"
#include "cli_options.h"
#include "cli_pricing.h"
#include "pcsim/calibrate.h"
#include "pcsim/report.h"

/* The parameters calibrate takes as overrides: all but the TTL it varies
 * (and the capacity, which no TTL curve reads). */
#define CALIBRATE_OVERRIDABLE (~(unsigned)(PCS_USES_TTL | PCS_USES_CAPACITY))

static void print_help(FILE *out)
{
    fputs("Usage: pcsim calibrate [options] --ttl LIST|RANGE TRACE...\n"
          "\n"
          "The TTL at which the cache model agrees best with the usage the provider\n"
          "reported. Requests that carry \"observed\" usage (native traces, imported\n"
          "request logs) are replayed at every TTL in one pass, as 'pcsim sweep' does,\n"
          "and each TTL gets the error E = sum(|sim cache_read - observed| + |sim\n"
          "cache_write - observed|) / sum(input) over them. Reports the best TTL (the\n"
          "smallest with the least E), the interval of TTLs around it whose E is within\n"
          "0.001 of the best, E at the preset's own TTL, and, when the trace's models\n"
          "are in the price catalog, what the trace costs under each preset with the\n"
          "best TTL. Requests without observed usage are replayed but not part of E.\n"
          "A TRACE is a file, a directory, - for standard input, a FIFO or a gzip/zstd\n"
          "file, as for replay.\n"
          "\n"
          "Points:\n"
          "  --ttl LIST|RANGE       TTLs: a list (60,300,1h) or a range FROM..TO[:N] of N\n"
          "                         log-spaced points (default 16), e.g. 1m..2h:64; each\n"
          "                         TTL overrides a trace's \"5m\"/\"1h\" markers\n"
          "\n"
          "Cache:\n"
          "  --policy NAME          ttl (default), openai, openai-24h, gemini, deepseek\n"
          "                         (openai-like, one pass), breakpoint, anthropic-5m,\n"
          "                         anthropic-1h, openai-bp (one tree, a lane per TTL)\n",
          out);
    cli_param_help_brief(out, CALIBRATE_OVERRIDABLE, "override the preset's");
    fputs("\n", out);
    cli_shared_help_brief(out, "Input (as for replay):", CLI_GROUP_INPUT);
    cli_shared_help_brief(out, "Cost (as for replay):", CLI_GROUP_COST);
    cli_shared_help_brief(out, "Speed (as for replay):", CLI_GROUP_SPEED);
    fputs("\n"
          "Output:\n"
          "  --format FMT           text (default), json (schema pcsim.calibrate.v1) or csv\n"
          "  --html FILE            also write a self-contained HTML page with the error\n"
          "                         curve, the best TTL, its interval and the preset's TTL\n"
          "  --output FILE          write the report to FILE instead of stdout (written whole\n"
          "                         or not at all, as --html)\n"
          "  -h, --help             this help\n"
          "\n"
          "Example:\n"
          "  pcsim calibrate --ttl 1m..2h:64 --policy anthropic-5m requests.jsonl\n",
          out);
}

enum { OPT_TTL = 256, OPT_POLICY, OPT_FORMAT, OPT_HTML, OPT_OUTPUT };

static const struct option own_options[] = {
    {"ttl", required_argument, NULL, OPT_TTL},       {"policy", required_argument, NULL, OPT_POLICY},
    {"format", required_argument, NULL, OPT_FORMAT}, {"html", required_argument, NULL, OPT_HTML},
    {"output", required_argument, NULL, OPT_OUTPUT},
};

struct calibrate_options {
    const char *ttl_spec;
    const char *preset;
    struct pcs_cache_overrides overrides;
    struct cli_trace_cost shared;
    int output; /* 0 text, 1 json, 2 csv */
    const char *html_path;
    const char *output_path;
};

static int parse_options(int argc, char **argv, struct calibrate_options *opts)
{
    struct option table[CLI_MAX_OPTIONS];
    cli_getopt_table(own_options, sizeof own_options / sizeof own_options[0], table, CLI_MAX_OPTIONS);
    const struct option *options = cli_getopt_add_params(table, CLI_MAX_OPTIONS, CALIBRATE_OVERRIDABLE);
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_TTL: opts->ttl_spec = optarg; break;
        case OPT_POLICY: opts->preset = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                opts->output = 0;
            else if (strcmp(optarg, "json") == 0)
                opts->output = 1;
            else if (strcmp(optarg, "csv") == 0)
                opts->output = 2;
            else
                return cli_usage_error("calibrate", "--format: expected text, json or csv, got '%s'", optarg);
            break;
        case OPT_HTML: opts->html_path = optarg; break;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        default: {
            int code = cli_table_option("calibrate", opt, optarg, &opts->overrides, &opts->shared);
            if (code < 0)
                return cli_option_error("calibrate", argv);
            if (code != CLI_EXIT_OK)
                return code;
        }
        }
    }
    if (!opts->ttl_spec)
        return cli_usage_error("calibrate", "give the TTLs to try with --ttl (a list or a range, e.g. 1m..2h:64)");
    if (optind >= argc)
        return cli_usage_error("calibrate", "no trace file given");
    return CLI_EXIT_OK;
}

static int write_outputs(const struct calibrate_options *opts, const struct pcs_calibrate_report *report)
{
    struct pcs_output file = {NULL, NULL, NULL, NULL};
    if (opts->output_path && cli_output_open("calibrate", opts->output_path, &file) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    FILE *out = file.file ? file.file : stdout;
    enum pcs_status status = opts->output == 1   ? pcs_report_calibrate_json(out, report)
                             : opts->output == 2 ? pcs_report_calibrate_csv(out, report)
                                                 : pcs_report_calibrate_text(out, report);
    if (file.file && cli_output_close("calibrate", &file, status == PCS_OK) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    if (status != PCS_OK) {
        if (!opts->output_path)
            fprintf(stderr, "pcsim calibrate: writing the report failed: %s\n", pcs_strerror(status));
        return CLI_EXIT_DATA;
    }
    if (!opts->html_path)
        return CLI_EXIT_OK;
    struct pcs_output html;
    int code = cli_output_open("calibrate", opts->html_path, &html);
    if (code != CLI_EXIT_OK)
        return code;
    status = pcs_report_calibrate_html(html.file, report);
    return cli_output_close("calibrate", &html, status == PCS_OK);
}

/* The presets' costs at the best TTL: a second read of the inputs. */
static enum pcs_status price_presets(const pcs_inputs *inputs, const struct calibrate_options *opts, int64_t ttl_ms,
                                     const struct pcs_replay_cost_config *pricing, struct pcs_calibrate_costs *costs,
                                     struct pcs_error *err)
{
    pcs_trace *trace = pcs_trace_open_inputs(inputs, &opts->shared.trace_config, err);
    if (!trace)
        return err->status;
    enum pcs_status status = pcs_calibrate_costs(trace, ttl_ms, pricing, opts->shared.threads, costs, err);
    pcs_trace_free(trace);
    return status;
}

/* Under mpirun every rank ends here: a failed rank ends the others (they
 * would wait for it), and only rank 0 has written anything. */
static int calibrate_finish(int exit_code)
{
    if (exit_code == CLI_EXIT_DATA)
        pcs_dist_abort("calibrate", exit_code);
    pcs_dist_finish();
    return cli_finish_stdout(exit_code);
}

int cmd_calibrate(int argc, char **argv)
{
    struct calibrate_options opts;
    memset(&opts, 0, sizeof opts);
    cli_trace_cost_init(&opts.shared);
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    static double values[CLI_MAX_CURVE_POINTS];
    size_t count = 0;
    if (cli_parse_curve_points(opts.ttl_spec, 1, values, &count) != 0)
        return cli_usage_error("calibrate", "--ttl: expected a list (60,300,1h) or a range FROM..TO[:N], got '%s'",
                               opts.ttl_spec);
    const char *preset = opts.preset ? opts.preset : "ttl";
    struct pcs_calibrate_config config = {.ttl_count = count, .threads = opts.shared.threads};
    if (pcs_cache_preset(preset, &config.base) != PCS_OK)
        return cli_usage_error("calibrate", "unknown policy '%s'", preset);
    if (!pcs_policy_info(config.base.policy)->ttl_curve) {
        char names[96];
        return cli_usage_error("calibrate", "a calibration is for %s presets, not '%s'",
                               pcs_policy_ttl_curve_names(names, sizeof names), preset);
    }
    pcs_cache_overrides_apply(&opts.overrides, &config.base);
    cli_param_notes("calibrate", &opts.overrides, config.base.policy);
    double price_time_s = 0;
    if (cli_price_time("calibrate", opts.shared.price_date, &price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    int per_model = pcs_preset_is_per_model(preset);
    /* Under mpirun each rank sweeps its own TTL points (point i is rank i
     * mod N's) and rank 0 gathers them, finds tau* and reports
     * (src/dist/dist.h). */
    struct pcs_error err = {0};
    if (pcs_dist_start(&err) != PCS_OK) {
        fprintf(stderr, "pcsim calibrate: %s\n", err.message);
        return calibrate_finish(CLI_EXIT_DATA);
    }
    struct pcs_calibrate_share share;
    config.share = pcs_dist_calibrate_share(&share);
    int root = pcs_dist_is_root();
    const struct cli_path outputs[] = {
        {"--output", opts.output_path, 1},
        {"--html", opts.html_path, 1},
    };
    struct cli_trace_inputs opened;
    code =
        cli_open_trace_inputs("calibrate", argv + optind, (size_t)(argc - optind), opts.shared.prices_path,
                              !opts.shared.no_cost || per_model, outputs, sizeof outputs / sizeof outputs[0], &opened);
    if (code != CLI_EXIT_OK)
        return calibrate_finish(code);
    pcs_catalog *catalog = opened.catalog;
    pcs_inputs *inputs = opened.inputs;
    opts.shared.trace_config.threads = opts.shared.threads;
    pcs_trace *trace = pcs_trace_open_inputs(inputs, &opts.shared.trace_config, &err);
    if (!trace) {
        cli_trace_error("calibrate", err.status, &err);
        pcs_inputs_free(inputs);
        pcs_catalog_free(catalog);
        return calibrate_finish(CLI_EXIT_DATA);
    }
    int64_t *ttls = malloc(count * sizeof *ttls);
    for (size_t i = 0; ttls && i < count; i++)
        ttls[i] = (int64_t)values[i];
    config.ttls_ms = ttls;
    struct cli_curve_model_presets presets = {preset, catalog, &opts.overrides};
    if (per_model) {
        config.model_config = cli_curve_model_config;
        config.model_config_context = &presets;
    }
    struct pcs_calibrate_result result = {0};
    enum pcs_status status =
        ttls ? pcs_calibrate(trace, &config, &result, &err) : pcs_error_set(&err, PCS_ERR_NOMEM, "out of memory");
    free(ttls);
    struct pcs_replay_cost_config pricing = {
        catalog, price_time_s, opts.shared.tier_override, opts.shared.region_uplift, NULL, 0};
    struct pcs_calibrate_costs costs = {0};
    int priced = 0;
    if (status == PCS_OK && root && catalog && !opts.shared.no_cost) {
        status = price_presets(inputs, &opts, result.points[result.best].ttl_ms, &pricing, &costs, &err);
        priced = status == PCS_OK && costs.priced_requests > 0;
        if (status == PCS_OK && !priced)
            pcs_calibrate_costs_free(&costs);
        if (status != PCS_OK)
            pcs_calibrate_result_free(&result);
    }
    int exit_code = CLI_EXIT_OK;
    if (status != PCS_OK) {
        fprintf(stderr, "pcsim calibrate: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        exit_code = CLI_EXIT_DATA;
    } else if (!root) {
        pcs_calibrate_result_free(&result);
    } else {
        if (result.skipped) {
            fprintf(stderr, "pcsim calibrate: skipped %llu bad record%s (--lenient); the first:\n",
                    (unsigned long long)result.skipped, result.skipped == 1 ? "" : "s");
            pcs_trace_print_skips(trace, stderr, 5);
        }
        struct pcs_calibrate_report report = {pcs_inputs_names(inputs),
                                              pcs_inputs_count(inputs),
                                              preset,
                                              &result,
                                              priced ? &costs : NULL,
                                              priced ? pcs_catalog_source(catalog) : NULL,
                                              price_time_s,
                                              trace};
        exit_code = write_outputs(&opts, &report);
        pcs_calibrate_result_free(&result);
        if (priced)
            pcs_calibrate_costs_free(&costs);
    }
    pcs_trace_free(trace);
    pcs_inputs_free(inputs);
    pcs_catalog_free(catalog);
    return calibrate_finish(exit_code);
}
