/* Opening and merging traces; see pcsim/trace.h.
 *
 * Pass one (index.c) finds each record and its time and keeps a 32-byte
 * index entry per record, sorted stably by time. Pass two, here, parses and
 * validates each record of a line file when its turn comes, reading the
 * file through a window so that a time-ordered file is read sequentially;
 * a document's requests come from what pass one kept of them. A bad record
 * still stops the run (or is skipped with --lenient) before any report is
 * written. */
#include "trace_internal.h"
#include "feed_internal.h"
#include "api_log.h"
#include "log_feed.h"
#include "common/grow.h"
#include "common/hash_table.h"
#include "common/text_append.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

/* Bytes read at once for a record that lies behind its file's window. */
#define SIDE_READAHEAD ((size_t)16 << 10)

/* One pass over the one line file (pcs_trace_open_one_pass). */
struct stream {
    int on;
    struct line_reader lines;
    int saw_header;
    int64_t last_t_ms;      /* the latest time read: no record may come before it */
    uint64_t timed;         /* records whose time pass one would have taken */
    struct index_sink late; /* the skips pass two would have made, reported after pass one's */
    struct log_feed *feed;  /* workers reading ahead (pcs_trace_read_ahead), or NULL */
};

struct pcs_trace {
    struct pcs_trace_config config;
    struct trace_file *files;
    size_t file_count;
    struct stream stream;

    struct index_sink index; /* the entries in time order, and the skips */
    size_t next_entry;

    /* Models: names in order of first appearance, and a hash index. */
    /* The reading thread adds models while a replay's other thread may read
     * names (per-request output): model_lock guards names and count. */
    pthread_mutex_t *model_lock;
    char **model_names;
    size_t model_count;
    size_t model_cap;
    struct pcs_hash_table model_ids; /* XXH3 of the name -> id */

    struct bound_arrays scratch;
    struct block_ends block_ends;

    int lacks_prefixes; /* the format of the first file without prefix identity, or 0 */
    uint32_t namespace_count;
    int has_default_model;
    uint32_t default_model;

    /* A feed (feed_internal.h): requests given, not read. */
    pcs_trace_feed_fn feed;
    void *feed_context;
    uint64_t feed_count;

    pcs_inputs *own_inputs;        /* opened by pcs_trace_open (the files' names are its) */
    struct api_log_state *api_log; /* request logs' chains and token counts; NULL until needed */
};

const char *pcs_trace_format_name(enum pcs_trace_format format)
{
    if (format == PCS_FORMAT_AUTO)
        return "auto";
    const struct trace_format *ops = pcs_trace_format_ops(format);
    return ops ? ops->name : "unknown";
}

int pcs_trace_format_parse(const char *name)
{
    for (int f = PCS_FORMAT_AUTO; f < PCS_FORMAT_COUNT; f++)
        if (strcmp(name, pcs_trace_format_name((enum pcs_trace_format)f)) == 0)
            return f;
    return -1;
}

const char *pcs_trace_format_list(char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int f = PCS_FORMAT_AUTO + 1; f < PCS_FORMAT_COUNT; f++)
        pcs_text_append(buf, cap, &used, "%s%s", used ? ", " : "", pcs_trace_format_name((enum pcs_trace_format)f));
    pcs_text_append(buf, cap, &used, " or %s", pcs_trace_format_name(PCS_FORMAT_AUTO));
    return buf;
}

struct pcs_trace_config pcs_trace_config_default(void)
{
    struct pcs_trace_config config;
    memset(&config, 0, sizeof config);
    config.format = PCS_FORMAT_AUTO;
    config.default_model = "default";
    return config;
}

/* The registry: each format is described in its own format_NAME.c. A new
 * format is its file, its enum value (pcsim/trace.h), its source line in
 * CMakeLists.txt and the two lines here. */
extern const struct trace_format pcs_trace_format_mooncake;
extern const struct trace_format pcs_trace_format_claude_code;
extern const struct trace_format pcs_trace_format_native;
extern const struct trace_format pcs_trace_format_azure;
extern const struct trace_format pcs_trace_format_claude_code_log;
extern const struct trace_format pcs_trace_format_openai_log;
extern const struct trace_format pcs_trace_format_anthropic_log;
extern const struct trace_format pcs_trace_format_litellm;

