/* A hinted access (pcs_cache_access_hinted) gives what a plain one gives:
 * random conversations with shared histories (next turns, replaced last
 * blocks, redos, branches back to older prompts, several sessions and two
 * models, breakpoints with markers) played through two caches of each
 * policy, one plainly and one with hints, must agree on every request's
 * usage and on the cache's size after it. And the trace workload's hints
 * and its shared bound layout (src/mc/trace_requests.c) on small traces,
 * worked out by hand. */
#include <stdlib.h>

#include "check.h"
#include "mc/trace_requests.h"
#include "pcsim/cache.h"

#define SESSIONS 6
#define MODELS 2
#define MAX_BOUNDS 160
#define PAST 8 /* older prompts a session may go back to */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return next_random() % n;
}

struct prompt {
    uint64_t id; /* equal ids: equal units */
    size_t count;
    uint64_t units[MAX_BOUNDS];
    uint32_t ends[MAX_BOUNDS];
    uint8_t flags[MAX_BOUNDS];
    int flagged;
};

struct session {
    struct prompt last[MODELS]; /* the last prompt sent on each model (id 0: none) */
    struct prompt past[PAST];   /* older prompts, any model */
    size_t past_count;
};

static struct session sessions[SESSIONS];
static uint64_t next_id = 1;

static size_t shared_units(const struct prompt *a, const struct prompt *b)
{
    size_t n = a->count < b->count ? a->count : b->count;
    size_t i = 0;
    while (i < n && a->units[i] == b->units[i])
        i++;
    return i;
}

/* Random breakpoints (about one bound in eight, some marked 5m or 1h), or
 * none (the last bound then). */
static void mark(struct prompt *p)
{
    p->flagged = below(2) == 0;
    for (size_t i = 0; i < p->count; i++) {
        uint8_t f = 0;
        if (p->flagged && below(8) == 0) {
            f = PCS_BOUND_BREAKPOINT;
            uint64_t marker = below(3);
            f |= marker == 1 ? PCS_BOUND_TTL_5M : marker == 2 ? PCS_BOUND_TTL_1H : 0;
        }
        p->flags[i] = f;
    }
}

/* Appends new units to p after its first keep bounds, up to MAX_BOUNDS. */
static void grow_prompt(struct prompt *p, size_t keep, size_t add)
{
    if (keep > p->count)
        keep = p->count;
    if (keep + add > MAX_BOUNDS)
        add = MAX_BOUNDS - keep;
    uint32_t end = keep ? p->ends[keep - 1] : 0;
    for (size_t i = keep; i < keep + add; i++) {
        p->units[i] = next_random();
        end += 1 + (uint32_t)below(300);
        p->ends[i] = end;
    }
    p->count = keep + add;
    p->id = next_id++;
    mark(p);
}

/* The next prompt of session s on model m. */
static void next_prompt(struct session *s, int m, struct prompt *out)
{
    const struct prompt *last = s->last[m].id ? &s->last[m] : &s->last[1 - m];
    uint64_t kind = below(100);
    if (kind < 8 && last->id) {
        *out = *last; /* a redo: the same prompt again */
    } else if (kind < 14 && s->past_count > 0) {
        *out = s->past[below(s->past_count < PAST ? s->past_count : PAST)]; /* back to an older branch */
    } else if (kind < 24 && last->id) {
        *out = *last; /* a branch off the shared start (a subagent) */
        grow_prompt(out, below(out->count / 4 + 1), 1 + below(30));
    } else if (kind < 30) {
        memset(out, 0, sizeof *out); /* a new conversation */
        grow_prompt(out, 0, 1 + below(40));
    } else if (kind < 36 && last->id && last->count > 1) {
        *out = *last; /* a shorter prompt: a prefix of the last */
        out->count = 1 + below(last->count - 1);
        out->id = next_id++;
        mark(out);
    } else if (last->id) {
        *out = *last; /* the next turn, its last blocks replaced now and then */
        size_t drop = below(4) == 0 ? below(4) : 0;
        grow_prompt(out, out->count > drop ? out->count - drop : 0, 1 + below(12));
    } else {
        memset(out, 0, sizeof *out);
        grow_prompt(out, 0, 1 + below(40));
    }
}

