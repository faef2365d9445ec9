/* A trace workload's requests in one compact copy; see trace_requests.h.
 * The trace is read through the same readers as replay (pcsim/trace.h), so
 * every format pcsim reads works, in the same order. */
#include "trace_requests.h"

#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "common/hash_table.h"
#include "common/memory.h"

/* Grows *array (of item bytes) to hold count; 0 or -1 (no memory). */
static int grow(void **array, size_t *cap, size_t count, size_t item)
{
    if (count <= *cap)
        return 0;
    size_t grown = grow_capacity(*cap, count, 1024, item);
    if (grown == 0)
        return -1;
    /* Huge pages for the large arrays: a trial reads the bounds of the
     * requests it plays at scattered places, a TLB miss each on 4 KiB pages. */
    void *memory = realloc(*array, grown * item);
    if (!memory)
        return -1;
    *array = memory;
    *cap = grown;
    return 0;
}

struct builder {
    struct pcs_trace_requests *out;
    size_t request_cap, bound_cap;
    size_t caps[11]; /* one per request array */
    size_t bound_caps[3];
    int any_flags;
    struct pcs_hash_table tasks; /* task key -> dense index */
};

static int add_request(struct builder *b, const struct pcs_request *req, uint32_t task)
{
    struct pcs_trace_requests *r = b->out;
    size_t n = r->count;
    if (grow((void **)&r->t_ms, &b->caps[0], n + 1, sizeof *r->t_ms) != 0 ||
        grow((void **)&r->ttft_ms, &b->caps[1], n + 1, sizeof *r->ttft_ms) != 0 ||
        grow((void **)&r->model, &b->caps[2], n + 1, sizeof *r->model) != 0 ||
        grow((void **)&r->namespace_id, &b->caps[3], n + 1, sizeof *r->namespace_id) != 0 ||
        grow((void **)&r->input, &b->caps[4], n + 1, sizeof *r->input) != 0 ||
        grow((void **)&r->output, &b->caps[5], n + 1, sizeof *r->output) != 0 ||
        grow((void **)&r->task, &b->caps[6], n + 1, sizeof *r->task) != 0 ||
        grow((void **)&r->tier, &b->caps[7], n + 1, sizeof *r->tier) != 0 ||
        grow((void **)&r->first_bound, &b->caps[8], n + 1, sizeof *r->first_bound) != 0 ||
        grow((void **)&r->flagged, &b->caps[9], n + 1, sizeof *r->flagged) != 0 ||
        grow((void **)&r->bounds, &b->caps[10], n + 1, sizeof *r->bounds) != 0)
        return -1;
    size_t bounds = r->bound_count + req->bound_count;
    if (grow((void **)&r->units, &b->bound_caps[0], bounds, sizeof *r->units) != 0 ||
        grow((void **)&r->ends, &b->bound_caps[1], bounds, sizeof *r->ends) != 0 ||
        grow((void **)&r->flags, &b->bound_caps[2], bounds, sizeof *r->flags) != 0)
        return -1;
    r->t_ms[n] = req->t_ms;
    r->ttft_ms[n] = req->ttft_ms;
    r->model[n] = req->model;
    r->namespace_id[n] = req->namespace_id;
    r->input[n] = (uint32_t)req->input_tokens; /* at most PCS_MAX_REQUEST_TOKENS */
    r->output[n] = (uint32_t)req->output_tokens;
    r->task[n] = task;
    r->tier[n] = req->tier;
    /* A request without flags has its breakpoint at its last bound: its
     * flags stay NULL, not zeros (which would mean no breakpoint). */
    r->flagged[n] = (uint8_t)((req->flags != NULL) | ((req->content_blocks != 0) << 1));
    b->any_flags |= req->flags != NULL;
    r->first_bound[n] = r->bound_count;
    r->bounds[n] = (uint32_t)req->bound_count; /* ends are uint32 and increasing: fewer than 2^32 */
    if (req->bound_count > 0) {
        memcpy(r->units + r->bound_count, req->units, req->bound_count * sizeof *r->units);
        memcpy(r->ends + r->bound_count, req->ends, req->bound_count * sizeof *r->ends);
        if (req->flags) {
            memcpy(r->flags + r->bound_count, req->flags, req->bound_count);
        } else {
            memset(r->flags + r->bound_count, 0, req->bound_count);
        }
    }
    r->bound_count = bounds;
    r->count = n + 1;
    return 0;
}

