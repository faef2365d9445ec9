/* pcsim: the normalised request record every trace format is turned into.
 *
 * A prompt's prefix identity is a list of bounds. Bound i covers tokens
 * [0, ends[i]) and is identified by the chain of units 0..i: in DESIGN terms
 * key_i = XXH3(key_{i-1} || unit_i), so two prompts share bound i iff they
 * share units 0..i within the same namespace. The cache keeps that chain as a
 * path in a radix tree (see cache.h); pcs_request_keys() computes the keys
 * themselves for callers that want them.
 *
 * A request borrows its arrays from whoever made it (a trace's stay valid
 * until its next pcs_trace_next). The functions here are pure and
 * thread-safe. Units: ms on the trace's clock, tokens. */
#ifndef PCSIM_REQUEST_H
#define PCSIM_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define PCS_BOUND_BREAKPOINT 0x01u /* an explicit cache breakpoint */
#define PCS_BOUND_TTL_1H 0x02u     /* with PCS_BOUND_BREAKPOINT: marked "1h" */
#define PCS_BOUND_TTL_5M 0x04u     /* with PCS_BOUND_BREAKPOINT: marked "5m" */

/* Latest time accepted (ms): sums of a time and a TTL never overflow. */
#define PCS_MAX_TIME_MS ((int64_t)1 << 61)
/* Longest TTL accepted (ms). */
#define PCS_MAX_TTL_MS ((int64_t)1 << 61)

/* Longest time to first token the cache counts (ms, about 49.7 days): a
 * longer one counts as this. */
#define PCS_MAX_TTFT_MS ((int64_t)UINT32_MAX)

/* Largest token count accepted for one request's input or output. */
#define PCS_MAX_REQUEST_TOKENS 4294967295ull

enum pcs_tier {
    PCS_TIER_STANDARD = 0,
    PCS_TIER_BATCH,
    PCS_TIER_FLEX,
    PCS_TIER_PRIORITY,
    PCS_TIER_COUNT /* not a tier: how many there are */
};

/* The cache usage a provider reported for a request (imported logs; a
 * native trace's "observed"), in tokens: cache_read <= input, and
 * cache_write_1h is the part of cache_write written for one hour. */
struct pcs_observed {
    uint64_t cache_read;
    uint64_t cache_write;
    uint64_t cache_write_1h;
};

struct pcs_request {
    int64_t t_ms;           /* arrival time on the trace's own clock */
    uint32_t model;         /* model id: index into the trace's model table */
    uint32_t namespace_id;  /* prefix namespace: 0 global, else local to a file or session */
    uint64_t input_tokens;  /* all prompt tokens, <= PCS_MAX_REQUEST_TOKENS */
    uint64_t output_tokens; /* completion tokens, <= PCS_MAX_REQUEST_TOKENS */
    size_t bound_count;
    const uint64_t *units; /* bound_count unit ids (owned by the reader) */
    const uint32_t *ends;  /* bound_count strictly increasing ends, last <= input_tokens */
    const uint8_t *flags;  /* bound_count PCS_BOUND_* flags, or NULL when none is set */
    /* Optional task bookkeeping (native traces). */
    uint64_t task;    /* hash of the task id; meaningful when has_task */
    uint32_t attempt; /* 1-based attempt number, 0 when absent */
    uint8_t has_task;
    uint8_t ok;   /* 1 success (the default), 0 failed */
    uint8_t tier; /* enum pcs_tier */
    /* What the provider reported (meaningful when has_observed). */
    uint8_t has_observed;
    struct pcs_observed observed;
    int64_t ttft_ms; /* time to first token, ms; 0 when unknown (the cache counts at most PCS_MAX_TTFT_MS) */
    /* 1: the units are content blocks (native segments, request logs), so
     * the breakpoint policy's lookback applies; 0: fixed-size blocks
     * (hash_ids traces, Mooncake, Azure), exempt from it (DESIGN §3). */
    uint8_t content_blocks;
    /* The request's cache key (native "cache_key", OpenAI
     * "prompt_cache_key"), as pcs_request_cache_key_hash gives it; 0 = none.
     * Only overflow routing reads it (pcsim/cache.h: overflow_rpm). */
    uint64_t cache_key;
    /* Where the request came from, set by the trace: the file's index in
     * the trace (pcs_trace_file_path), its line (line formats) or 1-based
     * top-level request index (whole-document formats), and the 1-based
     * index inside a subagent (0 if none). */
    uint32_t source_file;
    uint32_t source_sub;
    uint64_t source_line;
};

/* 1 if one of req's breakpoints is marked "5m" or "1h" (PCS_BOUND_TTL_*). */
int pcs_request_has_ttl_marker(const struct pcs_request *req);

/* Fills the caller's keys[0..req->bound_count) with the chained XXH3 keys
 * of req's bounds. */
void pcs_request_keys(const struct pcs_request *req, uint64_t *keys);

/* The chained XXH3 key of req's bound (bound < req->bound_count), as
 * pcs_request_keys gives it, computing keys 0..bound only. */
uint64_t pcs_request_key_at(const struct pcs_request *req, size_t bound);

/* The cache_key of a request whose key is text[0..len): a 64-bit hash of
 * the text, never 0 (0 means none); equal texts, equal keys. */
uint64_t pcs_request_cache_key_hash(const char *text, size_t len);

/* The tier's name ("standard", ...; static text) and its parse; -1 for an
 * unknown name. */
const char *pcs_tier_name(enum pcs_tier tier);
int pcs_tier_parse(const char *name);

#endif
