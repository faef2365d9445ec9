/* pcsim: the command table. Each subcommand lives in its own file and parses
 * its own options; all logic is in libpcsim. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "pcsim/version.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"replay", cmd_replay, "replay traces through a provider's prompt cache: cached tokens per model"},
    {"prices", cmd_prices, "the price catalog: list, show a model, cost of a usage"},
    {"sweep", cmd_sweep, "cached tokens and dollars against the TTL or the capacity, in one pass"},
    {"calibrate", cmd_calibrate, "the TTL that best fits the cache usage the provider reported"},
    {"convert", cmd_convert, "traces and request logs to native JSONL: hashed ids, no prompt text"},
    {"run", cmd_run, "Monte Carlo what-if: cost per completed task by strategy"},
    {"fit", cmd_fit, "a scenario whose workload is fitted to traces, and how well it fits"},
    {"gen", cmd_gen, "one trial of a what-if scenario as a native trace, to replay"},
    {"validate", cmd_validate, "check a scenario file and show what it describes"},
    {"tokens", cmd_tokens, "exact token counts of files (OpenAI o200k_base, cl100k_base)"},
};

static void print_help(FILE *out)
{
    fprintf(out,
            "pcsim %s - prompt-cache simulator and what-if cost modeler for LLM APIs\n"
            "\n"
            "Usage: pcsim <command> [options] [arguments]\n"
            "\n"
            "Commands:\n",
            PCS_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  -h, --help     this help; 'pcsim <command> --help' for a command's own\n"
                 "  -V, --version  print the version\n"
                 "\n"
                 "Example:\n"
                 "  pcsim replay --policy openai trace.jsonl\n"
                 "\n"
                 "Results go to stdout, diagnostics to stderr. Exit status: 0 success,\n"
                 "1 bad input or runtime error, 2 usage error, 130 interrupted (Ctrl-C; the\n"
                 "partial result was printed, marked PARTIAL).\n");
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts the process on any error (an rng it
     * cannot allocate, say); off, every GSL call returns its status and
     * libpcsim turns it into an error of its own (STYLE: GSL errors returned). */
    gsl_set_error_handler_off();
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("pcsim %s\n", PCS_VERSION);
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pcsim: unknown command '%s'\nTry 'pcsim --help'.\n", name);
    return CLI_EXIT_USAGE;
}
