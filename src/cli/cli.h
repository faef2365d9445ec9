/* The pcsim command line: shared helpers for the subcommands (src/cli only). */
#ifndef PCSIM_CLI_H
#define PCSIM_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "pcsim/input.h"
#include "pcsim/output.h"
#include "pcsim/trace.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_DATA 1          /* bad input or runtime error */
#define CLI_EXIT_USAGE 2         /* bad command line */
#define CLI_EXIT_INTERRUPTED 130 /* stopped by SIGINT; a partial result was printed */

int cmd_replay(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_prices(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_tokens(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_gen(int argc, char **argv);

/* Prints "pcsim COMMAND: message" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The usage error for what getopt_long could not take (an unknown option,
 * a missing value); returns CLI_EXIT_USAGE. */
int cli_option_error(const char *command, char **argv);

/* --model-map FROM=TO: splits text (in place) into aliases[*count] and
 * counts it; at most max. CLI_EXIT_OK or a usage error. */
int cli_add_model_map(const char *command, char *text, struct pcs_model_alias *aliases, size_t *count, size_t max);

/* Checked parses of option values: 0 on success, -1 if malformed. */
int cli_parse_count(const char *text, uint64_t *value); /* 1234, 3M, 64k, 2G */
int cli_parse_seconds(const char *text, int64_t *ms);   /* 300, 0.5, 5m, 1h, 24h */

/* Output files (--output, --html, --requests): pcsim/output.h's rules (a
 * regular file replaced whole or not at all, a device, FIFO or descriptor
 * written through). Opens out for path; on failure prints why and returns
 * CLI_EXIT_DATA. */
int cli_output_open(const char *command, const char *path, struct pcs_output *out);

/* Closes out: renames it into place when ok and every write succeeded, and
 * returns CLI_EXIT_OK; else removes its temporary file and returns
 * CLI_EXIT_DATA, having said why when a write or the rename failed (a full
 * disk, say; when !ok the caller says why). Not open: no-op, CLI_EXIT_OK. */
int cli_output_close(const char *command, struct pcs_output *out, int ok);

/* A path named on a command line, for cli_check_paths: what to call it in
 * a message ("--output", "--prices", "$PCSIM_PRICES", "scenario"), the path
 * (NULL: not given, skipped) and whether the command writes it. */
struct cli_path {
    const char *what;
    const char *path;
    int is_output;
};

/* Refuses, before any work, a command line that would write over what it
 * reads or write two outputs to one file (pcs_paths_check: by device and
 * inode, links followed): paths[0..count) and the inputs[0..input_count)
 * called inputs_what ("trace"). Prints the usage error and returns
 * CLI_EXIT_USAGE; CLI_EXIT_OK when nothing clashes; CLI_EXIT_DATA when out
 * of memory. */
int cli_check_paths(const char *command, const struct cli_path *paths, size_t count, const char *inputs_what,
                    const char *const *inputs, size_t input_count);

/* --max-memory: caps the process's data memory (RLIMIT_DATA) at bytes, so
 * an allocation beyond it fails and is reported as out of memory instead of
 * the machine swapping. Returns CLI_EXIT_OK or prints why not. */
int cli_limit_memory(const char *command, uint64_t bytes);

/* The hint after an out-of-memory error under --max-memory (0: none). */
void cli_memory_hint(const char *command, uint64_t bytes, const char *what_to_change);

/* Opens the trace inputs names[0..count) (files, "-", FIFOs, .gz/.zst
 * files, directories: pcsim/input.h) and prints a note for each entry a
 * directory skipped. prices_path (may be NULL) is the catalog's path: "-"
 * in both is a usage error. On failure prints why and returns NULL with
 * *code CLI_EXIT_USAGE or CLI_EXIT_DATA. */
pcs_inputs *cli_open_inputs(const char *command, char *const *names, size_t count, const char *prices_path, int *code);

/* Prints a failure to open a trace; a format that could not be told gets
 * the hint to force one with --input-format. */
void cli_trace_error(const char *command, enum pcs_status status, const struct pcs_error *err);

/* The noun of a count in a message: singular when count is exactly 1
 * ("1 request is"), else plural (as the reports' pcs_report_noun). */
const char *cli_noun(uint64_t count, const char *singular, const char *plural);

/* Flushes and closes stdout; returns CLI_EXIT_DATA if output was lost. */
int cli_finish_stdout(int status);

#endif
