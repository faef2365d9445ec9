/* pcsim gen: one trial of a scenario through one strategy, written as a
 * native trace (DESIGN §10: the bridge from what-if back to replay). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_pricing.h"
#include "pcsim/gen.h"
#include "pcsim/scenario.h"

static void print_help(FILE *out)
{
    fputs("Usage: pcsim gen [options] SCENARIO.json [--output FILE]\n"
          "\n"
          "Plays one trial of a what-if scenario (the trial 'pcsim run' would play, with\n"
          "the same seed) through one strategy and writes every attempt it sent as one\n"
          "line of pcsim's native JSONL trace, in the order the caches saw them: its time,\n"
          "model, tokens, prompt segments (hashed ids: a shared prefix has one id in every\n"
          "task, each task's history its own), and its task, attempt (the try of the\n"
          "task's step: 1 first, 2 a redo, ...), ok (false for a failed attempt) and\n"
          "tier. Failed attempts and escalations are lines like any other.\n"
          "Replaying the trace with the strategy's cache preset gives the trial's tokens\n"
          "(input, cache read, cache write, output per model), its tasks and its dollars:\n"
          "  pcsim gen --strategy mini-first --output t.jsonl --summary s.json S.json\n"
          "  pcsim replay --policy auto t.jsonl       (the strategy's \"cache\", here auto)\n"
          "A trace is the bridge back to everything that reads one: replay, sweep, the\n"
          "HTML timeline, a trace workload. Details in docs/gen.md.\n"
          "\n"
          "Trial:\n"
          "  --strategy NAME     the strategy to play (default: the scenario's first)\n"
          "  --trial K           the trial, from 0 (default 0): the K-th trial of\n"
          "                      'pcsim run' with the same seed and prices\n"
          "  --seed S            replaces the scenario's seed (as in 'pcsim run')\n"
          "  --point I           with a sweep, the point to play, from 1 ('pcsim validate'\n"
          "                      lists them); required when the scenario has a sweep\n"
          "\n"
          "Prices (only the summary and the trial's dollars use them):\n"
          "  --price-date WHEN   prices in effect at WHEN (default: $PCSIM_PRICE_DATE,\n"
          "                      else today, noon UTC)\n"
          "  --region-uplift X   regional surcharge: 1.1, 0.1 or 10%\n"
          "  --prices FILE       your own catalog (schema pcsim.catalog.v1); also $PCSIM_PRICES\n"
          "\n"
          "Output:\n"
          "  --output FILE       write the trace to FILE (default: stdout, also -); a\n"
          "                      file is written whole or not at all\n"
          "  --summary FILE      also write the trial's own figures as JSON (schema\n"
          "                      pcsim.gen.v1): tasks, attempts, spend, tokens per model\n"
          "  -h, --help          this help\n"
          "  The same scenario, seed, strategy and trial give byte-identical output.\n"
          "  Ctrl-C stops and writes nothing to a file (exit status 130).\n"
          "\n"
          "Examples:\n"
          "  pcsim gen --output trial0.jsonl scenarios/mini-vs-full.json\n"
          "  pcsim gen --strategy batch --trial 7 scenarios/nightly-batch.json | head\n",
          out);
}

enum {
    OPT_STRATEGY = 256,
    OPT_TRIAL,
    OPT_SEED,
    OPT_POINT,
    OPT_PRICE_DATE,
    OPT_UPLIFT,
    OPT_PRICES,
    OPT_OUTPUT,
    OPT_SUMMARY
};

static const struct option options[] = {
    {"strategy", required_argument, NULL, OPT_STRATEGY},
    {"trial", required_argument, NULL, OPT_TRIAL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"point", required_argument, NULL, OPT_POINT},
    {"price-date", required_argument, NULL, OPT_PRICE_DATE},
    {"region-uplift", required_argument, NULL, OPT_UPLIFT},
    {"prices", required_argument, NULL, OPT_PRICES},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct gen_options {
    const char *strategy; /* NULL: the first */
    uint64_t trial;
    int has_seed;
    uint64_t seed;
    uint64_t point; /* 1-based; 0: not given */
    const char *price_date;
    double region_uplift;
    const char *prices_path;
    const char *output_path;
    const char *summary_path;
};

/* Set by SIGINT: the trial stops within a few thousand attempts. */
static volatile sig_atomic_t gen_stop;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    gen_stop = 1;
}

