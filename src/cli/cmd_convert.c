/* pcsim convert: any trace or log -> native JSONL with hashed ids, no prompt text. */
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "cli_options.h"
#include "pcsim/native_write.h"
#include "report/report_util.h"

static void print_help(FILE *out)
{
    fputs("Usage: pcsim convert [options] TRACE... [--output FILE]\n"
          "\n"
          "Writes the requests of traces or request logs, in time order, as pcsim's native\n"
          "JSONL: one line per request with its time, model, token counts, prompt\n"
          "segments (hashed unit ids and their token counts, breakpoints with their\n"
          "marker), session, task and tier, and the cache usage a log observed. No prompt\n"
          "text is written: the file can be shared. Replaying it gives the same report\n"
          "as replaying the inputs. A TRACE is what 'pcsim replay' reads: a file, a\n"
          "directory, - for standard input, a FIFO, a gzip/zstd file.\n"
          "\n"
          "Input:\n",
          out);
    cli_shared_help(out, CLI_GROUP_INPUT);
    fputs("\n"
          "Speed:\n",
          out);
    cli_shared_help(out, CLI_GROUP_SPEED);
    fputs("\n"
          "Output:\n"
          "  --output FILE       write the trace to FILE (default: stdout); a file is\n"
          "                      written whole or not at all, and never one of the inputs\n"
          "  -h, --help          this help\n"
          "  Ctrl-C stops and writes nothing to a file (exit status 130).\n"
          "\n"
          "Examples:\n"
          "  pcsim convert --output trace.jsonl requests.jsonl\n"
          "  pcsim convert --output sessions.jsonl --threads 1 sessions/\n"
          "  pcsim replay --policy auto trace.jsonl\n",
          out);
}

enum { OPT_OUTPUT = 256 };

static const struct option own_options[] = {
    {"output", required_argument, NULL, OPT_OUTPUT},
};

/* Set by SIGINT: the conversion stops after the request under way. */
static volatile sig_atomic_t convert_interrupted;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    convert_interrupted = 1;
}

/* Parses argv into *shared and *output_path; returns CLI_EXIT_OK, -1 after
 * --help, or an exit code. */
static int parse_options(int argc, char **argv, struct cli_trace_cost *shared, const char **output_path)
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
        case OPT_OUTPUT: *output_path = optarg; break;
        default: {
            int code = cli_table_option("convert", opt, optarg, &unused, shared);
            if (code < 0)
                return cli_option_error("convert", argv);
            if (code != CLI_EXIT_OK)
                return code;
        }
        }
    }
    if (optind >= argc)
        return cli_usage_error("convert", "no trace file given");
    return CLI_EXIT_OK;
}

/* The notes on what was read: skipped records, formats without prefixes,
 * prompts rebuilt from counts (the converted trace states them; this is
 * where the assumption is said). */
static void print_notes(const pcs_trace *trace)
{
    char note[512];
    if (pcs_report_counts_only_note(trace, note, sizeof note))
        fprintf(stderr, "pcsim convert: %s; the trace written holds those prompts\n", note);
    uint64_t skipped = pcs_trace_skipped_count(trace);
    if (skipped) {
        fprintf(stderr, "pcsim convert: skipped %llu bad record%s (--lenient); the first:\n",
                (unsigned long long)skipped, skipped == 1 ? "" : "s");
        pcs_trace_print_skips(trace, stderr, 5);
    }
    if (pcs_trace_lacks_prefixes(trace))
        fprintf(stderr,
                "pcsim convert: note: %s traces carry no prefix identity; their requests are "
                "written without a prompt (uncached)\n",
                pcs_trace_prefixless_format(trace));
}

int cmd_convert(int argc, char **argv)
{
    struct cli_trace_cost shared;
    cli_trace_cost_init(&shared);
    const char *output_path = NULL;
    int code = parse_options(argc, argv, &shared, &output_path);
    if (code != CLI_EXIT_OK)
        return code < 0 ? cli_finish_stdout(CLI_EXIT_OK) : code;
    char *const *names = argv + optind;
    size_t name_count = (size_t)(argc - optind);
    const struct cli_path outputs[] = {{"--output", output_path, 1}};
    code = cli_check_paths("convert", outputs, 1, "trace", (const char *const *)names, name_count);
    if (code != CLI_EXIT_OK)
        return code;
    pcs_inputs *inputs = cli_open_inputs("convert", names, name_count, NULL, &code);
    if (!inputs)
        return code;
    struct pcs_error err = {0};
    shared.trace_config.threads = shared.threads;
    pcs_trace *trace = pcs_trace_open_inputs(inputs, &shared.trace_config, &err);
    if (!trace) {
        cli_trace_error("convert", err.status, &err);
        pcs_inputs_free(inputs);
        return CLI_EXIT_DATA;
    }
    struct pcs_output file = {NULL, NULL, NULL, NULL};
    if (output_path && cli_output_open("convert", output_path, &file) != CLI_EXIT_OK) {
        pcs_trace_free(trace);
        pcs_inputs_free(inputs);
        return CLI_EXIT_DATA;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    uint64_t written = 0;
    enum pcs_status status =
        pcs_native_write_trace(trace, file.file ? file.file : stdout, &convert_interrupted, &written, &err);
    if (status == PCS_END)
        fprintf(stderr, "pcsim convert: interrupted after %llu %s; %s\n", (unsigned long long)written,
                cli_noun(written, "request", "requests"), file.target ? "nothing written" : "the output stops there");
    else if (status != PCS_OK)
        fprintf(stderr, "pcsim convert: %s\n", err.message[0] ? err.message : pcs_strerror(status));
    print_notes(trace);
    int exit_code = status == PCS_OK ? CLI_EXIT_OK : status == PCS_END ? CLI_EXIT_INTERRUPTED : CLI_EXIT_DATA;
    if (file.file) {
        int closed = cli_output_close("convert", &file, status == PCS_OK);
        if (exit_code == CLI_EXIT_OK)
            exit_code = closed;
    }
    pcs_trace_free(trace);
    pcs_inputs_free(inputs);
    return cli_finish_stdout(exit_code);
}
