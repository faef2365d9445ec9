/* pcsim tokens: exact BPE token counts of files (pcsim/tokens.h). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/text_file.h"
#include "pcsim/tokens.h"
#include "tokens/generated/source.h"

static void print_help(FILE *out)
{
    fputs("Usage: pcsim tokens [--encoding E | --model M] [--format FMT] [FILE|-]...\n"
          "\n"
          "Counts the tokens of each FILE (or of standard input: '-', or no FILE) with\n"
          "OpenAI's byte-pair encoding, exactly: the text is split by the encoding's\n"
          "pattern, then its bytes are merged by rank. The ranks are built into pcsim\n"
          "from the npm package " PCS_TOKENS_SOURCE " (tools/update-tokenizer); no network.\n"
          "This is how pcsim splits a logged request's input across its content blocks\n"
          "(docs/tokens.md).\n"
          "\n"
          "  --encoding E   o200k_base (default: GPT-4o, GPT-4.1, GPT-5, o-series) or\n"
          "                 cl100k_base (GPT-4, GPT-3.5-turbo, text-embedding-3)\n"
          "  --model M      the encoding model M is counted with: cl100k_base for gpt-4,\n"
          "                 gpt-4-*, gpt-3.5*, text-embedding-3-* and -ada-002, else\n"
          "                 o200k_base (other providers' models too: an estimate)\n"
          "  --format FMT   text (default: count and name per file, then the total) or\n"
          "                 json (schema pcsim.tokens.v1)\n"
          "  -h, --help     this help\n"
          "\n"
          "What is counted: the file's bytes as text, nothing added (no chat framing).\n"
          "Special tokens such as <|endoftext|> count as ordinary text. Bytes that are\n"
          "not UTF-8 count as U+FFFD, one per ill-formed sequence (as node reads them).\n"
          "A .gz or .zst file is counted as the text it holds.\n"
          "\n"
          "Examples:\n"
          "  pcsim tokens prompt.txt\n"
          "  pcsim tokens --model gpt-4-turbo system.txt tools.json\n"
          "  echo 'hello world' | pcsim tokens --format json\n",
          out);
}

enum { OPT_ENCODING = 256, OPT_MODEL, OPT_FORMAT };

static const struct option options[] = {
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"model", required_argument, NULL, OPT_MODEL},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct tokens_options {
    enum pcs_encoding encoding;
    const char *encoding_name;
    const char *model;
    int json;
};

/* Returns CLI_EXIT_OK, an exit code, or -1 after --help. */
static int parse_options(int argc, char **argv, struct tokens_options *opts)
{
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_ENCODING: opts->encoding_name = optarg; break;
        case OPT_MODEL: opts->model = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0)
                opts->json = 1;
            else if (strcmp(optarg, "text") == 0)
                opts->json = 0;
            else
                return cli_usage_error("tokens", "--format: expected text or json, got '%s'", optarg);
            break;
        case 'h': print_help(stdout); return -1;
        default: return cli_option_error("tokens", argv);
        }
    }
    if (opts->encoding_name != NULL && opts->model != NULL)
        return cli_usage_error("tokens", "give --encoding or --model, not both");
    opts->encoding = PCS_ENCODING_O200K_BASE;
    if (opts->encoding_name != NULL) {
        int parsed = pcs_encoding_parse(opts->encoding_name);
        if (parsed < 0)
            return cli_usage_error("tokens", "--encoding: expected o200k_base or cl100k_base, got '%s'",
                                   opts->encoding_name);
        opts->encoding = (enum pcs_encoding)parsed;
    } else if (opts->model != NULL) {
        opts->encoding = pcs_encoding_for_model(opts->model);
    }
    return CLI_EXIT_OK;
}

/* text as a JSON string: quotes, backslashes and control characters escaped;
 * other bytes as they are (a path is printed as given). */
static void print_json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

int cmd_tokens(int argc, char **argv)
{
    struct tokens_options opts;
    memset(&opts, 0, sizeof opts);
    int code = parse_options(argc, argv, &opts);
    if (code < 0)
        return cli_finish_stdout(CLI_EXIT_OK);
    if (code != CLI_EXIT_OK)
        return code;
    static char *const standard_input[] = {"-"};
    char *const *files = optind < argc ? argv + optind : standard_input;
    size_t file_count = optind < argc ? (size_t)(argc - optind) : 1;
    size_t stdin_uses = 0;
    for (size_t i = 0; i < file_count; i++)
        stdin_uses += strcmp(files[i], "-") == 0;
    if (stdin_uses > 1)
        return cli_usage_error("tokens", "standard input ('-') can be read once");

    struct pcs_error err = {0};
    pcs_tokenizer *tok = pcs_tokenizer_new(opts.encoding, &err);
    if (tok == NULL) {
        fprintf(stderr, "pcsim tokens: %s\n", err.message);
        return CLI_EXIT_DATA;
    }
    uint64_t *counts = calloc(file_count, sizeof *counts);
    size_t *sizes = calloc(file_count, sizeof *sizes);
    code = counts != NULL && sizes != NULL ? CLI_EXIT_OK : CLI_EXIT_DATA;
    if (code != CLI_EXIT_OK)
        fprintf(stderr, "pcsim tokens: out of memory\n");
    for (size_t i = 0; i < file_count && code == CLI_EXIT_OK; i++) {
        char *data = NULL;
        if (pcs_text_file_read(files[i], &data, &sizes[i], &err) != PCS_OK ||
            pcs_tokenizer_count(tok, data, sizes[i], &counts[i], &err) != PCS_OK) {
            fprintf(stderr, "pcsim tokens: %s\n", err.message);
            code = CLI_EXIT_DATA;
        }
        free(data);
    }
    pcs_tokenizer_free(tok);
    if (code == CLI_EXIT_OK) {
        uint64_t total = 0;
        uint64_t total_bytes = 0;
        for (size_t i = 0; i < file_count; i++) {
            total += counts[i];
            total_bytes += sizes[i];
        }
        if (opts.json) {
            printf("{\n  \"schema\": \"pcsim.tokens.v1\",\n  \"encoding\": \"%s\",\n  \"ranks\": \"%s\",\n"
                   "  \"files\": [",
                   pcs_encoding_name(opts.encoding), PCS_TOKENS_SOURCE);
            for (size_t i = 0; i < file_count; i++) {
                printf("%s\n    {\"path\": ", i ? "," : "");
                print_json_string(files[i]);
                printf(", \"bytes\": %zu, \"tokens\": %" PRIu64 "}", sizes[i], counts[i]);
            }
            printf("\n  ],\n  \"total\": {\"bytes\": %" PRIu64 ", \"tokens\": %" PRIu64 "}\n}\n", total_bytes, total);
        } else {
            for (size_t i = 0; i < file_count; i++)
                printf("%10" PRIu64 "  %s\n", counts[i], files[i]);
            if (file_count > 1)
                printf("%10" PRIu64 "  total\n", total);
        }
    }
    free(counts);
    free(sizes);
    return cli_finish_stdout(code);
}