/* The dense index of req's task (a new one for a request that is a task
 * of its own). */
static int task_of(struct builder *b, const struct pcs_request *req, enum pcs_trace_task mode, uint32_t *task)
{
    uint64_t key;
    uint32_t tag;
    if (mode == PCS_TRACE_TASK_SESSION) {
        key = req->source_file;
        tag = req->namespace_id;
    } else if (mode == PCS_TRACE_TASK_TASK && req->has_task) {
        key = req->task;
        tag = 0;
    } else {
        *task = (uint32_t)b->out->task_count++;
        return 0;
    }
    uint32_t found = pcs_hash_find(&b->tasks, key, tag);
    if (found != PCS_HASH_EMPTY) {
        *task = found;
        return 0;
    }
    *task = (uint32_t)b->out->task_count;
    if (pcs_hash_put(&b->tasks, key, tag, *task) != PCS_OK)
        return -1;
    b->out->task_count++;
    return 0;
}

/* Keeps the trace's model names and where each is first met. */
static enum pcs_status keep_models(struct pcs_trace_requests *r, const pcs_trace *trace, const char *const *places)
{
    r->model_count = pcs_trace_model_count(trace);
    r->model_names = calloc(r->model_count ? r->model_count : 1, sizeof *r->model_names);
    r->places = calloc(r->model_count ? r->model_count : 1, sizeof *r->places);
    if (!r->model_names || !r->places)
        return PCS_ERR_NOMEM;
    for (size_t m = 0; m < r->model_count; m++) {
        r->model_names[m] = strdup(pcs_trace_model_name(trace, (uint32_t)m));
        r->places[m] = strdup(places[m] ? places[m] : "?");
        if (!r->model_names[m] || !r->places[m])
            return PCS_ERR_NOMEM;
    }
    return PCS_OK;
}

/* The leading units the prompts of requests a and b share. */
static uint32_t shared_units(const struct pcs_trace_requests *r, size_t a, size_t b)
{
    const uint64_t *x = r->units + r->first_bound[a];
    const uint64_t *y = r->units + r->first_bound[b];
    size_t limit = r->bounds[a];
    size_t other = r->bounds[b];
    if (other < limit)
        limit = other;
    if (limit > UINT32_MAX)
        limit = UINT32_MAX; /* fewer than shared is a true hint */
    size_t i = 0;
    while (i < limit && x[i] == y[i])
        i++;
    return (uint32_t)i;
}

/* Links each request to the previous one of its namespace and model, and
 * counts the units their prompts share: a conversation's turn re-sends
 * the one before, and the cache need not compare that part again. */
static enum pcs_status link_prefixes(struct pcs_trace_requests *r)
{
    size_t n = r->count;
    r->prefix_of = malloc((n ? n : 1) * sizeof *r->prefix_of);
    r->prefix_shared = malloc((n ? n : 1) * sizeof *r->prefix_shared);
    if (!r->prefix_of || !r->prefix_shared)
        return PCS_ERR_NOMEM;
    if (n >= UINT32_MAX)
        return PCS_ERR_RANGE;
    struct pcs_hash_table last; /* (namespace, model) -> 1 + its latest request */
    memset(&last, 0, sizeof last);
    enum pcs_status status = PCS_OK;
    for (size_t i = 0; i < n && status == PCS_OK; i++) {
        uint32_t before = pcs_hash_find(&last, r->namespace_id[i], r->model[i]);
        if (before == PCS_HASH_EMPTY) {
            r->prefix_of[i] = 0;
            r->prefix_shared[i] = 0;
        } else {
            r->prefix_of[i] = before;
            r->prefix_shared[i] = shared_units(r, before - 1, i);
        }
        status = pcs_hash_put(&last, r->namespace_id[i], r->model[i], (uint32_t)(i + 1));
    }
    pcs_hash_release(&last);
    return status;
}

