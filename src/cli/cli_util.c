/* Helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int cli_usage_error(const char *command, const char *format, ...)
{
    va_list args;
    fprintf(stderr, "pcsim %s: ", command);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nTry 'pcsim %s --help'.\n", command);
    return CLI_EXIT_USAGE;
}

int cli_option_error(const char *command, char **argv)
{
    if (optopt && optopt < 256)
        return cli_usage_error(command, "unknown option '-%c'", optopt);
    if (optopt)
        return cli_usage_error(command, "option '%s' needs a value", argv[optind - 1]);
    return cli_usage_error(command, "unknown option '%s'", argv[optind - 1]);
}

int cli_add_model_map(const char *command, char *text, struct pcs_model_alias *aliases, size_t *count, size_t max)
{
    char *eq = strchr(text, '=');
    if (!eq || eq == text || !eq[1])
        return cli_usage_error(command, "--model-map: expected FROM=TO, got '%s'", text);
    if (*count == max)
        return cli_usage_error(command, "--model-map: at most %zu mappings", max);
    *eq = '\0';
    aliases[*count].from = text;
    aliases[*count].to = eq + 1;
    ++*count;
    return CLI_EXIT_OK;
}

int cli_parse_count(const char *text, uint64_t *value)
{
    char *end;
    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    unsigned long long base = strtoull(text, &end, 10);
    if (errno != 0 || end == text)
        return -1;
    uint64_t scale = 1;
    if (*end == 'k' || *end == 'K')
        scale = 1000;
    else if (*end == 'M')
        scale = 1000000;
    else if (*end == 'G')
        scale = 1000000000;
    if (scale != 1)
        end++;
    if (*end != '\0' || base > UINT64_MAX / scale)
        return -1;
    *value = (uint64_t)base * scale;
    return 0;
}

int cli_parse_seconds(const char *text, int64_t *ms)
{
    char *end;
    if (!text || !*text)
        return -1;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || !isfinite(value) || value < 0)
        return -1;
    double scale = 1.0;
    if (strcmp(end, "s") == 0)
        scale = 1.0;
    else if (strcmp(end, "m") == 0)
        scale = 60.0;
    else if (strcmp(end, "h") == 0)
        scale = 3600.0;
    else if (strcmp(end, "d") == 0)
        scale = 86400.0;
    else if (*end != '\0')
        return -1;
    double result = value * scale * 1000.0;
    if (result > 9.0e15)
        return -1;
    *ms = llround(result);
    return 0;
}

pcs_inputs *cli_open_inputs(const char *command, char *const *names, size_t count, const char *prices_path, int *code)
{
    for (size_t i = 0; prices_path && strcmp(prices_path, "-") == 0 && i < count; i++) {
        if (strcmp(names[i], "-") == 0) {
            *code = cli_usage_error(command, "'-' (standard input) is given for both --prices and the trace");
            return NULL;
        }
    }
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open((const char *const *)names, count, &err);
    if (!inputs) {
        if (err.status == PCS_ERR_ARG) {
            *code = cli_usage_error(command, "%s", err.message);
        } else {
            fprintf(stderr, "pcsim %s: %s\n", command, err.message);
            *code = CLI_EXIT_DATA;
        }
        return NULL;
    }
    for (size_t i = 0; i < pcs_inputs_note_count(inputs); i++)
        fprintf(stderr, "pcsim %s: note: %s\n", command, pcs_inputs_note(inputs, i));
    *code = CLI_EXIT_OK;
    return inputs;
}

void cli_trace_error(const char *command, enum pcs_status status, const struct pcs_error *err)
{
    fprintf(stderr, "pcsim %s: %s\n", command, err->message);
    if (status == PCS_ERR_FORMAT)
        fprintf(stderr, "pcsim %s: force a format with --input-format\n", command);
}

const char *cli_noun(uint64_t count, const char *singular, const char *plural)
{
    return count == 1 ? singular : plural;
}

int cli_finish_stdout(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "pcsim: error writing the output: %s\n", strerror(errno));
        return status == CLI_EXIT_OK ? CLI_EXIT_DATA : status;
    }
    return status;
}

int cli_output_open(const char *command, const char *path, struct pcs_output *out)
{
    struct pcs_error err = {0};
    if (pcs_output_open(out, path, &err) == PCS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "pcsim %s: %s\n", command, err.message);
    return CLI_EXIT_DATA;
}

int cli_output_close(const char *command, struct pcs_output *out, int ok)
{
    struct pcs_error err = {0};
    if (pcs_output_close(out, ok, &err) != PCS_OK) {
        fprintf(stderr, "pcsim %s: %s\n", command, err.message);
        return CLI_EXIT_DATA;
    }
    return ok ? CLI_EXIT_OK : CLI_EXIT_DATA; /* when !ok the caller has said what went wrong */
}

