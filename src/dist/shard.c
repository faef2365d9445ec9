/* A sharded replay (docs/design.md §11): each rank reads a part of the
 * files, sends each request to the rank that owns its prefix root, replays
 * what it was sent, and rank 0 prices and reports every request in the
 * whole trace's order; see pcs_dist_replay_shard in dist.h.
 *
 * Why it is exact. Two requests share a cache entry only if they share the
 * first bound of their prompts, in the same namespace and model: every
 * entry of a prompt hangs below its first bound (pcsim/request.h), and
 * overflow routing keys on a bound within the first 256 tokens, below it
 * too. So the requests of one prefix root (namespace, model, first bound
 * key) meet only each other, and a rank that replays all of them, in the
 * trace's order, gives each the usage one process would. Only a cache with
 * a capacity (lru) couples roots: there each rank is one server of a
 * cluster that routes by prefix, with the capacity of its own.
 *
 * The trace's order is (time, file, line or request, subagent request):
 * the order pcsim/trace.h merges files in. Each rank reads its part in it,
 * so what a rank is sent comes as one ordered run per sender: it merges
 * them; rank 0 merges the ranks' results likewise, and feeds them to
 * the replay run that prices, reconciles and watches a plain replay's
 * requests (src/sim/replay_feed_internal.h). A request without a bound
 * touches no cache: it stays with the rank that read it.
 *
 * Records travel as 8-byte words: to the owner a request's head, its
 * model's name and its bounds; back to rank 0 what the accounting reads of
 * it, its lanes' usages and its model's name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "common/grow.h"
#include "dist/dist.h"
#include "sim/replay_feed_internal.h"
#include "trace/feed_internal.h"

/* Where a record is in the trace's order: time, then file, then place in
 * the file (line or top-level request, then subagent request). Both kinds
 * of record start with it. */
struct order_key {
    int64_t t_ms;
    uint64_t line;
    uint32_t file;
    uint32_t sub;
};

/* What the accounting reads of a request (the coster, the reconciler, the
 * timeline, pcsim/replay.h's watchers): both kinds of record start with it. */
struct request_core {
    struct order_key key;
    uint64_t input_tokens;
    uint64_t output_tokens;
    uint64_t task;
    struct pcs_observed observed;
    uint32_t attempt;
    uint32_t bound_count;
    uint16_t name_len;
    uint8_t has_task;
    uint8_t ok;
    uint8_t tier;
    uint8_t has_observed;
    uint8_t marked;    /* a breakpoint is marked "5m" or "1h" */
    uint8_t has_flags; /* requests: the bounds' flags follow the ends */
};

/* A request as it travels to its owner, before its name and arrays. */
struct request_head {
    struct request_core core;
    uint64_t cache_key;
    int64_t ttft_ms;
    uint32_t namespace_id;
    uint32_t content_blocks;
};

/* A request's result as it travels to rank 0: its core, then its lanes'
 * usages, then its model's name. */
struct result_head {
    struct request_core core;
};

/* A lane's usage of one request, as travels: the rest of a pcs_usage is
 * the request's own (1 request, its input and output). */
struct result_usage {
    uint64_t cache_read;
    uint64_t cache_write;
    uint64_t cache_write_1h;
};

_Static_assert(sizeof(struct request_core) % 8 == 0, "a head is whole words");
_Static_assert(sizeof(struct request_head) % 8 == 0, "a head is whole words");

/* What travels: requests (to their owners) or results (to rank 0). */
enum record_kind { REQUESTS, RESULTS };

static size_t words_of(size_t bytes)
{
    return (bytes + 7) / 8;
}

/* Words of the record at `at`. */
static size_t record_words(const uint64_t *at, enum record_kind kind, size_t lanes)
{
    const struct request_core *core = (const struct request_core *)at;
    if (kind == RESULTS)
        return (sizeof(struct result_head) + lanes * sizeof(struct result_usage)) / 8 + words_of(core->name_len);
    size_t n = core->bound_count;
    return sizeof(struct request_head) / 8 + words_of(core->name_len) + n + words_of(n * sizeof(uint32_t)) +
           (core->has_flags ? words_of(n) : 0);
}