static const struct trace_format *const format_ops[PCS_FORMAT_COUNT] = {
    [PCS_FORMAT_MOONCAKE] = &pcs_trace_format_mooncake,
    [PCS_FORMAT_CLAUDE_CODE] = &pcs_trace_format_claude_code,
    [PCS_FORMAT_NATIVE] = &pcs_trace_format_native,
    [PCS_FORMAT_AZURE] = &pcs_trace_format_azure,
    [PCS_FORMAT_CLAUDE_CODE_LOG] = &pcs_trace_format_claude_code_log,
    [PCS_FORMAT_OPENAI_LOG] = &pcs_trace_format_openai_log,
    [PCS_FORMAT_ANTHROPIC_LOG] = &pcs_trace_format_anthropic_log,
    [PCS_FORMAT_LITELLM] = &pcs_trace_format_litellm,
};

const struct trace_format *pcs_trace_format_ops(enum pcs_trace_format format)
{
    return (unsigned)format < PCS_FORMAT_COUNT ? format_ops[format] : NULL;
}

/* ---------------------------------------------------------------- messages */

/* Formats "path:line: " or "path: where: " into buf. */
static void loc_prefix(const struct record_loc *loc, char *buf, size_t cap)
{
    if (loc->where)
        snprintf(buf, cap, "%s: %s", loc->path, loc->where);
    else if (loc->line)
        snprintf(buf, cap, "%s:%llu", loc->path, (unsigned long long)loc->line);
    else
        snprintf(buf, cap, "%s", loc->path);
}

enum pcs_status pcs_trace_field_error(struct pcs_error *err, enum pcs_status status, const struct record_loc *loc,
                                      const char *field, const char *format, ...)
{
    char where[PCS_ERROR_MAX / 2];
    char problem[PCS_ERROR_MAX / 2];
    va_list args;
    va_start(args, format);
    vsnprintf(problem, sizeof problem, format, args);
    va_end(args);
    loc_prefix(loc, where, sizeof where);
    if (field)
        return pcs_error_set(err, status, "%s: field %s: %s", where, field, problem);
    return pcs_error_set(err, status, "%s: %s", where, problem);
}

enum pcs_status pcs_trace_seconds_to_ms(double seconds, int64_t *t_ms)
{
    if (!isfinite(seconds) || seconds < 0)
        return PCS_ERR_RANGE;
    double ms = seconds * 1000.0;
    if (ms > (double)PCS_MAX_TIME_MS)
        return PCS_ERR_RANGE;
    *t_ms = llround(ms);
    return PCS_OK;
}

/* ------------------------------------------------------------------ models */

/* What intern_model looks for: a known name equal to name[0..len). */
struct model_name {
    const struct pcs_trace *trace;
    const char *name;
    size_t len;
};

static int same_model_name(const void *context, uint32_t id)
{
    const struct model_name *sought = context;
    const char *known = sought->trace->model_names[id];
    return strlen(known) == sought->len && memcmp(known, sought->name, sought->len) == 0;
}

static enum pcs_status intern_model(struct pcs_trace *trace, const char *name, size_t len, uint32_t *id)
{
    uint64_t hash = XXH3_64bits(name, len);
    const struct model_name sought = {trace, name, len};
    trace->model_ids.premixed = 1; /* XXH3 outputs */
    uint32_t known = pcs_hash_find_match(&trace->model_ids, hash, 0, same_model_name, &sought);
    if (known != PCS_HASH_EMPTY) {
        *id = known;
        return PCS_OK;
    }
    /* Room first, so that a name once listed is always found. */
    if (trace->model_count >= UINT32_MAX - 1 || pcs_hash_reserve(&trace->model_ids, trace->model_count + 1) != PCS_OK)
        return PCS_ERR_NOMEM;
    char *copy = malloc(len + 1);
    if (!copy)
        return PCS_ERR_NOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    pthread_mutex_lock(trace->model_lock);
    if (trace->model_count == trace->model_cap) {
        size_t cap = trace->model_cap ? trace->model_cap * 2 : 8;
        char **names = realloc(trace->model_names, cap * sizeof *names);
        if (!names) {
            pthread_mutex_unlock(trace->model_lock);
            free(copy);
            return PCS_ERR_NOMEM;
        }
        trace->model_names = names;
        trace->model_cap = cap;
    }
    trace->model_names[trace->model_count] = copy;
    *id = (uint32_t)trace->model_count++;
    pthread_mutex_unlock(trace->model_lock);
    return pcs_hash_add(&trace->model_ids, hash, 0, *id); /* reserved above: cannot fail */
}

