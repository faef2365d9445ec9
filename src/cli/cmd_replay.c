/* pcsim replay: trace files -> cache model -> token report. */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/memory.h"
#include "dist/dist.h"
#include "pcsim/replay.h"
#include "pcsim/report.h"
#include "cli_options.h"
#include "cli_pricing.h"

static void print_help(FILE *out)
{
    fputs("Usage: pcsim replay [options] TRACE...\n"
          "\n"
          "Replays request traces in time order through a model of a provider's prompt\n"
          "cache and reports how many prompt tokens it would serve from cache, overall\n"
          "and per model. Several files are merged by time (ties keep file order).\n"
          "A TRACE is a file, a directory (its files, recursively, in name order; hidden\n"
          "entries skipped, with a note), - for standard input (once), a FIFO or <(...),\n"
          "or a gzip/zstd file (.gz, .zst; told by its bytes), decompressed on the fly.\n"
          "\n"
          "Cache:\n"
          "  --policy NAME       a provider preset or a bare policy (default: ttl)\n"
          "                        openai        automatic caching: TTL 300 s, min 1024, granularity 128\n"
          "                        openai-24h    extended retention: TTL 24 h\n"
          "                        openai-bp     GPT-5.6+ breakpoints: TTL 1800 s, min 1024, writes billed\n"
          "                        anthropic-5m  cache_control breakpoints: TTL 300 s, min 1024\n"
          "                        anthropic-1h  the same with a 1-hour TTL\n"
          "                        gemini        implicit: TTL 300 s, min 1024, granularity 1\n"
          "                        deepseek      64-token units, min 64, TTL 6 h\n"
          "                        ttl           pure idle-TTL prefix cache (TTL 300 s)\n"
          "                        breakpoint    entries only at breakpoints (TTL 300 s, min 0)\n"
          "                        auto          each model's own provider preset from the price catalog\n"
          "                        ideal         infinite TTL and capacity: the upper bound\n"
          "                        lru           capacity-bound, least recently used (needs --capacity)\n"
          "                        none          no cache: the baseline\n",
          out);
    cli_param_help(out, ~0u); /* every parameter */
    fputs("\n"
          "Input:\n",
          out);
    cli_shared_help(out, CLI_GROUP_INPUT);
    fputs("\n"
          "Cost (prices from the built-in catalog; see 'pcsim prices'):\n",
          out);
    cli_shared_help(out, CLI_GROUP_COST);
    fputs("\n"
          "Speed:\n",
          out);
    cli_shared_help(out, CLI_GROUP_SPEED);
    fputs("  A single line file of 16 MiB or more is read in one pass when its times never\n"
          "  go back (a trace logged as it was served); if one does, the replay starts over\n"
          "  with an index. Results are the same either way.\n"
          "  --shard             under mpirun (an MPI build): each rank reads a part of the\n"
          "                      files and replays the requests whose prefix root\n"
          "                      (namespace, model, first block) it owns; rank 0 reports.\n"
          "                      The same report as one process, but for lru, where each\n"
          "                      rank is one server with --capacity of its own\n"
          "                      (docs/scaleout.md). Alone, it replays as without it.\n"
          "\n"
          "Output:\n"
          "  --format FMT        text (default), json (schema pcsim.replay.v1) or csv\n"
          "  --requests FILE     also write one CSV row per request: t_ms, model, input,\n"
          "                      cache_read, cache_write, output, cache_write_1h, cost_usd\n"
          "                      (simulated); observed_cache_read, observed_cache_write,\n"
          "                      observed_cache_write_1h (what a log's provider reported;\n"
          "                      empty when none) and source (the request's file:line)\n"
          "  --html FILE         also write a self-contained HTML report: cached ratio over\n"
          "                      time and by model, the cost breakdown\n"
          "  --output FILE       write the report to FILE instead of stdout (FILE, --html and\n"
          "                      --requests are written whole or not at all)\n"
          "  --max-memory BYTES  fail with a clear message instead of using more (500M, 2G)\n"
          "  Ctrl-C stops reading and reports the requests replayed so far, marked PARTIAL\n"
          "  (exit status 130).\n"
          "  -h, --help          this help\n"
          "\n"
          "Examples:\n"
          "  pcsim replay --policy openai mooncake_trace.jsonl\n"
          "  pcsim replay --policy anthropic-1h --format json sessions/*.json\n"
          "  pcsim replay --policy lru --capacity 3M --requests per_request.csv trace.jsonl\n"
          "\n"
          "Token columns: input counts every prompt token; cache_read the tokens served from\n"
          "cache; cache_write the tokens written at a premium (breakpoint policies);\n"
          "uncached = input - cache_read - cache_write. cached = cache_read / input.\n"
          "Cost columns: with the chosen cache, without any cache, with the ideal cache\n"
          "(infinite TTL and capacity), and the savings (without - with). Anthropic and\n"
          "Gemini presets take each model's minimum prefix from the catalog.\n",
          out);
}