/* A growing run of words. */
struct word_buf {
    uint64_t *words;
    size_t count;
    size_t cap;
};

static uint64_t *word_buf_take(struct word_buf *buf, size_t words)
{
    if (buf->count + words > buf->cap) {
        size_t cap = grow_capacity(buf->cap, buf->count + words, 1024, sizeof *buf->words);
        uint64_t *grown = cap ? realloc(buf->words, cap * sizeof *grown) : NULL;
        if (!grown)
            return NULL;
        buf->words = grown;
        buf->cap = cap;
    }
    uint64_t *at = buf->words + buf->count;
    memset(at, 0, words * sizeof *at); /* padding is zero */
    buf->count += words;
    return at;
}

static uint16_t name_length(const char *name)
{
    size_t len = strlen(name);
    return (uint16_t)(len < UINT16_MAX ? len : UINT16_MAX);
}

static struct request_core core_of(const struct pcs_request *req, const char *name)
{
    struct request_core core;
    memset(&core, 0, sizeof core);
    core.key.t_ms = req->t_ms;
    core.key.line = req->source_line;
    core.key.file = req->source_file;
    core.key.sub = req->source_sub;
    core.input_tokens = req->input_tokens;
    core.output_tokens = req->output_tokens;
    core.task = req->task;
    core.observed = req->observed;
    core.attempt = req->attempt;
    core.bound_count = (uint32_t)req->bound_count;
    core.name_len = name_length(name);
    core.has_task = req->has_task;
    core.ok = req->ok;
    core.tier = req->tier;
    core.has_observed = req->has_observed;
    core.marked = (uint8_t)pcs_request_has_ttl_marker(req);
    core.has_flags = req->flags != NULL;
    return core;
}

/* Fills req from a core (its arrays and the rest are the caller's). */
static void request_of_core(const struct request_core *core, struct pcs_request *req)
{
    memset(req, 0, sizeof *req);
    req->t_ms = core->key.t_ms;
    req->source_line = core->key.line;
    req->source_file = core->key.file;
    req->source_sub = core->key.sub;
    req->input_tokens = core->input_tokens;
    req->output_tokens = core->output_tokens;
    req->task = core->task;
    req->observed = core->observed;
    req->attempt = core->attempt;
    req->bound_count = core->bound_count;
    req->has_task = core->has_task;
    req->ok = core->ok;
    req->tier = core->tier;
    req->has_observed = core->has_observed;
}

/* Appends req, whose model's name is name, with its arrays. PCS_ERR_NOMEM
 * or PCS_OK. */
static enum pcs_status put_request(struct word_buf *buf, const struct pcs_request *req, const char *name)
{
    struct request_head head;
    memset(&head, 0, sizeof head);
    head.core = core_of(req, name);
    head.cache_key = req->cache_key;
    head.ttft_ms = req->ttft_ms;
    head.namespace_id = req->namespace_id;
    head.content_blocks = req->content_blocks;
    size_t n = req->bound_count;
    size_t words = sizeof head / 8 + words_of(head.core.name_len) + n + words_of(n * sizeof(uint32_t)) +
                   (head.core.has_flags ? words_of(n) : 0);
    uint64_t *at = word_buf_take(buf, words);
    if (!at)
        return PCS_ERR_NOMEM;
    unsigned char *p = (unsigned char *)at;
    memcpy(p, &head, sizeof head);
    p += sizeof head;
    memcpy(p, name, head.core.name_len);
    p += words_of(head.core.name_len) * 8;
    if (n == 0)
        return PCS_OK; /* no arrays (a request of no bound may have none) */
    memcpy(p, req->units, n * sizeof *req->units);
    p += n * 8;
    memcpy(p, req->ends, n * sizeof *req->ends);
    p += words_of(n * sizeof(uint32_t)) * 8;
    if (head.core.has_flags)
        memcpy(p, req->flags, n);
    return PCS_OK;
}

