/* Internals shared by the trace readers (src/trace only).
 *
 * Each format supplies a struct trace_format. Line formats (JSONL, CSV)
 * parse one record per line; the Claude-Code format indexes a whole JSON
 * document. All of them parse a record into a pcs_request through the same
 * function, once when indexing (to validate and learn its time) and again
 * when the record's turn comes. */
#ifndef PCSIM_TRACE_INTERNAL_H
#define PCSIM_TRACE_INTERNAL_H

#include <stdint.h>

#include "common/bound_arrays.h"
#include "one_pass_internal.h"
#include "detect.h"
#include "pcsim/trace.h"

/* Longest line (record) accepted in a line format. */
#define TRACE_MAX_LINE ((size_t)64 << 20)
/* Bytes after the end of every buffer a record is parsed from, zeroed, so
 * that scanners may read a word at a time. */
#define TRACE_READ_PADDING 16
/* Most bounds one request may carry. */
#define TRACE_MAX_BOUNDS ((size_t)1 << 24)

/* Where a record is, for messages: "path:line" or "path: requests[3]". */
struct record_loc {
    const char *path;
    uint64_t line;     /* 1-based line, or 0 if the record has a path instead */
    const char *where; /* "requests[3].requests[1]" or NULL */
};

/* Where pcs_field_hash_ids puts ids when not in the trace's scratch: one
 * growing array holding the ids of many records (a Claude-Code file's),
 * and the text of the array parsed last, with where its ids are. A record
 * that re-sends that array's ids and adds some (a conversation's next
 * turn) is parsed only past the bytes the two share. Its ids are then
 * appended in place, so that the two records' ids overlap, when it keeps
 * all of the previous ids and that array is the store's last; otherwise
 * the shared ids are copied. */
struct ids_store {
    uint64_t *ids;
    size_t count;
    size_t cap;
    const char *prev_text; /* the last array's bytes, '[' through ']' (not owned); NULL: none */
    size_t prev_len;
    size_t prev_at; /* its ids: ids[prev_at .. prev_at + prev_count) */
    size_t prev_count;
};

/* Starts filling an empty store with room for reserve ids at once
 * (memory untouched costs nothing, and the store need not be copied as it
 * grows). -1 when out of memory. */
int pcs_ids_store_open(struct ids_store *store, size_t reserve);

/* Frees the store's ids. */
void pcs_ids_store_free(struct ids_store *store);

/* Claude-Code: a request as pass one parsed it, in the file's order. Its
 * ids are kept in the file's ids store unless that would hold more than
 * half as many bytes as the file (no conversation to share them): pass
 * two then reads and parses the record again. */
struct doc_record {
    uint64_t offset; /* the record's bytes in the file */
    uint32_t length;
    uint32_t model_len; /* its model: names[model_at .. model_at + model_len) */
    uint64_t model_at;
    uint64_t input_tokens;
    uint64_t output_tokens;
    uint64_t ids_at; /* kept ids: store.ids[ids_at .. ids_at + id_count) */
    uint32_t id_count;
    uint32_t kept;
    int64_t ttft_ms; /* Claude-Code sessions: the request's ttft, 0 if none */
};

/* A whole-document file's requests, parsed in pass one. */
struct doc_records {
    struct doc_record *records;
    size_t count;
    size_t cap;
    struct ids_store store;
    char *names;      /* model names as the file spells them; a record */
    size_t names_len; /* with the same model as the one before shares its copy */
    size_t names_cap;
    struct cc_log_call *cc_log_calls; /* claude-code-log: records[i]'s call (format_claude_code_log.c) */
};

/* Sets rec's model name (name[0..len)) in doc's names: the previous
 * record's copy when it is the same, else a new one appended.
 * PCS_ERR_NOMEM or PCS_OK. */
enum pcs_status pcs_doc_records_model(struct doc_records *doc, struct doc_record *rec, const char *name, size_t len);

/* Bytes [start, start + len) of a file, read into buf (cap bytes, of
 * which TRACE_READ_PADDING after the bytes are zero). */
struct file_window {
    char *buf;
    size_t cap;
    uint64_t start;
    size_t len;
};

struct trace_file {
    const char *path;
    enum pcs_trace_format format;
    uint32_t index;        /* position in the list of files */
    uint32_t namespace_id; /* for formats whose ids are local to the file */
    int fd;
    uint64_t size;
    struct file_window window;      /* pass two's (and format detection's) */
    struct file_window side_window; /* pass two's, for records behind the window */
    size_t readahead;               /* bytes read at once in pass two */
    /* Format state. */
    uint32_t block_size; /* Claude-Code */
    int csv_columns[3];  /* Azure: TIMESTAMP, ContextTokens, GeneratedTokens */
    int csv_column_count;
    struct doc_records doc; /* Claude-Code */
};

