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
 * Records travel as 8-byte words: a fixed head, the model's name, and the
 * bounds (to the owner) or the lanes' usages (back to rank 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "common/grow.h"
#include "dist/dist.h"
#include "sim/replay_feed_internal.h"
#include "trace/feed_internal.h"

/* A request as it travels, before its name and arrays. */
struct shard_head {
    int64_t t_ms;
    uint64_t source_line;
    uint32_t source_file;
    uint32_t source_sub;
    uint64_t input_tokens;
    uint64_t output_tokens;
    uint64_t task;
    uint64_t cache_key;
    int64_t ttft_ms;
    struct pcs_observed observed;
    uint32_t namespace_id;
    uint32_t attempt;
    uint32_t bound_count;
    uint16_t name_len;
    uint8_t has_task;
    uint8_t ok;
    uint8_t tier;
    uint8_t has_observed;
    uint8_t content_blocks;
    uint8_t bits; /* HEAD_* */
};

_Static_assert(sizeof(struct shard_head) % 8 == 0, "a head is whole words");

#define HEAD_HAS_FLAGS 0x01u /* the bounds' flags follow the ends */
#define HEAD_MARKED 0x02u    /* a breakpoint is marked "5m" or "1h" (results) */

static size_t words_of(size_t bytes)
{
    return (bytes + 7) / 8;
}