struct played {
    struct prompt prompt;
    struct pcs_request req;
    struct pcs_cache_hint hint;
    int hinted;
};

/* One random request: its prompt, its time, its hint. */
static void next_request(struct played *p, int64_t *t_ms, int64_t ttl_ms)
{
    int s = (int)below(SESSIONS);
    int m = below(5) == 0 ? 1 : 0;
    struct session *session = &sessions[s];
    next_prompt(session, m, &p->prompt);
    uint64_t gap = below(10);
    *t_ms += gap < 3 ? 0 : gap < 8 ? (int64_t)below((uint64_t)ttl_ms / 4) : (int64_t)below(2 * (uint64_t)ttl_ms);
    memset(&p->req, 0, sizeof p->req);
    p->req.t_ms = *t_ms;
    p->req.model = (uint32_t)m;
    p->req.namespace_id = (uint32_t)s + 1;
    p->req.bound_count = p->prompt.count;
    p->req.units = p->prompt.units;
    p->req.ends = p->prompt.ends;
    p->req.flags = p->prompt.flagged ? p->prompt.flags : NULL;
    p->req.input_tokens = (p->prompt.count ? p->prompt.ends[p->prompt.count - 1] : 0) + below(200);
    p->req.output_tokens = 1 + below(50);
    p->req.ok = 1;
    /* The hint: what this prompt shares with the last one sent in its
     * (namespace, model), now and then with an older one or understated,
     * and one request in ten played without a hint. */
    memset(&p->hint, 0, sizeof p->hint);
    p->hint.prompt_id = p->prompt.id;
    const struct prompt *before = &session->last[m];
    if (below(10) == 0 && session->past_count > 0)
        before = &session->past[below(session->past_count < PAST ? session->past_count : PAST)];
    if (before->id) {
        p->hint.prefix_of = before->id;
        p->hint.prefix_shared = shared_units(before, &p->prompt);
        if (below(8) == 0)
            p->hint.prefix_shared = below(p->hint.prefix_shared + 1);
    }
    p->hinted = below(10) != 0;
    if (session->last[m].id && session->last[m].id != p->prompt.id) {
        session->past[session->past_count % PAST] = session->last[m];
        session->past_count++;
    }
    session->last[m] = p->prompt;
}

static pcs_cache *cache_of(enum pcs_policy policy, int64_t ttl_ms, uint64_t min, uint64_t gran, uint64_t capacity,
                           int overrides)
{
    struct pcs_cache_config config = pcs_cache_config_default();
    struct pcs_error err;
    config.policy = policy;
    config.ttl_ms = ttl_ms;
    config.min_tokens = min;
    config.granularity = gran;
    config.capacity_tokens = capacity;
    config.ttl_overrides_markers = overrides;
    pcs_cache *cache = pcs_cache_new(&config, &err);
    if (!cache) {
        fprintf(stderr, "cannot create cache: %s\n", err.message);
        exit(1);
    }
    return cache;
}

static int usage_equal(const struct pcs_usage *a, const struct pcs_usage *b)
{
    return a->requests == b->requests && a->input == b->input && a->cache_read == b->cache_read &&
           a->cache_write == b->cache_write && a->cache_write_1h == b->cache_write_1h && a->output == b->output;
}

/* Plays count random requests through a plain and a hinted cache of one
 * configuration; returns how many hinted walks resumed. */
