/* pcsim: trace readers.
 *
 * A pcs_trace opens one or more files, detects (or is told) each file's
 * format, and yields their requests merged in time order: equal times keep
 * input order (files in the order given, records in file order, a Claude-Code
 * subagent's requests in its place).
 *
 * A line file (JSONL, CSV) is read in two passes. The first indexes
 * records (their time and place) without building them, on config.threads
 * threads (files, and pieces of a large line file, in parallel; the index,
 * skips and first error do not depend on it); the second parses each record
 * in time order when pcs_trace_next asks for it. Memory is thus a few words
 * per request plus one request's bounds, whatever the trace's size. A record
 * whose time is fine but whose other fields are bad may thus be reported by
 * pcs_trace_next rather than pcs_trace_open.
 *
 * A Claude-Code session file is read once: pcs_trace_open parses and
 * checks every request and keeps its ids, a conversation's turns sharing
 * the ids they re-send, in at most half as many bytes as the file (requests
 * past that are read again when their turn comes).
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a pcs_trace is
 * read by one thread at a time (pcs_trace_next advances it); the threads it
 * starts itself (config.threads) are joined before the call returns. Its
 * const accessors may be called from other threads while nobody calls
 * pcs_trace_next. Ownership: the trace owns every request it yields, every
 * model name and skip message; pcs_trace_free (NULL: a no-op) releases them.
 * Units: times are milliseconds on the trace's own clock; sizes are tokens. */
#ifndef PCSIM_TRACE_H
#define PCSIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "pcsim/input.h"
#include "pcsim/request.h"
#include "pcsim/status.h"

enum pcs_trace_format {
    PCS_FORMAT_AUTO = 0,
    PCS_FORMAT_MOONCAKE,        /* JSONL: timestamp (ms), input_length, output_length, hash_ids */
    PCS_FORMAT_CLAUDE_CODE,     /* one JSON document: block_size, requests[] (with subagents) */
    PCS_FORMAT_NATIVE,          /* pcsim's JSONL: see docs/formats.md */
    PCS_FORMAT_AZURE,           /* CSV: TIMESTAMP,ContextTokens,GeneratedTokens */
    PCS_FORMAT_CLAUDE_CODE_LOG, /* Claude Code transcripts (JSONL), read whole */
    PCS_FORMAT_OPENAI_LOG,      /* JSONL: {"timestamp", "request", "response"}, OpenAI bodies */
    PCS_FORMAT_ANTHROPIC_LOG,   /* JSONL: the same envelope, Anthropic Messages bodies */
    PCS_FORMAT_LITELLM,         /* JSONL: LiteLLM's StandardLoggingPayload */
    PCS_FORMAT_COUNT            /* not a format: how many there are (with AUTO) */
};

/* "mooncake", "claude-code", "native", "azure", "auto" (static text;
 * "unknown" outside the range); parse returns -1 if unknown. */
const char *pcs_trace_format_name(enum pcs_trace_format format);
int pcs_trace_format_parse(const char *name);

/* Every format's name joined for people into buf[0..cap) (cap >= 1; cut
 * short to fit): "mooncake, claude-code, native, azure or auto". Returns buf. */
const char *pcs_trace_format_list(char *buf, size_t cap);

struct pcs_model_alias {
    const char *from; /* model name as the trace spells it */
    const char *to;   /* model id to use instead */
};

struct pcs_trace_config {
    enum pcs_trace_format format;          /* PCS_FORMAT_AUTO detects per file */
    const char *default_model;             /* for formats without a model field */
    const struct pcs_model_alias *aliases; /* --model-map; may be NULL */
    size_t alias_count;
    int lenient;      /* skip bad records (counted) instead of failing */
    unsigned threads; /* threads that may index the files (0 or 1: this one) */
    /* Reads only part `part` of `parts` (parts <= 1: everything); see
     * "Parts" below. */
    unsigned part;
    unsigned parts;
};