/* 1 if request j's first bounds[p] bounds, as read, equal request p's as
 * laid out at new_first (units, which prefix_shared compared, ends and
 * flags): then j may share them. */
static int extends(const struct pcs_trace_requests *r, size_t p, size_t j, const uint32_t *ends, const uint8_t *flags,
                   size_t new_first)
{
    size_t n = r->bounds[p];
    size_t old = r->first_bound[j];
    if (n == 0 || r->prefix_shared[j] < n || r->bounds[j] < n)
        return 0; /* nothing to share (and maybe no arrays to compare) */
    if (memcmp(r->ends + old, ends + new_first, n * sizeof *ends) != 0)
        return 0;
    return !r->flags || memcmp(r->flags + old, flags + new_first, n) == 0;
}

/* Lays the bounds out again, each (namespace, model) chain of requests in
 * turn, so that a prompt that extends the previous one of its chain (a
 * conversation's next turn: 1,444 of the 1,590 Claude-Code requests) has
 * only its new bounds stored, right after that one's: the 28 sessions'
 * 2.6M bounds take 0.27M. Less memory, and the bounds a trial reads are
 * near each other instead of spread over 31 MB. The old arrays are freed. */
static enum pcs_status share_bounds(struct pcs_trace_requests *r)
{
    size_t n = r->count;
    uint32_t *next = calloc(n ? n : 1, sizeof *next); /* 1 + the next request of the chain, 0: none */
    size_t *first = malloc((n ? n : 1) * sizeof *first);
    size_t cap = r->bound_count ? r->bound_count : 1;
    uint64_t *units = pcs_memory_grow(NULL, cap * sizeof *units);
    uint32_t *ends = pcs_memory_grow(NULL, cap * sizeof *ends);
    uint8_t *flags = r->flags ? pcs_memory_grow(NULL, cap) : NULL;
    if (!next || !first || !units || !ends || (r->flags && !flags)) {
        free(next);
        free(first);
        free(units);
        free(ends);
        free(flags);
        return PCS_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (r->prefix_of[i] != 0)
            next[r->prefix_of[i] - 1] = (uint32_t)(i + 1);
    size_t tail = 0;
    for (size_t head = 0; head < n; head++) {
        if (r->prefix_of[head] != 0)
            continue; /* not the first of its chain */
        size_t prev = SIZE_MAX;
        for (size_t j = head;; j = next[j] - 1) {
            size_t keep = 0;
            if (prev != SIZE_MAX && first[prev] + r->bounds[prev] == tail &&
                extends(r, prev, j, ends, flags, first[prev])) {
                keep = r->bounds[prev];
                first[j] = first[prev];
            } else {
                first[j] = tail;
            }
            size_t add = r->bounds[j] - keep;
            size_t from = r->first_bound[j] + keep;
            if (add > 0) { /* a trace without prefixes has no bound arrays */
                memcpy(units + tail, r->units + from, add * sizeof *units);
                memcpy(ends + tail, r->ends + from, add * sizeof *ends);
                if (flags)
                    memcpy(flags + tail, r->flags + from, add);
            }
            tail += add;
            prev = j;
            if (next[j] == 0)
                break;
        }
    }
    free(next);
    free(r->first_bound);
    free(r->units);
    free(r->ends);
    free(r->flags);
    r->first_bound = first;
    /* Shrunk to what is used; a failed shrink keeps the larger block. */
    size_t used = tail ? tail : 1;
    uint64_t *units_fit = realloc(units, used * sizeof *units);
    uint32_t *ends_fit = realloc(ends, used * sizeof *ends);
    r->units = units_fit ? units_fit : units;
    r->ends = ends_fit ? ends_fit : ends;
    r->flags = flags;
    if (flags) {
        uint8_t *flags_fit = realloc(flags, used);
        r->flags = flags_fit ? flags_fit : flags;
    }
    r->bound_count = tail;
    return PCS_OK;
}

struct pcs_trace_requests *pcs_trace_requests_load(const char *const *paths, size_t path_count, int format,
                                                   const char *default_model, enum pcs_trace_task task,
                                                   struct pcs_error *err)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.format = (enum pcs_trace_format)format;
    if (default_model)
        config.default_model = default_model;
    pcs_trace *trace = pcs_trace_open(paths, path_count, &config, err);
    if (!trace)
        return NULL;
    struct builder b;
    memset(&b, 0, sizeof b);
    b.out = calloc(1, sizeof *b.out);
    char **places = NULL;
    size_t place_cap = 0;
    enum pcs_status status = b.out ? PCS_OK : PCS_ERR_NOMEM;
    while (status == PCS_OK) {
        struct pcs_request req;
        status = pcs_trace_next(trace, &req, err);
        if (status != PCS_OK)
            break;
        uint32_t task_index = 0;
        if (task_of(&b, &req, task, &task_index) != 0 || add_request(&b, &req, task_index) != 0) {
            status = PCS_ERR_NOMEM;
            break;
        }
        if (req.model >= place_cap) {
            size_t old = place_cap;
            if (grow((void **)&places, &place_cap, (size_t)req.model + 1, sizeof *places) != 0) {
                status = PCS_ERR_NOMEM;
                break;
            }
            memset(places + old, 0, (place_cap - old) * sizeof *places);
        }
        if (!places[req.model]) {
            char place[512];
            places[req.model] = strdup(pcs_trace_request_place(trace, &req, place, sizeof place));
            if (!places[req.model])
                status = PCS_ERR_NOMEM;
        }
    }
    if (status == PCS_END && b.out->count == 0)
        status = pcs_error_set(err, PCS_ERR_PARSE, "the trace has no requests");
    else if (status == PCS_END)
        status = keep_models(b.out, trace, (const char *const *)places);
    if (status == PCS_OK) {
        status = link_prefixes(b.out);
        if (status == PCS_ERR_RANGE)
            pcs_error_set(err, status, "a trace of more than %u requests", UINT32_MAX - 1);
    }
    for (size_t m = 0; m < place_cap; m++)
        free(places[m]);
    free(places);
    pcs_hash_release(&b.tasks);
    pcs_trace_free(trace);
    if (status == PCS_OK && !b.any_flags) {
        free(b.out->flags);
        b.out->flags = NULL;
    }
    if (status == PCS_OK)
        status = share_bounds(b.out);
    if (status != PCS_OK) {
        if (status == PCS_ERR_NOMEM)
            pcs_error_set(err, status, "out of memory reading the trace");
        pcs_trace_requests_free(b.out);
        return NULL;
    }
    return b.out;
}

