/* Opening, indexing and merging traces; see pcsim/trace.h.
 *
 * Pass one finds each record and its time and keeps a 32-byte index entry
 * per record; it reads only the time field and skips the rest of a record
 * by its outline (a JSONL line, or each entry of a Claude-Code document).
 * The entries of all files are sorted stably by time, and pass two parses
 * and validates each record when its turn comes, reading the file through
 * a window so that a time-ordered file is read sequentially. A bad record
 * still stops the run (or is skipped with --lenient) before any report is
 * written. */
#include "trace_internal.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "json_scan.h"

#define WINDOW_BYTES ((size_t)4 << 20)
#define DETECT_BYTES ((size_t)64 << 10)
#define DOCUMENT_READAHEAD ((size_t)64 << 10)
#define MAX_SKIP_MESSAGES 20

struct index_entry {
    int64_t t_ms;
    uint64_t offset;
    uint32_t length;
    uint32_t line; /* line (line formats) or 1-based top-level request index */
    uint32_t file;
    uint32_t sub;  /* 1-based index inside a subagent, 0 if none */
};

struct model_slot {
    uint64_t hash;
    uint32_t id;
    uint32_t used;
};

struct pcs_trace {
    struct pcs_trace_config config;
    struct trace_file *files;
    size_t file_count;

    struct index_entry *entries;
    size_t entry_count;
    size_t entry_cap;
    size_t next_entry;

    /* Models: names in order of first appearance, and a hash index. */
    /* The reading thread adds models while a replay's other thread may read
     * names (per-request output): model_lock guards names and count. */
    pthread_mutex_t *model_lock;
    char **model_names;
    size_t model_count;
    size_t model_cap;
    struct model_slot *model_slots;
    size_t model_slot_cap; /* power of two */

    struct bound_arrays scratch;
    char *document; /* pass one: the whole-document file being indexed */
    size_t document_cap;
    struct block_ends block_ends;

    uint64_t skipped;
    char *skip_messages[MAX_SKIP_MESSAGES];
    size_t skip_message_count;
    int lacks_prefixes;
    uint32_t namespace_count;
};

const char *pcs_trace_format_name(enum pcs_trace_format format)
{
    switch (format) {
    case PCS_FORMAT_AUTO: return "auto";
    case PCS_FORMAT_MOONCAKE: return "mooncake";
    case PCS_FORMAT_CLAUDE_CODE: return "claude-code";
    case PCS_FORMAT_NATIVE: return "native";
    case PCS_FORMAT_AZURE: return "azure";
    }
    return "unknown";
}

int pcs_trace_format_parse(const char *name)
{
    for (int f = PCS_FORMAT_AUTO; f <= PCS_FORMAT_AZURE; f++)
        if (strcmp(name, pcs_trace_format_name((enum pcs_trace_format)f)) == 0)
            return f;
    return -1;
}

struct pcs_trace_config pcs_trace_config_default(void)
{
    struct pcs_trace_config config;
    memset(&config, 0, sizeof config);
    config.format = PCS_FORMAT_AUTO;
    config.default_model = "default";
    return config;
}

static const struct trace_format *format_ops(enum pcs_trace_format format)
{
    switch (format) {
    case PCS_FORMAT_MOONCAKE: return &trace_format_mooncake;
    case PCS_FORMAT_CLAUDE_CODE: return &trace_format_claude_code;
    case PCS_FORMAT_NATIVE: return &trace_format_native;
    case PCS_FORMAT_AZURE: return &trace_format_azure;
    case PCS_FORMAT_AUTO: break;
    }
    return NULL;
}

/* Whole-document formats name a record by its path, not a line. (A record
 * of a subagent nested in a subagent is named by its innermost index.) */
static int ops_locate_by_path(enum pcs_trace_format format)
{
    return format_ops(format)->index_document != NULL;
}

/* ---------------------------------------------------------------- messages */

void trace_loc_prefix(const struct record_loc *loc, char *buf, size_t cap)
{
    if (loc->where)
        snprintf(buf, cap, "%s: %s", loc->path, loc->where);
    else if (loc->line)
        snprintf(buf, cap, "%s:%llu", loc->path, (unsigned long long)loc->line);
    else
        snprintf(buf, cap, "%s", loc->path);
}

