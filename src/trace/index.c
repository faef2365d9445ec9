/* Pass one: finding each record of each file and its time, on one thread
 * or several; see pcs_trace_index_files in trace_internal.h.
 *
 * Every file is opened and its format detected first, in order. Indexing
 * is then cut into jobs: a whole-document file is one job; a line file is
 * one job or, when it is large and threads are allowed, one per piece, cut
 * at line starts. A line job reads only the time of each record and
 * skips the rest by its outline; a document job parses every request of
 * its document (see struct doc_records). Each job fills a sink of its
 * own. The sinks are joined in file order, so the entries, the skipped
 * records and the first error are what one thread would have found. A
 * piece after a file's first does not know the number of its first line:
 * its entries learn it when joined, and if it failed or skipped records
 * (whose messages name lines), its file is indexed again whole, here. */
#include "trace_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/memory.h"
#include "json_scan.h"
#include "common/grow.h"
#include "common/text_append.h"

#define DOCUMENT_READAHEAD ((size_t)64 << 10)
/* Line files at least this large are cut into one piece per thread. */
#define PIECE_MIN_BYTES ((uint64_t)16 << 20)
#define MAX_PIECES 64

/* ------------------------------------------------------------------- sinks */

static enum pcs_status sink_push(struct index_sink *sink, const struct index_entry *entry, struct pcs_error *err)
{
    if (sink->count == sink->cap) {
        size_t cap = grow_capacity(sink->cap, sink->count + 1, 1024, sizeof *sink->entries);
        struct index_entry *entries = cap ? pcs_memory_grow(sink->entries, cap * sizeof *entries) : NULL;
        if (!entries)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory while indexing the trace");
        sink->entries = entries;
        sink->cap = cap;
    }
    sink->entries[sink->count++] = *entry;
    return PCS_OK;
}

static int place_before(struct skip_place a, struct skip_place b)
{
    return a.file != b.file ? a.file < b.file : a.position < b.position;
}

/* Puts message (owned: kept or freed) in its place among the sink's, which
 * stay sorted by place; past TRACE_MAX_SKIP_MESSAGES the last in file order
 * goes. Records are found out of file order: pass two meets them in time
 * order, and one file's skips may come from both passes. */
static void sink_insert_message(struct index_sink *sink, struct skip_place place, char *message)
{
    size_t at = sink->message_count;
    while (at > 0 && place_before(place, sink->places[at - 1]))
        at--;
    if (at == TRACE_MAX_SKIP_MESSAGES) {
        free(message);
        return;
    }
    if (sink->message_count == TRACE_MAX_SKIP_MESSAGES)
        free(sink->messages[--sink->message_count]);
    memmove(&sink->messages[at + 1], &sink->messages[at], (sink->message_count - at) * sizeof *sink->messages);
    memmove(&sink->places[at + 1], &sink->places[at], (sink->message_count - at) * sizeof *sink->places);
    sink->messages[at] = message;
    sink->places[at] = place;
    sink->message_count++;
}

enum pcs_status pcs_index_record_failed(struct index_sink *sink, struct skip_place place, enum pcs_status status,
                                        const struct pcs_error *err)
{
    if (status == PCS_ERR_NOMEM || status == PCS_ERR_IO || !sink->lenient)
        return status;
    sink->skipped++;
    char *copy = strdup(err->message);
    if (!copy)
        return PCS_ERR_NOMEM;
    sink_insert_message(sink, place, copy);
    return PCS_OK;
}

enum pcs_status pcs_index_no_valid_records(const struct index_sink *sink, const char *path, struct pcs_error *err)
{
    if (sink->message_count == 0)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: no valid records (%llu skipped)", path,
                             (unsigned long long)sink->skipped);
    /* The reasons are what the user needs: as many of the first as fit,
     * one a line, as a lenient run that reads something lists them. */
    enum pcs_status status = pcs_error_set(err, PCS_ERR_PARSE, "%s: no valid records (%llu skipped); the first:", path,
                                           (unsigned long long)sink->skipped);
    size_t used = strlen(err->message);
    for (size_t i = 0; i < sink->message_count && i < TRACE_SHOWN_SKIPS; i++) {
        int n = snprintf(err->message + used, sizeof err->message - used, "\nskipped: %s", sink->messages[i]);
        if (n < 0 || (size_t)n >= sizeof err->message - used) {
            err->message[used] = '\0'; /* a reason cut short is left out */
            break;
        }
        used += (size_t)n;
    }
    return status;
}