/* Parses argv; CLI_EXIT_OK, -1 after --help, or an exit code. */
static int parse_options(int argc, char **argv, struct gen_options *opts)
{
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_STRATEGY: opts->strategy = optarg; break;
        case OPT_TRIAL:
            if (cli_parse_count(optarg, &opts->trial) != 0 || opts->trial >= PCS_RUN_MAX_TRIALS)
                return cli_usage_error("gen", "--trial: expected a trial from 0 to %u, got '%s'",
                                       PCS_RUN_MAX_TRIALS - 1, optarg);
            break;
        case OPT_SEED:
            if (cli_parse_count(optarg, &opts->seed) != 0)
                return cli_usage_error("gen", "--seed: expected a whole number >= 0, got '%s'", optarg);
            opts->has_seed = 1;
            break;
        case OPT_POINT:
            if (cli_parse_count(optarg, &opts->point) != 0 || opts->point == 0)
                return cli_usage_error("gen", "--point: expected a point number from 1, got '%s'", optarg);
            break;
        case OPT_PRICE_DATE: opts->price_date = optarg; break;
        case OPT_UPLIFT:
            if (cli_parse_uplift(optarg, &opts->region_uplift) != 0 || opts->region_uplift < 0)
                return cli_usage_error("gen", "--region-uplift: expected 1.1, 0.1 or 10%%, got '%s'", optarg);
            break;
        case OPT_PRICES: opts->prices_path = optarg; break;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        case OPT_SUMMARY: opts->summary_path = optarg; break;
        default: return cli_option_error("gen", argv);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("gen", optind >= argc ? "no scenario file given" : "one scenario file at a time");
    return CLI_EXIT_OK;
}

/* The point and strategy the options choose in set; prints why not and
 * returns an exit code. */
static int choose(const char *path, const pcs_scenario_set *set, const struct gen_options *opts, size_t *point,
                  size_t *strategy)
{
    size_t points = pcs_scenario_point_count(set);
    if (opts->point > points) {
        fprintf(stderr, "pcsim gen: --point %llu: %s has %zu point%s\n", (unsigned long long)opts->point, path, points,
                points == 1 ? "" : "s");
        return CLI_EXIT_USAGE;
    }
    if (points > 1 && opts->point == 0) {
        fprintf(stderr,
                "pcsim gen: %s has a sweep of %zu points and a trace is one trial of one of them: choose it with "
                "--point 1 to %zu ('pcsim validate %s' lists them)\n",
                path, points, points, path);
        return CLI_EXIT_USAGE;
    }
    *point = opts->point ? (size_t)opts->point - 1 : 0;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, *point)->scenario;
    *strategy = 0;
    if (!opts->strategy)
        return CLI_EXIT_OK;
    for (size_t s = 0; s < scenario->strategy_count; s++)
        if (strcmp(scenario->strategies[s].name, opts->strategy) == 0) {
            *strategy = s;
            return CLI_EXIT_OK;
        }
    fprintf(stderr, "pcsim gen: --strategy: %s has no strategy \"%s\"; its strategies:", path, opts->strategy);
    for (size_t s = 0; s < scenario->strategy_count; s++)
        fprintf(stderr, "%s \"%s\"", s ? "," : "", scenario->strategies[s].name);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

/* A replay shares an lru capacity among models with one configuration (as
 * one server does); a trial gives each of its caches its own (one per
 * model alias, and in a trace workload one per other model the trace's
 * requests ran on). Says so when it matters: a capacity-bound cache and
 * attempts on more than one of them. */
static void note_shared_capacity(const struct pcs_scenario *scenario, size_t strategy,
                                 const struct pcs_gen_summary *summary)
{
    const struct pcs_strategy *chosen = &scenario->strategies[strategy];
    struct pcs_cache_config config;
    int models = 0;
    for (size_t m = 0; m < summary->model_count; m++) {
        const struct pcs_gen_model_summary *share = &summary->by_model[m];
        if (!share->model || share->usage.requests == 0)
            continue;
        models++;
        if (pcs_strategy_cache_config(chosen, share->model, &config) != PCS_OK ||
            !(pcs_policy_info(config.policy)->uses & PCS_USES_CAPACITY))
            return;
    }
    if (models > 1)
        fprintf(stderr,
                "pcsim gen: note: strategy \"%s\" gives each of the %d models its attempts ran on a cache of its own "
                "capacity; a replay of the trace shares one capacity among models of one cache configuration, so "
                "its figures may differ\n",
                chosen->name, models);
}