/* Parts (a sharded replay, docs/design.md §11). With parts > 1 the trace
 * yields only its part's records, each as the whole trace would (same file
 * index, line, namespace and time), in time order:
 * - request logs (OpenAI, Anthropic, LiteLLM), whose prompts may continue
 *   a session across records and files, all belong to part 0;
 * - whole-document files, files with a header (Azure CSV) and files whose
 *   prefixes are their own (Claude-Code) are dealt whole: the k-th of them,
 *   in the order given, to part k mod parts;
 * - the other line files (native, Mooncake) are cut into parts byte ranges
 *   of their concatenation, at line starts: a part takes the lines that
 *   start in its range, numbered by counting the lines before it.
 * Every part opens every file (detecting formats, numbering namespaces). A
 * part may hold no record: no error says so (the caller counts the parts'
 * records), and a large file is not read in one pass. */

/* Defaults: auto-detect, default_model "default", strict, one thread; a
 * value the caller owns. */
struct pcs_trace_config pcs_trace_config_default(void);

typedef struct pcs_trace pcs_trace;

/* Opens and indexes paths[0..path_count), each a file, "-", a FIFO, a
 * gzip/zstd file or a directory (see pcsim/input.h; what a directory skips
 * is not reported: use pcs_inputs_open to show its notes). On failure
 * returns NULL with err filled, "file:line: field F: problem" (PCS_ERR_IO,
 * PCS_ERR_PARSE, PCS_ERR_RANGE, PCS_ERR_ARG for no path, PCS_ERR_NOMEM).
 * When no format is forced and a file's first record fits none,
 * PCS_ERR_FORMAT names every format tried and why the record fits none.
 * config NULL means pcs_trace_config_default(); the strings in config
 * (default_model, aliases) must outlive the trace. */
pcs_trace *pcs_trace_open(const char *const *paths, size_t path_count, const struct pcs_trace_config *config,
                          struct pcs_error *err);

/* The same over inputs already opened (which must outlive the trace; a
 * second trace may be opened over them, since a stream was read once into
 * the list). */
pcs_trace *pcs_trace_open_inputs(const pcs_inputs *inputs, const struct pcs_trace_config *config,
                                 struct pcs_error *err);

/* Next request in time order into *req. Its arrays belong to the trace and
 * stay valid until the next call (or pcs_trace_free). Returns PCS_OK,
 * PCS_END when done, or an error (err filled); after an error the trace may
 * only be freed. In lenient mode a bad record is counted and skipped
 * instead. */
enum pcs_status pcs_trace_next(pcs_trace *trace, struct pcs_request *req, struct pcs_error *err);

/* Models seen so far (ids are dense, in order of first appearance). A name
 * lives as long as the trace; "?" for an id not seen. pcs_trace_model_name
 * locks: any thread may call it, also while another reads the trace. */
size_t pcs_trace_model_count(const pcs_trace *trace);
const char *pcs_trace_model_name(const pcs_trace *trace, uint32_t model);

/* Requests indexed, and records skipped in lenient mode so far. */
uint64_t pcs_trace_request_count(const pcs_trace *trace);
uint64_t pcs_trace_skipped_count(const pcs_trace *trace);

/* 1 if some file of the trace has no prefix identity (Azure CSV), else 0. */
int pcs_trace_lacks_prefixes(const pcs_trace *trace);

/* The first such file's format for people ("Azure CSV"), or NULL when
 * every file has prefix identity. Static text. */
const char *pcs_trace_prefixless_format(const pcs_trace *trace);

/* The label of the first file's format whose prompts come from token counts
 * alone (docs/design.md §8: each request extends its predecessor's prompt
 * by the tokens it adds), e.g. "Claude Code transcript", for the reports
 * to state that assumption; NULL when no file's do. */
const char *pcs_trace_counts_only_format(const pcs_trace *trace);

/* The format detected for file i. */
enum pcs_trace_format pcs_trace_file_format(const pcs_trace *trace, size_t file);

/* The path of file i as given (i < the number of files; NULL past it). */
const char *pcs_trace_file_path(const pcs_trace *trace, size_t file);

/* Where req (yielded by trace) came from, for people, into buf[0..cap)
 * (cut short to fit): "path:line", or "path: requests[i]" and
 * "path: requests[i].requests[j]" for whole-document files. Returns buf. */
const char *pcs_trace_request_place(const pcs_trace *trace, const struct pcs_request *req, char *buf, size_t cap);

/* Writes the first lenient-mode skip messages (at most max) to out. */
void pcs_trace_print_skips(const pcs_trace *trace, FILE *out, size_t max);

void pcs_trace_free(pcs_trace *trace); /* NULL is a no-op */

#endif