/* Appends req's result: its usages lane by lane (usages[0..lanes)).
 * PCS_ERR_NOMEM or PCS_OK. */
static enum pcs_status put_result(struct word_buf *buf, const struct pcs_request *req, const char *name,
                                  const struct pcs_usage *usages, size_t lanes)
{
    struct result_head head;
    head.core = core_of(req, name);
    head.core.has_flags = 0;
    uint64_t *at =
        word_buf_take(buf, (sizeof head + lanes * sizeof(struct result_usage)) / 8 + words_of(head.core.name_len));
    if (!at)
        return PCS_ERR_NOMEM;
    unsigned char *p = (unsigned char *)at;
    memcpy(p, &head, sizeof head);
    p += sizeof head;
    for (size_t i = 0; i < lanes; i++) {
        struct result_usage usage = {usages[i].cache_read, usages[i].cache_write, usages[i].cache_write_1h};
        memcpy(p, &usage, sizeof usage);
        p += sizeof usage;
    }
    memcpy(p, name, head.core.name_len);
    return PCS_OK;
}

/* The request at `at`, its arrays and its model's name (name[0..*len)). */
static void view_request(const uint64_t *at, struct pcs_request *req, const char **name, size_t *len)
{
    const struct request_head *head = (const struct request_head *)at;
    request_of_core(&head->core, req);
    req->namespace_id = head->namespace_id;
    req->ttft_ms = head->ttft_ms;
    req->content_blocks = (uint8_t)head->content_blocks;
    req->cache_key = head->cache_key;
    const unsigned char *p = (const unsigned char *)at + sizeof *head;
    *name = (const char *)p;
    *len = head->core.name_len;
    p += words_of(head->core.name_len) * 8;
    size_t n = head->core.bound_count;
    req->units = (const uint64_t *)p;
    p += n * 8;
    req->ends = (const uint32_t *)p;
    p += words_of(n * sizeof(uint32_t)) * 8;
    req->flags = head->core.has_flags ? p : NULL;
}

/* The result at `at`: its request as far as the accounting reads it (no
 * arrays: the caller gives them), its usages lane by lane (usages[0..lanes))
 * and its model's name. */
static const struct result_head *view_result(const uint64_t *at, size_t lanes, struct pcs_request *req,
                                             struct pcs_usage *usages, const char **name, size_t *len)
{
    const struct result_head *head = (const struct result_head *)at;
    request_of_core(&head->core, req);
    const unsigned char *p = (const unsigned char *)at + sizeof *head;
    for (size_t i = 0; i < lanes; i++) {
        struct result_usage usage;
        memcpy(&usage, p, sizeof usage);
        p += sizeof usage;
        struct pcs_usage full = {1,
                                 head->core.input_tokens,
                                 usage.cache_read,
                                 usage.cache_write,
                                 usage.cache_write_1h,
                                 head->core.output_tokens};
        usages[i] = full;
    }
    *name = (const char *)p;
    *len = head->core.name_len;
    return head;
}

/* The trace's order. */
static int key_before(const struct order_key *a, const struct order_key *b)
{
    if (a->t_ms != b->t_ms)
        return a->t_ms < b->t_ms;
    if (a->file != b->file)
        return a->file < b->file;
    if (a->line != b->line)
        return a->line < b->line;
    return a->sub < b->sub;
}

/* The rank that owns req's prefix root. The first bound's key is its unit
 * within the namespace and model: the model by name, as ids are each
 * rank's own. */
static unsigned owner_of(const struct pcs_request *req, const char *name, unsigned size, unsigned self)
{
    if (req->bound_count == 0)
        return self; /* touches no cache */
    uint64_t words[2] = {req->namespace_id, req->units[0]};
    uint64_t hash = XXH3_64bits_withSeed(words, sizeof words, XXH3_64bits(name, strlen(name)));
    return (unsigned)(hash % size);
}

/* ------------------------------------------------------------ the shard */

