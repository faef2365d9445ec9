/* Reading a request log ahead on worker threads; see log_feed.h.
 *
 * Chunk k holds the lines that start in [origin + k * size, origin +
 * (k + 1) * size); a line starts where the byte before it is a newline, so
 * the worker that reads chunk k and the one that reads chunk k - 1 find
 * the same boundary. Chunk k lives in slot k % ring of a ring; workers
 * claim chunks in order while fewer than ring are ahead of pass two, read
 * them in any order, and pass two takes them back in order. One mutex and
 * two condition variables guard the ring's counters and ready flags. */
#include "log_feed.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/memory.h"

/* Chunks each worker may have read ahead of pass two. */
#define CHUNKS_PER_WORKER 2
/* Bytes read at a time while looking for a line's start. */
#define PROBE_BYTES ((size_t)64 << 10)

/* A line of a chunk, as a worker read it. */
struct fed {
    size_t at; /* its text: the chunk's window.buf + at, len bytes */
    size_t len;
    uint64_t line; /* its line number, counted from the chunk's start */
    uint64_t next; /* the file offset past it */
    int has_read;  /* read holds its call */
    int has_counted;
    struct api_log_read read;
    size_t units_at; /* its units: the chunk's units [units_at, units_at + units_count) */
    size_t units_count;
};

struct chunk {
    int ready;           /* read by a worker, not yet taken back (under the lock) */
    uint64_t begin, end; /* its lines start in [begin, end) */
    struct file_window window;
    struct fed *lines;
    size_t count;
    size_t cap;
    uint64_t line_total; /* lines in it, blank ones too */
    int cut;             /* a line after lines[count - 1] could not be read */
    struct api_log_units units;
};

struct worker {
    struct log_feed *feed;
    pthread_t thread;
    struct api_log_counter *counter;
    char *probe; /* PROBE_BYTES for finding a line's start */
};

struct log_feed {
    const struct trace_file *file;
    const struct trace_format *ops;
    uint64_t origin;
    size_t chunk_bytes;
    uint64_t chunk_count; /* chunks that start before the file's end */
    struct chunk *chunks;
    size_t ring;
    struct worker *workers;
    unsigned worker_count;
    pthread_mutex_t lock;
    pthread_cond_t ready; /* a chunk was read */
    pthread_cond_t freed; /* a chunk was taken back */
    uint64_t claimed;     /* chunks handed to workers so far */
    uint64_t taken;       /* chunks pass two is through with */
    atomic_int stopping;
    /* Pass two's side. */
    struct chunk *current;          /* the chunk whose lines it is taking, or NULL */
    size_t next;                    /* current->lines[next] is the next line */
    uint64_t base_line;             /* the line number before current's first */
    int done;                       /* no more lines from the feed */
    struct api_log_counted counted; /* the last line's units */
};

/* The start of the first line at or after offset (a line starts after a
 * newline, or at origin); the file's size when none does. */