static uint64_t parity(const char *name, enum pcs_policy policy, int64_t ttl_ms, uint64_t min, uint64_t gran,
                       uint64_t capacity, int overrides, size_t count)
{
    memset(sessions, 0, sizeof sessions);
    rng_state = 0x9E3779B97F4A7C15ull + (uint64_t)policy * 7919u + capacity + (uint64_t)ttl_ms + (uint64_t)overrides;
    pcs_cache *plain = cache_of(policy, ttl_ms, min, gran, capacity, overrides);
    pcs_cache *hinted = cache_of(policy, ttl_ms, min, gran, capacity, overrides);
    struct played *p = malloc(sizeof *p);
    if (!p)
        exit(1);
    int64_t t_ms = 0;
    size_t differ = 0, sweeps = 0; /* accesses after which the plain tree had lost many nodes */
    uint64_t read = 0;
    for (size_t i = 0; i < count; i++) {
        next_request(p, &t_ms, ttl_ms);
        struct pcs_usage a, b;
        uint64_t nodes_before = pcs_cache_node_count(plain);
        enum pcs_status sa = pcs_cache_access(plain, &p->req, &a);
        enum pcs_status sb =
            p->hinted ? pcs_cache_access_hinted(hinted, &p->req, &p->hint, &b) : pcs_cache_access(hinted, &p->req, &b);
        if (pcs_cache_node_count(plain) + 64 < nodes_before)
            sweeps++;
        if (sa != PCS_OK || sb != PCS_OK || !usage_equal(&a, &b) ||
            pcs_cache_node_count(plain) != pcs_cache_node_count(hinted) ||
            pcs_cache_cached_tokens(plain) != pcs_cache_cached_tokens(hinted)) {
            if (differ++ == 0)
                fprintf(stderr,
                        "%s: request %zu (t %lld, namespace %u, model %u, %zu bounds, hint %llu/%llu/%llu): read "
                        "%llu vs %llu, written %llu vs %llu, nodes %llu vs %llu\n",
                        name, i, (long long)p->req.t_ms, p->req.namespace_id, p->req.model, p->req.bound_count,
                        (unsigned long long)p->hint.prompt_id, (unsigned long long)p->hint.prefix_of,
                        (unsigned long long)p->hint.prefix_shared, (unsigned long long)a.cache_read,
                        (unsigned long long)b.cache_read, (unsigned long long)a.cache_write,
                        (unsigned long long)b.cache_write, (unsigned long long)pcs_cache_node_count(plain),
                        (unsigned long long)pcs_cache_node_count(hinted));
        }
        read += a.cache_read;
    }
    CHECK_U64(differ, 0);
    CHECK(read > 0 || policy == PCS_POLICY_NONE); /* the caches did serve something */
    uint64_t resumed = pcs_cache_resumed_count(hinted);
    CHECK_U64(pcs_cache_resumed_count(plain), 0);
    printf("%-28s %zu requests: %llu resumed, %zu sweeps seen, %llu nodes\n", name, count, (unsigned long long)resumed,
           sweeps, (unsigned long long)pcs_cache_node_count(plain));
    free(p);
    pcs_cache_free(plain);
    pcs_cache_free(hinted);
    return resumed;
}

static void test_parity(void)
{
    const size_t n = 30000;
    /* Every policy whose tree walks resume: most requests should. */
    CHECK(parity("ideal", PCS_POLICY_IDEAL, 60000, 0, 1, 0, 0, n) > n / 2);
    CHECK(parity("ttl 60 s", PCS_POLICY_TTL, 60000, 0, 1, 0, 0, n) > n / 2);
    /* Long enough for the tree to pass 16,384 nodes: sweeps forget every
     * remembered path. */
    CHECK(parity("ttl 2 s (sweeps)", PCS_POLICY_TTL, 2000, 0, 1, 0, 0, 3 * n) > n / 2);
    CHECK(parity("openai 1024/128", PCS_POLICY_OPENAI, 60000, 1024, 128, 0, 0, n) > n / 2);
    CHECK(parity("breakpoint 500, markers", PCS_POLICY_BREAKPOINT, 60000, 500, 1, 0, 0, n) > n / 2);
    CHECK(parity("breakpoint 0, what-if TTL", PCS_POLICY_BREAKPOINT, 3000, 0, 1, 0, 1, 3 * n) > n / 2);
    CHECK(parity("lru, never full", PCS_POLICY_LRU, 60000, 0, 1, 1000000000, 0, n) > n / 2);
    /* A full lru cache evicts after most requests: fewer resume, all agree. */
    parity("lru 20k tokens (evicting)", PCS_POLICY_LRU, 60000, 0, 1, 20000, 0, n);
    parity("lru 400k tokens", PCS_POLICY_LRU, 60000, 0, 1, 400000, 0, n);
    CHECK_U64(parity("none", PCS_POLICY_NONE, 60000, 0, 1, 0, 0, 2000), 0);
}