/* The records a rank was sent, in the trace's order, fed to its replay;
 * the results it gives back for rank 0. */
struct shard {
    const uint64_t **records; /* in the trace's order */
    size_t count;
    size_t next;
    struct word_buf results;
};

static enum pcs_status shard_feed(void *context, struct pcs_request *req, const char **name, size_t *len,
                                  struct pcs_error *err)
{
    (void)err;
    struct shard *shard = context;
    if (shard->next == shard->count)
        return PCS_END;
    view_request(shard->records[shard->next++], req, name, len);
    return PCS_OK;
}

static enum pcs_status shard_played(void *context, const pcs_trace *trace, const struct pcs_request *req,
                                    const struct pcs_usage *usages, size_t lane_count)
{
    struct shard *shard = context;
    return put_result(&shard->results, req, pcs_trace_model_name(trace, req->model), usages, lane_count);
}

/* Where each record of words[0..count) starts (of kind, with lanes usages
 * if results), into *heads (allocated). PCS_ERR_NOMEM or PCS_OK. */
static enum pcs_status list_records(const uint64_t *words, size_t count, enum record_kind kind, size_t lanes,
                                    const uint64_t ***heads, size_t *head_count)
{
    size_t n = 0;
    for (size_t at = 0; at < count; n++)
        at += record_words(words + at, kind, lanes);
    const uint64_t **list = malloc((n ? n : 1) * sizeof *list);
    if (!list)
        return PCS_ERR_NOMEM;
    size_t i = 0;
    for (size_t at = 0; at < count; i++) {
        list[i] = words + at;
        at += record_words(words + at, kind, lanes);
    }
    *heads = list;
    *head_count = n;
    return PCS_OK;
}

/* ------------------------------------------------------------- rank 0 */

/* Every rank's results merged in the trace's order, fed to the run that
 * prices and reports them. */
struct merged {
    const uint64_t **records;
    size_t count;
    size_t next;
    size_t lanes;
    struct pcs_usage usages[2]; /* of the record fed last, lane by lane (a run plays at most 2) */
    /* Arrays of bound_count zeros but a marked flag, for the sums that
     * read them (no cache is played here). */
    uint64_t *units;
    uint32_t *ends;
    uint8_t *flags;
    size_t array_cap;
};

static enum pcs_status merged_feed(void *context, struct pcs_request *req, const char **name, size_t *len,
                                   struct pcs_error *err)
{
    struct merged *merged = context;
    if (merged->next == merged->count)
        return PCS_END;
    const struct result_head *head =
        view_result(merged->records[merged->next++], merged->lanes, req, merged->usages, name, len);
    size_t n = req->bound_count;
    if (n > merged->array_cap) {
        free(merged->units);
        free(merged->ends);
        free(merged->flags);
        merged->units = calloc(n, sizeof *merged->units);
        merged->ends = calloc(n, sizeof *merged->ends);
        merged->flags = calloc(n, 1);
        merged->array_cap = merged->units && merged->ends && merged->flags ? n : 0;
        if (!merged->array_cap)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    }
    if (n > 0) {
        merged->flags[0] = head->core.marked ? (PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M) : 0;
        req->units = merged->units;
        req->ends = merged->ends;
        req->flags = merged->flags;
    }
    return PCS_OK;
}

static const struct pcs_usage *merged_usages(void *context)
{
    const struct merged *merged = context;
    return merged->usages;
}

/* A binary heap of the ranks' next records, by the trace's order. */
struct cursor {
    const uint64_t **next;
    const uint64_t **end;
};

static int cursor_before(const struct cursor *a, const struct cursor *b)
{
    return key_before((const struct order_key *)*a->next, (const struct order_key *)*b->next);
}

static void sift_down(struct cursor *heap, size_t n, size_t i)
{
    for (;;) {
        size_t least = i;
        size_t l = 2 * i + 1;
        size_t r = l + 1;
        if (l < n && cursor_before(&heap[l], &heap[least]))
            least = l;
        if (r < n && cursor_before(&heap[r], &heap[least]))
            least = r;
        if (least == i)
            return;
        struct cursor swap = heap[i];
        heap[i] = heap[least];
        heap[least] = swap;
        i = least;
    }
}