enum pcs_status pcs_trace_model_id(struct pcs_trace *trace, const char *name, size_t len, uint32_t *id)
{
    for (size_t i = 0; i < trace->config.alias_count; i++) {
        const struct pcs_model_alias *alias = &trace->config.aliases[i];
        if (strlen(alias->from) == len && memcmp(alias->from, name, len) == 0)
            return intern_model(trace, alias->to, strlen(alias->to), id);
    }
    return intern_model(trace, name, len, id);
}

enum pcs_status pcs_trace_default_model(struct pcs_trace *trace, uint32_t *id)
{
    /* Interned once, when first asked for: every record of a format
     * without a model field asks. */
    if (!trace->has_default_model) {
        const char *name = trace->config.default_model;
        enum pcs_status status = pcs_trace_model_id(trace, name, strlen(name), &trace->default_model);
        if (status != PCS_OK)
            return status;
        trace->has_default_model = 1;
    }
    *id = trace->default_model;
    return PCS_OK;
}

size_t pcs_trace_model_count(const pcs_trace *trace)
{
    pthread_mutex_lock(trace->model_lock);
    size_t count = trace->model_count;
    pthread_mutex_unlock(trace->model_lock);
    return count;
}

const char *pcs_trace_model_name(const pcs_trace *trace, uint32_t model)
{
    pthread_mutex_lock(trace->model_lock);
    const char *name = model < trace->model_count ? trace->model_names[model] : "?";
    pthread_mutex_unlock(trace->model_lock);
    return name;
}

/* ----------------------------------------------------------------- scratch */

/* Releases a whole-document file's parsed records. */
static void doc_records_free(struct doc_records *doc)
{
    free(doc->records);
    pcs_ids_store_free(&doc->store);
    free(doc->names);
    free(doc->cc_log_calls);
    memset(doc, 0, sizeof *doc);
}

struct api_log_state *pcs_trace_api_log(struct pcs_trace *trace)
{
    if (!trace->api_log)
        trace->api_log = pcs_api_log_state_new();
    return trace->api_log;
}

struct bound_arrays *pcs_trace_scratch(struct pcs_trace *trace, size_t count)
{
    return pcs_bound_arrays_reserve(&trace->scratch, count, 256) == 0 ? &trace->scratch : NULL;
}

struct block_ends *pcs_trace_block_ends(struct pcs_trace *trace, size_t count)
{
    struct block_ends *table = &trace->block_ends;
    if (count <= table->cap)
        return table;
    size_t cap = grow_capacity(table->cap, count, 256, sizeof *table->ends);
    uint32_t *ends = cap ? realloc(table->ends, cap * sizeof *ends) : NULL;
    if (!ends)
        return NULL;
    table->ends = ends;
    table->cap = cap;
    return table;
}

uint32_t pcs_trace_session_namespace(const char *name, size_t len)
{
    /* Namespace 0 is the global one and the small ids count Claude-Code
     * files; a session's is its name's hash with the top bit set. */
    return (uint32_t)XXH3_64bits_withSeed(name, len, 0x5e55) | 0x80000000u;
}

static pcs_trace *open_inputs(const pcs_inputs *inputs, const struct pcs_trace_config *config,
                              uint64_t one_pass_min_bytes, struct pcs_error *err);