static enum pcs_status line_start(const struct log_feed *feed, char *probe, uint64_t offset, uint64_t *start)
{
    const struct trace_file *file = feed->file;
    *start = file->size;
    if (offset <= feed->origin) {
        *start = feed->origin;
        return PCS_OK;
    }
    uint64_t at = offset - 1; /* a line starts at offset if a newline ends the one before */
    while (at < file->size) {
        size_t want = file->size - at < PROBE_BYTES ? (size_t)(file->size - at) : PROBE_BYTES;
        ssize_t n = pread(file->fd, probe, want, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return PCS_ERR_IO; /* pass two will meet the trouble itself */
        const char *nl = memchr(probe, '\n', (size_t)n);
        if (nl) {
            *start = at + (uint64_t)(nl - probe) + 1;
            return PCS_OK;
        }
        at += (uint64_t)n;
    }
    return PCS_OK;
}

/* A line of chunk: its call read and, when pass two would walk its
 * prompt, its units counted. A line that fails either is left to pass
 * two, which reports its error in its turn. */
static void read_line(struct worker *worker, struct chunk *chunk, struct fed *fed, const char *text)
{
    const struct trace_file *file = worker->feed->file;
    const struct record_loc loc = {file->path, 0, NULL}; /* messages are pass two's */
    struct pcs_error err;
    fed->has_read = 0;
    fed->has_counted = 0;
    if (worker->feed->ops->read_call(text, fed->len, &loc, &fed->read, &err) != PCS_OK)
        return;
    if (pcs_api_log_walks(&fed->read.call)) {
        size_t at = chunk->units.count;
        if (pcs_api_log_count_units(worker->counter, &fed->read.call, &loc, &chunk->units, &err) != PCS_OK)
            return;
        fed->has_counted = 1;
        fed->units_at = at;
        fed->units_count = chunk->units.count - at;
    }
    fed->has_read = 1;
}

/* Reads chunk number k into chunk. */
static void read_chunk(struct worker *worker, struct chunk *chunk, uint64_t k)
{
    struct log_feed *feed = worker->feed;
    const struct trace_file *file = feed->file;
    uint64_t nominal = feed->origin + k * feed->chunk_bytes;
    chunk->count = 0;
    chunk->line_total = 0;
    chunk->cut = 0;
    chunk->units.count = 0;
    if (line_start(feed, worker->probe, nominal, &chunk->begin) != PCS_OK ||
        line_start(feed, worker->probe, nominal + feed->chunk_bytes, &chunk->end) != PCS_OK ||
        chunk->end - chunk->begin > feed->chunk_bytes + TRACE_MAX_LINE) {
        chunk->cut = 1; /* pass two reads on alone from here */
        return;
    }
    if (chunk->end == chunk->begin)
        return; /* inside a line that started before */
    struct pcs_error err;
    size_t bytes = (size_t)(chunk->end - chunk->begin);
    if (pcs_window_load(file, &chunk->window, chunk->begin, bytes, bytes, &err) != PCS_OK) {
        chunk->cut = 1;
        return;
    }
    /* The window holds the whole chunk, and a line never runs past its
     * end: the reader below never moves the window. */
    struct line_reader lines = {file, &chunk->window, chunk->begin, chunk->end, 0};
    const char *text;
    size_t len;
    uint64_t at;
    enum pcs_status status;
    while ((status = pcs_line_next(&lines, &text, &len, &at, &err)) == PCS_OK) {
        if (atomic_load_explicit(&feed->stopping, memory_order_relaxed)) {
            chunk->cut = 1;
            return;
        }
        if (chunk->count == chunk->cap) {
            size_t cap = chunk->cap ? chunk->cap * 2 : 256;
            struct fed *grown = realloc(chunk->lines, cap * sizeof *grown);
            if (!grown) {
                chunk->cut = 1;
                return;
            }
            chunk->lines = grown;
            chunk->cap = cap;
        }
        struct fed *fed = &chunk->lines[chunk->count++];
        fed->at = (size_t)(text - chunk->window.buf);
        fed->len = len;
        fed->line = lines.line_no;
        fed->next = lines.offset;
        read_line(worker, chunk, fed, text);
    }
    if (status != PCS_END)
        chunk->cut = 1; /* a line it could not read: pass two will say why */
    chunk->line_total = lines.line_no;
}

static void *work(void *arg)
{
    struct worker *worker = arg;
    struct log_feed *feed = worker->feed;
    for (;;) {
        pthread_mutex_lock(&feed->lock);
        while (!atomic_load_explicit(&feed->stopping, memory_order_relaxed) && feed->claimed < feed->chunk_count &&
               feed->claimed - feed->taken >= feed->ring)
            pthread_cond_wait(&feed->freed, &feed->lock);
        if (atomic_load_explicit(&feed->stopping, memory_order_relaxed) || feed->claimed >= feed->chunk_count) {
            pthread_mutex_unlock(&feed->lock);
            return NULL;
        }
        uint64_t k = feed->claimed++;
        struct chunk *chunk = &feed->chunks[k % feed->ring];
        pthread_mutex_unlock(&feed->lock);
        read_chunk(worker, chunk, k);
        pthread_mutex_lock(&feed->lock);
        chunk->ready = 1;
        pthread_cond_broadcast(&feed->ready);
        pthread_mutex_unlock(&feed->lock);
    }
}

static void feed_free(struct log_feed *feed)
{
    for (unsigned w = 0; w < feed->worker_count; w++) {
        pcs_api_log_counter_free(feed->workers[w].counter);
        free(feed->workers[w].probe);
    }
    free(feed->workers);
    for (size_t i = 0; i < feed->ring; i++) {
        pcs_window_free(&feed->chunks[i].window);
        free(feed->chunks[i].lines);
        pcs_api_log_units_free(&feed->chunks[i].units);
    }
    free(feed->chunks);
    pthread_mutex_destroy(&feed->lock);
    pthread_cond_destroy(&feed->ready);
    pthread_cond_destroy(&feed->freed);
    free(feed);
}

struct log_feed *pcs_log_feed_start(const struct trace_file *file, uint64_t origin, unsigned workers,
                                    size_t chunk_bytes, struct api_log_state *state)
{
    const struct trace_format *ops = pcs_trace_format_ops(file->format);
    if (!ops || !ops->read_call || workers == 0 || chunk_bytes == 0 || !state)
        return NULL;
    struct log_feed *feed = calloc(1, sizeof *feed);
    if (!feed)
        return NULL;
    feed->file = file;
    feed->ops = ops;
    feed->origin = origin;
    feed->chunk_bytes = chunk_bytes;
    feed->chunk_count = origin < file->size ? (file->size - origin + chunk_bytes - 1) / chunk_bytes : 0;
    feed->ring = (size_t)workers * CHUNKS_PER_WORKER;
    pthread_mutex_init(&feed->lock, NULL);
    pthread_cond_init(&feed->ready, NULL);
    pthread_cond_init(&feed->freed, NULL);
    feed->chunks = calloc(feed->ring, sizeof *feed->chunks);
    feed->workers = calloc(workers, sizeof *feed->workers);
    if (!feed->chunks || !feed->workers) {
        feed_free(feed);
        return NULL;
    }
    for (unsigned w = 0; w < workers; w++) {
        struct worker *worker = &feed->workers[w];
        worker->feed = feed;
        worker->counter = pcs_api_log_counter_new(state);
        worker->probe = malloc(PROBE_BYTES);
        if (!worker->counter || !worker->probe || pcs_memory_thread_start(&worker->thread, work, worker) != 0) {
            pcs_api_log_counter_free(worker->counter);
            free(worker->probe);
            worker->counter = NULL;
            worker->probe = NULL;
            pcs_log_feed_stop(feed); /* the workers started so far */
            return NULL;
        }
        feed->worker_count = w + 1;
    }
    return feed;
}

enum pcs_status pcs_log_feed_next(struct log_feed *feed, struct line_reader *lines, struct log_fed_line *line)
{
    while (!feed->done) {
        if (!feed->current) {
            if (feed->taken >= feed->chunk_count)
                break;
            struct chunk *chunk = &feed->chunks[feed->taken % feed->ring];
            pthread_mutex_lock(&feed->lock);
            while (!chunk->ready)
                pthread_cond_wait(&feed->ready, &feed->lock);
            pthread_mutex_unlock(&feed->lock);
            feed->current = chunk;
            feed->next = 0;
            feed->base_line = lines->line_no;
        }
        struct chunk *chunk = feed->current;
        if (feed->next < chunk->count) {
            const struct fed *fed = &chunk->lines[feed->next];
            uint64_t line_no = feed->base_line + fed->line;
            if (line_no > UINT32_MAX)
                break; /* pass two says so itself */
            feed->next++;
            lines->offset = fed->next;
            lines->line_no = line_no;
            line->text = chunk->window.buf + fed->at;
            line->len = fed->len;
            line->read = fed->has_read ? &fed->read : NULL;
            line->counted = NULL;
            if (fed->has_read && fed->has_counted) {
                feed->counted =
                    (struct api_log_counted){chunk->units.ids + fed->units_at, chunk->units.flags + fed->units_at,
                                             chunk->units.counts + fed->units_at, fed->units_count};
                line->counted = &feed->counted;
            }
            return PCS_OK;
        }
        if (chunk->cut)
            break; /* pass two reads on from the last line taken */
        lines->offset = chunk->end;
        lines->line_no = feed->base_line + chunk->line_total;
        pthread_mutex_lock(&feed->lock);
        chunk->ready = 0;
        feed->taken++;
        pthread_cond_broadcast(&feed->freed);
        pthread_mutex_unlock(&feed->lock);
        feed->current = NULL;
    }
    feed->done = 1;
    return PCS_END;
}

void pcs_log_feed_stop(struct log_feed *feed)
{
    if (!feed)
        return;
    pthread_mutex_lock(&feed->lock);
    atomic_store_explicit(&feed->stopping, 1, memory_order_relaxed);
    pthread_cond_broadcast(&feed->freed);
    pthread_mutex_unlock(&feed->lock);
    for (unsigned w = 0; w < feed->worker_count; w++)
        pthread_join(feed->workers[w].thread, NULL);
    feed_free(feed);
}