/* Merges runs[0..run_count) (each sorted) into out[0..total). */
static void merge_runs(struct cursor *heap, size_t run_count, const uint64_t **out)
{
    size_t n = 0;
    for (size_t r = 0; r < run_count; r++)
        if (heap[r].next < heap[r].end)
            heap[n++] = heap[r];
    for (size_t i = n; i-- > 0;)
        sift_down(heap, n, i);
    size_t k = 0;
    while (n > 0) {
        out[k++] = *heap[0].next++;
        if (heap[0].next == heap[0].end)
            heap[0] = heap[--n];
        sift_down(heap, n, 0);
    }
}

/* ------------------------------------------------------------- skips */

/* A part's skips as words: the count, the messages, each with its place. */
static enum pcs_status put_skips(struct word_buf *buf, const pcs_trace *trace)
{
    size_t count = pcs_trace_skip_message_count(trace);
    uint64_t *at = word_buf_take(buf, 2);
    if (!at)
        return PCS_ERR_NOMEM;
    at[0] = pcs_trace_skipped_count(trace);
    at[1] = count;
    for (size_t i = 0; i < count; i++) {
        uint32_t file;
        uint64_t position;
        const char *message = pcs_trace_skip_message(trace, i, &file, &position);
        size_t len = strlen(message);
        uint64_t *m = word_buf_take(buf, 3 + words_of(len + 1));
        if (!m)
            return PCS_ERR_NOMEM;
        m[0] = file;
        m[1] = position;
        m[2] = len;
        memcpy(m + 3, message, len);
    }
    return PCS_OK;
}

/* Adds the skips of words[0..count) (put_skips's) to trace. */
static enum pcs_status add_skips(pcs_trace *trace, const uint64_t *words, size_t count)
{
    if (count < 2)
        return PCS_OK;
    pcs_trace_add_skipped(trace, words[0]);
    size_t messages = (size_t)words[1];
    const uint64_t *m = words + 2;
    for (size_t i = 0; i < messages; i++) {
        size_t len = (size_t)m[2];
        char *text = malloc(len + 1);
        if (!text)
            return PCS_ERR_NOMEM;
        memcpy(text, m + 3, len);
        text[len] = '\0';
        enum pcs_status status = pcs_trace_add_skip_message(trace, (uint32_t)m[0], m[1], text);
        free(text);
        if (status != PCS_OK)
            return status;
        m += 3 + words_of(len + 1);
    }
    return PCS_OK;
}

/* ------------------------------------------------------------ stages */

/* Where a rank's time went, for PCSIM_SHARD_TIMES (docs/scaleout.md):
 * seconds per stage and words moved. */
enum { STAGE_READ, STAGE_EXCHANGE, STAGE_REPLAY, STAGE_GATHER, STAGE_REPORT, STAGE_COUNT };
static const char *const stage_names[STAGE_COUNT] = {"read and deal", "exchange", "replay", "gather",
                                                     "merge and report"};

struct stages {
    double seconds[STAGE_COUNT];
    double sent_words;    /* to other ranks in the exchange */
    double result_words;  /* to rank 0 in the gather */
    double requests_read; /* by this rank */
    double requests_played;
    struct timespec mark;
};

#define STAGE_WORDS (STAGE_COUNT + 4)

static void stage_end(struct stages *stages, int stage)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    stages->seconds[stage] =
        (double)(now.tv_sec - stages->mark.tv_sec) + (double)(now.tv_nsec - stages->mark.tv_nsec) / 1e9;
    stages->mark = now;
}

/* Rank 0 prints, when PCSIM_SHARD_TIMES is set, each stage's longest time
 * over the ranks and the volumes moved; every rank takes part in the
 * gather (an environment may differ between nodes). */