/* Makes bytes [offset, offset + len) of file available in w. When they are
 * not there already, reads from offset at least readahead bytes (fewer at
 * the end of the file), so that sequential access costs one read per
 * window. */
enum pcs_status pcs_window_load(const struct trace_file *file, struct file_window *w, uint64_t offset, size_t len,
                                size_t readahead, struct pcs_error *err);
void pcs_window_free(struct file_window *w);

/* Bytes a line file is read at a time. */
#define LINE_WINDOW_BYTES ((size_t)256 << 10)

/* A line file's lines that start in [offset, end), read in order through
 * the window w. */
struct line_reader {
    const struct trace_file *file;
    struct file_window *w;
    uint64_t offset; /* the next unread byte */
    uint64_t end;
    uint64_t line_no; /* lines read so far, blank ones included */
};

/* The next line that is not blank: its text without the newline, trailing
 * spaces and carriage return, leading spaces and (at the file's start) a
 * UTF-8 byte order mark; *at is where the text starts in the file and
 * r->line_no its line. PCS_END when no line is left; an error past 2^32
 * lines (index entries keep 32-bit line numbers). */
enum pcs_status pcs_line_next(struct line_reader *r, const char **text, size_t *len, uint64_t *at,
                              struct pcs_error *err);

/* One record found by pass one: its time and place. */
struct index_entry {
    int64_t t_ms;
    uint64_t offset; /* in the file; for a whole-document format, the index of its doc_record */
    uint32_t length;
    uint32_t line; /* line (line formats) or 1-based top-level request index */
    uint32_t file;
    uint32_t sub; /* 1-based index inside a subagent, 0 if none */
};

#define TRACE_MAX_SKIP_MESSAGES 20
/* Reasons an error for a file without a valid record quotes. */
#define TRACE_SHOWN_SKIPS 5

/* A skipped record's place, for listing skips in file order whichever pass
 * or thread found them: the file's index, then (line or 1-based top-level
 * request) << 32 | 1-based subagent request (0 if none). */
struct skip_place {
    uint32_t file;
    uint64_t position;
};

static inline struct skip_place skip_place_of(uint32_t file, uint64_t line, uint32_t sub)
{
    struct skip_place place = {file, line << 32 | sub};
    return place;
}

/* Where pass one puts what it finds: the entries, in the order found, and
 * the records skipped in lenient mode (the count, and the messages of the
 * first ones in file order). Pass two adds its own skips to the trace's. */
struct index_sink {
    struct index_entry *entries;
    size_t count;
    size_t cap;
    int lenient;
    uint64_t skipped;
    char *messages[TRACE_MAX_SKIP_MESSAGES]; /* sorted by place */
    struct skip_place places[TRACE_MAX_SKIP_MESSAGES];
    size_t message_count;
};

void pcs_index_sink_free(struct index_sink *sink);

/* Adds from's skips to into's (the messages move, the first in file order
 * kept); from is left with none. */
void pcs_index_sink_join_skips(struct index_sink *into, struct index_sink *from);

/* A record-level failure (err filled) of the record at place: returns status
 * in strict mode; in lenient mode counts it, keeps the message if it is
 * among the first TRACE_MAX_SKIP_MESSAGES in file order and returns PCS_OK
 * (skip it). Out-of-memory and I/O failures are always returned. */
enum pcs_status pcs_index_record_failed(struct index_sink *sink, struct skip_place place, enum pcs_status status,
                                        const struct pcs_error *err);

/* "path: no valid records (N skipped); the first:" and the first messages
 * in file order, one a line ("skipped: MESSAGE"), as many as fit, into err. */
enum pcs_status pcs_index_no_valid_records(const struct index_sink *sink, const char *path, struct pcs_error *err);

/* Adds record number `record` of file's doc records with its time
 * (whole-document formats). top is the 1-based index of its entry in the
 * document's requests, sub the 1-based index inside a subagent (0 if
 * none): pass two names the record "requests[top-1].requests[sub-1]". */
enum pcs_status pcs_index_push_record(struct index_sink *sink, const struct trace_file *file, size_t record,
                                      int64_t t_ms, uint64_t top, uint32_t sub, struct pcs_error *err);

/* Pass one (index.c): opens files[0..count) (format detected unless
 * config says, namespaces numbered from *namespace_count) and indexes them
 * into index, sorted stably by time. With config->threads > 1, files, and
 * pieces of a large line file, are indexed on that many threads; the index,
 * the skips and the first error are the same as on one. *lacks_prefixes is
 * set to the format (enum pcs_trace_format) of the first file without prefix
 * identity, and left 0 when every file has it. When the one file is a line file
 * of at least one_pass_min_bytes (UINT64_MAX: never), it is only opened and
 * *streaming is set (one_pass_internal.h). */
