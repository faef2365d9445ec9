/* pcsim replay: trace files -> cache model -> token report. */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"
#include "pcsim/replay.h"
#include "pcsim/report.h"
#include "pcsim/replay_cost.h"
#include "pcsim/timeline.h"
#include "cli_pricing.h"

#define MAX_ALIASES 64

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
          "                        none          no cache: the baseline\n"
          "  --ttl SECONDS       idle TTL: 300, 0.5, 5m, 1h, 24h (an entry is alive while\n"
          "                      now < last use + TTL); given, it also overrides a\n"
          "                      trace's \"5m\"/\"1h\" breakpoint markers (without it\n"
          "                      they stand and the TTL covers unmarked breakpoints)\n"
          "  --min-tokens N      shortest cacheable prefix in tokens\n"
          "  --granularity N     cached tokens are rounded down to a multiple of N (openai)\n"
          "  --capacity TOKENS   cache size for lru: 3000000, 3M, 500k\n"
          "\n"
          "Input:\n"
          "  --input-format FMT  mooncake, claude-code, native, azure (default: detected)\n"
          "  --model NAME        model id for formats without one (Mooncake, Azure; default: default)\n"
          "  --model-map FROM=TO use model id TO for the trace's FROM (repeatable)\n"
          "  --lenient           skip bad records, count them and report the first ones\n"
          "                      (default: the first bad record stops the run with its place)\n"
          "\n"
          "Cost (prices from the built-in catalog; see 'pcsim prices'):\n"
          "  --tier T            price every request at tier standard, batch, flex or priority\n"
          "                      (default: each request's own tier, standard when it has none)\n"
          "  --region-uplift X   regional processing surcharge: 1.1, 0.1, 10% or catalog\n"
          "                      (each provider's own uplift from the catalog)\n"
          "  --price-date WHEN   prices in effect at WHEN (2026-11-23, 2026-11-23T08:30:00Z,\n"
          "                      now; default: $PCSIM_PRICE_DATE, else today, noon UTC)\n"
          "  --prices FILE       your own catalog (schema pcsim.catalog.v1); also $PCSIM_PRICES\n"
          "  --no-cost           tokens only: no catalog, no dollars\n"
          "                      Models the catalog does not know are reported unpriced;\n"
          "                      name them with --model-map FROM=CATALOG_MODEL.\n"
          "\n"
          "Speed:\n"
          "  --threads N         1 reads and simulates on one thread; 2 (the default on a\n"
          "                      machine with two cores or more) indexes several files, or a\n"
          "                      large one (16 MiB or more) in pieces, on two threads, and reads\n"
          "                      a long trace (20,000 requests or more) ahead on a second one.\n"
          "                      Results are the same.\n"
          "  A single line file of 16 MiB or more is read in one pass when its times never\n"
          "  go back (a trace logged as it was served); if one does, the replay starts over\n"
          "  with an index. Results are the same either way.\n"
          "\n"
          "Output:\n"
          "  --format FMT        text (default), json (schema pcsim.replay.v1) or csv\n"
          "  --requests FILE     also write one CSV row per request:\n"
          "                      t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd\n"
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

enum { OPT_POLICY = 256, OPT_TTL, OPT_MIN_TOKENS, OPT_GRANULARITY, OPT_CAPACITY, OPT_INPUT_FORMAT, OPT_MODEL,
       OPT_MODEL_MAP, OPT_LENIENT, OPT_FORMAT, OPT_REQUESTS, OPT_THREADS, OPT_TIER, OPT_UPLIFT, OPT_PRICE_DATE,
       OPT_PRICES, OPT_NO_COST, OPT_HTML, OPT_OUTPUT, OPT_MAX_MEMORY };