enum pcs_status pcs_index_push_record(struct index_sink *sink, const struct trace_file *file, size_t record,
                                      int64_t t_ms, uint64_t top, uint32_t sub, struct pcs_error *err)
{
    if (top > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s: too many requests", file->path);
    struct index_entry entry = {t_ms, (uint64_t)record, 0, (uint32_t)top, file->index, sub};
    return sink_push(sink, &entry, err);
}

void pcs_index_sink_join_skips(struct index_sink *into, struct index_sink *from)
{
    into->skipped += from->skipped;
    from->skipped = 0;
    for (size_t i = 0; i < from->message_count; i++) {
        sink_insert_message(into, from->places[i], from->messages[i]);
        from->messages[i] = NULL;
    }
    from->message_count = 0;
}

void pcs_index_sink_free(struct index_sink *sink)
{
    free(sink->entries);
    for (size_t i = 0; i < sink->message_count; i++)
        free(sink->messages[i]);
    memset(sink, 0, sizeof *sink);
}

/* ------------------------------------------------------------------- jobs */

struct index_job {
    struct trace_file *file;
    uint64_t begin; /* line formats: the lines that start in [begin, end) */
    uint64_t end;
    unsigned piece;      /* 0 for a file's first (or only) piece */
    uint64_t first_line; /* lines before begin, when known (a part's job); else 0 */
    int on_caller;       /* interns models: runs on the calling thread, in order */
    struct index_sink sink;
    uint64_t lines; /* lines in [begin, end) */
    int saw_record;
    enum pcs_status status;
    struct pcs_error error;
};

/* A whole-document file: read whole into buf (the calling thread's, kept
 * from one document to the next: fresh memory costs a page fault a page,
 * and mapping the file costs more than reading it), then indexed. */
static enum pcs_status index_document(struct index_job *job, struct file_window *buf)
{
    struct trace_file *file = job->file;
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    if (file->size > (uint64_t)SIZE_MAX / 2)
        return pcs_error_set(&job->error, PCS_ERR_RANGE, "%s: file too large to read", file->path);
    buf->len = 0; /* it held another file */
    if (buf->cap < file->size + TRACE_READ_PADDING) {
        /* Made for the document, written whole; not grown, which would
         * copy what it holds. */
        pcs_window_free(buf);
        size_t cap = (size_t)file->size + TRACE_READ_PADDING;
        buf->buf = pcs_memory_alloc_whole(cap);
        if (!buf->buf)
            return pcs_error_set(&job->error, PCS_ERR_NOMEM, "%s: no memory to read it", file->path);
        buf->cap = cap;
    }
    enum pcs_status status = pcs_window_load(file, buf, 0, (size_t)file->size, 0, &job->error);
    if (status != PCS_OK)
        return status;
    return ops->index_document(file, buf->buf, (size_t)file->size, &job->sink, &job->error);
}

/* A line format: each non-blank line that starts in [begin, end) is a
 * record. Line numbers count from the piece's first line. */
static enum pcs_status index_lines(struct pcs_trace *trace, struct index_job *job, struct file_window *w)
{
    struct trace_file *file = job->file;
    struct pcs_error *err = &job->error;
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    struct line_reader lines = {file, w, job->begin, job->end, job->first_line};
    int saw_header = ops->header == NULL || job->begin > 0;
    enum pcs_status status;
    const char *line;
    size_t len;
    uint64_t at;

    while ((status = pcs_line_next(&lines, &line, &len, &at, err)) == PCS_OK) {
        job->lines = lines.line_no;
        struct record_loc loc = {file->path, lines.line_no, NULL};
        if (!saw_header) {
            saw_header = 1;
            status = ops->header(trace, file, line, len, &loc, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        struct pcs_request req;
        if (ops->index_time)
            status = ops->index_time(trace, file, line, len, &loc, &req.t_ms, err);
        else
            status = ops->parse(trace, file, line, len, 0.0, &loc, &req, err);
        if (status != PCS_OK) {
            status = pcs_index_record_failed(&job->sink, skip_place_of(file->index, lines.line_no, 0), status, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        job->saw_record = 1;
        struct index_entry entry = {req.t_ms, at, (uint32_t)len, (uint32_t)lines.line_no, file->index, 0};
        status = sink_push(&job->sink, &entry, err);
        if (status != PCS_OK)
            return status;
    }
    job->lines = lines.line_no;
    return status == PCS_END ? PCS_OK : status;
}

/* doc_buf: the calling thread's buffer for whole documents. */
static void run_job(struct pcs_trace *trace, struct index_job *job, struct file_window *doc_buf)
{
    if (pcs_trace_format_ops(job->file->format)->index_document) {
        job->status = index_document(job, doc_buf);
        return;
    }
    struct file_window w = {NULL, 0, 0, 0};
    job->status = index_lines(trace, job, &w);
    if (job->piece == 0) {
        /* Pass two reads the file through this window from its start: for
         * a file that fits, it is already there, and otherwise the memory
         * is at least mapped already. */
        pcs_window_free(&job->file->window);
        job->file->window = w;
    } else {
        pcs_window_free(&w);
    }
}

/* ----------------------------------------------------------------- threads */

struct job_queue {
    struct pcs_trace *trace;
    struct index_job *jobs;
    const size_t *order; /* the jobs to run, largest first (or NULL: in order) */
    size_t count;
    size_t next;
    pthread_mutex_t lock;
};

static size_t job_bytes(const struct index_job *job)
{
    return pcs_trace_format_ops(job->file->format)->index_document ? (size_t)job->file->size
                                                                   : (size_t)(job->end - job->begin);
}

/* Job indexes by size, largest first (ties in order): the threads finish
 * together, and each thread's document buffer is sized by its first. */
static size_t *largest_first(const struct index_job *jobs, size_t count)
{
    size_t *order = malloc(count * sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        size_t j = i;
        for (; j > 0 && job_bytes(&jobs[order[j - 1]]) < job_bytes(&jobs[i]); j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    return order;
}

/* Runs queued jobs (those not bound to the caller) until none is left. */
static void *drain(void *arg)
{
    struct job_queue *queue = arg;
    struct file_window doc_buf = {NULL, 0, 0, 0};
    for (;;) {
        pthread_mutex_lock(&queue->lock);
        size_t i = queue->count;
        while (queue->next < queue->count) {
            size_t job = queue->order ? queue->order[queue->next] : queue->next;
            queue->next++;
            if (!queue->jobs[job].on_caller) {
                i = job;
                break;
            }
        }
        pthread_mutex_unlock(&queue->lock);
        if (i == queue->count)
            break;
        run_job(queue->trace, &queue->jobs[i], &doc_buf);
    }
    pcs_window_free(&doc_buf);
    return NULL;
}

static void run_jobs(struct pcs_trace *trace, struct index_job *jobs, size_t count, unsigned threads)
{
    /* Without the order (out of memory), jobs run in file order. */
    size_t *order = largest_first(jobs, count);
    struct job_queue queue = {trace, jobs, order, count, 0, PTHREAD_MUTEX_INITIALIZER};
    size_t parallel = 0;
    for (size_t i = 0; i < count; i++)
        parallel += !jobs[i].on_caller;
    /* This thread drains the queue too: helpers make up the rest. */
    size_t helpers = threads > 1 ? threads - 1 : 0;
    if (parallel <= helpers)
        helpers = parallel > 0 ? parallel - 1 : 0;
    pthread_t ids[MAX_PIECES];
    if (helpers > MAX_PIECES)
        helpers = MAX_PIECES;
    size_t started = 0;
    for (; started < helpers; started++)
        if (pcs_memory_thread_start(&ids[started], drain, &queue) != 0)
            break; /* fewer threads: this one does the rest */
    struct file_window doc_buf = {NULL, 0, 0, 0};
    for (size_t i = 0; i < count; i++)
        if (jobs[i].on_caller) /* a line format's: interns models */
            run_job(trace, &jobs[i], &doc_buf);
    pcs_window_free(&doc_buf);
    drain(&queue);
    for (size_t i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    pthread_mutex_destroy(&queue.lock);
    free(order);
}

/* ------------------------------------------------------------------ detect */

/* Asks every format in the registry (each judges the head by its own
 * detect; see detect.h) and returns the one with the best verdict, or
 * PCS_FORMAT_AUTO when none fits. verdicts[PCS_FORMAT_COUNT] keeps what
 * each looked for. Ties go to the earlier format. */
static enum pcs_trace_format detect_format(const char *head, size_t len, struct detect_verdict *verdicts)
{
    enum pcs_trace_format best = PCS_FORMAT_AUTO;
    for (int f = PCS_FORMAT_AUTO + 1; f < PCS_FORMAT_COUNT; f++) {
        const struct trace_format *ops = pcs_trace_format_ops((enum pcs_trace_format)f);
        struct detect_verdict *verdict = &verdicts[f];
        verdict->fits = 0;
        verdict->rank = 0;
        verdict->looked_for[0] = '\0';
        if (!ops->detect)
            continue;
        ops->detect(head, len, verdict);
        if (verdict->fits && (best == PCS_FORMAT_AUTO || verdict->rank < verdicts[best].rank))
            best = ops->id;
    }
    return best;
}

/* "cannot tell the trace format: tried FORMAT (what tells it), ...; WHY",
 * naming every format pcs_trace_format_name knows, and WHY what the head
 * is instead. */
static enum pcs_status detect_failed(const struct trace_file *file, const char *head, size_t len,
                                     const struct detect_verdict *verdicts, struct pcs_error *err)
{
    char tried[640];
    size_t at = 0;
    for (int f = PCS_FORMAT_AUTO + 1; f < PCS_FORMAT_COUNT; f++) {
        const struct trace_format *ops = pcs_trace_format_ops((enum pcs_trace_format)f);
        pcs_text_append(tried, sizeof tried, &at, "%s%s (%s)", at ? ", " : "", ops->name,
                        ops->detect ? verdicts[f].looked_for : "only when forced");
    }
    char why[PCS_ERROR_MAX / 2];
    pcs_trace_detect_describe(head, len, why, sizeof why);
    return pcs_error_set(err, PCS_ERR_FORMAT, "%s:1: cannot tell the trace format: tried %s; %s", file->path, tried,
                         why);
}

/* Opens file and tells its format from its first bytes, read into head
 * (one buffer for all the files: fresh memory costs a page fault a page). */
static enum pcs_status open_file(struct trace_file *file, enum pcs_trace_format format, struct file_window *head,
                                 struct pcs_error *err)
{
    if (file->fd < 0) /* else: a stream or decompressed file, already open */
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

    /* The first bytes usually tell; more are read only when they do not. */
    size_t want = file->size < DETECT_FIRST_BYTES ? (size_t)file->size : DETECT_FIRST_BYTES;
    head->len = 0; /* it held another file */
    enum pcs_status status = pcs_window_load(file, head, 0, want, 0, err);
    if (status != PCS_OK)
        return status;
    file->format = format;
    if (file->format == PCS_FORMAT_AUTO) {
        struct detect_verdict verdicts[PCS_FORMAT_COUNT];
        file->format = detect_format(head->buf, head->len, verdicts);
        if (file->format == PCS_FORMAT_AUTO && file->size > want) {
            want = file->size < DETECT_BYTES ? (size_t)file->size : DETECT_BYTES;
            status = pcs_window_load(file, head, 0, want, 0, err);
            if (status != PCS_OK)
                return status;
            file->format = detect_format(head->buf, head->len, verdicts);
        }
        if (file->format == PCS_FORMAT_AUTO)
            return detect_failed(file, head->buf, head->len, verdicts, err);
    }
    int document = pcs_trace_format_ops(file->format)->index_document != NULL;
    file->readahead = document ? DOCUMENT_READAHEAD : LINE_WINDOW_BYTES;
    return PCS_OK;
}

/* The first line start at or after offset (the file's size if none). */
static enum pcs_status line_start_after(const struct trace_file *file, uint64_t offset, uint64_t *start,
                                        struct pcs_error *err)
{
    struct file_window w = {NULL, 0, 0, 0};
    uint64_t at = offset - 1; /* a line starts at offset if a newline ends the one before */
    enum pcs_status status = PCS_OK;
    *start = file->size;
    while (at < file->size) {
        size_t chunk = file->size - at < DETECT_BYTES ? (size_t)(file->size - at) : DETECT_BYTES;
        status = pcs_window_load(file, &w, at, chunk, 0, err);
        if (status != PCS_OK)
            break;
        const char *nl = memchr(w.buf, '\n', w.len);
        if (nl) {
            *start = at + (uint64_t)(nl - w.buf) + 1;
            break;
        }
        at += w.len;
    }
    pcs_window_free(&w);
    return status;
}

/* --------------------------------------------------------------------- sort */

/* Stable merge sort of the entries by time. */
static enum pcs_status sort_entries(struct index_sink *index, struct pcs_error *err)
{
    size_t n = index->count;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = index->entries[i - 1].t_ms <= index->entries[i].t_ms;
    if (sorted)
        return PCS_OK;
    struct index_entry *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory while sorting the trace");
    struct index_entry *src = index->entries;
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
    if (src != index->entries) {
        memcpy(index->entries, src, n * sizeof *src);
        free(src);
    } else {
        free(dst);
    }
    return PCS_OK;
}

/* --------------------------------------------------------------------- join */

/* Appends a job's entries and skips to index; a piece's lines are
 * renumbered from first_line, the number of lines before it. */
static enum pcs_status join_job(struct index_sink *index, struct index_job *job, uint64_t first_line,
                                struct pcs_error *err)
{
    struct index_sink *sink = &job->sink;
    if (sink->count > 0 && first_line + job->lines > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s: more than 2^32 lines", job->file->path);
    if (index->entries == NULL && index->count == 0) {
        /* The first: its array becomes the index's. */
        index->entries = sink->entries;
        index->count = sink->count;
        index->cap = sink->cap;
        sink->entries = NULL;
        sink->count = 0;
    } else if (sink->count > 0) {
        if (index->count + sink->count > index->cap) {
            size_t cap = index->count + sink->count;
            struct index_entry *entries = pcs_memory_grow(index->entries, cap * sizeof *entries);
            if (!entries)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory while indexing the trace");
            index->entries = entries;
            index->cap = cap;
        }
        struct index_entry *out = index->entries + index->count;
        memcpy(out, sink->entries, sink->count * sizeof *out);
        if (first_line > 0)
            for (size_t i = 0; i < sink->count; i++)
                out[i].line += (uint32_t)first_line;
        index->count += sink->count;
    }
    pcs_index_sink_join_skips(index, sink);
    return PCS_OK;
}

static void job_reset(struct index_job *job, uint64_t begin, uint64_t end, int lenient)
{
    pcs_index_sink_free(&job->sink);
    job->sink.lenient = lenient;
    job->begin = begin;
    job->end = end;
    job->first_line = 0;
    job->lines = 0;
    job->saw_record = 0;
    job->status = PCS_OK;
    job->error.message[0] = '\0';
}

/* ------------------------------------------------------------------- parts */

/* How a part of a sharded read takes a file (pcsim/trace.h, "Parts"). */
enum part_rule { PART_FIRST, PART_DEALT, PART_CUT };

static enum part_rule part_rule_of(const struct trace_format *ops)
{
    if (ops->read_call)
        return PART_FIRST; /* a session's prompt may continue in any record */
    if (ops->index_document || ops->header || ops->namespace_per_file || !ops->index_time)
        return PART_DEALT;
    return PART_CUT;
}

/* The newlines in bytes [0, end) of file: the lines before a part's first. */
static enum pcs_status count_lines_before(const struct trace_file *file, uint64_t end, uint64_t *lines,
                                          struct pcs_error *err)
{
    const size_t chunk_max = (size_t)4 << 20;
    struct file_window w = {NULL, 0, 0, 0};
    enum pcs_status status = PCS_OK;
    uint64_t count = 0;
    for (uint64_t at = 0; at < end && status == PCS_OK;) {
        size_t chunk = end - at < chunk_max ? (size_t)(end - at) : chunk_max;
        status = pcs_window_load(file, &w, at, chunk, 0, err);
        if (status != PCS_OK)
            break;
        const char *p = w.buf + (at - w.start);
        const char *stop = p + chunk;
        while ((p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
            count++;
            p++;
        }
        at += chunk;
    }
    pcs_window_free(&w);
    *lines = count;
    return status;
}

/* Where part p's range of a total of bytes starts: floor(total * p / parts),
 * without overflow. */
static uint64_t share_at(uint64_t total, unsigned parts, unsigned p)
{
    return total / parts * p + total % parts * p / parts;
}

/* The lines of a cut file that start in its part's range: [*begin, *end)
 * of the file, and the lines before *begin. range_lo/range_hi is the
 * part's range in the concatenation, base where the file starts in it. */
static enum pcs_status part_range(const struct trace_file *file, uint64_t base, uint64_t range_lo, uint64_t range_hi,
                                  uint64_t *begin, uint64_t *end, uint64_t *first_line, struct pcs_error *err)
{
    uint64_t lo = range_lo > base ? range_lo - base : 0;
    uint64_t hi = range_hi > base ? range_hi - base : 0;
    lo = lo < file->size ? lo : file->size;
    hi = hi < file->size ? hi : file->size;
    *begin = *end = *first_line = 0;
    /* Offset 0 starts a line; line_start_after looks past it. */
    enum pcs_status status = lo == 0 ? PCS_OK : line_start_after(file, lo, begin, err);
    if (status == PCS_OK && hi > 0)
        status = hi >= file->size ? (*end = file->size, PCS_OK) : line_start_after(file, hi, end, err);
    int has_lines = *begin < *end;
    if (status == PCS_OK && has_lines && *begin > 0)
        status = count_lines_before(file, *begin, first_line, err);
    return status;
}

/* ------------------------------------------------------------------- files */

enum pcs_status pcs_trace_index_files(struct pcs_trace *trace, struct trace_file *files, size_t count,
                                      const struct pcs_trace_config *config, uint64_t one_pass_min_bytes,
                                      uint32_t *namespace_count, int *lacks_prefixes, int *streaming,
                                      struct index_sink *index, struct pcs_error *err)
{
    unsigned threads = config->threads > 1 ? config->threads : 1;
    if (threads > MAX_PIECES)
        threads = MAX_PIECES;
    enum pcs_status *opened = calloc(count, sizeof *opened);
    struct pcs_error *open_errors = calloc(count, sizeof *open_errors);
    size_t *first_job = calloc(count + 1, sizeof *first_job);
    struct index_job *jobs = NULL;
    size_t job_count = 0;
    struct file_window head = {NULL, 0, 0, 0}; /* each file's first bytes, in turn */
    enum pcs_status status = PCS_OK;
    if (!opened || !open_errors || !first_job) {
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        goto done;
    }

    /* Open every file, then cut the work into jobs. A file that fails to
     * open is reported in its turn below, after the files before it. */
    const unsigned parts = config->parts > 1 ? config->parts : 1;
    uint64_t cut_total = 0; /* the bytes of the files parts cut */
    for (size_t f = 0; f < count; f++) {
        struct trace_file *file = &files[f];
        opened[f] = open_file(file, config->format, &head, &open_errors[f]);
        if (opened[f] != PCS_OK)
            continue;
        const struct trace_format *ops = pcs_trace_format_ops(file->format);
        if (ops->namespace_per_file)
            file->namespace_id = ++*namespace_count;
        if (!ops->has_prefix_identity && !*lacks_prefixes)
            *lacks_prefixes = (int)ops->id; /* the first such format, for the reports' note */
        if (parts == 1 && count == 1 && !ops->index_document && file->size >= one_pass_min_bytes) {
            *streaming = 1; /* no index: pcs_trace_next reads the file in order */
            goto done;
        }
        if (part_rule_of(ops) == PART_CUT)
            cut_total += file->size;
    }
    size_t job_cap = 0;
    uint64_t dealt = 0;    /* files dealt whole so far */
    uint64_t cut_base = 0; /* where the next cut file starts in the concatenation */
    for (size_t f = 0; f < count; f++) {
        struct trace_file *file = &files[f];
        first_job[f] = job_count;
        if (opened[f] != PCS_OK)
            continue;
        const struct trace_format *ops = pcs_trace_format_ops(file->format);
        unsigned pieces = 1;
        uint64_t begin = 0;
        uint64_t part_end = file->size;
        uint64_t first_line = 0;
        if (parts > 1) {
            enum part_rule rule = part_rule_of(ops);
            if (rule == PART_CUT) {
                uint64_t base = cut_base;
                cut_base += file->size;
                status = part_range(file, base, share_at(cut_total, parts, config->part),
                                    share_at(cut_total, parts, config->part + 1), &begin, &part_end, &first_line,
                                    &open_errors[f]);
                if (status != PCS_OK) {
                    opened[f] = status; /* reported in the file's turn */
                    status = PCS_OK;
                    continue;
                }
                if (begin >= part_end)
                    continue; /* no line of this file starts in the part's range */
            } else if ((rule == PART_FIRST ? 0 : (unsigned)(dealt++ % parts)) != config->part) {
                continue; /* another part's */
            }
        } else if (threads > 1 && ops->index_time && !ops->header && file->size >= PIECE_MIN_BYTES) {
            pieces = threads;
        }
        if (job_count + pieces > job_cap) {
            size_t cap = grow_capacity(job_cap, job_count + pieces, 16, sizeof *jobs);
            struct index_job *grown = cap ? realloc(jobs, cap * sizeof *grown) : NULL;
            if (!grown) {
                status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
                goto done;
            }
            jobs = grown;
            job_cap = cap;
        }
        for (unsigned p = 0; p < pieces; p++) {
            uint64_t end = part_end;
            if (p + 1 < pieces) {
                status = line_start_after(file, file->size / pieces * (p + 1), &end, &open_errors[f]);
                if (status != PCS_OK)
                    break;
                if (end < begin)
                    end = begin;
            }
            struct index_job *job = &jobs[job_count++];
            memset(job, 0, sizeof *job);
            job->file = file;
            job->piece = p;
            job->on_caller = !ops->index_time && !ops->index_document; /* parses, so interns models */
            job_reset(job, begin, end, config->lenient);
            job->first_line = first_line;
            begin = end;
        }
        if (status != PCS_OK) {
            opened[f] = status; /* reported in the file's turn */
            job_count = first_job[f];
            status = PCS_OK;
        }
    }
    first_job[count] = job_count;

    run_jobs(trace, jobs, job_count, threads);

    /* Join in file order. */
    for (size_t f = 0; f < count; f++) {
        if (opened[f] != PCS_OK) {
            *err = open_errors[f];
            status = opened[f];
            goto done;
        }
        size_t first = first_job[f];
        size_t last = first_job[f + 1];
        int redo = 0;
        for (size_t j = first + 1; j < last; j++)
            redo |= jobs[j].status != PCS_OK || jobs[j].sink.skipped > 0;
        if (redo) {
            /* Messages must name lines: index the file again, whole, here. */
            for (size_t j = first + 1; j < last; j++)
                job_reset(&jobs[j], 0, 0, config->lenient);
            job_reset(&jobs[first], 0, files[f].size, config->lenient);
            struct file_window doc_buf = {NULL, 0, 0, 0};
            run_job(trace, &jobs[first], &doc_buf); /* a line file's */
            pcs_window_free(&doc_buf);
            last = first + 1;
        }
        uint64_t lines_before = 0;
        int saw_record = 0;
        for (size_t j = first; j < last; j++) {
            struct index_job *job = &jobs[j];
            if (job->status != PCS_OK) {
                *err = job->error;
                status = job->status;
                goto done;
            }
            status = join_job(index, job, lines_before, err);
            if (status != PCS_OK)
                goto done;
            lines_before += job->lines;
            saw_record |= job->saw_record;
        }
        int document = pcs_trace_format_ops(files[f].format)->index_document != NULL;
        /* A part that holds some of a file's lines cannot tell it empty. */
        int whole = last > first && jobs[first].begin == 0 && jobs[last - 1].end == files[f].size;
        if (!document && whole && !saw_record && index->skipped == 0) {
            status = pcs_error_set(err, PCS_ERR_PARSE, "%s: no records (the file is empty)", files[f].path);
            goto done;
        }
    }
    if (index->count == 0 && parts == 1) {
        status = pcs_index_no_valid_records(index, files[0].path, err);
        goto done;
    }
    status = sort_entries(index, err);

done:
    pcs_window_free(&head);
    for (size_t j = 0; j < job_count; j++)
        pcs_index_sink_free(&jobs[j].sink);
    free(jobs);
    free(first_job);
    free(open_errors);
    free(opened);
    return status;
}