enum pcs_status trace_field_error(struct pcs_error *err, enum pcs_status status, const struct record_loc *loc,
                                  const char *field, const char *format, ...)
{
    char where[PCS_ERROR_MAX / 2];
    char problem[PCS_ERROR_MAX / 2];
    va_list args;
    va_start(args, format);
    vsnprintf(problem, sizeof problem, format, args);
    va_end(args);
    trace_loc_prefix(loc, where, sizeof where);
    if (field)
        return pcs_error_set(err, status, "%s: field %s: %s", where, field, problem);
    return pcs_error_set(err, status, "%s: %s", where, problem);
}

enum pcs_status trace_seconds_to_ms(double seconds, int64_t *t_ms)
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

static enum pcs_status model_table_grow(struct pcs_trace *trace)
{
    size_t cap = trace->model_slot_cap ? trace->model_slot_cap * 2 : 16;
    struct model_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < trace->model_slot_cap; i++) {
        struct model_slot *old = &trace->model_slots[i];
        if (!old->used)
            continue;
        size_t j = (size_t)old->hash & (cap - 1);
        while (slots[j].used)
            j = (j + 1) & (cap - 1);
        slots[j] = *old;
    }
    free(trace->model_slots);
    trace->model_slots = slots;
    trace->model_slot_cap = cap;
    return PCS_OK;
}

