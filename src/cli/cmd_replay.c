/* pcsim replay: trace files -> cache model -> token report. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pcsim/replay.h"
#include "pcsim/report.h"

#define MAX_ALIASES 64

static void print_help(FILE *out)
{
    fputs("Usage: pcsim replay [options] TRACE...\n"
          "\n"
          "Replays request traces in time order through a model of a provider's prompt\n"
          "cache and reports how many prompt tokens it would serve from cache, overall\n"
          "and per model. Several files are merged by time (ties keep file order).\n"
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
          "                        ideal         infinite TTL and capacity: the upper bound\n"
          "                        lru           capacity-bound, least recently used (needs --capacity)\n"
          "                        none          no cache: the baseline\n"
          "  --ttl SECONDS       idle TTL: 300, 0.5, 5m, 1h, 24h (an entry is alive while\n"
          "                      now < last use + TTL)\n"
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
          "Speed:\n"
          "  --threads N         1 reads and simulates on one thread; 2 (the default on a\n"
          "                      machine with two cores or more) reads a long trace (20,000\n"
          "                      requests or more) ahead on a second one. Results are the same.\n"
          "\n"
          "Output:\n"
          "  --format FMT        text (default), json (schema pcsim.replay.v1) or csv\n"
          "  --requests FILE     also write one CSV row per request:\n"
          "                      t_ms,model,input,cache_read,cache_write,output\n"
          "  -h, --help          this help\n"
          "\n"
          "Examples:\n"
          "  pcsim replay --policy openai mooncake_trace.jsonl\n"
          "  pcsim replay --policy anthropic-1h --format json sessions/*.json\n"
          "  pcsim replay --policy lru --capacity 3M --requests per_request.csv trace.jsonl\n"
          "\n"
          "Token columns: input counts every prompt token; cache_read the tokens served from\n"
          "cache; cache_write the tokens written at a premium (breakpoint policies);\n"
          "uncached = input - cache_read - cache_write. cached = cache_read / input.\n",
          out);
}

enum output_format { OUT_TEXT, OUT_JSON, OUT_CSV };

enum { OPT_POLICY = 256, OPT_TTL, OPT_MIN_TOKENS, OPT_GRANULARITY, OPT_CAPACITY, OPT_INPUT_FORMAT, OPT_MODEL,
       OPT_MODEL_MAP, OPT_LENIENT, OPT_FORMAT, OPT_REQUESTS, OPT_THREADS };

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
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct request_sink {
    FILE *out;
    const pcs_trace *trace;
};

static enum pcs_status write_request_row(void *context, const struct pcs_request *req, const struct pcs_usage *usage)
{
    struct request_sink *sink = context;
    return pcs_report_requests_row(sink->out, pcs_trace_model_name(sink->trace, req->model), req, usage);
}

int cmd_replay(int argc, char **argv)
{
    const char *preset = "ttl";
    int64_t ttl_ms = -1;
    uint64_t min_tokens = 0, granularity = 0, capacity = 0;
    int has_min = 0, has_granularity = 0, has_capacity = 0;
    enum output_format output = OUT_TEXT;
    const char *requests_path = NULL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cores >= 2 ? 2 : 1;
    struct pcs_trace_config trace_config = pcs_trace_config_default();
    struct pcs_model_alias aliases[MAX_ALIASES];
    size_t alias_count = 0;
    int opt;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return cli_finish_stdout(CLI_EXIT_OK);
        case OPT_POLICY: preset = optarg; break;
        case OPT_TTL:
            if (cli_parse_seconds(optarg, &ttl_ms) != 0 || ttl_ms <= 0)
                return cli_usage_error("replay", "--ttl: expected a positive duration such as 300, 5m or 1h, got '%s'",
                                       optarg);
            break;
        case OPT_MIN_TOKENS:
            if (cli_parse_count(optarg, &min_tokens) != 0)
                return cli_usage_error("replay", "--min-tokens: expected a token count, got '%s'", optarg);
            has_min = 1;
            break;
        case OPT_GRANULARITY:
            if (cli_parse_count(optarg, &granularity) != 0 || granularity == 0)
                return cli_usage_error("replay", "--granularity: expected a positive token count, got '%s'", optarg);
            has_granularity = 1;
            break;
        case OPT_CAPACITY:
            if (cli_parse_count(optarg, &capacity) != 0 || capacity == 0)
                return cli_usage_error("replay", "--capacity: expected a positive token count such as 3M, got '%s'",
                                       optarg);
            has_capacity = 1;
            break;
        case OPT_INPUT_FORMAT: {
            int format = pcs_trace_format_parse(optarg);
            if (format < 0)
                return cli_usage_error("replay", "--input-format: unknown format '%s' (mooncake, claude-code, "
                                                 "native, azure or auto)", optarg);
            trace_config.format = (enum pcs_trace_format)format;
            break;
        }
        case OPT_MODEL:
            if (!*optarg)
                return cli_usage_error("replay", "--model: empty model name");
            trace_config.default_model = optarg;
            break;
        case OPT_MODEL_MAP: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return cli_usage_error("replay", "--model-map: expected FROM=TO, got '%s'", optarg);
            if (alias_count == MAX_ALIASES)
                return cli_usage_error("replay", "--model-map: at most %d mappings", MAX_ALIASES);
            *eq = '\0';
            aliases[alias_count].from = optarg;
            aliases[alias_count].to = eq + 1;
            alias_count++;
            break;
        }
        case OPT_LENIENT: trace_config.lenient = 1; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                output = OUT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                output = OUT_JSON;
            } else if (strcmp(optarg, "csv") == 0) {
                output = OUT_CSV;
            } else if (pcs_trace_format_parse(optarg) > 0) {
                /* DESIGN lets --format force the trace format too; the names differ. */
                trace_config.format = (enum pcs_trace_format)pcs_trace_format_parse(optarg);
            } else {
                return cli_usage_error("replay", "--format: expected text, json or csv, got '%s'", optarg);
            }
            break;
        case OPT_REQUESTS: requests_path = optarg; break;
        case OPT_THREADS: {
            uint64_t count;
            if (cli_parse_count(optarg, &count) != 0 || count == 0 || count > 1024)
                return cli_usage_error("replay", "--threads: expected a thread count from 1 to 1024, got '%s'",
                                       optarg);
            threads = (unsigned)count;
            break;
        }
        default:
            if (optopt && optopt < 256)
                return cli_usage_error("replay", "unknown option '-%c'", optopt);
            if (optopt)
                return cli_usage_error("replay", "option '%s' needs a value", argv[optind - 1]);
            return cli_usage_error("replay", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("replay", "no trace file given");

    struct pcs_cache_config config;
    if (pcs_cache_preset(preset, &config) != PCS_OK) {
        fprintf(stderr, "pcsim replay: unknown policy '%s'; choose one of:", preset);
        for (unsigned i = 0; pcs_cache_preset_name(i); i++)
            fprintf(stderr, " %s", pcs_cache_preset_name(i));
        fprintf(stderr, "\nTry 'pcsim replay --help'.\n");
        return CLI_EXIT_USAGE;
    }
    if (ttl_ms > 0)
        config.ttl_ms = ttl_ms;
    if (has_min)
        config.min_tokens = min_tokens;
    if (has_granularity)
        config.granularity = granularity;
    if (has_capacity)
        config.capacity_tokens = capacity;
    struct pcs_error err = {""};
    if (pcs_cache_config_check(&config, &err) != PCS_OK)
        return cli_usage_error("replay", "%s", err.message);
    /* An override the policy does not use is said, not silently dropped. */
    const enum pcs_policy policy = config.policy;
    int uses_ttl = policy == PCS_POLICY_TTL || policy == PCS_POLICY_OPENAI || policy == PCS_POLICY_BREAKPOINT;
    int uses_min = policy == PCS_POLICY_OPENAI || policy == PCS_POLICY_BREAKPOINT;
    if (ttl_ms > 0 && !uses_ttl)
        fprintf(stderr, "pcsim replay: note: --ttl has no effect on policy %s\n", pcs_policy_name(policy));
    if (has_min && !uses_min)
        fprintf(stderr, "pcsim replay: note: --min-tokens has no effect on policy %s\n", pcs_policy_name(policy));
    if (has_granularity && policy != PCS_POLICY_OPENAI)
        fprintf(stderr, "pcsim replay: note: --granularity has no effect on policy %s\n", pcs_policy_name(policy));
    if (has_capacity && policy != PCS_POLICY_LRU)
        fprintf(stderr, "pcsim replay: note: --capacity has no effect on policy %s\n", pcs_policy_name(policy));

    trace_config.aliases = aliases;
    trace_config.alias_count = alias_count;
    const char *const *paths = (const char *const *)(argv + optind);
    size_t path_count = (size_t)(argc - optind);
    enum pcs_status status;
    pcs_trace *trace = pcs_trace_open(paths, path_count, &trace_config, &status, &err);
    if (!trace) {
        fprintf(stderr, "pcsim replay: %s\n", err.message);
        return CLI_EXIT_DATA;
    }

    /* The per-request CSV goes to a temporary file renamed into place on
     * success, so a failed run never leaves a truncated file behind. */
    struct request_sink sink = {NULL, trace};
    char *requests_tmp = NULL;
    if (requests_path) {
        size_t len = strlen(requests_path) + 32;
        requests_tmp = malloc(len);
        if (!requests_tmp) {
            pcs_trace_free(trace);
            fprintf(stderr, "pcsim replay: out of memory\n");
            return CLI_EXIT_DATA;
        }
        snprintf(requests_tmp, len, "%s.tmp.%ld", requests_path, (long)getpid());
        sink.out = fopen(requests_tmp, "w");
        if (!sink.out) {
            fprintf(stderr, "pcsim replay: %s: cannot write: %s\n", requests_path, strerror(errno));
            free(requests_tmp);
            pcs_trace_free(trace);
            return CLI_EXIT_DATA;
        }
        pcs_report_requests_header(sink.out);
    }

    struct pcs_replay_result result;
    status = pcs_replay(trace, &config, threads, sink.out ? write_request_row : NULL, &sink, &result, &err);
    int exit_code = CLI_EXIT_OK;
    if (sink.out) {
        int write_failed = ferror(sink.out) != 0;
        write_failed |= fclose(sink.out) != 0;
        if (status == PCS_OK && write_failed) {
            fprintf(stderr, "pcsim replay: %s: write failed: %s\n", requests_path, strerror(errno));
            exit_code = CLI_EXIT_DATA;
        } else if (status == PCS_OK && rename(requests_tmp, requests_path) != 0) {
            fprintf(stderr, "pcsim replay: %s: cannot rename into place: %s\n", requests_path, strerror(errno));
            exit_code = CLI_EXIT_DATA;
        }
        if (status != PCS_OK || exit_code != CLI_EXIT_OK)
            remove(requests_tmp);
        free(requests_tmp);
    }
    if (status != PCS_OK) {
        fprintf(stderr, "pcsim replay: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        pcs_trace_free(trace);
        return CLI_EXIT_DATA;
    }
    if (result.skipped) {
        fprintf(stderr, "pcsim replay: skipped %llu bad record%s (--lenient); the first:\n",
                (unsigned long long)result.skipped, result.skipped == 1 ? "" : "s");
        pcs_trace_print_skips(trace, stderr, 5);
    }
    if (pcs_trace_lacks_prefixes(trace))
        fprintf(stderr, "pcsim replay: note: Azure CSV traces carry no prefix identity; their requests "
                        "count as uncached\n");

    struct pcs_replay_report report = {paths, path_count, preset, config, trace, &result};
    if (exit_code == CLI_EXIT_OK) {
        if (output == OUT_JSON)
            status = pcs_report_replay_json(stdout, &report);
        else if (output == OUT_CSV)
            status = pcs_report_replay_csv(stdout, &report);
        else
            status = pcs_report_replay_text(stdout, &report);
        if (status != PCS_OK) {
            fprintf(stderr, "pcsim replay: writing the report failed: %s\n", pcs_strerror(status));
            exit_code = CLI_EXIT_DATA;
        }
    }
    pcs_replay_result_free(&result);
    pcs_trace_free(trace);
    return cli_finish_stdout(exit_code);
}
