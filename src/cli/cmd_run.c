/* pcsim run: a scenario's Monte Carlo trials -> cost-per-completed-task
 * distributions per strategy; pcsim validate: load and check a scenario. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <math.h>

#include "cli.h"
#include "cli_pricing.h"
#include "dist/dist.h"
#include "pcsim/mc.h"
#include "pcsim/report.h"
#include "pcsim/scenario.h"

static void print_help(FILE *out)
{
    fputs("Usage: pcsim run [options] SCENARIO.json\n"
          "       pcsim validate [--prices FILE] SCENARIO.json\n"
          "\n"
          "Runs a what-if scenario (schema pcsim.scenario.v1; format in docs/scenario.md):\n"
          "each trial draws the uncertain parameters (traffic, failure rates), generates\n"
          "one horizon of tasks, and plays them through every strategy with the same\n"
          "tasks and random draws, each strategy with its own prompt caches. The report\n"
          "gives, per strategy (and sweep point), the cost per completed task across\n"
          "trials (mean, sd, p5, p50, p95, p99, 95% CI of the mean), per-task cost\n"
          "quantiles, completion and escalation rates, attempts per task, cached ratio,\n"
          "spend per horizon, and against the first strategy the paired difference with\n"
          "its 95% CI and the probability of being cheaper.\n"
          "A workload may also be a trace (\"workload\": {\"trace\": [...]}): its own\n"
          "requests at their own times, each strategy routing them with its failures,\n"
          "redos and caches; without failures it is 'pcsim replay' of the trace.\n"
          "'pcsim validate' loads the scenario, resolves its models and prints a summary.\n"
          "SCENARIO.json (and a --prices FILE) may be - for standard input, a FIFO, or a\n"
          "gzip/zstd file (.gz, .zst; told by its bytes), decompressed on the fly.\n"
          "\n"
          "Trials:\n"
          "  --trials N|auto     N trials, 1 to 100000000 (default: the scenario's\n"
          "                      \"trials\"); auto runs batches of 50 until every\n"
          "                      strategy's 95% CI half-width is at most 1% of its mean\n"
          "                      cost per completed task; the report says whether it\n"
          "                      converged or stopped at the cap, and the width reached\n"
          "  --max-trials N      the cap for --trials auto, 1 to 100000000 (default 10000)\n"
          "  --seed S            replaces the scenario's seed\n"
          "  --threads N         worker threads (default: one per core); the output is\n"
          "                      byte-identical for any N\n"
          "\n"
          "Prices:\n"
          "  --price-date WHEN   prices in effect at WHEN (default: $PCSIM_PRICE_DATE,\n"
          "                      else today, noon UTC)\n"
          "  --region-uplift X   regional surcharge: 1.1, 0.1, 10% or catalog\n"
          "  --prices FILE       your own catalog (schema pcsim.catalog.v1); also $PCSIM_PRICES\n"
          "\n"
          "Output:\n"
          "  --format FMT        text (default), json (schema pcsim.run.v1) or csv\n"
          "  --html FILE         also write a self-contained HTML page: the distribution of\n"
          "                      cost per completed task per strategy, means with their CIs\n"
          "  --output FILE       write the report to FILE instead of stdout (FILE and --html\n"
          "                      are written whole or not at all)\n"
          "  --max-memory BYTES  fail with a clear message instead of using more (500M, 2G)\n"
          "  --progress          when stderr is not a terminal (CI logs, nohup): a progress\n"
          "                      line with an ETA every 5 seconds\n"
          "  -h, --help          this help\n"
          "A progress bar with an ETA goes to stderr when it is a terminal. Ctrl-C stops\n"
          "the run within moments, even inside one long trial, and reports the trials\n"
          "done, marked PARTIAL (exit status 130); a second Ctrl-C exits at once without\n"
          "a report.\n"
          "\n"
          "Examples:\n"
          "  pcsim run scenarios/support-bot-cache.json\n"
          "  pcsim run --trials auto --format json scenarios/mini-vs-full.json\n"
          "  pcsim run scenarios/claude-code-what-if.json   # a trace workload\n",
          out);
}

enum {
    OPT_TRIALS = 256,
    OPT_MAX_TRIALS,
    OPT_SEED,
    OPT_THREADS,
    OPT_PRICE_DATE,
    OPT_UPLIFT,
    OPT_PRICES,
    OPT_FORMAT,
    OPT_HTML,
    OPT_OUTPUT,
    OPT_MAX_MEMORY,
    OPT_PROGRESS
};

static const struct option options[] = {
    {"trials", required_argument, NULL, OPT_TRIALS},
    {"max-trials", required_argument, NULL, OPT_MAX_TRIALS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"price-date", required_argument, NULL, OPT_PRICE_DATE},
    {"region-uplift", required_argument, NULL, OPT_UPLIFT},
    {"prices", required_argument, NULL, OPT_PRICES},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"html", required_argument, NULL, OPT_HTML},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

enum run_output { RUN_TEXT, RUN_JSON, RUN_CSV };

struct run_options {
    struct pcs_run_config config;
    int has_seed;
    uint64_t seed;
    const char *price_date;
    const char *prices_path;
    enum run_output output;
    const char *html_path;
    const char *output_path;
    uint64_t max_memory;
    int progress_lines; /* --progress: lines on a stderr that is not a terminal */
};

