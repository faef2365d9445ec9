/* pcsim fit: a scenario whose synthetic workload is fitted to traces, and
 * a report of what was fitted and how well it reproduces the trace. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_options.h"
#include "cli_pricing.h"
#include "pcsim/fit.h"
#include "pcsim/scenario.h"

#define DEFAULT_TRIALS 20

static void print_help(FILE *out)
{
    fputs("Usage: pcsim fit [options] TRACE... --output FILE\n"
          "\n"
          "Writes a scenario (pcsim.scenario.v1) whose synthetic workload is fitted to\n"
          "the traces, so that 'pcsim run' can ask what-ifs of traffic like yours: more\n"
          "or less of it, other models, failures and redos, another cache. Fitted:\n"
          "  tasks per hour, and its profile over the hours of the day (diurnal)\n"
          "  steps per task and the gaps between a task's steps (seconds)\n"
          "  the global prefix: the start of a task's first prompt that other tasks'\n"
          "    first prompts share (found from the prefix bounds), its size and how\n"
          "    many different ones there are (variants)\n"
          "  history: whether each step re-sends the previous step's prompt, as a chat\n"
          "  step input and output tokens\n"
          "every size as an empirical distribution of at most 200 values (each the\n"
          "mean of an equal share of what was observed: the mean is kept). One model\n"
          "(the trace's most frequent), one strategy with the cache of --policy.\n"
          "\n"
          "Then it checks the fit: the traces' own replay under --policy against the\n"
          "mean cached ratio of --trials trials of the scenario, and prints a report\n"
          "of what was fitted and how well to stderr (or --report FILE).\n"
          "\n"
          "  --output FILE       where the scenario goes (required; - for stdout); a file\n"
          "                      is written whole or not at all, never over an input\n"
          "  --task RULE         what is a task (default: session):\n"
          "                        session  a Claude-Code file or native session; a request\n"
          "                                 with none joins the earlier request whose whole\n"
          "                                 prompt it extends, else is a task of its own\n"
          "                        task     the native trace's task field\n"
          "                        request  every request is a one-step task\n"
          "  --policy NAME       the strategy's cache and the check's (default: auto,\n"
          "                      each model's provider preset); any preset but lru\n"
          "  --trials N          trials of the check, and of the scenario (default 20)\n"
          "  --name TEXT         the scenario's name (default: \"fitted to\" the first trace)\n"
          "  --report FILE       the report to FILE instead of stderr\n"
          "  --no-check          skip the check (the report says what was fitted only)\n"
          "  --prices FILE       the catalog that resolves the model (default: the\n"
          "                      built-in one, or $PCSIM_PRICES)\n"
          "  --price-date DATE   the check prices the trials at DATE (default:\n"
          "                      $PCSIM_PRICE_DATE, else today)\n"
          "\n"
          "Input:\n",
          out);
    cli_shared_help(out, CLI_GROUP_INPUT);
    fputs("\n"
          "Speed:\n",
          out);
    cli_shared_help(out, CLI_GROUP_SPEED);
    fputs("\n"
          "  -h, --help          this help\n"
          "\n"
          "Hours are counted from the first request, on the trace's clock (its times\n"
          "read as UTC); the horizon is the traces' span rounded up to a minute, so a\n"
          "trial has the trace's density of tasks. A trace whose model the catalog does\n"
          "not know (Mooncake's has none) needs --model or --model-map.\n"
          "\n"
          "Examples:\n"
          "  pcsim fit --output sessions.json scenarios/traces/claude-code/\n"
          "  pcsim fit --model gpt-5.4 --policy openai --output mooncake.json \\\n"
          "      scenarios/traces/mooncake_synthetic_trace.jsonl\n"
          "  pcsim validate sessions.json && pcsim run sessions.json\n",
          out);
}

enum {
    OPT_OUTPUT = 256,
    OPT_TASK,
    OPT_POLICY,
    OPT_TRIALS,
    OPT_NAME,
    OPT_REPORT,
    OPT_NO_CHECK,
    OPT_PRICES,
    OPT_PRICE_DATE,
};

static const struct option own_options[] = {
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"task", required_argument, NULL, OPT_TASK},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"trials", required_argument, NULL, OPT_TRIALS},
    {"name", required_argument, NULL, OPT_NAME},
    {"report", required_argument, NULL, OPT_REPORT},
    {"no-check", no_argument, NULL, OPT_NO_CHECK},
    {"prices", required_argument, NULL, OPT_PRICES},
    {"price-date", required_argument, NULL, OPT_PRICE_DATE},
};

struct fit_options {
    struct cli_trace_cost shared;
    const char *output_path;
    const char *report_path;
    const char *policy;
    const char *name;
    const char *prices_path;
    const char *price_date;
    enum pcs_fit_task_rule rule;
    uint64_t trials;
    int check;
};

/* Parses argv into *opts; returns CLI_EXIT_OK, -1 after --help, or an exit code. */
static int parse_options(int argc, char **argv, struct fit_options *opts)
{
    struct option options[CLI_MAX_OPTIONS];
    cli_getopt_table_of(own_options, sizeof own_options / sizeof own_options[0],
                        (1u << CLI_GROUP_INPUT) | (1u << CLI_GROUP_SPEED), options, CLI_MAX_OPTIONS);
    struct pcs_cache_overrides unused;
    memset(&unused, 0, sizeof unused);
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        case OPT_REPORT: opts->report_path = optarg; break;
        case OPT_POLICY: opts->policy = optarg; break;
        case OPT_NAME: opts->name = optarg; break;
        case OPT_PRICES: opts->prices_path = optarg; break;
        case OPT_PRICE_DATE: opts->price_date = optarg; break;
        case OPT_NO_CHECK: opts->check = 0; break;
        case OPT_TASK: {
            int rule = pcs_fit_task_rule_parse(optarg);
            if (rule < 0)
                return cli_usage_error("fit", "--task: expected session, task or request, got '%s'", optarg);
            opts->rule = (enum pcs_fit_task_rule)rule;
            break;
        }
        case OPT_TRIALS:
            if (cli_parse_count(optarg, &opts->trials) != 0 || opts->trials < 1 || opts->trials > 10000000)
                return cli_usage_error("fit", "--trials: expected a whole number from 1 to 10000000, got '%s'", optarg);
            break;
        default: {
            int code = cli_table_option("fit", opt, optarg, &unused, &opts->shared);
            if (code < 0)
                return cli_option_error("fit", argv);
            if (code != CLI_EXIT_OK)
                return code;
        }
        }
    }
    if (optind >= argc)
        return cli_usage_error("fit", "no trace file given");
    if (!opts->output_path)
        return cli_usage_error("fit", "--output FILE is required (- for stdout)");
    if (strcmp(opts->policy, "lru") == 0)
        return cli_usage_error("fit", "--policy lru needs a capacity, which a scenario cannot give; choose another");
    return CLI_EXIT_OK;
}