enum output_format { OUT_TEXT, OUT_JSON, OUT_CSV };

enum { OPT_POLICY = 256, OPT_FORMAT, OPT_REQUESTS, OPT_HTML, OPT_OUTPUT, OPT_MAX_MEMORY, OPT_SHARD };

/* Replay's own options; the trace and cost options are cli_options.c's. */
static const struct option own_options[] = {
    {"policy", required_argument, NULL, OPT_POLICY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"requests", required_argument, NULL, OPT_REQUESTS},
    {"html", required_argument, NULL, OPT_HTML},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"shard", no_argument, NULL, OPT_SHARD},
};

/* Set by SIGINT: the replay stops after the request under way. */
static volatile sig_atomic_t replay_interrupted;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    replay_interrupted = 1;
}

/* --requests: one CSV row per replayed request, written whole or not at all. */
struct request_rows {
    const char *path;
    struct pcs_output file;
    int open_failed; /* cli_output_open said why */
    struct pcs_error *err;
};

/* Before the replay's first request (again when it starts over, after the
 * rows of the first try are dropped). */
static enum pcs_status start_rows(void *context, const pcs_trace *trace)
{
    (void)trace;
    struct request_rows *rows = context;
    if (rows->file.file)
        cli_output_close("replay", &rows->file, 0);
    if (cli_output_open("replay", rows->path, &rows->file) != CLI_EXIT_OK) {
        rows->open_failed = 1;
        return PCS_ERR_IO;
    }
    pcs_report_requests_header(rows->file.file);
    return PCS_OK;
}

static enum pcs_status write_row(void *context, const pcs_trace *trace, const struct pcs_request *req,
                                 const struct pcs_usage *usage, double cost_usd)
{
    struct request_rows *rows = context;
    char place[PCS_ERROR_MAX];
    enum pcs_status status =
        pcs_report_requests_row(rows->file.file, pcs_trace_model_name(trace, req->model), req, usage, cost_usd,
                                pcs_trace_request_place(trace, req, place, sizeof place));
    if (status == PCS_ERR_IO)
        return pcs_error_set(rows->err, status, "%s: write failed: %s", rows->path, strerror(errno));
    return status;
}

/* A note for each model the catalog does not know, naming what is near. */
static void note_unpriced(const pcs_catalog *catalog, const pcs_trace *trace, const struct pcs_replay_result *result,
                          const struct pcs_replay_cost *cost)
{
    for (size_t i = 0; i < cost->model_count && i < result->model_count; i++) {
        if (cost->by_model[i].priced_as || !result->by_model[i].requests)
            continue;
        const char *name = pcs_trace_model_name(trace, (uint32_t)i);
        char nearest[256];
        cli_nearest_models(catalog, name, nearest, sizeof nearest);
        uint64_t requests = result->by_model[i].requests;
        fprintf(stderr,
                "pcsim replay: note: model '%s' is not in the price catalog (nearest known: %s); its %llu "
                "%s left out of the cost; name it with --model-map %s=MODEL\n",
                name, nearest[0] ? nearest : "none", (unsigned long long)requests,
                cli_noun(requests, "request is", "requests are"), name);
    }
    for (size_t i = 0; i < cost->model_count; i++) {
        const struct pcs_model *model = cost->by_model[i].priced_as;
        for (int tier = 0; model && tier < PCS_TIER_COUNT; tier++)
            if (cost->by_model[i].unsold_tier_requests[tier])
                fprintf(stderr,
                        "pcsim replay: note: %s sells no %s tier for %s; its %llu %s %s priced "
                        "at the standard tier\n",
                        model->provider->name, pcs_tier_name((enum pcs_tier)tier),
                        pcs_trace_model_name(trace, (uint32_t)i),
                        (unsigned long long)cost->by_model[i].unsold_tier_requests[tier],
                        pcs_tier_name((enum pcs_tier)tier),
                        cli_noun(cost->by_model[i].unsold_tier_requests[tier], "request is", "requests are"));
    }
}