/* Opens the inputs paths name and the trace over them, which owns them. */
static pcs_trace *open_paths(const char *const *paths, size_t path_count, const struct pcs_trace_config *config,
                             uint64_t one_pass_min_bytes, struct pcs_error *err)
{
    pcs_inputs *inputs = pcs_inputs_open(paths, path_count, err);
    if (!inputs)
        return NULL;
    pcs_trace *trace = open_inputs(inputs, config, one_pass_min_bytes, err);
    if (trace)
        trace->own_inputs = inputs;
    else
        pcs_inputs_free(inputs);
    return trace;
}

pcs_trace *pcs_trace_open(const char *const *paths, size_t path_count, const struct pcs_trace_config *config,
                          struct pcs_error *err)
{
    return open_paths(paths, path_count, config, UINT64_MAX, err);
}

pcs_trace *pcs_trace_open_paths_one_pass(const char *const *paths, size_t path_count,
                                         const struct pcs_trace_config *config, uint64_t min_bytes,
                                         struct pcs_error *err)
{
    return open_paths(paths, path_count, config, min_bytes, err);
}

/* Opens the trace over inputs; one_pass_min_bytes as pcs_trace_index_files. */
static pcs_trace *open_inputs(const pcs_inputs *inputs, const struct pcs_trace_config *config,
                              uint64_t one_pass_min_bytes, struct pcs_error *err)
{
    struct pcs_error unreported = {0};
    if (!err)
        err = &unreported; /* the indexers write their reasons into one */
    enum pcs_status st = PCS_OK;
    const char *const *paths = pcs_inputs_names(inputs);
    size_t path_count = pcs_inputs_count(inputs);
    pcs_trace *trace = calloc(1, sizeof *trace);
    if (!trace) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    trace->config = config ? *config : pcs_trace_config_default();
    trace->model_lock = malloc(sizeof *trace->model_lock);
    if (!trace->model_lock) {
        free(trace);
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(trace->model_lock, NULL);
    if (path_count == 0 || path_count > UINT32_MAX) {
        pcs_error_set(err, PCS_ERR_ARG, "no trace file given");
        pcs_trace_free(trace);
        return NULL;
    }
    trace->files = calloc(path_count, sizeof *trace->files);
    if (!trace->files) {
        pcs_trace_free(trace);
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    trace->file_count = path_count;
    for (size_t i = 0; i < path_count; i++) {
        trace->files[i].fd = -1;
        trace->files[i].path = paths[i];
        trace->files[i].index = (uint32_t)i;
    }
    /* A stream or a decompressed file: the list keeps its descriptor, and
     * each trace reads a copy (a retry without streaming opens the list again). */
    for (size_t i = 0; i < path_count; i++) {
        int fd = pcs_inputs_fd(inputs, i);
        if (fd >= 0 && (trace->files[i].fd = dup(fd)) < 0) {
            pcs_error_set(err, PCS_ERR_IO, "%s: cannot open: %s", paths[i], strerror(errno));
            pcs_trace_free(trace);
            return NULL;
        }
    }
    trace->index.lenient = trace->config.lenient;
    st = pcs_trace_index_files(trace, trace->files, path_count, &trace->config, one_pass_min_bytes,
                               &trace->namespace_count, &trace->lacks_prefixes, &trace->stream.on, &trace->index, err);
    if (st == PCS_OK && trace->stream.on) {
        struct trace_file *file = &trace->files[0];
        struct line_reader lines = {file, &file->window, 0, file->size, 0};
        trace->stream.lines = lines;
        trace->stream.saw_header = pcs_trace_format_ops(file->format)->header == NULL;
        trace->stream.last_t_ms = INT64_MIN;
        trace->stream.late.lenient = 1;
    }
    if (st == PCS_ERR_NOMEM && err->message[0] == '\0')
        pcs_error_set(err, st, "out of memory while indexing the trace");
    if (st != PCS_OK) {
        err->status = st;
        pcs_trace_free(trace);
        return NULL;
    }
    return trace;
}

pcs_trace *pcs_trace_open_inputs(const pcs_inputs *inputs, const struct pcs_trace_config *config, struct pcs_error *err)
{
    return open_inputs(inputs, config, UINT64_MAX, err);
}

pcs_trace *pcs_trace_open_one_pass(const pcs_inputs *inputs, const struct pcs_trace_config *config, uint64_t min_bytes,
                                   struct pcs_error *err)
{
    return open_inputs(inputs, config, min_bytes, err);
}

/* The bytes [offset, offset + length) of a record. Records mostly come in
 * file order, read ahead through the file's window; one that lies behind
 * it (its time came later than its place) is read through a small side
 * window instead, so that the main one keeps its place and a file whose
 * times go back now and then is not read again for each such record. */
static enum pcs_status record_bytes(struct trace_file *file, uint64_t offset, size_t length, const char **record,
                                    struct pcs_error *err)
{
    struct file_window *w = &file->window;
    size_t readahead = file->readahead;
    int inside = offset >= w->start && offset + length <= w->start + w->len;
    if (!inside && offset < w->start && w->len > 0) {
        w = &file->side_window;
        readahead = SIDE_READAHEAD;
    }
    enum pcs_status status = pcs_window_load(file, w, offset, length, readahead, err);
    if (status == PCS_OK)
        *record = w->buf + (offset - w->start);
    return status;
}

/* The request of entry: from what pass one kept of it, or parsed from the
 * file now (line formats are validated here, in full, for the first time). */
static enum pcs_status entry_request(struct pcs_trace *trace, const struct index_entry *entry, struct pcs_request *req,
                                     struct pcs_error *err)
{
    struct trace_file *file = &trace->files[entry->file];
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    struct record_loc loc = {file->path, entry->line, NULL};
    char where[64];
    uint64_t offset = entry->offset;
    size_t length = entry->length;
    const struct doc_record *rec = NULL;
    if (ops->index_document) {
        /* Named by its path (a subagent's subagent by its innermost index). */
        if (entry->sub)
            snprintf(where, sizeof where, "requests[%u].requests[%u]", entry->line - 1, entry->sub - 1);
        else
            snprintf(where, sizeof where, "requests[%u]", entry->line - 1);
        loc.where = ops->records_are_lines ? NULL : where;
        rec = &file->doc.records[entry->offset];
        offset = rec->offset;
        length = rec->length;
    }
    enum pcs_status status;
    if (rec && rec->kept) {
        status = ops->kept(trace, file, rec, &loc, req, err);
    } else {
        const char *record;
        status = record_bytes(file, offset, length, &record, err);
        if (status == PCS_OK)
            status = ops->parse(trace, file, record, length, 0.0, &loc, req, err);
    }
    req->source_file = entry->file;
    req->source_line = entry->line;
    req->source_sub = entry->sub;
    return status;
}

/* ------------------------------------------------------------ one pass */

/* The time of the record at the current line: PCS_ERR_ORDER if it goes
 * back (the caller must use an index), else it becomes the latest. */
static enum pcs_status stream_time(struct pcs_trace *trace, int64_t t_ms, struct pcs_error *err)
{
    struct stream *s = &trace->stream;
    if (t_ms < s->last_t_ms)
        return pcs_error_set(err, PCS_ERR_ORDER, "%s:%llu: time goes back; the trace must be indexed",
                             trace->files[0].path, (unsigned long long)s->lines.line_no);
    s->last_t_ms = t_ms;
    return PCS_OK;
}

/* Strict mode, a record whose time is fine but whose other fields are
 * not: two passes would first have reported a record whose time pass one
 * rejects, anywhere in the file, and would have met the records in time
 * order. So the rest of the file is read as pass one would read it. */
static enum pcs_status stream_first_error(struct pcs_trace *trace, enum pcs_status field_status, struct pcs_error *err)
{
    struct stream *s = &trace->stream;
    struct trace_file *file = &trace->files[0];
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    struct pcs_error field_err = *err;
    const char *line;
    size_t len;
    uint64_t at;
    enum pcs_status status;
    pcs_trace_read_ahead_stop(trace); /* the rest is read here, for times alone */
    while ((status = pcs_line_next(&s->lines, &line, &len, &at, err)) == PCS_OK) {
        struct record_loc loc = {file->path, s->lines.line_no, NULL};
        int64_t t_ms;
        status = ops->index_time(trace, file, line, len, &loc, &t_ms, err);
        if (status == PCS_OK)
            status = stream_time(trace, t_ms, err);
        if (status != PCS_OK)
            return status;
    }
    if (status != PCS_END)
        return status;
    *err = field_err;
    return field_status;
}

/* A record that failed to parse, taken as two passes would take it: as
 * pass one's skip or error if pass one would have rejected its time (or,
 * for a format that pass one parses whole, at all); otherwise as pass
 * two's, which meets records in time order. */
static enum pcs_status stream_failed(struct pcs_trace *trace, const char *line, size_t len,
                                     const struct record_loc *loc, enum pcs_status status, struct pcs_error *err)
{
    struct stream *s = &trace->stream;
    struct trace_file *file = &trace->files[0];
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    const struct skip_place place = skip_place_of(file->index, loc->line, 0);
    if (status == PCS_ERR_NOMEM || status == PCS_ERR_IO || !ops->index_time)
        return pcs_index_record_failed(&trace->index, place, status, err);
    int64_t t_ms;
    struct pcs_error time_err;
    enum pcs_status time_status = ops->index_time(trace, file, line, len, loc, &t_ms, &time_err);
    if (time_status != PCS_OK) {
        *err = time_err;
        return pcs_index_record_failed(&trace->index, place, time_status, err);
    }
    if (stream_time(trace, t_ms, err) != PCS_OK)
        return PCS_ERR_ORDER;
    s->timed++;
    if (!trace->config.lenient)
        return stream_first_error(trace, status, err);
    return pcs_index_record_failed(&s->late, place, status, err);
}

/* The end of the file: two passes would have failed at opening a file
 * without a record; otherwise pass two's skips join pass one's. */
static enum pcs_status stream_end(struct pcs_trace *trace, struct pcs_error *err)
{
    struct stream *s = &trace->stream;
    struct index_sink *index = &trace->index;
    const char *path = trace->files[0].path;
    if (s->timed == 0 && index->skipped == 0)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: no records (the file is empty)", path);
    if (s->timed == 0)
        return pcs_index_no_valid_records(index, path, err);
    pcs_index_sink_join_skips(index, &s->late);
    return PCS_END;
}

/* The next line that is not blank: from the feed while it has lines
 * (fed->read and fed->counted set for some), then from the file. */
static enum pcs_status stream_line(struct pcs_trace *trace, const char **line, size_t *len, struct log_fed_line *fed,
                                   struct pcs_error *err)
{
    struct stream *s = &trace->stream;
    fed->read = NULL;
    fed->counted = NULL;
    if (s->feed) {
        if (pcs_log_feed_next(s->feed, &s->lines, fed) == PCS_OK) {
            *line = fed->text;
            *len = fed->len;
            return PCS_OK;
        }
        pcs_trace_read_ahead_stop(trace); /* read on alone from where the feed stopped */
    }
    uint64_t at;
    return pcs_line_next(&s->lines, line, len, &at, err);
}

static enum pcs_status stream_next(struct pcs_trace *trace, struct pcs_request *req, struct pcs_error *err)
{
    struct stream *s = &trace->stream;
    struct trace_file *file = &trace->files[0];
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    const char *line;
    size_t len;
    struct log_fed_line fed;
    enum pcs_status status;
    while ((status = stream_line(trace, &line, &len, &fed, err)) == PCS_OK) {
        struct record_loc loc = {file->path, s->lines.line_no, NULL};
        if (!s->saw_header) {
            s->saw_header = 1;
            status = ops->header(trace, file, line, len, &loc, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        /* A line the feed read the call of is finished here; any other
         * is parsed as it would be without workers. */
        status = fed.read ? pcs_api_log_request(trace, fed.read, fed.counted, &loc, req, err)
                          : ops->parse(trace, file, line, len, 0.0, &loc, req, err);
        req->source_file = 0;
        req->source_line = loc.line;
        req->source_sub = 0;
        if (status == PCS_OK) {
            status = stream_time(trace, req->t_ms, err);
            s->timed += status == PCS_OK;
            return status;
        }
        status = stream_failed(trace, line, len, &loc, status, err);
        if (status != PCS_OK)
            return status;
    }
    if (status != PCS_END)
        return status;
    return stream_end(trace, err);
}

/* The next request a feed gives, its model interned. */
static enum pcs_status feed_next(pcs_trace *trace, struct pcs_request *req, struct pcs_error *err)
{
    const char *name = NULL;
    size_t len = 0;
    enum pcs_status status = trace->feed(trace->feed_context, req, &name, &len, err);
    if (status != PCS_OK)
        return status;
    if (intern_model(trace, name, len, &req->model) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    return PCS_OK;
}

void pcs_trace_feed(pcs_trace *trace, pcs_trace_feed_fn next, void *context, uint64_t count)
{
    pthread_mutex_lock(trace->model_lock);
    for (size_t i = 0; i < trace->model_count; i++)
        free(trace->model_names[i]);
    trace->model_count = 0;
    pthread_mutex_unlock(trace->model_lock);
    pcs_hash_release(&trace->model_ids);
    memset(&trace->model_ids, 0, sizeof trace->model_ids);
    trace->has_default_model = 0;
    trace->feed = next;
    trace->feed_context = context;
    trace->feed_count = count;
}

size_t pcs_trace_skip_message_count(const pcs_trace *trace)
{
    return trace->index.message_count;
}

const char *pcs_trace_skip_message(const pcs_trace *trace, size_t i, uint32_t *file, uint64_t *position)
{
    if (i >= trace->index.message_count)
        return NULL;
    *file = trace->index.places[i].file;
    *position = trace->index.places[i].position;
    return trace->index.messages[i];
}

void pcs_trace_add_skipped(pcs_trace *trace, uint64_t count)
{
    trace->index.skipped += count;
}

enum pcs_status pcs_trace_add_skip_message(pcs_trace *trace, uint32_t file, uint64_t position, const char *message)
{
    struct index_sink one;
    memset(&one, 0, sizeof one);
    one.messages[0] = strdup(message);
    if (!one.messages[0])
        return PCS_ERR_NOMEM;
    one.places[0].file = file;
    one.places[0].position = position;
    one.message_count = 1;
    pcs_index_sink_join_skips(&trace->index, &one); /* counts none: the count came with pcs_trace_add_skipped */
    pcs_index_sink_free(&one);
    return PCS_OK;
}

enum pcs_status pcs_trace_next(pcs_trace *trace, struct pcs_request *req, struct pcs_error *err)
{
    if (trace->feed)
        return feed_next(trace, req, err);
    if (trace->stream.on)
        return stream_next(trace, req, err);
    while (trace->next_entry < trace->index.count) {
        const struct index_entry *entry = &trace->index.entries[trace->next_entry++];
        enum pcs_status status = entry_request(trace, entry, req, err);
        if (status == PCS_OK) {
            req->t_ms = entry->t_ms;
            return PCS_OK;
        }
        status =
            pcs_index_record_failed(&trace->index, skip_place_of(entry->file, entry->line, entry->sub), status, err);
        if (status != PCS_OK)
            return status;
    }
    return PCS_END;
}

int pcs_trace_read_ahead(pcs_trace *trace, unsigned workers, size_t chunk_bytes)
{
    struct stream *s = &trace->stream;
    if (!s->on || s->feed || !s->saw_header || !pcs_trace_format_ops(trace->files[0].format)->read_call)
        return 0;
    s->feed = pcs_log_feed_start(&trace->files[0], s->lines.offset, workers,
                                 chunk_bytes ? chunk_bytes : LOG_FEED_CHUNK_BYTES, pcs_trace_api_log(trace));
    return s->feed != NULL;
}

void pcs_trace_read_ahead_stop(pcs_trace *trace)
{
    pcs_log_feed_stop(trace->stream.feed);
    trace->stream.feed = NULL;
}

uint64_t pcs_trace_request_count(const pcs_trace *trace)
{
    if (trace->feed)
        return trace->feed_count;
    return trace->stream.on ? trace->stream.timed : trace->index.count;
}

int pcs_trace_streams(const pcs_trace *trace)
{
    return trace->stream.on;
}

uint64_t pcs_trace_skipped_count(const pcs_trace *trace)
{
    return trace->index.skipped;
}

int pcs_trace_lacks_prefixes(const pcs_trace *trace)
{
    return trace->lacks_prefixes != 0;
}

const char *pcs_trace_prefixless_format(const pcs_trace *trace)
{
    const struct trace_format *ops =
        trace->lacks_prefixes ? pcs_trace_format_ops((enum pcs_trace_format)trace->lacks_prefixes) : NULL;
    return ops ? ops->label : NULL;
}

enum pcs_trace_format pcs_trace_file_format(const pcs_trace *trace, size_t file)
{
    return file < trace->file_count ? trace->files[file].format : PCS_FORMAT_AUTO;
}

const char *pcs_trace_file_path(const pcs_trace *trace, size_t file)
{
    return file < trace->file_count ? trace->files[file].path : NULL;
}

const char *pcs_trace_request_place(const pcs_trace *trace, const struct pcs_request *req, char *buf, size_t cap)
{
    const char *path = pcs_trace_file_path(trace, req->source_file);
    size_t used = 0;
    buf[0] = '\0';
    if (!path)
        pcs_text_append(buf, cap, &used, "?");
    else if (!pcs_trace_format_ops(trace->files[req->source_file].format)->index_document ||
             pcs_trace_format_ops(trace->files[req->source_file].format)->records_are_lines)
        pcs_text_append(buf, cap, &used, "%s:%llu", path, (unsigned long long)req->source_line);
    else if (req->source_sub)
        pcs_text_append(buf, cap, &used, "%s: requests[%llu].requests[%u]", path,
                        (unsigned long long)req->source_line - 1, req->source_sub - 1);
    else
        pcs_text_append(buf, cap, &used, "%s: requests[%llu]", path, (unsigned long long)req->source_line - 1);
    return buf;
}

const char *pcs_trace_counts_only_format(const pcs_trace *trace)
{
    for (size_t i = 0; i < trace->file_count; i++) {
        const struct trace_format *ops = pcs_trace_format_ops(trace->files[i].format);
        if (ops->prefixes_from_counts)
            return ops->label;
    }
    /* A request log is so only where it left a prompt out. */
    int format = pcs_api_log_state_counts_only(trace->api_log);
    return format ? pcs_trace_format_ops((enum pcs_trace_format)format)->label : NULL;
}

void pcs_trace_print_skips(const pcs_trace *trace, FILE *out, size_t max)
{
    for (size_t i = 0; i < trace->index.message_count && i < max; i++)
        fprintf(out, "pcsim: skipped: %s\n", trace->index.messages[i]);
}

void pcs_trace_free(pcs_trace *trace)
{
    if (!trace)
        return;
    pcs_trace_read_ahead_stop(trace);
    for (size_t i = 0; i < trace->file_count; i++) {
        if (trace->files[i].fd >= 0)
            close(trace->files[i].fd);
        pcs_window_free(&trace->files[i].window);
        pcs_window_free(&trace->files[i].side_window);
        doc_records_free(&trace->files[i].doc);
    }
    free(trace->files);
    pcs_index_sink_free(&trace->index);
    pcs_index_sink_free(&trace->stream.late);
    for (size_t i = 0; i < trace->model_count; i++)
        free(trace->model_names[i]);
    free(trace->model_names);
    pcs_hash_release(&trace->model_ids);
    pthread_mutex_destroy(trace->model_lock);
    free(trace->model_lock);
    pcs_bound_arrays_free(&trace->scratch);
    pcs_api_log_state_free(trace->api_log);
    free(trace->block_ends.ends);
    pcs_inputs_free(trace->own_inputs);
    free(trace);
}