/* Set by SIGINT; the engine reads stop_flag before each trial and every few
 * thousand attempts inside one. A second SIGINT does not wait: it exits at
 * once with the interrupted status, reporting nothing. */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t stop_flag;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    if (interrupted) {
        static const char message[] = "\npcsim run: interrupted again: exiting without a report\n";
        ssize_t written = write(STDERR_FILENO, message, sizeof message - 1);
        (void)written;
        _exit(CLI_EXIT_INTERRUPTED);
    }
    interrupted = 1;
    stop_flag = 1;
}

/* Progress on stderr: on a terminal a bar redrawn in place; elsewhere (CI
 * logs, nohup), with --progress, one line every interval. Both give an ETA
 * from the pace of the trials done so far (planned grows with --trials
 * auto: the ETA is to the current plan). The interval is 5 s;
 * $PCSIM_PROGRESS_INTERVAL_MS changes it (for the tests). */
#define PROGRESS_INTERVAL_MS 5000

struct progress {
    const char *label;
    int terminal; /* a bar, else lines */
    uint64_t interval_ms;
    double start_s; /* monotonic: when the point's run began */
    double last_line_s;
};

static double monotonic_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* "ETA 1m05s", "ETA 2h03m10s", "ETA --" before the first trial. */
static void format_eta(double elapsed_s, uint64_t done, uint64_t planned, char *buf, size_t cap)
{
    if (done == 0 || planned < done) {
        snprintf(buf, cap, "ETA --");
        return;
    }
    double left = elapsed_s / (double)done * (double)(planned - done);
    unsigned long long seconds = left < 0 ? 0 : (unsigned long long)llround(left);
    if (seconds >= 3600)
        snprintf(buf, cap, "ETA %lluh%02llum%02llus", seconds / 3600, seconds / 60 % 60, seconds % 60);
    else
        snprintf(buf, cap, "ETA %llum%02llus", seconds / 60, seconds % 60);
}

static void show_progress(void *context, uint64_t done, uint64_t planned)
{
    struct progress *progress = context;
    double now = monotonic_s();
    char eta[48];
    format_eta(now - progress->start_s, done, planned, eta, sizeof eta);
    if (progress->terminal) {
        int width = 30;
        int filled = planned ? (int)((double)done / (double)planned * width) : 0;
        if (filled > width)
            filled = width;
        fprintf(stderr, "\r%s [%.*s%*s] %llu/%llu trials, %s ", progress->label, filled,
                "##############################", width - filled, "", (unsigned long long)done,
                (unsigned long long)planned, eta);
        fflush(stderr);
        return;
    }
    if (done < planned && (now - progress->last_line_s) * 1000.0 < (double)progress->interval_ms)
        return;
    progress->last_line_s = now;
    fprintf(stderr, "%s: %llu/%llu trials, %.1f%%, %s\n", progress->label, (unsigned long long)done,
            (unsigned long long)planned, planned ? 100.0 * (double)done / (double)planned : 100.0, eta);
    fflush(stderr);
}