/* The hint a trace workload gives each request, by hand. */
static void test_trace_hints(const char *data_dir)
{
    char path[1024];
    struct pcs_error err;
    /* claude_code_tiny.json in time order: 0 s sonnet [1,2,3]; 10 s sonnet
     * [1..5]; 12 s haiku [1,2] (a subagent); 14 s sonnet [1..6]; 15.5 s
     * haiku [1,2]; 400 s sonnet [1..7]. One namespace (the file). */
    snprintf(path, sizeof path, "%s/claude_code_tiny.json", data_dir);
    const char *paths[] = {path};
    struct pcs_trace_requests *r = pcs_trace_requests_load(paths, 1, 0, NULL, PCS_TRACE_TASK_SESSION, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK_U64(r->count, 6);
        const uint32_t prefix_of[] = {0, 1, 0, 2, 3, 4};
        const uint32_t shared[] = {0, 3, 0, 5, 2, 6};
        for (size_t i = 0; i < 6 && i < r->count; i++) {
            CHECK_U64(r->prefix_of[i], prefix_of[i]);
            CHECK_U64(r->prefix_shared[i], shared[i]);
        }
        /* Each turn extends the one before on its model: the sonnet turns
         * share one run of 7 bounds, the haiku turns one of 2 after it. */
        CHECK_U64(r->bound_count, 9);
        const size_t first[] = {0, 0, 7, 0, 7, 0};
        const uint32_t bounds[] = {3, 5, 2, 6, 2, 7};
        for (size_t i = 0; i < 6 && i < r->count; i++) {
            CHECK_U64(r->first_bound[i], first[i]);
            CHECK_U64(r->bounds[i], bounds[i]);
        }
        struct pcs_request req;
        pcs_trace_requests_get(r, 5, &req);
        CHECK_U64(req.bound_count, 7);
        CHECK_U64(req.ends[6], 700); /* block_size 100 */
        CHECK(req.flags == NULL);
        pcs_trace_requests_get(r, 1, &req);
        CHECK_U64(req.ends[4], 500);
        CHECK_U64(req.input_tokens, 520);
        struct pcs_cache_hint hint;
        pcs_trace_requests_hint(r, 3, &hint);
        CHECK_U64(hint.prompt_id, 4);
        CHECK_U64(hint.prefix_of, 2);
        CHECK_U64(hint.prefix_shared, 5);
        pcs_trace_requests_free(r);
    }
    /* native_blocks.jsonl: sessions a, b, none and 7 are namespaces;
     * gpt-4.1 and gpt-4.1-mini are models. Line 5 (session a, gpt-4.1) re-
     * sends [10, 11, 12] after line 2's [10, 11, 13]: two units shared. */
    snprintf(path, sizeof path, "%s/native_blocks.jsonl", data_dir);
    r = pcs_trace_requests_load(paths, 1, 0, NULL, PCS_TRACE_TASK_REQUEST, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK_U64(r->count, 7);
        const uint32_t prefix_of[] = {0, 1, 0, 0, 2, 0, 0};
        const uint32_t shared[] = {0, 2, 0, 0, 2, 0, 0};
        for (size_t i = 0; i < 7 && i < r->count; i++) {
            CHECK_U64(r->prefix_of[i], prefix_of[i]);
            CHECK_U64(r->prefix_shared[i], shared[i]);
        }
        /* No prompt extends its chain's previous one: every bound stored. */
        CHECK_U64(r->bound_count, 3 * 6 + 2);
        pcs_trace_requests_free(r);
    }
}

int main(int argc, char **argv)
{
    const char *data_dir = argc > 1 ? argv[1] : "tests/data";
    test_trace_hints(data_dir);
    test_parity();
    return check_summary();
}