static void report_stages(const struct stages *mine, unsigned size, unsigned self)
{
    double words[STAGE_WORDS];
    memcpy(words, mine->seconds, sizeof mine->seconds);
    words[STAGE_COUNT] = mine->sent_words;
    words[STAGE_COUNT + 1] = mine->result_words;
    words[STAGE_COUNT + 2] = mine->requests_read;
    words[STAGE_COUNT + 3] = mine->requests_played;
    uint64_t packed[STAGE_WORDS];
    memcpy(packed, words, sizeof words);
    uint64_t **from = calloc(size, sizeof *from);
    size_t *counts = calloc(size, sizeof *counts);
    struct pcs_error err = {0};
    int shown = from && counts && pcs_dist_gather_words(packed, STAGE_WORDS, from, counts, &err) == PCS_OK &&
                self == 0 && getenv("PCSIM_SHARD_TIMES");
    double longest[STAGE_WORDS] = {0};
    double sum[STAGE_WORDS] = {0};
    for (unsigned r = 0; shown && r < size; r++) {
        double theirs[STAGE_WORDS];
        if (counts[r] != STAGE_WORDS)
            continue;
        memcpy(theirs, r == 0 ? packed : from[r], sizeof theirs);
        for (int i = 0; i < STAGE_WORDS; i++) {
            longest[i] = theirs[i] > longest[i] ? theirs[i] : longest[i];
            sum[i] += theirs[i];
        }
    }
    if (shown) {
        fprintf(stderr, "pcsim replay: shard stages over %u ranks (seconds, the longest rank's):", size);
        for (int i = 0; i < STAGE_COUNT; i++)
            fprintf(stderr, " %s %.3f,", stage_names[i], longest[i]);
        fprintf(stderr,
                " requests read %.0f, played %.0f (most on a rank: %.0f); exchanged %.1f MB, gathered %.1f MB\n",
                sum[STAGE_COUNT + 2], sum[STAGE_COUNT + 3], longest[STAGE_COUNT + 3], sum[STAGE_COUNT] * 8 / 1e6,
                sum[STAGE_COUNT + 1] * 8 / 1e6);
    }
    for (unsigned r = 0; from && r < size; r++)
        free(from[r]);
    free(from);
    free(counts);
}

/* --------------------------------------------------------------- run */

/* Reads this rank's part and deals its requests into out[0..size), by
 * owner. */