void pcs_trace_requests_free(struct pcs_trace_requests *r)
{
    if (!r)
        return;
    free(r->t_ms);
    free(r->ttft_ms);
    free(r->model);
    free(r->namespace_id);
    free(r->input);
    free(r->output);
    free(r->task);
    free(r->tier);
    free(r->flagged);
    free(r->first_bound);
    free(r->bounds);
    free(r->units);
    free(r->ends);
    free(r->flags);
    free(r->prefix_of);
    free(r->prefix_shared);
    for (size_t m = 0; m < r->model_count; m++) {
        free(r->model_names ? r->model_names[m] : NULL);
        free(r->places ? r->places[m] : NULL);
    }
    free(r->model_names);
    free(r->places);
    free(r);
}

void pcs_trace_requests_get(const struct pcs_trace_requests *r, size_t index, struct pcs_request *req)
{
    memset(req, 0, sizeof *req);
    size_t first = r->first_bound[index];
    req->t_ms = r->t_ms[index];
    req->ttft_ms = r->ttft_ms[index];
    req->model = r->model[index];
    req->namespace_id = r->namespace_id[index];
    req->input_tokens = r->input[index];
    req->output_tokens = r->output[index];
    req->tier = r->tier[index];
    req->ok = 1;
    req->bound_count = r->bounds[index];
    req->units = r->units + first;
    req->ends = r->ends + first;
    req->flags = r->flagged[index] & 1 ? r->flags + first : NULL;
    req->content_blocks = (r->flagged[index] >> 1) & 1;
}

void pcs_trace_requests_hint(const struct pcs_trace_requests *r, size_t index, struct pcs_cache_hint *hint)
{
    hint->prompt_id = (uint64_t)index + 1;
    hint->prefix_of = r->prefix_of[index];
    hint->prefix_shared = r->prefix_shared[index];
}