static const struct option options[] = {
    {"policy", required_argument, NULL, OPT_POLICY},
    {"ttl", required_argument, NULL, OPT_TTL},
    {"min-tokens", required_argument, NULL, OPT_MIN_TOKENS},
    {"granularity", required_argument, NULL, OPT_GRANULARITY},
    {"capacity", required_argument, NULL, OPT_CAPACITY},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"model", required_argument, NULL, OPT_MODEL},
    {"model-map", required_argument, NULL, OPT_MODEL_MAP},
    {"lenient", no_argument, NULL, OPT_LENIENT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"requests", required_argument, NULL, OPT_REQUESTS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"tier", required_argument, NULL, OPT_TIER},
    {"region-uplift", required_argument, NULL, OPT_UPLIFT},
    {"price-date", required_argument, NULL, OPT_PRICE_DATE},
    {"prices", required_argument, NULL, OPT_PRICES},
    {"no-cost", no_argument, NULL, OPT_NO_COST},
    {"html", required_argument, NULL, OPT_HTML},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The user's cache overrides, applied over every model's preset. */
struct cache_overrides {
    int64_t ttl_ms; /* <= 0: none */
    uint64_t min_tokens, granularity, capacity;
    int has_min, has_granularity, has_capacity;
};

static void apply_overrides(const struct cache_overrides *overrides, struct pcs_cache_config *config)
{
    if (overrides->ttl_ms > 0) {
        config->ttl_ms = overrides->ttl_ms;
        config->ttl_overrides_markers = 1; /* a what-if TTL (DESIGN §3) */
    }
    if (overrides->has_min)
        config->min_tokens = overrides->min_tokens;
    if (overrides->has_granularity)
        config->granularity = overrides->granularity;
    if (overrides->has_capacity)
        config->capacity_tokens = overrides->capacity;
}

/* Per-model caches for presets that depend on the model: each model's
 * configuration, kept for the report. */
struct model_caches {
    const char *preset;
    const pcs_catalog *catalog;
    const struct cache_overrides *overrides;
    struct pcs_cache_config *configs; /* by trace model id */
    size_t count;
};

static enum pcs_status configure_model(void *context, uint32_t model, const char *name,
                                       struct pcs_cache_config *config, struct pcs_error *err)
{
    struct model_caches *caches = context;
    if (model >= caches->count) {
        size_t count = (size_t)model + 1;
        struct pcs_cache_config *configs = realloc(caches->configs, count * sizeof *configs);
        if (!configs)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        for (size_t i = caches->count; i < count; i++)
            configs[i] = *config;
        caches->configs = configs;
        caches->count = count;
    }
    const struct pcs_model *priced = pcs_catalog_resolve(caches->catalog, name, NULL);
    if (pcs_model_cache_config(caches->preset, priced, config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_ARG, "model %s: no cache preset", name);
    apply_overrides(caches->overrides, config);
    caches->configs[model] = *config;
    return PCS_OK;
}

/* Set by SIGINT: the replay stops after the request under way. */
static volatile sig_atomic_t replay_interrupted;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    replay_interrupted = 1;
}

/* What each replayed request passes through: dollars, per-request rows. */
struct request_sink {
    FILE *out;
    const pcs_trace *trace;
    pcs_replay_coster *coster;
    size_t lane_count;
    struct pcs_error *err;
    struct pcs_timeline *timeline; /* for --html */
    const char *out_path;          /* --requests, for messages */
};