static enum pcs_status read_part(pcs_trace *trace, struct word_buf *out, unsigned size, unsigned self,
                                 struct pcs_error *err)
{
    struct pcs_request req;
    enum pcs_status status;
    while ((status = pcs_trace_next(trace, &req, err)) == PCS_OK) {
        const char *name = pcs_trace_model_name(trace, req.model);
        if (put_request(&out[owner_of(&req, name, size, self)], &req, name) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory dealing the requests");
    }
    return status == PCS_END ? PCS_OK : status;
}

/* The records of each of size ranks, runs[r][0..counts[r]) words, each
 * rank's in the trace's order, merged into one list in that order (*list
 * allocated). PCS_ERR_NOMEM or PCS_OK. */
static enum pcs_status merge_ranks(const uint64_t *const *runs_in, const size_t *counts, unsigned size,
                                   enum record_kind kind, size_t lanes, const uint64_t ***list, size_t *total)
{
    const uint64_t ***runs = calloc(size, sizeof *runs);
    size_t *run_counts = calloc(size, sizeof *run_counts);
    struct cursor *heap = calloc(size, sizeof *heap);
    enum pcs_status status = runs && run_counts && heap ? PCS_OK : PCS_ERR_NOMEM;
    *list = NULL;
    *total = 0;
    for (unsigned r = 0; r < size && status == PCS_OK; r++) {
        status = list_records(runs_in[r], counts[r], kind, lanes, &runs[r], &run_counts[r]);
        *total += run_counts[r];
    }
    if (status == PCS_OK && !(*list = malloc((*total ? *total : 1) * sizeof **list)))
        status = PCS_ERR_NOMEM;
    if (status == PCS_OK) {
        for (unsigned r = 0; r < size; r++) {
            heap[r].next = runs[r];
            heap[r].end = runs[r] + run_counts[r];
        }
        merge_runs(heap, size, *list);
    }
    for (unsigned r = 0; runs && r < size; r++)
        free(runs[r]);
    free(runs);
    free(run_counts);
    free(heap);
    return status;
}

/* Plays the records this rank was sent (box[r][0..counts[r]) from rank r,
 * each rank's in the trace's order) through one replay run over trace,
 * into *outcome. Among ranks, each request's result goes to
 * shard->results, to be accounted on rank 0, and the trace stays this
 * rank's (rank 0 feeds it again; the outcome holds nothing else worth
 * keeping). Alone (size 1), the requests are played and accounted in one
 * pass, as rank 0 would account them, and the outcome takes the trace
 * (freed on failure). */
static enum pcs_status play_received(const struct pcs_replay_job *job, pcs_trace *trace, const uint64_t *const *box,
                                     const size_t *counts, unsigned size, struct shard *shard,
                                     struct pcs_replay_outcome *outcome, struct pcs_error *err)
{
    memset(outcome, 0, sizeof *outcome);
    if (merge_ranks(box, counts, size, REQUESTS, 0, &shard->records, &shard->count) != PCS_OK) {
        if (size == 1)
            pcs_trace_free(trace);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory ordering the requests");
    }
    pcs_trace_feed(trace, shard_feed, shard, shard->count);
    struct pcs_replay_feed feed = {trace, size > 1 ? shard_played : NULL, NULL, shard};
    enum pcs_status status = pcs_replay_run_feed(job, &feed, outcome, err);
    if (size > 1) {
        outcome->trace = NULL; /* still this rank's */
        pcs_replay_outcome_free(outcome);
    }
    return status;
}

/* Rank 0: every rank's results (results[r][0..counts[r]) from rank r)
 * merged in order and reported through one replay run over trace. */
static enum pcs_status report_merged(const struct pcs_replay_job *job, pcs_trace *trace, const uint64_t *const *results,
                                     const size_t *counts, unsigned size, size_t lanes,
                                     struct pcs_replay_outcome *outcome, struct pcs_error *err)
{
    struct merged merged;
    memset(&merged, 0, sizeof merged);
    merged.lanes = lanes;
    enum pcs_status status = merge_ranks(results, counts, size, RESULTS, lanes, &merged.records, &merged.count);
    if (status != PCS_OK) {
        pcs_error_set(err, status, "out of memory merging the ranks' results");
        pcs_trace_free(trace);
    } else if (merged.count == 0) {
        status = pcs_error_set(err, PCS_ERR_PARSE, "%s: no valid records (%llu skipped)", pcs_trace_file_path(trace, 0),
                               (unsigned long long)pcs_trace_skipped_count(trace));
        pcs_trace_free(trace);
    } else {
        pcs_trace_feed(trace, merged_feed, &merged, merged.count);
        struct pcs_replay_feed feed = {trace, NULL, merged_usages, &merged};
        status = pcs_replay_run_feed(job, &feed, outcome, err);
    }
    free(merged.records);
    free(merged.units);
    free(merged.ends);
    free(merged.flags);
    return status;
}

enum pcs_status pcs_dist_replay_shard(const struct pcs_replay_job *job, struct pcs_replay_outcome *outcome,
                                      struct pcs_error *err)
{
    memset(outcome, 0, sizeof *outcome);
    const unsigned size = pcs_dist_size();
    const unsigned self = pcs_dist_rank();
    struct stages stages;
    memset(&stages, 0, sizeof stages);
    clock_gettime(CLOCK_MONOTONIC, &stages.mark);
    struct pcs_trace_config config = job->trace;
    config.threads = job->threads;
    config.part = self;
    config.parts = size;
    pcs_trace *trace = pcs_trace_open_inputs(job->inputs, &config, err);
    if (!trace)
        return err->status;