/* Words a request takes: head, name, and its arrays when with_bounds. */
static size_t record_words(const struct shard_head *head, int with_bounds, size_t lanes)
{
    size_t words = sizeof *head / 8 + words_of(head->name_len);
    if (with_bounds) {
        size_t n = head->bound_count;
        words += n + words_of(n * sizeof(uint32_t));
        if (head->bits & HEAD_HAS_FLAGS)
            words += words_of(n);
    }
    return words + lanes * (sizeof(struct pcs_usage) / 8);
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

/* Appends req (its model's name is name) with its bounds (with_bounds) or
 * with usages[0..lanes) after it. PCS_ERR_NOMEM or PCS_OK. */
static enum pcs_status put_record(struct word_buf *buf, const struct pcs_request *req, const char *name,
                                  int with_bounds, const struct pcs_usage *usages, size_t lanes)
{
    struct shard_head head;
    memset(&head, 0, sizeof head);
    size_t name_len = strlen(name);
    head.t_ms = req->t_ms;
    head.source_line = req->source_line;
    head.source_file = req->source_file;
    head.source_sub = req->source_sub;
    head.input_tokens = req->input_tokens;
    head.output_tokens = req->output_tokens;
    head.task = req->task;
    head.cache_key = req->cache_key;
    head.ttft_ms = req->ttft_ms;
    head.observed = req->observed;
    head.namespace_id = req->namespace_id;
    head.attempt = req->attempt;
    head.bound_count = (uint32_t)req->bound_count;
    head.name_len = (uint16_t)(name_len < UINT16_MAX ? name_len : UINT16_MAX);
    head.has_task = req->has_task;
    head.ok = req->ok;
    head.tier = req->tier;
    head.has_observed = req->has_observed;
    head.content_blocks = req->content_blocks;
    head.bits = (uint8_t)((req->flags ? HEAD_HAS_FLAGS : 0) | (pcs_request_has_ttl_marker(req) ? HEAD_MARKED : 0));
    if (!with_bounds)
        head.bits &= (uint8_t)~HEAD_HAS_FLAGS;
    uint64_t *at = word_buf_take(buf, record_words(&head, with_bounds, lanes));
    if (!at)
        return PCS_ERR_NOMEM;
    memcpy(at, &head, sizeof head);
    unsigned char *p = (unsigned char *)at + sizeof head;
    memcpy(p, name, head.name_len);
    p += words_of(head.name_len) * 8;
    if (with_bounds) {
        size_t n = req->bound_count;
        memcpy(p, req->units, n * sizeof *req->units);
        p += n * 8;
        memcpy(p, req->ends, n * sizeof *req->ends);
        p += words_of(n * sizeof(uint32_t)) * 8;
        if (head.bits & HEAD_HAS_FLAGS) {
            memcpy(p, req->flags, n);
            p += words_of(n) * 8;
        }
    }
    memcpy(p, usages, lanes * sizeof *usages);
    return PCS_OK;
}

/* A record read back: its head, name and what follows. */
struct record_view {
    const struct shard_head *head;
    const char *name;
    const uint64_t *units;
    const uint32_t *ends;
    const uint8_t *flags;
    const struct pcs_usage *usages;
};

static struct record_view view_record(const uint64_t *at, int with_bounds)
{
    struct record_view view;
    memset(&view, 0, sizeof view);
    view.head = (const struct shard_head *)at;
    const unsigned char *p = (const unsigned char *)at + sizeof *view.head;
    view.name = (const char *)p;
    p += words_of(view.head->name_len) * 8;
    if (with_bounds) {
        size_t n = view.head->bound_count;
        view.units = (const uint64_t *)p;
        p += n * 8;
        view.ends = (const uint32_t *)p;
        p += words_of(n * sizeof(uint32_t)) * 8;
        if (view.head->bits & HEAD_HAS_FLAGS) {
            view.flags = p;
            p += words_of(n) * 8;
        }
    }
    view.usages = (const struct pcs_usage *)p;
    return view;
}

/* Fills req from a record's head (not its arrays). */
static void request_of(const struct shard_head *head, struct pcs_request *req)
{
    memset(req, 0, sizeof *req);
    req->t_ms = head->t_ms;
    req->namespace_id = head->namespace_id;
    req->input_tokens = head->input_tokens;
    req->output_tokens = head->output_tokens;
    req->bound_count = head->bound_count;
    req->task = head->task;
    req->attempt = head->attempt;
    req->has_task = head->has_task;
    req->ok = head->ok;
    req->tier = head->tier;
    req->has_observed = head->has_observed;
    req->observed = head->observed;
    req->ttft_ms = head->ttft_ms;
    req->content_blocks = head->content_blocks;
    req->cache_key = head->cache_key;
    req->source_file = head->source_file;
    req->source_sub = head->source_sub;
    req->source_line = head->source_line;
}

/* The trace's order: time, then file, then place in the file. */
static int head_before(const struct shard_head *a, const struct shard_head *b)
{
    if (a->t_ms != b->t_ms)
        return a->t_ms < b->t_ms;
    if (a->source_file != b->source_file)
        return a->source_file < b->source_file;
    if (a->source_line != b->source_line)
        return a->source_line < b->source_line;
    return a->source_sub < b->source_sub;
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
    const uint64_t **records; /* heads, sorted */
    size_t count;
    size_t next;
    size_t lanes;
    struct word_buf results;
};

static enum pcs_status shard_feed(void *context, struct pcs_request *req, const char **name, size_t *len,
                                  struct pcs_error *err)
{
    (void)err;
    struct shard *shard = context;
    if (shard->next == shard->count)
        return PCS_END;
    struct record_view view = view_record(shard->records[shard->next++], 1);
    request_of(view.head, req);
    req->units = view.units;
    req->ends = view.ends;
    req->flags = view.flags;
    *name = view.name;
    *len = view.head->name_len;
    return PCS_OK;
}

static enum pcs_status shard_played(void *context, const pcs_trace *trace, const struct pcs_request *req,
                                    const struct pcs_usage *usages, size_t lane_count)
{
    struct shard *shard = context;
    shard->lanes = lane_count;
    return put_record(&shard->results, req, pcs_trace_model_name(trace, req->model), 0, usages, lane_count);
}

/* The heads of every record in words[0..count), with bounds; *heads
 * allocated. PCS_ERR_NOMEM or PCS_OK. */
static enum pcs_status list_records(const uint64_t *words, size_t count, int with_bounds, size_t lanes,
                                    const uint64_t ***heads, size_t *head_count)
{
    size_t n = 0;
    for (size_t at = 0; at < count; n++)
        at += record_words((const struct shard_head *)(words + at), with_bounds, lanes);
    const uint64_t **list = malloc((n ? n : 1) * sizeof *list);
    if (!list)
        return PCS_ERR_NOMEM;
    size_t i = 0;
    for (size_t at = 0; at < count; i++) {
        list[i] = words + at;
        at += record_words((const struct shard_head *)(words + at), with_bounds, lanes);
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
    const struct pcs_usage *usages; /* of the record fed last */
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
    struct record_view view = view_record(merged->records[merged->next++], 0);
    request_of(view.head, req);
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
        merged->flags[0] = (view.head->bits & HEAD_MARKED) ? (PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M) : 0;
        req->units = merged->units;
        req->ends = merged->ends;
        req->flags = merged->flags;
    }
    merged->usages = view.usages;
    *name = view.name;
    *len = view.head->name_len;
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
    return head_before((const struct shard_head *)*a->next, (const struct shard_head *)*b->next);
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
    uint64_t *all = NULL;
    size_t *counts = calloc(size, sizeof *counts);
    struct pcs_error err = {0};
    if (!counts || pcs_dist_gather_words(packed, STAGE_WORDS, &all, counts, &err) != PCS_OK || self != 0 ||
        !getenv("PCSIM_SHARD_TIMES")) {
        free(all);
        free(counts);
        return;
    }
    double longest[STAGE_WORDS] = {0};
    double sum[STAGE_WORDS] = {0};
    for (unsigned r = 0; r < size; r++) {
        double theirs[STAGE_WORDS];
        memcpy(theirs, all + (size_t)r * STAGE_WORDS, sizeof theirs);
        for (int i = 0; i < STAGE_WORDS; i++) {
            longest[i] = theirs[i] > longest[i] ? theirs[i] : longest[i];
            sum[i] += theirs[i];
        }
    }
    fprintf(stderr, "pcsim replay: shard stages over %u ranks (seconds, the longest rank's):", size);
    for (int i = 0; i < STAGE_COUNT; i++)
        fprintf(stderr, " %s %.3f,", stage_names[i], longest[i]);
    fprintf(stderr,
            " requests read %.0f, played %.0f (most on a rank: %.0f); exchanged %.1f MB, gathered %.1f MB\n",
            sum[STAGE_COUNT + 2], sum[STAGE_COUNT + 3], longest[STAGE_COUNT + 3], sum[STAGE_COUNT] * 8 / 1e6,
            sum[STAGE_COUNT + 1] * 8 / 1e6);
    free(all);
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
        if (put_record(&out[owner_of(&req, name, size, self)], &req, name, 1, NULL, 0) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory dealing the requests");
    }
    return status == PCS_END ? PCS_OK : status;
}

/* The records of words[0..): counts[r] words from each of size ranks, each
 * rank's in the trace's order, merged into one list in that order (*list
 * allocated). PCS_ERR_NOMEM or PCS_OK. */
static enum pcs_status merge_ranks(const uint64_t *words, const size_t *counts, unsigned size, int with_bounds,
                                   size_t lanes, const uint64_t ***list, size_t *total)
{
    const uint64_t ***runs = calloc(size, sizeof *runs);
    size_t *run_counts = calloc(size, sizeof *run_counts);
    struct cursor *heap = calloc(size, sizeof *heap);
    enum pcs_status status = runs && run_counts && heap ? PCS_OK : PCS_ERR_NOMEM;
    *list = NULL;
    *total = 0;
    const uint64_t *at = words;
    for (unsigned r = 0; r < size && status == PCS_OK; r++) {
        status = list_records(at, counts[r], with_bounds, lanes, &runs[r], &run_counts[r]);
        at += counts[r];
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

/* This rank's replay of the records it was sent (words[0..), counts[r]
 * from rank r, each rank's in the trace's order), its results into
 * shard->results. */
static enum pcs_status replay_shard(const struct pcs_replay_job *job, pcs_trace *trace, const uint64_t *words,
                                    const size_t *counts, unsigned size, struct shard *shard, struct pcs_error *err)
{
    if (merge_ranks(words, counts, size, 1, 0, &shard->records, &shard->count) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory ordering the requests");
    pcs_trace_feed(trace, shard_feed, shard, shard->count);
    struct pcs_replay_feed feed = {trace, shard_played, NULL, shard};
    struct pcs_replay_outcome outcome;
    enum pcs_status status = pcs_replay_run_feed(job, &feed, &outcome, err);
    outcome.trace = NULL; /* still this rank's: rank 0 feeds it again */
    pcs_replay_outcome_free(&outcome);
    return status;
}

/* Rank 0: every rank's results (words[0..), counts[r] words from rank r)
 * merged in order and reported through one replay run over trace. */
static enum pcs_status report_merged(const struct pcs_replay_job *job, pcs_trace *trace, const uint64_t *words,
                                     const size_t *counts, unsigned size, size_t lanes,
                                     struct pcs_replay_outcome *outcome, struct pcs_error *err)
{
    struct merged merged;
    memset(&merged, 0, sizeof merged);
    merged.lanes = lanes;
    enum pcs_status status = merge_ranks(words, counts, size, 0, lanes, &merged.records, &merged.count);
    if (status != PCS_OK) {
        pcs_error_set(err, status, "out of memory merging the ranks' results");
        pcs_trace_free(trace);
    } else if (merged.count == 0) {
        status = pcs_error_set(err, PCS_ERR_PARSE, "%s: no valid records (%llu skipped)",
                               pcs_trace_file_path(trace, 0), (unsigned long long)pcs_trace_skipped_count(trace));
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
    size_t *sent = calloc(size, sizeof *sent);
    size_t *received = calloc(size, sizeof *received);
    uint64_t **send = calloc(size, sizeof *send);
    uint64_t *inbox = NULL;
    struct shard shard;
    memset(&shard, 0, sizeof shard);
    struct word_buf skips = {NULL, 0, 0};
    uint64_t *all = NULL;
    enum pcs_status status = out && sent && received && send ? PCS_OK : PCS_ERR_NOMEM;
    if (status != PCS_OK)
        pcs_error_set(err, status, "out of memory");
    if (status == PCS_OK)
        status = read_part(trace, out, size, self, err);
    stage_end(&stages, STAGE_READ);
    /* From here every rank takes part in each exchange; one that failed
     * ends the job (the caller calls pcs_dist_abort), not waiting. */
    if (status == PCS_OK) {
        for (unsigned r = 0; r < size; r++) {
            send[r] = out[r].words;
            sent[r] = out[r].count;
            if (r != self)
                stages.sent_words += (double)out[r].count;
        }
        if (size == 1) { /* nothing to move: the words dealt are the words received */
            inbox = out[0].words;
            received[0] = out[0].count;
            out[0].words = NULL;
        } else {
            status = pcs_dist_exchange((const uint64_t *const *)send, sent, &inbox, received, err);
        }
    }
    stages.requests_read = (double)pcs_trace_request_count(trace);
    stage_end(&stages, STAGE_EXCHANGE);
    for (unsigned r = 0; out && r < size; r++) {
        free(out[r].words);
        out[r].words = NULL;
    }
    if (status == PCS_OK)
        status = replay_shard(job, trace, inbox, received, size, &shard, err);
    free(inbox);
    free(shard.records);
    stages.requests_played = (double)shard.count;
    stages.result_words = (double)shard.results.count;
    stage_end(&stages, STAGE_REPLAY);
    /* The results, and each part's skips, to rank 0. */
    if (status == PCS_OK && size == 1) {
        all = shard.results.words;
        received[0] = shard.results.count;
        shard.results.words = NULL;
    } else if (status == PCS_OK) {
        status = pcs_dist_gather_words(shard.results.words, shard.results.count, &all, received, err);
    }
    free(shard.results.words);
    size_t lanes = pcs_replay_run_lanes(job);
    if (status == PCS_OK && put_skips(&skips, trace) != PCS_OK)
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    uint64_t *all_skips = NULL;
    size_t *skip_counts = calloc(size, sizeof *skip_counts);
    if (status == PCS_OK && !skip_counts)
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (status == PCS_OK)
        status = pcs_dist_gather_words(skips.words, skips.count, &all_skips, skip_counts, err);
    free(skips.words);
    stage_end(&stages, STAGE_GATHER);
    if (status == PCS_OK && self == 0) {
        /* The others' skips join rank 0's own (already its trace's). */
        const uint64_t *at = all_skips + skip_counts[0];
        for (unsigned r = 1; r < size && status == PCS_OK; r++) {
            if (add_skips(trace, at, skip_counts[r]) != PCS_OK)
                status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
            at += skip_counts[r];
        }
        if (status == PCS_OK) {
            status = report_merged(job, trace, all, received, size, lanes, outcome, err);
            trace = NULL; /* the outcome's, or freed */
        }
    }
    stage_end(&stages, STAGE_REPORT);
    if (status == PCS_OK)
        report_stages(&stages, size, self);
    pcs_trace_free(trace);
    free(all_skips);
    free(skip_counts);
    free(all);
    free(send);
    free(received);
    free(sent);
    free(out);
    return status;
}