/* The command line of one replay. */
struct replay_options {
    const char *preset;
    struct pcs_cache_overrides overrides;
    int output;
    const char *requests_path;
    struct cli_trace_cost shared;
    const char *html_path;
    const char *output_path;
    uint64_t max_memory;
    int shard; /* --shard: scale-out over the ranks of mpirun */
};

/* Parses argv; returns CLI_EXIT_OK, -1 after --help, or an exit code. */
static int parse_options(int argc, char **argv, struct replay_options *opts)
{
    struct option table[CLI_MAX_OPTIONS];
    cli_getopt_table(own_options, sizeof own_options / sizeof own_options[0], table, CLI_MAX_OPTIONS);
    const struct option *options = cli_getopt_add_params(table, CLI_MAX_OPTIONS, ~0u); /* every parameter */
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_POLICY: opts->preset = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                opts->output = OUT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                opts->output = OUT_JSON;
            } else if (strcmp(optarg, "csv") == 0) {
                opts->output = OUT_CSV;
            } else if (pcs_trace_format_parse(optarg) > 0) {
                /* DESIGN lets --format force the trace format too; the names differ. */
                opts->shared.trace_config.format = (enum pcs_trace_format)pcs_trace_format_parse(optarg);
            } else {
                return cli_usage_error("replay", "--format: expected text, json or csv, got '%s'", optarg);
            }
            break;
        case OPT_REQUESTS: opts->requests_path = optarg; break;
        case OPT_HTML: opts->html_path = optarg; break;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        case OPT_SHARD: opts->shard = 1; break;
        case OPT_MAX_MEMORY:
            if (cli_parse_count(optarg, &opts->max_memory) != 0 || opts->max_memory < 1000000)
                return cli_usage_error(
                    "replay", "--max-memory: expected bytes (at least 1M), such as 500M or 2G, got '%s'", optarg);
            break;
        default: {
            int code = cli_table_option("replay", opt, optarg, &opts->overrides, &opts->shared);
            if (code < 0)
                return cli_option_error("replay", argv);
            if (code != CLI_EXIT_OK)
                return code;
        }
        }
    }
    if (optind >= argc)
        return cli_usage_error("replay", "no trace file given");
    const struct cli_trace_cost *shared = &opts->shared;
    if (shared->no_cost &&
        (shared->tier_override >= 0 || shared->region_uplift != 1.0 || shared->price_date || shared->prices_path))
        return cli_usage_error("replay", "--no-cost leaves no prices for --tier, --region-uplift, --price-date "
                                         "or --prices");
    return CLI_EXIT_OK;
}

/* The chosen preset's configuration with the overrides; usage errors and
 * notes for overrides the policy ignores. */
static int cache_config(const struct replay_options *opts, struct pcs_cache_config *config)
{
    if (pcs_replay_preset_config(opts->preset, &opts->overrides, config) != PCS_OK) {
        fprintf(stderr, "pcsim replay: unknown policy '%s'; choose one of: auto", opts->preset);
        for (unsigned i = 0; pcs_cache_preset_name(i); i++)
            fprintf(stderr, " %s", pcs_cache_preset_name(i));
        fprintf(stderr, "\nTry 'pcsim replay --help'.\n");
        return CLI_EXIT_USAGE;
    }
    if ((pcs_policy_info(config->policy)->uses & PCS_USES_CAPACITY) && config->capacity_tokens == 0)
        return cli_usage_error("replay", "the %s policy needs --capacity TOKENS (3M, 500k)",
                               pcs_policy_name(config->policy));
    struct pcs_error err = {0};
    if (pcs_cache_config_check(config, &err) != PCS_OK)
        return cli_usage_error("replay", "%s", err.message);
    if (strcmp(opts->preset, "auto") == 0)
        return CLI_EXIT_OK; /* each model's policy decides what its overrides mean */
    cli_param_notes("replay", &opts->overrides, config->policy);
    return CLI_EXIT_OK;
}

/* The --html page, written whole or not at all. */
static int write_html(const struct pcs_replay_report *report, const struct pcs_timeline *timeline, const char *path)
{
    struct pcs_output html;
    int code = cli_output_open("replay", path, &html);
    if (code != CLI_EXIT_OK)
        return code;
    enum pcs_status status = pcs_report_replay_html(html.file, report, timeline);
    if (status != PCS_OK && status != PCS_ERR_IO)
        fprintf(stderr, "pcsim replay: %s: %s\n", path, pcs_strerror(status));
    return cli_output_close("replay", &html, status == PCS_OK);
}