static int write_summary(const char *path, const struct pcs_gen_report *report)
{
    struct pcs_output file;
    int code = cli_output_open("gen", path, &file);
    if (code != CLI_EXIT_OK)
        return code;
    enum pcs_status status = pcs_report_gen_json(file.file, report);
    if (status == PCS_ERR_NOMEM)
        fprintf(stderr, "pcsim gen: out of memory writing the summary\n");
    return cli_output_close("gen", &file, status == PCS_OK);
}

int cmd_gen(int argc, char **argv)
{
    struct gen_options opts;
    memset(&opts, 0, sizeof opts);
    opts.region_uplift = 1.0;
    int code = parse_options(argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    struct pcs_run_config config = pcs_run_config_default();
    config.region_uplift = opts.region_uplift;
    config.stop = &gen_stop;
    if (cli_price_time("gen", opts.price_date, &config.price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    const char *path = argv[optind];
    const char *catalog_what;
    const char *catalog_path = cli_catalog_path(opts.prices_path, &catalog_what);
    int to_stdout = !opts.output_path || strcmp(opts.output_path, "-") == 0;
    const struct cli_path named[] = {
        {"--output", to_stdout ? NULL : opts.output_path, 1},
        {"--summary", opts.summary_path, 1},
        {catalog_path ? catalog_what : NULL, catalog_path, 0},
    };
    code = cli_check_paths("gen", named, sizeof named / sizeof named[0], "scenario", &path, 1);
    if (code != CLI_EXIT_OK)
        return code;
    pcs_catalog *catalog = cli_load_catalog("gen", opts.prices_path);
    if (!catalog)
        return CLI_EXIT_DATA;
    struct pcs_error err = {0};
    pcs_scenario_set *set = pcs_scenario_load(path, catalog, &err);
    if (!set) {
        fprintf(stderr, "pcsim gen: %s\n", err.message);
        pcs_catalog_free(catalog);
        return CLI_EXIT_DATA;
    }
    size_t point = 0, strategy = 0;
    code = choose(path, set, &opts, &point, &strategy);
    struct pcs_scenario scenario = pcs_scenario_point(set, point)->scenario;
    if (opts.has_seed)
        scenario.seed = opts.seed;
    struct pcs_output file = {NULL, NULL, NULL, NULL};
    if (code == CLI_EXIT_OK && !to_stdout)
        code = cli_output_open("gen", opts.output_path, &file);
    struct pcs_gen_summary summary;
    memset(&summary, 0, sizeof summary);
    enum pcs_status status = PCS_ERR_ARG;
    if (code == CLI_EXIT_OK) {
        struct sigaction action, previous;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous);
        status = pcs_gen_write_native(&scenario, &config, strategy, opts.trial, file.file ? file.file : stdout,
                                      &summary, &gen_stop, &err);
        sigaction(SIGINT, &previous, NULL);
        if (status == PCS_END || gen_stop) {
            fprintf(stderr, "pcsim gen: interrupted after %llu %s; %s\n", (unsigned long long)summary.lines,
                    cli_noun(summary.lines, "line", "lines"),
                    file.target ? "nothing written" : "the output stops there");
            code = CLI_EXIT_INTERRUPTED;
        } else if (status != PCS_OK) {
            fprintf(stderr, "pcsim gen: %s: %s\n", path, err.message[0] ? err.message : pcs_strerror(status));
            code = CLI_EXIT_DATA;
        }
        if (status == PCS_OK)
            note_shared_capacity(&scenario, strategy, &summary);
    }
    if (file.file) {
        int closed = cli_output_close("gen", &file, code == CLI_EXIT_OK);
        if (code == CLI_EXIT_OK)
            code = closed;
    }
    if (code == CLI_EXIT_OK && opts.summary_path) {
        const struct pcs_scenario_point *chosen = pcs_scenario_point(set, point);
        struct pcs_gen_report report = {path,
                                        &scenario,
                                        pcs_scenario_point_count(set) > 1 ? chosen->label : NULL,
                                        strategy,
                                        opts.trial,
                                        pcs_catalog_source(catalog),
                                        config.price_time_s,
                                        config.region_uplift,
                                        &summary};
        code = write_summary(opts.summary_path, &report);
    }
    pcs_gen_summary_free(&summary);
    pcs_scenario_set_free(set);
    pcs_catalog_free(catalog);
    return cli_finish_stdout(code);
}