    struct word_buf *out = calloc(size, sizeof *out);
    uint64_t **box = calloc(size, sizeof *box); /* each rank's words: dealt, then received */
    size_t *box_words = calloc(size, sizeof *box_words);
    uint64_t **from = calloc(size, sizeof *from); /* rank 0: the others' results, then skips */
    size_t *from_words = calloc(size, sizeof *from_words);
    struct shard shard;
    memset(&shard, 0, sizeof shard);
    struct word_buf skips = {NULL, 0, 0};
    uint64_t **skips_from = NULL; /* rank 0: the others' skips */
    size_t *skip_words = NULL;
    enum pcs_status status = out && box && box_words && from && from_words ? PCS_OK : PCS_ERR_NOMEM;
    if (status != PCS_OK)
        pcs_error_set(err, status, "out of memory");
    if (status == PCS_OK)
        status = read_part(trace, out, size, self, err);
    stage_end(&stages, STAGE_READ);
    /* From here every rank takes part in each exchange; one that failed
     * ends the job (the caller calls pcs_dist_abort), not waiting. */
    for (unsigned r = 0; out && box && r < size; r++) {
        box[r] = out[r].words;
        box_words[r] = out[r].count;
        if (r != self)
            stages.sent_words += (double)out[r].count;
    }
    free(out);
    if (status == PCS_OK)
        status = pcs_dist_exchange(box, box_words, err);
    stages.requests_read = (double)pcs_trace_request_count(trace);
    stage_end(&stages, STAGE_EXCHANGE);
    if (status == PCS_OK) {
        struct pcs_replay_outcome played;
        status = play_received(job, trace, (const uint64_t *const *)box, box_words, size, &shard,
                               size == 1 ? outcome : &played, err);
        if (size == 1)
            trace = NULL; /* the outcome's, or freed */
    }
    for (unsigned r = 0; box && r < size; r++)
        free(box[r]);
    free(shard.records);
    stages.requests_played = (double)shard.count;
    stages.result_words = (double)shard.results.count;
    stage_end(&stages, STAGE_REPLAY);
    if (size == 1)
        goto done; /* played and accounted: no one to send results to */
    /* The results to rank 0, and each part's skips (in its turn). */
    if (status == PCS_OK)
        status = pcs_dist_gather_words(shard.results.words, shard.results.count, from, from_words, err);
    if (status == PCS_OK && self == 0)
        from[0] = shard.results.words; /* rank 0's own, where they are */
    if (status == PCS_OK && put_skips(&skips, trace) != PCS_OK)
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    skips_from = calloc(size, sizeof *skips_from);
    skip_words = calloc(size, sizeof *skip_words);
    if (status == PCS_OK && (!skips_from || !skip_words))
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (status == PCS_OK)
        status = pcs_dist_gather_words(skips.words, skips.count, skips_from, skip_words, err);
    stage_end(&stages, STAGE_GATHER);
    if (status == PCS_OK && self == 0) {
        /* The others' skips join rank 0's own (already its trace's). */
        for (unsigned r = 1; r < size && status == PCS_OK; r++)
            if (add_skips(trace, skips_from[r], skip_words[r]) != PCS_OK)
                status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        if (status == PCS_OK) {
            status = report_merged(job, trace, (const uint64_t *const *)from, from_words, size,
                                   pcs_replay_run_lanes(job), outcome, err);
            trace = NULL; /* the outcome's, or freed */
        }
    }
    stage_end(&stages, STAGE_REPORT);
    if (status == PCS_OK)
        report_stages(&stages, size, self);
done:
    pcs_trace_free(trace);
    for (unsigned r = 0; skips_from && r < size; r++)
        free(skips_from[r]);
    free(skips_from);
    free(skip_words);
    free(skips.words);
    for (unsigned r = 1; from && r < size; r++)
        free(from[r]);
    free(from);
    free(from_words);
    free(shard.results.words);
    free(box);
    free(box_words);
    return status;
}