/* The report, to stdout or (--output) to a file written whole or not at all. */
static int write_report(const struct replay_options *opts, const struct pcs_replay_report *report)
{
    struct pcs_output file = {NULL, NULL, NULL, NULL};
    if (opts->output_path) {
        int code = cli_output_open("replay", opts->output_path, &file);
        if (code != CLI_EXIT_OK)
            return code;
    }
    FILE *out = file.file ? file.file : stdout;
    enum pcs_status status;
    if (opts->output == OUT_JSON)
        status = pcs_report_replay_json(out, report);
    else if (opts->output == OUT_CSV)
        status = pcs_report_replay_csv(out, report);
    else
        status = pcs_report_replay_text(out, report);
    if (status != PCS_OK && status != PCS_ERR_IO)
        fprintf(stderr, "pcsim replay: writing the report failed: %s\n", pcs_strerror(status));
    if (file.file)
        return cli_output_close("replay", &file, status == PCS_OK);
    if (status == PCS_ERR_IO)
        fprintf(stderr, "pcsim replay: writing the report failed: %s\n", pcs_strerror(status));
    return status == PCS_OK ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

/* The notes, the report and the --html page of a finished replay. */
static int report(const struct replay_options *opts, const pcs_inputs *inputs, const pcs_catalog *catalog,
                  double price_time_s, const struct pcs_replay_outcome *outcome)
{
    /* Sharded, a capacity is each rank's: the report says so (shard.c). */
    unsigned sharded_servers = 0;
    if (opts->shard && pcs_dist_size() > 1 && (pcs_policy_info(outcome->config.policy)->uses & PCS_USES_CAPACITY))
        sharded_servers = pcs_dist_size();
    const struct pcs_replay_result *result = &outcome->result;
    const pcs_trace *trace = outcome->trace;
    if (result->skipped) {
        fprintf(stderr, "pcsim replay: skipped %llu bad record%s (--lenient); the first:\n",
                (unsigned long long)result->skipped, result->skipped == 1 ? "" : "s");
        pcs_trace_print_skips(trace, stderr, 5);
    }
    if (pcs_trace_lacks_prefixes(trace))
        fprintf(stderr,
                "pcsim replay: note: %s traces carry no prefix identity; their requests "
                "count as uncached\n",
                pcs_trace_prefixless_format(trace));
    if (outcome->priced)
        note_unpriced(catalog, trace, result, &outcome->cost);
    /* The files read (a directory's in its place) are the ones reported. */
    struct pcs_replay_report report = {pcs_inputs_names(inputs),
                                       pcs_inputs_count(inputs),
                                       opts->preset,
                                       outcome->config,
                                       trace,
                                       result,
                                       outcome->model_configs,
                                       NULL,
                                       NULL,
                                       price_time_s,
                                       opts->shared.tier_override,
                                       opts->shared.region_uplift,
                                       outcome->partial,
                                       outcome->reconciled ? &outcome->reconciliation : NULL,
                                       sharded_servers};
    if (outcome->partial)
        fprintf(stderr, "pcsim replay: interrupted: reporting the %llu %s replayed so far (PARTIAL)\n",
                (unsigned long long)result->total.requests, cli_noun(result->total.requests, "request", "requests"));
    if (outcome->priced && outcome->cost.priced_requests) {
        report.cost = &outcome->cost;
        report.catalog_source = pcs_catalog_source(catalog);
    }
    int exit_code = write_report(opts, &report);
    if (exit_code == CLI_EXIT_OK && opts->html_path)
        exit_code = write_html(&report, &outcome->timeline, opts->html_path);
    /* A partial report is printed, but scripts must not take it for a full one. */
    if (exit_code == CLI_EXIT_OK && outcome->partial)
        exit_code = CLI_EXIT_INTERRUPTED;
    return exit_code;
}

/* The first of paths[0..count) that is a stream (standard input, a FIFO),
 * or NULL. */
static const char *first_stream(char *const *paths, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") == 0 || (stat(paths[i], &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))))
            return paths[i];
    }
    return NULL;
}

/* Under mpirun every rank ends here: a failed rank ends the others (they
 * may be waiting for it), and only rank 0 has written anything. */
static int replay_finish(int exit_code)
{
    if (exit_code != CLI_EXIT_OK && exit_code != CLI_EXIT_INTERRUPTED)
        pcs_dist_abort("replay", exit_code);
    pcs_dist_finish();
    return cli_finish_stdout(exit_code);
}