/* $PCSIM_PROGRESS_INTERVAL_MS when it is a whole number from 1, else 5 s. */
static uint64_t progress_interval_ms(void)
{
    const char *text = getenv("PCSIM_PROGRESS_INTERVAL_MS");
    uint64_t value;
    if (text && cli_parse_count(text, &value) == 0 && value >= 1)
        return value;
    return PROGRESS_INTERVAL_MS;
}

static int parse_options(const char *command, int argc, char **argv, struct run_options *opts)
{
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_TRIALS:
            if (strcmp(optarg, "auto") == 0) {
                opts->config.trials_auto = 1;
            } else if (cli_parse_count(optarg, &opts->config.trials) != 0 || opts->config.trials == 0 ||
                       opts->config.trials > PCS_RUN_MAX_TRIALS) {
                return cli_usage_error(command, "--trials: expected a count from 1 to %u or 'auto', got '%s'",
                                       PCS_RUN_MAX_TRIALS, optarg);
            }
            break;
        case OPT_MAX_TRIALS:
            if (cli_parse_count(optarg, &opts->config.max_trials) != 0 || opts->config.max_trials == 0 ||
                opts->config.max_trials > PCS_RUN_MAX_TRIALS)
                return cli_usage_error(command, "--max-trials: expected a count from 1 to %u, got '%s'",
                                       PCS_RUN_MAX_TRIALS, optarg);
            break;
        case OPT_SEED:
            if (cli_parse_count(optarg, &opts->seed) != 0)
                return cli_usage_error(command, "--seed: expected a whole number >= 0, got '%s'", optarg);
            opts->has_seed = 1;
            break;
        case OPT_THREADS: {
            uint64_t threads;
            if (cli_parse_count(optarg, &threads) != 0 || threads == 0 || threads > 256)
                return cli_usage_error(command, "--threads: expected 1 to 256, got '%s'", optarg);
            opts->config.threads = (unsigned)threads;
            break;
        }
        case OPT_PRICE_DATE: opts->price_date = optarg; break;
        case OPT_UPLIFT:
            if (cli_parse_uplift(optarg, &opts->config.region_uplift) != 0)
                return cli_usage_error(command, "--region-uplift: expected 1.1, 0.1, 10%% or catalog, got '%s'",
                                       optarg);
            break;
        case OPT_PRICES: opts->prices_path = optarg; break;
        case OPT_HTML: opts->html_path = optarg; break;
        case OPT_OUTPUT: opts->output_path = optarg; break;
        case OPT_PROGRESS: opts->progress_lines = 1; break;
        case OPT_MAX_MEMORY:
            if (cli_parse_count(optarg, &opts->max_memory) != 0 || opts->max_memory < 1000000)
                return cli_usage_error(
                    command, "--max-memory: expected bytes (at least 1M), such as 500M or 2G, got '%s'", optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                opts->output = RUN_TEXT;
            else if (strcmp(optarg, "json") == 0)
                opts->output = RUN_JSON;
            else if (strcmp(optarg, "csv") == 0)
                opts->output = RUN_CSV;
            else
                return cli_usage_error(command, "--format: expected text, json or csv, got '%s'", optarg);
            break;
        default: return cli_option_error(command, argv);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(command, optind >= argc ? "no scenario file given" : "one scenario file at a time");
    return CLI_EXIT_OK;
}

/* Loads the catalog and the scenario; prints the error and returns NULL. */
static pcs_scenario_set *load(const char *command, const struct run_options *opts, const char *path,
                              pcs_catalog **catalog)
{
    *catalog = cli_load_catalog(command, opts->prices_path);
    if (!*catalog)
        return NULL;
    struct pcs_error err = {0};
    pcs_scenario_set *set = pcs_scenario_load(path, *catalog, &err);
    if (!set) {
        fprintf(stderr, "pcsim %s: %s\n", command, err.message);
        pcs_catalog_free(*catalog);
        *catalog = NULL;
    }
    return set;
}

/* ", ttft 0.8 s" or ", duration gamma, mean 6 s": a model's latency as validate lists it. */
static void print_latency(const char *what, const struct pcs_dist *seconds)
{
    if (seconds->kind == PCS_DIST_CONSTANT)
        printf(", %s %.3g s", what, seconds->a);
    else
        printf(", %s %s, mean %.3g s", what, pcs_dist_kind_name(seconds->kind), pcs_dist_mean(seconds));
}

int cmd_validate(int argc, char **argv)
{
    struct run_options opts;
    memset(&opts, 0, sizeof opts);
    opts.config = pcs_run_config_default();
    int code = parse_options("validate", argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    pcs_catalog *catalog;
    pcs_scenario_set *set = load("validate", &opts, argv[optind], &catalog);
    if (!set)
        return CLI_EXIT_DATA;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    printf("%s: ok: \"%s\", seed %llu, %llu trials, horizon %g h\n", argv[optind], scenario->name,
           (unsigned long long)scenario->seed, (unsigned long long)scenario->trials, scenario->horizon_hours);
    for (size_t m = 0; m < scenario->model_count; m++) {
        const struct pcs_scenario_model *model = &scenario->models[m];
        printf("  model %s = %s (%s)", model->alias, model->model->id, model->model->provider->name);
        if (model->has_ttft)
            print_latency("ttft", &model->ttft_seconds);
        if (model->has_duration)
            print_latency("duration", &model->duration_seconds);
        printf("\n");
    }
    for (size_t t = 0; t < scenario->workload.task_type_count; t++)
        printf("  task type %s: weight %g, %zu prefix segment%s, history %s\n", scenario->workload.task_types[t].name,
               scenario->workload.task_types[t].weight, scenario->workload.task_types[t].prefix_count,
               scenario->workload.task_types[t].prefix_count == 1 ? "" : "s",
               scenario->workload.task_types[t].history ? "yes" : "no");
    const struct pcs_trace_workload *trace = scenario->workload.trace;
    if (trace)
        printf("  workload: a trace of %zu requests in %zu tasks (%zu file%s)\n", trace->request_count,
               trace->task_count, trace->path_count, trace->path_count == 1 ? "" : "s");
    for (size_t s = 0; s < scenario->strategy_count; s++) {
        const struct pcs_strategy *strategy = &scenario->strategies[s];
        int own_tier = trace && !strategy->tier_given;
        printf("  strategy %s: %zu route entr%s, tier %s, cache %s\n", strategy->name, strategy->route_count,
               strategy->route_count == 1 ? "y" : "ies", own_tier ? "each request's" : pcs_tier_name(strategy->tier),
               strategy->cache_text);
    }
    size_t points = pcs_scenario_point_count(set);
    if (points > 1) {
        printf("  sweep: %zu points\n", points);
        for (size_t p = 0; p < points; p++)
            printf("    %s\n", pcs_scenario_point(set, p)->label);
    }
    pcs_scenario_set_free(set);
    pcs_catalog_free(catalog);
    return cli_finish_stdout(CLI_EXIT_OK);
}

/* Under mpirun every rank ends here: a failed rank ends the others (they
 * would wait for it), and only rank 0 has written anything. */
static int run_finish(int exit_code)
{
    if (exit_code == CLI_EXIT_DATA)
        pcs_dist_abort("run", exit_code);
    pcs_dist_finish();
    return cli_finish_stdout(exit_code);
}

int cmd_run(int argc, char **argv)
{
    struct run_options opts;
    memset(&opts, 0, sizeof opts);
    opts.config = pcs_run_config_default();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    opts.config.threads = cores >= 1 ? (unsigned)(cores > 256 ? 256 : cores) : 1;
    int code = parse_options("run", argc, argv, &opts);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    if (cli_price_time("run", opts.price_date, &opts.config.price_time_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    struct pcs_error err = {0};
    const char *path = argv[optind];
    const char *catalog_what;
    const char *catalog_path = cli_catalog_path(opts.prices_path, &catalog_what);
    const struct cli_path named[] = {
        {"--output", opts.output_path, 1},
        {"--html", opts.html_path, 1},
        {catalog_path ? catalog_what : NULL, catalog_path, 0},
    };
    code = cli_check_paths("run", named, sizeof named / sizeof named[0], "scenario", &path, 1);
    if (code != CLI_EXIT_OK)
        return code;
    if (opts.max_memory && cli_limit_memory("run", opts.max_memory) != CLI_EXIT_OK)
        return CLI_EXIT_DATA;
    /* Under mpirun, each rank plays its share of every point's trials
     * (src/dist/dist.h); rank 0 shows progress and reports. */
    if (pcs_dist_start(&err) != PCS_OK) {
        fprintf(stderr, "pcsim run: %s\n", err.message);
        return run_finish(CLI_EXIT_DATA);
    }
    struct pcs_run_share share;
    opts.config.share = pcs_dist_run_share(&share, &stop_flag, opts.config.threads);
    int root = pcs_dist_is_root();
    pcs_catalog *catalog;
    pcs_scenario_set *set = load("run", &opts, path, &catalog);
    if (!set)
        return run_finish(CLI_EXIT_DATA);

    size_t point_count = pcs_scenario_point_count(set);
    struct pcs_run_point_report *points = calloc(point_count, sizeof *points);
    struct pcs_run_result *results = calloc(point_count, sizeof *results);
    struct pcs_scenario *scenarios = calloc(point_count, sizeof *scenarios);
    int exit_code = points && results && scenarios ? CLI_EXIT_OK : CLI_EXIT_DATA;
    if (exit_code != CLI_EXIT_OK)
        fprintf(stderr, "pcsim run: out of memory\n");
    struct sigaction action, previous, previous_term, previous_usr1;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    /* mpirun keeps Ctrl-C to itself: it ends the job with SIGTERM (then
     * SIGKILL a second later, unless told to wait longer), and forwards
     * SIGUSR1; under mpirun either stops the run as Ctrl-C does. */
    if (pcs_dist_size() > 1) {
        sigaction(SIGTERM, &action, &previous_term);
        sigaction(SIGUSR1, &action, &previous_usr1);
    }
    opts.config.stop = &stop_flag;
    struct progress progress = {"pcsim run", isatty(STDERR_FILENO), progress_interval_ms(), 0, 0};
    int show = root && (progress.terminal || opts.progress_lines);
    size_t ran = 0;
    for (size_t p = 0; p < point_count && exit_code == CLI_EXIT_OK; p++) {
        /* Every rank decides alike (src/dist: a stop may reach one rank first). */
        if (pcs_dist_any(stop_flag)) {
            stop_flag = 1;
            break;
        }
        scenarios[p] = pcs_scenario_point(set, p)->scenario;
        if (opts.has_seed)
            scenarios[p].seed = opts.seed;
        char label[64];
        snprintf(label, sizeof label, "pcsim run: point %zu/%zu", p + 1, point_count);
        progress.label = point_count > 1 ? label : "pcsim run";
        progress.start_s = progress.last_line_s = monotonic_s();
        opts.config.progress = show ? show_progress : NULL;
        opts.config.progress_context = &progress;
        enum pcs_status status = pcs_run(&scenarios[p], &opts.config, &results[p], &err);
        if (status != PCS_OK) {
            fprintf(stderr, "%spcsim run: %s: %s\n", show && progress.terminal ? "\n" : "", path, err.message);
            if (status == PCS_ERR_NOMEM)
                cli_memory_hint("run", opts.max_memory, "lower the traffic or the horizon, or use fewer threads");
            exit_code = CLI_EXIT_DATA;
            pcs_dist_abort("run", exit_code); /* before the others wait for this rank */
            break;
        }
        points[p].label = pcs_scenario_point(set, p)->label;
        points[p].setting_count = pcs_scenario_point(set, p)->setting_count;
        points[p].settings = pcs_scenario_point(set, p)->settings;
        points[p].scenario = &scenarios[p];
        points[p].result = &results[p];
        ran++;
        if (results[p].trial_count == 0)
            break;
    }
    if (show && progress.terminal)
        fputc('\n', stderr);
    sigaction(SIGINT, &previous, NULL);
    if (pcs_dist_size() > 1) {
        sigaction(SIGTERM, &previous_term, NULL);
        sigaction(SIGUSR1, &previous_usr1, NULL);
    }
    int partial = pcs_dist_any(stop_flag) != 0; /* here, or on another rank (src/dist) */
    if (exit_code == CLI_EXIT_OK && partial && (ran == 0 || results[ran - 1].trial_count == 0)) {
        if (root)
            fprintf(stderr, "pcsim run: interrupted before a trial finished; nothing to report\n");
        exit_code = CLI_EXIT_INTERRUPTED;
    }
    if (exit_code == CLI_EXIT_OK && root) {
        if (partial)
            fprintf(stderr, "pcsim run: interrupted: reporting the trials finished so far (PARTIAL)\n");
        struct pcs_run_report report = {path,
                                        scenarios[0].name,
                                        scenarios[0].seed,
                                        opts.config.trials_auto,
                                        opts.config.target_relative_half_width,
                                        pcs_catalog_source(catalog),
                                        opts.config.price_time_s,
                                        opts.config.region_uplift,
                                        ran,
                                        points,
                                        partial};
        struct pcs_output file = {NULL, NULL, NULL, NULL};
        if (opts.output_path)
            exit_code = cli_output_open("run", opts.output_path, &file);
        FILE *out = file.file ? file.file : stdout;
        enum pcs_status status = PCS_ERR_IO;
        if (exit_code == CLI_EXIT_OK)
            status = opts.output == RUN_JSON  ? pcs_report_run_json(out, &report)
                     : opts.output == RUN_CSV ? pcs_report_run_csv(out, &report)
                                              : pcs_report_run_text(out, &report);
        if (exit_code == CLI_EXIT_OK && status != PCS_OK && !file.file) {
            fprintf(stderr, "pcsim run: writing the report failed: %s\n", pcs_strerror(status));
            exit_code = CLI_EXIT_DATA;
        }
        if (file.file && cli_output_close("run", &file, status == PCS_OK) != CLI_EXIT_OK)
            exit_code = CLI_EXIT_DATA;
        if (exit_code == CLI_EXIT_OK && opts.html_path) {
            struct pcs_output html;
            exit_code = cli_output_open("run", opts.html_path, &html);
            if (exit_code == CLI_EXIT_OK)
                exit_code = cli_output_close("run", &html, pcs_report_run_html(html.file, &report) == PCS_OK);
        }
    }
    for (size_t p = 0; results && p < point_count; p++)
        pcs_run_result_free(&results[p]);
    free(results);
    free(points);
    free(scenarios);
    pcs_scenario_set_free(set);
    pcs_catalog_free(catalog);
    /* A partial report is printed, but scripts must not take it for a full one. */
    if (exit_code == CLI_EXIT_OK && partial)
        exit_code = CLI_EXIT_INTERRUPTED;
    return run_finish(exit_code);
}