static enum pcs_status observe_request(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct request_sink *sink = context;
    double cost = -1;
    if (sink->coster) {
        enum pcs_status status = pcs_replay_coster_add(sink->coster, req, &usages[0],
                                                       sink->lane_count > 1 ? &usages[1] : NULL, &cost, sink->err);
        if (status != PCS_OK)
            return status;
    }
    if (sink->timeline)
        pcs_timeline_add(sink->timeline, req->t_ms, &usages[0]);
    enum pcs_status status = PCS_OK;
    if (sink->out) {
        status = pcs_report_requests_row(sink->out, pcs_trace_model_name(sink->trace, req->model), req, &usages[0],
                                         cost);
        if (status == PCS_ERR_IO)
            return pcs_error_set(sink->err, status, "%s: write failed: %s", sink->out_path, strerror(errno));
    }
    /* Ctrl-C: this request is counted everywhere; none after it is read. */
    return status == PCS_OK && replay_interrupted ? PCS_END : status;
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
        fprintf(stderr, "pcsim replay: note: model '%s' is not in the price catalog (nearest known: %s); its %llu "
                        "%s left out of the cost; name it with --model-map %s=MODEL\n",
                name, nearest[0] ? nearest : "none", (unsigned long long)requests,
                cli_noun(requests, "request is", "requests are"), name);
    }
    for (size_t i = 0; i < cost->model_count; i++) {
        const struct pcs_model *model = cost->by_model[i].priced_as;
        for (int tier = 0; model && tier < PCS_TIER_COUNT; tier++)
            if (cost->by_model[i].unsold_tier_requests[tier])
                fprintf(stderr, "pcsim replay: note: %s sells no %s tier for %s; its %llu %s %s priced "
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
    struct cache_overrides overrides;
    int output;
    const char *requests_path;
    unsigned threads;
    struct pcs_trace_config trace_config;
    struct pcs_model_alias aliases[MAX_ALIASES];
    size_t alias_count;
    int tier_override;
    double region_uplift;
    const char *price_date;
    const char *prices_path;
    int no_cost;
    const char *html_path;
    const char *output_path;
    uint64_t max_memory;
};

/* Parses argv; returns CLI_EXIT_OK, -1 after --help, or an exit code. */
static int parse_options(int argc, char **argv, struct replay_options *opts)
{
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_POLICY: opts->preset = optarg; break;
        case OPT_TTL:
            if (cli_parse_seconds(optarg, &opts->overrides.ttl_ms) != 0 || opts->overrides.ttl_ms <= 0)
                return cli_usage_error("replay", "--ttl: expected a positive duration such as 300, 5m or 1h, got '%s'",
                                       optarg);
            break;
        case OPT_MIN_TOKENS:
            if (cli_parse_count(optarg, &opts->overrides.min_tokens) != 0)
                return cli_usage_error("replay", "--min-tokens: expected a token count, got '%s'", optarg);
            opts->overrides.has_min = 1;
            break;
        case OPT_GRANULARITY:
            if (cli_parse_count(optarg, &opts->overrides.granularity) != 0 || opts->overrides.granularity == 0)
                return cli_usage_error("replay", "--granularity: expected a positive token count, got '%s'", optarg);
            opts->overrides.has_granularity = 1;
            break;
        case OPT_CAPACITY:
            if (cli_parse_count(optarg, &opts->overrides.capacity) != 0 || opts->overrides.capacity == 0)
                return cli_usage_error("replay", "--capacity: expected a positive token count such as 3M, got '%s'",
                                       optarg);
            opts->overrides.has_capacity = 1;
            break;
        case OPT_INPUT_FORMAT: {
            int format = pcs_trace_format_parse(optarg);
            char formats[128];
            if (format < 0)
                return cli_usage_error("replay", "--input-format: unknown format '%s' (%s)", optarg,
                                       pcs_trace_format_list(formats, sizeof formats));
            opts->trace_config.format = (enum pcs_trace_format)format;
            break;
        }
        case OPT_MODEL:
            if (!*optarg)
                return cli_usage_error("replay", "--model: empty model name");
            opts->trace_config.default_model = optarg;
            break;
        case OPT_MODEL_MAP:
            if (cli_add_model_map("replay", optarg, opts->aliases, &opts->alias_count, MAX_ALIASES) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case OPT_LENIENT: opts->trace_config.lenient = 1; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                opts->output = OUT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                opts->output = OUT_JSON;
            } else if (strcmp(optarg, "csv") == 0) {
                opts->output = OUT_CSV;
            } else if (pcs_trace_format_parse(optarg) > 0) {
                /* DESIGN lets --format force the trace format too; the names differ. */
                opts->trace_config.format = (enum pcs_trace_format)pcs_trace_format_parse(optarg);
            } else {
                return cli_usage_error("replay", "--format: expected text, json or csv, got '%s'", optarg);
            }
            break;
        case OPT_REQUESTS: opts->requests_path = optarg; break;
        case OPT_THREADS: {
            uint64_t count;
            if (cli_parse_count(optarg, &count) != 0 || count == 0 || count > 1024)
                return cli_usage_error("replay", "--threads: expected a thread count from 1 to 1024, got '%s'",
                                       optarg);
            opts->threads = (unsigned)count;
            break;
        }
        case OPT_TIER:
            opts->tier_override = pcs_tier_parse(optarg);
            if (opts->tier_override < 0)
                return cli_usage_error("replay", "--tier: expected standard, batch, flex or priority, got '%s'",
                                       optarg);
            break;
        case OPT_UPLIFT:
            if (cli_parse_uplift(optarg, &opts->region_uplift) != 0)
                return cli_usage_error("replay", "--region-uplift: expected a multiplier such as 1.1, a share such "
                                                 "as 0.1 or a percentage such as 10%%, got '%s'", optarg);
            break;
        case OPT_PRICE_DATE: opts->price_date = optarg; break;
        case OPT_PRICES: opts->prices_path = optarg; break;
        case OPT_NO_COST: opts->no_cost = 1; break;
        case OPT_HTML: opts->html_path = optarg; break;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        case OPT_MAX_MEMORY:
            if (cli_parse_count(optarg, &opts->max_memory) != 0 || opts->max_memory < 1000000)
                return cli_usage_error("replay", "--max-memory: expected bytes (at least 1M), such as 500M or 2G, got '%s'",
                                       optarg);
            break;
        default:
            return cli_option_error("replay", argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("replay", "no trace file given");
    if (opts->no_cost && (opts->tier_override >= 0 || opts->region_uplift != 1.0 || opts->price_date ||
                          opts->prices_path))
        return cli_usage_error("replay", "--no-cost leaves no prices for --tier, --region-uplift, --price-date "
                                         "or --prices");
    return CLI_EXIT_OK;
}

/* The chosen preset's configuration with the overrides; usage errors and
 * notes for overrides the policy ignores. */
static int cache_config(const struct replay_options *opts, struct pcs_cache_config *config)
{
    int is_auto = strcmp(opts->preset, "auto") == 0;
    if (pcs_cache_preset(is_auto ? "none" : opts->preset, config) != PCS_OK) {
        fprintf(stderr, "pcsim replay: unknown policy '%s'; choose one of: auto", opts->preset);
        for (unsigned i = 0; pcs_cache_preset_name(i); i++)
            fprintf(stderr, " %s", pcs_cache_preset_name(i));
        fprintf(stderr, "\nTry 'pcsim replay --help'.\n");
        return CLI_EXIT_USAGE;
    }
    apply_overrides(&opts->overrides, config);
    if ((pcs_policy_info(config->policy)->uses & PCS_USES_CAPACITY) && config->capacity_tokens == 0)
        return cli_usage_error("replay", "the %s policy needs --capacity TOKENS (3M, 500k)",
                               pcs_policy_name(config->policy));
    struct pcs_error err = {0};
    if (pcs_cache_config_check(config, &err) != PCS_OK)
        return cli_usage_error("replay", "%s", err.message);
    if (is_auto)
        return CLI_EXIT_OK; /* each model's policy decides what its overrides mean */
    /* An override the policy does not use is said, not silently dropped. */
    const unsigned uses = pcs_policy_info(config->policy)->uses;
    const struct {
        int given;
        unsigned field;
        const char *option;
    } overrides[] = {
        {opts->overrides.ttl_ms > 0, PCS_USES_TTL, "--ttl"},
        {opts->overrides.has_min, PCS_USES_MIN_TOKENS, "--min-tokens"},
        {opts->overrides.has_granularity, PCS_USES_GRANULARITY, "--granularity"},
        {opts->overrides.has_capacity, PCS_USES_CAPACITY, "--capacity"},
    };
    for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (overrides[i].given && !(uses & overrides[i].field))
            fprintf(stderr, "pcsim replay: note: %s has no effect on policy %s\n", overrides[i].option,
                    pcs_policy_name(config->policy));
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

int cmd_replay(int argc, char **argv)
{
#if defined(__GLIBC__)
    /* Blocks up to 8 MiB come from the heap, which keeps freed memory for
     * the next blocks (a document's read buffer becomes the cache's
     * nodes), rather than each from a fresh mapping unmapped at free: on a
     * virtual machine a page fault costs more than filling the page.
     * Replaying the 28 Claude-Code sessions went from 23.0 to 18.8 ms (best
     * of 20), peak memory from 9.4 to 9.9 MiB. Not for pcsim run, whose
     * per-trial blocks grow by realloc: copied on the heap, remapped when
     * mapped (it ran 1.3 s against 2.0 s).
     * Nor is the heap trimmed below 64 MiB: the memory freed at its top
     * (the last document's buffer) would go back to the kernel and come
     * back a fault a page as the cache grows. The Claude-Code sessions
     * went from 18.0 to 15.3 ms (median of 30, interleaved).
     * And every thread allocates from the one heap: what pass one's helper
     * freed (its document buffer) is then there for the cache too, rather
     * than kept in an arena of its own. Page faults on the sessions went
     * from 218-448 (by which thread read the largest file) to 215-240, peak
     * memory from 9.8-10.3 to 9.5 MiB, and on the generated trace from
     * 24.3 to 21.3 MiB; the times did not change. */
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_ARENA_MAX, 1);
#endif
    struct replay_options opts;
    memset(&opts, 0, sizeof opts);
    opts.preset = "ttl";
    opts.output = OUT_TEXT;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    opts.threads = cores >= 2 ? 2 : 1;
    opts.trace_config = pcs_trace_config_default();
    opts.tier_override = -1;
    opts.region_uplift = 1.0;
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    if (opts.max_memory && cli_limit_memory("replay", opts.max_memory) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
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
        return code;
    double price_time_s = 0;
    if (cli_price_time("replay", opts.price_date, &price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    struct pcs_error err = {0};

    /* The catalog prices the replay and gives per-model presets. */
    int per_model = pcs_preset_is_per_model(opts.preset);
    int reads_catalog = !opts.no_cost || per_model; /* tokens must not depend on --no-cost */
    const struct cli_path outputs[] = {
        {"--output", opts.output_path, 1},
        {"--html", opts.html_path, 1},
        {"--requests", opts.requests_path, 1},
    };
    struct cli_trace_inputs opened;
    code = cli_open_trace_inputs("replay", argv + optind, (size_t)(argc - optind), opts.prices_path, reads_catalog,
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
    /* A large file whose times never go back is read in one pass; if they
     * do go back, the replay starts over with an index. Not when the
     * per-request rows are written through (a FIFO, stdout): the first
     * try's rows could not be taken back. */
    opts.trace_config.stream = !(opts.requests_path && pcs_output_writes_through(opts.requests_path));
    enum pcs_status status;
    pcs_trace *trace = NULL;
    struct model_caches caches = {opts.preset, catalog, &opts.overrides, NULL, 0};
    struct pcs_replay_lane lanes[2];
    size_t lane_count = 1;
    struct pcs_replay_cost_config cost_config = {catalog, price_time_s, opts.tier_override, opts.region_uplift};
    struct request_sink sink;
    struct pcs_output requests_file = {NULL, NULL, NULL, NULL};
    struct pcs_timeline timeline;
    int exit_code;
    for (;;) {
        trace = pcs_trace_open_inputs(inputs, &opts.trace_config, &err);
        if (!trace) {
            cli_trace_error("replay", err.status, &err);
            if (err.status == PCS_ERR_NOMEM)
                cli_memory_hint("replay", opts.max_memory, "replay fewer files at once");
            pcs_inputs_free(inputs);
            pcs_catalog_free(catalog);
            return CLI_EXIT_DATA;
        }

        /* Lane 0 is the chosen cache; lane 1 the ideal one, for its cost. */
        memset(lanes, 0, sizeof lanes);
        lanes[0].config = config;
        if (per_model && catalog) {
            lanes[0].model_config = configure_model;
            lanes[0].model_config_context = &caches;
        }
        lane_count = 1;
        if (!opts.no_cost && (config.policy != PCS_POLICY_IDEAL || per_model)) {
            pcs_cache_preset("ideal", &lanes[1].config);
            lane_count = 2;
        }
        struct request_sink fresh = {NULL, trace, NULL, lane_count, &err, NULL, opts.requests_path};
        sink = fresh;
        pcs_timeline_init(&timeline);
        if (opts.html_path)
            sink.timeline = &timeline;
        exit_code = CLI_EXIT_OK;
        if (!opts.no_cost && !(sink.coster = pcs_replay_coster_new(&cost_config, trace, NULL))) {
            fprintf(stderr, "pcsim replay: out of memory\n");
            exit_code = CLI_EXIT_DATA;
        }
        if (exit_code == CLI_EXIT_OK && opts.requests_path) {
            exit_code = cli_output_open("replay", opts.requests_path, &requests_file);
            sink.out = requests_file.file;
            if (sink.out)
                pcs_report_requests_header(sink.out);
        }
        status = PCS_OK;
        if (exit_code == CLI_EXIT_OK)
            status = pcs_replay_lanes(trace, lanes, lane_count, opts.threads, observe_request, &sink, &err);
        if (status != PCS_ERR_ORDER)
            break;
        /* Everything the first try made goes; the file is indexed. */
        if (sink.out)
            cli_output_close("replay", &requests_file, 0);
        free(caches.configs);
        caches.configs = NULL;
        caches.count = 0;
        pcs_replay_coster_free(sink.coster);
        pcs_trace_free(trace);
        opts.trace_config.stream = 0;
    }
    int partial = replay_interrupted != 0;
    struct pcs_replay_cost cost;
    memset(&cost, 0, sizeof cost);
    if (exit_code == CLI_EXIT_OK && status == PCS_OK && sink.coster)
        status = pcs_replay_coster_finish(sink.coster, &cost, &err);
    if (sink.out)
        exit_code = cli_output_close("replay", &requests_file, status == PCS_OK);
    if (status != PCS_OK) {
        fprintf(stderr, "pcsim replay: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        if (status == PCS_ERR_NOMEM)
            cli_memory_hint("replay", opts.max_memory, "replay fewer files at once");
        exit_code = CLI_EXIT_DATA;
    }
    const struct pcs_replay_result *result = &lanes[0].result;
    if (exit_code == CLI_EXIT_OK) {
        if (result->skipped) {
            fprintf(stderr, "pcsim replay: skipped %llu bad record%s (--lenient); the first:\n",
                    (unsigned long long)result->skipped, result->skipped == 1 ? "" : "s");
            pcs_trace_print_skips(trace, stderr, 5);
        }
        if (pcs_trace_lacks_prefixes(trace))
            fprintf(stderr, "pcsim replay: note: %s traces carry no prefix identity; their requests "
                            "count as uncached\n",
                    pcs_trace_prefixless_format(trace));
        if (sink.coster)
            note_unpriced(catalog, trace, result, &cost);
        /* Every model met has its configuration; fill any the replay skipped. */
        if (lanes[0].model_config && caches.count < result->model_count) {
            struct pcs_cache_config *configs = realloc(caches.configs, result->model_count * sizeof *configs);
            if (configs) {
                for (size_t i = caches.count; i < result->model_count; i++)
                    configs[i] = config;
                caches.configs = configs;
                caches.count = result->model_count;
            }
        }
        struct pcs_replay_report report = {paths, path_count, opts.preset, config, trace, result, NULL, NULL,
                                           NULL, price_time_s, opts.tier_override, opts.region_uplift, partial};
        if (partial)
            fprintf(stderr, "pcsim replay: interrupted: reporting the %llu %s replayed so far (PARTIAL)\n",
                    (unsigned long long)result->total.requests, cli_noun(result->total.requests, "request", "requests"));
        if (lanes[0].model_config && caches.count >= result->model_count)
            report.model_configs = caches.configs;
        if (sink.coster && cost.priced_requests) {
            report.cost = &cost;
            report.catalog_source = pcs_catalog_source(catalog);
        }
        exit_code = write_report(&opts, &report);
        if (exit_code == CLI_EXIT_OK && opts.html_path)
            exit_code = write_html(&report, &timeline, opts.html_path);
        /* A partial report is printed, but scripts must not take it for a full one. */
        if (exit_code == CLI_EXIT_OK && partial)
            exit_code = CLI_EXIT_INTERRUPTED;
    }
    pcs_replay_cost_free(&cost);
    for (size_t i = 0; i < lane_count; i++)
        pcs_replay_result_free(&lanes[i].result);
    free(caches.configs);
    pcs_replay_coster_free(sink.coster);
    pcs_trace_free(trace);
    pcs_inputs_free(inputs);
    pcs_catalog_free(catalog);
    return cli_finish_stdout(exit_code);
}