int cli_check_paths(const char *command, const struct cli_path *paths, size_t count, const char *inputs_what,
                    const char *const *inputs, size_t input_count)
{
    struct pcs_path_use *uses = malloc((count + input_count + 1) * sizeof *uses);
    /* what and path of each use, to name them */
    const struct cli_path **named = malloc((count + input_count + 1) * sizeof *named);
    struct cli_path *as_inputs = malloc((input_count + 1) * sizeof *as_inputs);
    if (!uses || !named || !as_inputs) {
        free(uses);
        free(named);
        free(as_inputs);
        fprintf(stderr, "pcsim %s: out of memory\n", command);
        return CLI_EXIT_DATA;
    }
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (!paths[i].path)
            continue;
        uses[used].path = paths[i].path;
        uses[used].is_output = paths[i].is_output;
        named[used++] = &paths[i];
    }
    for (size_t i = 0; i < input_count; i++) {
        as_inputs[i].what = inputs_what;
        as_inputs[i].path = inputs[i];
        as_inputs[i].is_output = 0;
        uses[used].path = inputs[i];
        uses[used].is_output = 0;
        named[used++] = &as_inputs[i];
    }
    size_t first = 0, second = 0;
    enum pcs_path_clash clash = pcs_paths_check(uses, used, &first, &second);
    int code = CLI_EXIT_OK;
    if (clash != PCS_CLASH_NONE) {
        const struct cli_path *a = named[first], *b = named[second];
        if (b->is_output && !a->is_output) { /* the output first */
            const struct cli_path *swap = a;
            a = b;
            b = swap;
        }
        if (!b->is_output && strcmp(b->path, "-") == 0) {
            static const struct cli_path standard_input = {"standard input", "(-)", 0};
            b = &standard_input;
        }
        if (clash == PCS_CLASH_SAME_OUTPUT)
            code = cli_usage_error(command, "%s %s and %s %s are the same file; give each output its own path", a->what,
                                   a->path, b->what, b->path);
        else if (clash == PCS_CLASH_IN_DIR)
            code = cli_usage_error(command,
                                   "%s %s is a file inside the %s directory %s; an output must not "
                                   "overwrite an input",
                                   a->what, a->path, b->what, b->path);
        else
            code = cli_usage_error(command,
                                   "%s %s is the same file as the %s %s; an output must not overwrite "
                                   "an input",
                                   a->what, a->path, b->what, b->path);
    }
    free(uses);
    free(named);
    free(as_inputs);
    return code;
}

int cli_limit_memory(const char *command, uint64_t bytes)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_DATA, &limit) != 0) {
        fprintf(stderr, "pcsim %s: --max-memory: cannot read the memory limit: %s\n", command, strerror(errno));
        return CLI_EXIT_DATA;
    }
    rlim_t wanted = (rlim_t)bytes;
    if (limit.rlim_max != RLIM_INFINITY && wanted > limit.rlim_max)
        wanted = limit.rlim_max;
    limit.rlim_cur = wanted;
    if (setrlimit(RLIMIT_DATA, &limit) != 0) {
        fprintf(stderr, "pcsim %s: --max-memory: cannot set the memory limit: %s\n", command, strerror(errno));
        return CLI_EXIT_DATA;
    }
    return CLI_EXIT_OK;
}

void cli_memory_hint(const char *command, uint64_t bytes, const char *what_to_change)
{
    if (bytes)
        fprintf(stderr, "pcsim %s: that needs more memory than --max-memory %llu bytes allows: raise it, or %s\n",
                command, (unsigned long long)bytes, what_to_change);
}