enum pcs_status pcs_trace_index_files(struct pcs_trace *trace, struct trace_file *files, size_t count,
                                      const struct pcs_trace_config *config, uint64_t one_pass_min_bytes,
                                      uint32_t *namespace_count, int *lacks_prefixes, int *streaming,
                                      struct index_sink *index, struct pcs_error *err);

struct api_log_read;

/* A trace format, described and implemented in its own file
 * (format_NAME.c): what it is, how detection tells it, and its readers.
 * Detection, names, messages and reports read these fields; a new format is
 * its file and its line in trace.c's table. */
struct trace_format {
    enum pcs_trace_format id;
    const char *name;  /* as --input-format and reports spell it: "mooncake" */
    const char *label; /* for people: "Azure CSV" */
    /* Judges a file's head (see detect.h): the best verdict of all the
     * formats' wins. NULL: only when forced. */
    trace_detect_fn detect;
    int namespace_per_file;   /* ids are local to a file: two files never share a prefix */
    int has_prefix_identity;  /* 0: arrivals and lengths only; nothing can be cached */
    int prefixes_from_counts; /* prompts from token counts alone (DESIGN §8): reports say so */
    int records_are_lines;    /* whole-document formats: a record is named by its line (the
                               * index entry's line), not by its place in requests[] */
    /* Line formats: a header line to consume (Azure), or NULL. */
    enum pcs_status (*header)(struct pcs_trace *trace, struct trace_file *file, const char *line, size_t len,
                              const struct record_loc *loc, struct pcs_error *err);
    /* Whole-document formats: index the document doc[0..len) (followed by
     * TRACE_READ_PADDING zero bytes) into sink, parsing every request into
     * file->doc. Called once per file, on any thread: touches nothing but
     * file and sink. */
    enum pcs_status (*index_document)(struct trace_file *file, const char *doc, size_t len, struct index_sink *sink,
                                      struct pcs_error *err);
    /* Line formats: the record's time alone, found quickly (first pass);
     * NULL to parse the whole record instead. */
    enum pcs_status (*index_time)(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                  const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err);
    /* Parses one record into req (arrays in the ctx scratch) and its time,
     * base_seconds added to the record's own time. */
    enum pcs_status (*parse)(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                             double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                             struct pcs_error *err);
    /* Request logs: reads the record's call, on any thread (touches
     * nothing but read); parse is this, then pcs_api_log_request
     * (api_log.h). NULL: not a request log. */
    enum pcs_status (*read_call)(const char *record, size_t len, const struct record_loc *loc,
                                 struct api_log_read *read, struct pcs_error *err);
    /* Whole-document formats: the request from what pass one kept of it
     * (rec->kept), without reading the file. */
    enum pcs_status (*kept)(struct pcs_trace *trace, struct trace_file *file, const struct doc_record *rec,
                            const struct record_loc *loc, struct pcs_request *req, struct pcs_error *err);
};

/* --- services the readers call back into (trace.c) --- */

/* Interns a model name (after --model-map) into an id; PCS_ERR_NOMEM or OK. */
enum pcs_status pcs_trace_model_id(struct pcs_trace *trace, const char *name, size_t len, uint32_t *id);
/* The id of the configured default model. */
enum pcs_status pcs_trace_default_model(struct pcs_trace *trace, uint32_t *id);
/* The scratch a record is parsed into, grown to hold at least count
 * bounds and reused; NULL when out of memory. */
struct bound_arrays *pcs_trace_scratch(struct pcs_trace *trace, size_t count);
/* Ends of bounds over fixed blocks (pcs_field_block_ends): entries [0, exact)
 * hold block * (i + 1), so a request that re-sends a conversation finds
 * them written already. */
struct block_ends {
    uint32_t *ends;
    size_t cap;
    size_t exact;
    uint64_t block; /* 0: no entry is known */
};
/* The table, grown to hold at least count ends (kept); NULL when out of memory. */
struct block_ends *pcs_trace_block_ends(struct pcs_trace *trace, size_t count);
/* The namespace of a native trace's `session` (the same name in two files
 * is the same session). */
uint32_t pcs_trace_session_namespace(const char *name, size_t len);
/* The request logs' state (api_log.h), made when first asked for; NULL
 * when out of memory. */
struct api_log_state *pcs_trace_api_log(struct pcs_trace *trace);
/* The format's operations. */
const struct trace_format *pcs_trace_format_ops(enum pcs_trace_format format);

/* Fails with "LOC: field FIELD: PROBLEM". */
enum pcs_status pcs_trace_field_error(struct pcs_error *err, enum pcs_status status, const struct record_loc *loc,
                                      const char *field, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Seconds (>= 0, finite) to t_ms = llround(seconds * 1000), range-checked. */
enum pcs_status pcs_trace_seconds_to_ms(double seconds, int64_t *t_ms);

#endif