/* The scenario's name: --name, else "fitted to" the first trace. */
static char *scenario_name(const struct fit_options *opts, const pcs_inputs *inputs)
{
    if (opts->name)
        return strdup(opts->name);
    size_t count = pcs_inputs_count(inputs);
    const char *first = pcs_inputs_names(inputs)[0];
    size_t size = strlen(first) + 64;
    char *name = malloc(size);
    if (!name)
        return NULL;
    if (count > 1)
        snprintf(name, size, "fitted to %s and %zu more file%s", first, count - 1, count == 2 ? "" : "s");
    else
        snprintf(name, size, "fitted to %s", first);
    return name;
}

/* Writes text to path (the output helpers: never destroying). */
static int write_text(const char *path, const char *text)
{
    struct pcs_output out = {NULL, NULL, NULL, NULL};
    if (cli_output_open("fit", path, &out) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    int ok = fputs(text, out.file) >= 0 && fputc('\n', out.file) != EOF;
    return cli_output_close("fit", &out, ok);
}

/* The fit of the opened inputs into *fit and its scenario's text into
 * *json; CLI_EXIT_OK or an exit code after saying why. */
static int fit_inputs(const struct fit_options *opts, const pcs_inputs *inputs, const pcs_catalog *catalog,
                      struct pcs_fit *fit, char **json)
{
    struct pcs_error err = {0};
    struct pcs_trace_config config = opts->shared.trace_config;
    config.threads = opts->shared.threads;
    pcs_trace *trace = pcs_trace_open_inputs(inputs, &config, &err);
    if (!trace) {
        cli_trace_error("fit", err.status, &err);
        return CLI_EXIT_DATA;
    }
    enum pcs_status status = pcs_fit_trace(trace, opts->rule, fit, &err);
    if (status != PCS_OK) {
        fprintf(stderr, "pcsim fit: %s\n", err.message[0] ? err.message : pcs_strerror(status));
        pcs_trace_free(trace);
        return CLI_EXIT_DATA;
    }
    if (pcs_trace_skipped_count(trace)) {
        fprintf(stderr, "pcsim fit: skipped %llu bad record%s (--lenient); the first:\n",
                (unsigned long long)pcs_trace_skipped_count(trace), pcs_trace_skipped_count(trace) == 1 ? "" : "s");
        pcs_trace_print_skips(trace, stderr, 5);
    }
    if (pcs_trace_lacks_prefixes(trace))
        fprintf(stderr, "pcsim fit: note: %s traces carry no prefix identity: no global prefix or history is found\n",
                pcs_trace_prefixless_format(trace));
    pcs_trace_free(trace);
    char *name = scenario_name(opts, inputs);
    *json = name ? pcs_fit_scenario_json(fit, name, opts->trials, opts->policy) : NULL;
    free(name);
    if (!*json) {
        fputs("pcsim fit: out of memory writing the scenario\n", stderr);
        return CLI_EXIT_DATA;
    }
    /* What is written must load: an unknown model or policy is said here. */
    pcs_scenario_set *set = pcs_scenario_parse(*json, strlen(*json), "fitted scenario", NULL, catalog, &err);
    if (!set) {
        fprintf(stderr, "pcsim fit: %s\n", err.message);
        if (strstr(err.message, "models.main"))
            fputs("pcsim fit: name the trace's model with --model NAME or --model-map FROM=TO\n", stderr);
        return CLI_EXIT_DATA;
    }
    pcs_scenario_set_free(set);
    return CLI_EXIT_OK;
}

static int report(const struct fit_options *opts, const struct pcs_fit *fit, const struct pcs_fit_check *check)
{
    if (!opts->report_path)
        return pcs_fit_report_text(stderr, fit, check) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    struct pcs_output out = {NULL, NULL, NULL, NULL};
    if (cli_output_open("fit", opts->report_path, &out) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    int ok = pcs_fit_report_text(out.file, fit, check) == 0;
    return cli_output_close("fit", &out, ok);
}

int cmd_fit(int argc, char **argv)
{
    struct fit_options opts;
    memset(&opts, 0, sizeof opts);
    cli_trace_cost_init(&opts.shared);
    opts.policy = "auto";
    opts.rule = PCS_FIT_TASK_SESSION;
    opts.trials = DEFAULT_TRIALS;
    opts.check = 1;
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    double price_time_s = 0;
    if (cli_price_time("fit", opts.price_date, &price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    const char *catalog_what;
    const char *catalog_path = cli_catalog_path(opts.prices_path, &catalog_what);
    const struct cli_path outputs[] = {
        {"--output", opts.output_path, 1},
        {"--report", opts.report_path, 1},
        {catalog_path ? catalog_what : NULL, catalog_path, 0},
    };
    struct cli_trace_inputs opened;
    code = cli_open_trace_inputs("fit", argv + optind, (size_t)(argc - optind), opts.prices_path, 1, outputs,
                                 sizeof outputs / sizeof outputs[0], &opened);
    if (code != CLI_EXIT_OK)
        return code;
    struct pcs_fit fit;
    memset(&fit, 0, sizeof fit);
    char *json = NULL;
    code = fit_inputs(&opts, opened.inputs, opened.catalog, &fit, &json);
    if (code == CLI_EXIT_OK)
        code = write_text(opts.output_path, json);
    struct pcs_fit_check check;
    int checked = 0;
    if (code == CLI_EXIT_OK && opts.check) {
        struct pcs_fit_check_job job = {opened.inputs, opts.shared.trace_config, opts.policy,
                                        json,          opened.catalog,           price_time_s,
                                        opts.trials,   opts.shared.threads};
        job.trace.threads = opts.shared.threads;
        struct pcs_error err = {0};
        enum pcs_status status = pcs_fit_check_run(&job, &check, &err);
        if (status != PCS_OK) {
            fprintf(stderr, "pcsim fit: the check failed: %s\n", err.message[0] ? err.message : pcs_strerror(status));
            code = CLI_EXIT_DATA;
        } else {
            checked = 1;
        }
    }
    if (code == CLI_EXIT_OK)
        code = report(&opts, &fit, checked ? &check : NULL);
    free(json);
    pcs_fit_free(&fit);
    pcs_inputs_free(opened.inputs);
    pcs_catalog_free(opened.catalog);
    return cli_finish_stdout(code);
}