int cmd_replay(int argc, char **argv)
{
    pcs_memory_prefer_reuse(); /* a replay's freed blocks become its cache */
    struct replay_options opts;
    memset(&opts, 0, sizeof opts);
    opts.preset = "ttl";
    opts.output = OUT_TEXT;
    cli_trace_cost_init(&opts.shared);
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    if (opts.max_memory && cli_limit_memory("replay", opts.max_memory) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    struct pcs_error err = {0};
    /* Under mpirun the ranks share the replay (--shard) or would each do all of it. */
    if (pcs_dist_start(&err) != PCS_OK) {
        fprintf(stderr, "pcsim replay: %s\n", err.message);
        return replay_finish(CLI_EXIT_DATA);
    }
    if (pcs_dist_size() > 1 && !opts.shard) {
        if (pcs_dist_is_root())
            cli_usage_error("replay", "under mpirun, give --shard: else every rank would replay every request");
        pcs_dist_finish();
        return CLI_EXIT_USAGE;
    }
    /* Every rank reads the files itself: a stream reaches one rank only. */
    const char *stream = pcs_dist_size() > 1 ? first_stream(argv + optind, (size_t)(argc - optind)) : NULL;
    if (stream) {
        if (pcs_dist_is_root())
            cli_usage_error("replay",
                            "--shard: every rank reads the files itself, and %s is a stream (standard "
                            "input or a pipe) only one rank could read; write it to a file first",
                            stream);
        pcs_dist_finish();
        return CLI_EXIT_USAGE;
    }
    /* From here Ctrl-C ends the replay early (after the trace is indexed, at
     * the first request) with a partial report. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    struct pcs_cache_config config;
    code = cache_config(&opts, &config);
    if (code != CLI_EXIT_OK)
        return replay_finish(code);
    const struct cli_trace_cost *shared = &opts.shared;
    double price_time_s = 0;
    if (cli_price_time("replay", shared->price_date, &price_time_s) != CLI_EXIT_OK)
        return replay_finish(CLI_EXIT_USAGE);

    /* The catalog prices the replay and gives per-model presets. */
    int reads_catalog = !shared->no_cost || pcs_preset_is_per_model(opts.preset); /* tokens: not on --no-cost */
    const struct cli_path outputs[] = {
        {"--output", opts.output_path, 1},
        {"--html", opts.html_path, 1},
        {"--requests", opts.requests_path, 1},
    };
    struct cli_trace_inputs opened;
    code = cli_open_trace_inputs("replay", argv + optind, (size_t)(argc - optind), shared->prices_path, reads_catalog,
                                 outputs, sizeof outputs / sizeof outputs[0], &opened);
    if (code != CLI_EXIT_OK)
        return replay_finish(code);
    struct pcs_replay_cost_config pricing = {opened.catalog,        price_time_s, shared->tier_override,
                                             shared->region_uplift, NULL,         0};
    struct request_rows rows = {opts.requests_path, {NULL, NULL, NULL, NULL}, 0, &err};
    struct pcs_replay_job job = {opened.inputs,      shared->trace_config,
                                 opts.preset,        opts.overrides,
                                 opened.catalog,     shared->no_cost ? NULL : &pricing,
                                 shared->threads,    opts.html_path != NULL,
                                 {NULL, NULL, NULL}, 1,
                                 &replay_interrupted};
    if (opts.requests_path) {
        struct pcs_replay_watch watch = {start_rows, write_row, &rows};
        job.watch = watch;
        /* Rows written through (a FIFO, stdout) could not be taken back. */
        job.restartable = !pcs_output_writes_through(opts.requests_path);
    }
    struct pcs_replay_outcome outcome;
    enum pcs_status status =
        opts.shard ? pcs_dist_replay_shard(&job, &outcome, &err) : pcs_replay_run(&job, &outcome, &err);
    int exit_code = cli_output_close("replay", &rows.file, status == PCS_OK);
    if (status != PCS_OK && !rows.open_failed) {
        if (!outcome.trace)
            cli_trace_error("replay", status, &err);
        else
            fprintf(stderr, "pcsim replay: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        if (status == PCS_ERR_NOMEM)
            cli_memory_hint("replay", opts.max_memory, "replay fewer files at once");
    }
    if (status != PCS_OK)
        exit_code = CLI_EXIT_DATA;
    if (exit_code == CLI_EXIT_OK && pcs_dist_is_root())
        exit_code = report(&opts, opened.inputs, opened.catalog, price_time_s, &outcome);
    pcs_replay_outcome_free(&outcome);
    pcs_inputs_free(opened.inputs);
    pcs_catalog_free(opened.catalog);
    return replay_finish(exit_code);
}