static enum pcs_status intern_model(struct pcs_trace *trace, const char *name, size_t len, uint32_t *id)
{
    if ((trace->model_count + 1) * 2 > trace->model_slot_cap && model_table_grow(trace) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint64_t hash = XXH3_64bits(name, len);
    size_t mask = trace->model_slot_cap - 1;
    size_t j = (size_t)hash & mask;
    while (trace->model_slots[j].used) {
        struct model_slot *slot = &trace->model_slots[j];
        const char *known = trace->model_names[slot->id];
        if (slot->hash == hash && strlen(known) == len && memcmp(known, name, len) == 0) {
            *id = slot->id;
            return PCS_OK;
        }
        j = (j + 1) & mask;
    }
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
    trace->model_slots[j].hash = hash;
    trace->model_slots[j].id = (uint32_t)trace->model_count;
    trace->model_slots[j].used = 1;
    *id = (uint32_t)trace->model_count++;
    pthread_mutex_unlock(trace->model_lock);
    return PCS_OK;
}

enum pcs_status trace_model_id(struct pcs_trace *trace, const char *name, size_t len, uint32_t *id)
{
    for (size_t i = 0; i < trace->config.alias_count; i++) {
        const struct pcs_model_alias *alias = &trace->config.aliases[i];
        if (strlen(alias->from) == len && memcmp(alias->from, name, len) == 0)
            return intern_model(trace, alias->to, strlen(alias->to), id);
    }
    return intern_model(trace, name, len, id);
}

enum pcs_status trace_default_model(struct pcs_trace *trace, uint32_t *id)
{
    const char *name = trace->config.default_model;
    return trace_model_id(trace, name, strlen(name), id);
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

struct bound_arrays *trace_scratch(struct pcs_trace *trace, size_t count)
{
    return bound_arrays_reserve(&trace->scratch, count, 256) == 0 ? &trace->scratch : NULL;
}

struct block_ends *trace_block_ends(struct pcs_trace *trace, size_t count)
{
    struct block_ends *table = &trace->block_ends;
    if (count <= table->cap)
        return table;
    size_t cap = table->cap ? table->cap : 256;
    while (cap < count)
        cap *= 2;
    uint32_t *ends = realloc(table->ends, cap * sizeof *ends);
    if (!ends)
        return NULL;
    table->ends = ends;
    table->cap = cap;
    return table;
}

uint32_t trace_session_namespace(const char *name, size_t len)
{
    /* Namespace 0 is the global one and the small ids count Claude-Code
     * files; a session's is its name's hash with the top bit set. */
    return (uint32_t)XXH3_64bits_withSeed(name, len, 0x5e55) | 0x80000000u;
}

/* ------------------------------------------------------------------- index */

static enum pcs_status push_entry(struct pcs_trace *trace, const struct index_entry *entry)
{
    if (trace->entry_count == trace->entry_cap) {
        size_t cap = trace->entry_cap ? trace->entry_cap * 2 : 1024;
        struct index_entry *entries = realloc(trace->entries, cap * sizeof *entries);
        if (!entries)
            return PCS_ERR_NOMEM;
        trace->entries = entries;
        trace->entry_cap = cap;
    }
    trace->entries[trace->entry_count++] = *entry;
    return PCS_OK;
}

static enum pcs_status record_skip(struct pcs_trace *trace, const struct pcs_error *err)
{
    trace->skipped++;
    if (trace->skip_message_count < MAX_SKIP_MESSAGES) {
        char *copy = strdup(err->message);
        if (!copy)
            return PCS_ERR_NOMEM;
        trace->skip_messages[trace->skip_message_count++] = copy;
    }
    return PCS_OK;
}

/* A record-level failure: fatal in strict mode, counted in lenient mode. */
enum pcs_status trace_record_failed(struct pcs_trace *trace, enum pcs_status status, const struct pcs_error *err)
{
    if (status == PCS_ERR_NOMEM || status == PCS_ERR_IO || !trace->config.lenient)
        return status;
    return record_skip(trace, err);
}

enum pcs_status trace_push_record(struct pcs_trace *trace, struct trace_file *file, uint64_t offset, size_t len,
                                  int64_t t_ms, uint64_t top, uint32_t sub, struct pcs_error *err)
{
    if (len > UINT32_MAX || top > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s: record or file too large", file->path);
    struct index_entry entry = {t_ms, offset, (uint32_t)len, (uint32_t)top, file->index, sub};
    if (push_entry(trace, &entry) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory while indexing %s", file->path);
    return PCS_OK;
}

/* Pass one of a whole-document format: reads the file whole into the
 * trace's document buffer, which the files of a trace share and reuse
 * (fresh memory costs a page fault per page), and indexes it there. */
static enum pcs_status index_whole(struct pcs_trace *trace, struct trace_file *file, struct pcs_error *err)
{
    if (file->size > (uint64_t)SIZE_MAX / 2)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s: file too large to read", file->path);
    size_t size = (size_t)file->size;
    if (size + TRACE_READ_PADDING > trace->document_cap) {
        char *grown = realloc(trace->document, size + TRACE_READ_PADDING);
        if (!grown)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: not enough memory to read %zu bytes", file->path, size);
        trace->document = grown;
        trace->document_cap = size + TRACE_READ_PADDING;
    }
    char *buf = trace->document;
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(file->fd, buf + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return pcs_error_set(err, PCS_ERR_IO, "%s: read failed: %s", file->path,
                                 n < 0 ? strerror(errno) : "file shrank while reading");
        got += (size_t)n;
    }
    memset(buf + size, 0, TRACE_READ_PADDING);
    /* The format's indexer reads the document as the file's window; pass
     * two gets a window of its own. */
    free(file->window);
    file->window = buf;
    file->window_start = 0;
    file->window_len = size;
    enum pcs_status status = format_ops(file->format)->index_document(trace, file, err);
    file->window = NULL;
    file->window_cap = 0;
    file->window_len = 0;
    return status;
}

/* Makes bytes [offset, offset + len) of the file available in the window.
 * When they are not there already, reads from offset at least readahead
 * bytes (fewer at the end of the file), so sequential access costs one read
 * per window. */
static enum pcs_status window_load(struct trace_file *file, uint64_t offset, size_t len, size_t readahead,
                                   struct pcs_error *err)
{
    if (offset >= file->window_start && offset + len <= file->window_start + file->window_len)
        return PCS_OK;
    size_t want = len > readahead ? len : readahead;
    if (offset + want > file->size)
        want = file->size - offset > len ? (size_t)(file->size - offset) : len;
    if (want + TRACE_READ_PADDING > file->window_cap) {
        char *buf = realloc(file->window, want + TRACE_READ_PADDING);
        if (!buf)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: no memory for a %zu-byte record", file->path, len);
        file->window = buf;
        file->window_cap = want + TRACE_READ_PADDING;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(file->fd, file->window + got, want - got, (off_t)(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pcs_error_set(err, PCS_ERR_IO, "%s: read failed: %s", file->path, strerror(errno));
        if (n == 0)
            break;
        got += (size_t)n;
    }
    file->window_start = offset;
    file->window_len = got;
    memset(file->window + got, 0, TRACE_READ_PADDING);
    if (got < len)
        return pcs_error_set(err, PCS_ERR_IO, "%s: file changed while reading", file->path);
    return PCS_OK;
}

/* Finds the line that starts at offset: sets *line and *len (without the
 * newline). Reads a new window only when the line runs past the current one. */
static enum pcs_status next_line(struct trace_file *file, uint64_t offset, uint64_t line_no, const char **line,
                                 size_t *len, struct pcs_error *err)
{
    size_t need = 1;
    for (;;) {
        enum pcs_status status = window_load(file, offset, need, WINDOW_BYTES, err);
        if (status != PCS_OK)
            return status;
        const char *start = file->window + (offset - file->window_start);
        size_t avail = file->window_len - (size_t)(offset - file->window_start);
        const char *nl = memchr(start + need - 1, '\n', avail - (need - 1));
        if (nl || file->window_start + file->window_len >= file->size) {
            *line = start;
            *len = nl ? (size_t)(nl - start) : avail;
            break;
        }
        /* The line runs past the window: read again from its start, more. */
        if (avail >= TRACE_MAX_LINE)
            return pcs_error_set(err, PCS_ERR_RANGE, "%s:%llu: line longer than %zu MiB", file->path,
                                 (unsigned long long)line_no, TRACE_MAX_LINE >> 20);
        need = avail + 1;
        if (offset == file->window_start)
            need = avail * 2 > need ? avail * 2 : need;
    }
    if (*len > TRACE_MAX_LINE)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s:%llu: line longer than %zu MiB", file->path,
                             (unsigned long long)line_no, TRACE_MAX_LINE >> 20);
    return PCS_OK;
}

/* Pass one over a line format: each non-blank line is a record. */
static enum pcs_status index_lines(struct pcs_trace *trace, struct trace_file *file, struct pcs_error *err)
{
    const struct trace_format *ops = format_ops(file->format);
    uint64_t offset = 0; /* file offset of the next unread line */
    uint64_t line_no = 0;
    int saw_header = ops->header == NULL;
    int saw_record = 0;
    enum pcs_status status;

    while (offset < file->size) {
        const char *line = NULL;
        size_t line_len = 0;
        line_no++;
        status = next_line(file, offset, line_no, &line, &line_len, err);
        if (status != PCS_OK)
            return status;
        uint64_t line_offset = offset;
        offset += line_len + 1;
        size_t trimmed = line_len;
        while (trimmed > 0 && (line[trimmed - 1] == '\r' || line[trimmed - 1] == ' ' || line[trimmed - 1] == '\t'))
            trimmed--;
        size_t lead = 0;
        if (line_no == 1 && trimmed >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
            lead = 3; /* a UTF-8 byte order mark */
        while (lead < trimmed && (line[lead] == ' ' || line[lead] == '\t'))
            lead++;
        if (lead == trimmed)
            continue; /* blank lines carry nothing */
        struct record_loc loc = {file->path, line_no, NULL};
        if (!saw_header) {
            saw_header = 1;
            status = ops->header(trace, file, line + lead, trimmed - lead, &loc, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        if (line_no > UINT32_MAX)
            return pcs_error_set(err, PCS_ERR_RANGE, "%s: more than 2^32 lines", file->path);
        struct pcs_request req;
        if (ops->index_time)
            status = ops->index_time(trace, file, line + lead, trimmed - lead, &loc, &req.t_ms, err);
        else
            status = ops->parse(trace, file, line + lead, trimmed - lead, 0.0, &loc, &req, err);
        if (status != PCS_OK) {
            status = trace_record_failed(trace, status, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        saw_record = 1;
        struct index_entry entry = {req.t_ms, line_offset + lead, (uint32_t)(trimmed - lead), (uint32_t)line_no,
                                    file->index, 0};
        status = push_entry(trace, &entry);
        if (status != PCS_OK)
            return status;
    }
    if (!saw_record && trace->skipped == 0)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: no records (the file is empty)", file->path);
    return PCS_OK;
}

/* ------------------------------------------------------------------ detect */

static int key_is(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0)
            return 1;
    return 0;
}

/* Guesses a file's format from its first bytes. */
static enum pcs_trace_format detect_format(const char *buf, size_t len)
{
    static const char *const claude_keys[] = {"block_size", "requests", "hash_id_scope", "tool_tokens", NULL};
    static const char *const mooncake_keys[] = {"timestamp", "input_length", "output_length", NULL};
    static const char *const native_keys[] = {"t", "input_tokens", "output_tokens", "segments",
                                              "block_tokens", "model", "task", NULL};
    size_t start = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    struct js_cursor c;
    js_init(&c, buf + start, buf + len);
    char first = js_peek(&c);
    if (first == '{') {
        c.p++;
        int first_key = 1;
        char key[64];
        size_t key_len;
        while (js_next_key(&c, &first_key, key, sizeof key, &key_len) == 1) {
            if (key_is(key, claude_keys))
                return PCS_FORMAT_CLAUDE_CODE;
            if (key_is(key, mooncake_keys))
                return PCS_FORMAT_MOONCAKE;
            if (key_is(key, native_keys))
                return PCS_FORMAT_NATIVE;
            if (js_skip(&c) != 0)
                break;
        }
        return PCS_FORMAT_AUTO;
    }
    const char *nl = memchr(buf + start, '\n', len - start);
    size_t line_len = nl ? (size_t)(nl - (buf + start)) : len - start;
    const char *line = buf + start;
    for (size_t i = 0; i + 13 <= line_len; i++)
        if (memcmp(line + i, "ContextTokens", 13) == 0)
            return PCS_FORMAT_AZURE;
    return PCS_FORMAT_AUTO;
}

/* ------------------------------------------------------------------- open */

static enum pcs_status open_file(struct pcs_trace *trace, struct trace_file *file, struct pcs_error *err)
{
    file->fd = open(file->path, O_RDONLY);
    if (file->fd < 0)
        return pcs_error_set(err, PCS_ERR_IO, "%s: cannot open: %s", file->path, strerror(errno));
    struct stat st;
    if (fstat(file->fd, &st) != 0)
        return pcs_error_set(err, PCS_ERR_IO, "%s: cannot stat: %s", file->path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return pcs_error_set(err, PCS_ERR_IO, "%s: is a directory", file->path);
    file->size = (uint64_t)st.st_size;
    if (file->size == 0)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: no records (the file is empty)", file->path);

    size_t head = file->size < DETECT_BYTES ? (size_t)file->size : DETECT_BYTES;
    enum pcs_status status = window_load(file, 0, head, 0, err);
    if (status != PCS_OK)
        return status;
    file->format = trace->config.format;
    if (file->format == PCS_FORMAT_AUTO) {
        file->format = detect_format(file->window, file->window_len);
        if (file->format == PCS_FORMAT_AUTO) {
            int binary = memchr(file->window, '\0', file->window_len < 4096 ? file->window_len : 4096) != NULL;
            return pcs_error_set(err, PCS_ERR_FORMAT,
                                 "%s:1: cannot tell the trace format%s (expected Mooncake or native JSONL, "
                                 "a Claude-Code session JSON or an Azure CSV); use --input-format",
                                 file->path, binary ? " (binary data?)" : "");
        }
    }
    file->namespace_id = file->format == PCS_FORMAT_CLAUDE_CODE ? ++trace->namespace_count : 0;
    if (file->format == PCS_FORMAT_AZURE)
        trace->lacks_prefixes = 1;

    const struct trace_format *ops = format_ops(file->format);
    if (ops->index_document) {
        /* Pass two reads the document's records through a small window:
         * many sessions replayed together must not all stay in memory. */
        file->readahead = DOCUMENT_READAHEAD;
        return index_whole(trace, file, err);
    }
    return index_lines(trace, file, err);
}

/* Stable merge sort of the index by time. */
static enum pcs_status sort_entries(struct pcs_trace *trace)
{
    size_t n = trace->entry_count;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = trace->entries[i - 1].t_ms <= trace->entries[i].t_ms;
    if (sorted)
        return PCS_OK;
    struct index_entry *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return PCS_ERR_NOMEM;
    struct index_entry *src = trace->entries;
    struct index_entry *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo;
            size_t j = mid;
            size_t k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[j].t_ms < src[i].t_ms ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        struct index_entry *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != trace->entries) {
        memcpy(trace->entries, src, n * sizeof *src);
        free(src);
    } else {
        free(dst);
    }
    return PCS_OK;
}

pcs_trace *pcs_trace_open(const char *const *paths, size_t path_count, const struct pcs_trace_config *config,
                          enum pcs_status *status, struct pcs_error *err)
{
    enum pcs_status st = PCS_OK;
    pcs_trace *trace = calloc(1, sizeof *trace);
    if (!trace) {
        *status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    trace->config = config ? *config : pcs_trace_config_default();
    trace->model_lock = malloc(sizeof *trace->model_lock);
    if (!trace->model_lock) {
        free(trace);
        *status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(trace->model_lock, NULL);
    if (path_count == 0 || path_count > UINT32_MAX) {
        *status = pcs_error_set(err, PCS_ERR_ARG, "no trace file given");
        pcs_trace_free(trace);
        return NULL;
    }
    trace->files = calloc(path_count, sizeof *trace->files);
    if (!trace->files) {
        pcs_trace_free(trace);
        *status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    trace->file_count = path_count;
    for (size_t i = 0; i < path_count; i++) {
        trace->files[i].fd = -1;
        trace->files[i].path = paths[i];
        trace->files[i].index = (uint32_t)i;
        trace->files[i].readahead = WINDOW_BYTES;
    }
    for (size_t i = 0; i < path_count && st == PCS_OK; i++)
        st = open_file(trace, &trace->files[i], err);
    if (st == PCS_OK && trace->entry_count == 0)
        st = pcs_error_set(err, PCS_ERR_PARSE, "%s: no valid records (%llu skipped)", paths[0],
                           (unsigned long long)trace->skipped);
    free(trace->document); /* pass two reads documents through windows */
    trace->document = NULL;
    trace->document_cap = 0;
    if (st == PCS_OK)
        st = sort_entries(trace);
    if (st == PCS_ERR_NOMEM && err->message[0] == '\0')
        pcs_error_set(err, st, "out of memory while indexing the trace");
    *status = st;
    if (st != PCS_OK) {
        pcs_trace_free(trace);
        return NULL;
    }
    return trace;
}

enum pcs_status pcs_trace_next(pcs_trace *trace, struct pcs_request *req, struct pcs_error *err)
{
    while (trace->next_entry < trace->entry_count) {
        const struct index_entry *entry = &trace->entries[trace->next_entry++];
        struct trace_file *file = &trace->files[entry->file];
        enum pcs_status status = window_load(file, entry->offset, entry->length, file->readahead, err);
        if (status != PCS_OK)
            return status;
        const char *record = file->window + (entry->offset - file->window_start);
        struct record_loc loc = {file->path, entry->line, NULL};
        char where[64];
        if (ops_locate_by_path(file->format)) {
            if (entry->sub)
                snprintf(where, sizeof where, "requests[%u].requests[%u]", entry->line - 1, entry->sub - 1);
            else
                snprintf(where, sizeof where, "requests[%u]", entry->line - 1);
            loc.where = where;
        }
        const struct trace_format *ops = format_ops(file->format);
        status = ops->parse(trace, file, record, entry->length, 0.0, &loc, req, err);
        if (status == PCS_OK) {
            req->t_ms = entry->t_ms;
            return PCS_OK;
        }
        /* Line formats are validated here, in full, for the first time. */
        status = trace_record_failed(trace, status, err);
        if (status != PCS_OK)
            return status;
    }
    return PCS_END;
}

uint64_t pcs_trace_request_count(const pcs_trace *trace)
{
    return trace->entry_count;
}

uint64_t pcs_trace_skipped_count(const pcs_trace *trace)
{
    return trace->skipped;
}

int pcs_trace_lacks_prefixes(const pcs_trace *trace)
{
    return trace->lacks_prefixes;
}

enum pcs_trace_format pcs_trace_file_format(const pcs_trace *trace, size_t file)
{
    return file < trace->file_count ? trace->files[file].format : PCS_FORMAT_AUTO;
}

void pcs_trace_print_skips(const pcs_trace *trace, FILE *out, size_t max)
{
    for (size_t i = 0; i < trace->skip_message_count && i < max; i++)
        fprintf(out, "pcsim: skipped: %s\n", trace->skip_messages[i]);
}

void pcs_trace_free(pcs_trace *trace)
{
    if (!trace)
        return;
    for (size_t i = 0; i < trace->file_count; i++) {
        if (trace->files[i].fd >= 0)
            close(trace->files[i].fd);
        free(trace->files[i].window);
        ids_memo_free(&trace->files[i].ids_memo);
    }
    free(trace->files);
    free(trace->entries);
    for (size_t i = 0; i < trace->model_count; i++)
        free(trace->model_names[i]);
    free(trace->model_names);
    free(trace->model_slots);
    pthread_mutex_destroy(trace->model_lock);
    free(trace->model_lock);
    bound_arrays_free(&trace->scratch);
    free(trace->block_ends.ends);
    free(trace->document);
    for (size_t i = 0; i < trace->skip_message_count; i++)
        free(trace->skip_messages[i]);
    free(trace);
}
