/* pcsim: the prompt-cache model (DESIGN §3).
 *
 * A cache holds entries keyed by (model, prefix key), each with a last-use
 * time u; with an idle TTL an entry is alive at time t iff t < u + ttl.
 * Requests must be fed in non-decreasing time order. The policies:
 *
 *   none        nothing is cached
 *   ideal       infinite TTL and capacity: read = deepest bound whose whole
 *               prefix is cached; every bound written
 *   ttl         as ideal with an idle TTL
 *   openai      as ttl, then read = 0 if input < min_tokens or matched <
 *               min_tokens, else floor(matched / granularity) * granularity
 *   breakpoint  entries only at breakpoints (the last bound when none is
 *               marked); read = deepest alive entry on the chain; writes at
 *               breakpoints with end >= min_tokens and end > read;
 *               refined by visible_after and lookback (below)
 *   lru         as ideal, then evict least-recently-used bounds until the
 *               cached tokens fit capacity_tokens
 *
 * Internally a radix tree per (namespace, model) keeps runs of bounds that
 * share their last use, so a conversation re-sending its history is looked
 * up and refreshed a run at a time; results equal the per-bound rules.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a pcs_cache is
 * changed by every access, so one cache is used by one thread at a time;
 * distinct caches are independent. The policy and preset functions read
 * static tables and the built-in rules file (read once) and are
 * thread-safe. Ownership: a cache keeps nothing of a request after
 * pcs_cache_access returns. Units: times and TTLs are
 * milliseconds on the trace's clock; min_tokens, granularity, capacity and
 * every usage count are tokens. */
#ifndef PCSIM_CACHE_H
#define PCSIM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/request.h"
#include "pcsim/status.h"

enum pcs_policy {
    PCS_POLICY_NONE = 0,
    PCS_POLICY_IDEAL,
    PCS_POLICY_TTL,
    PCS_POLICY_OPENAI,
    PCS_POLICY_BREAKPOINT,
    PCS_POLICY_LRU,
    PCS_POLICY_COUNT /* not a policy: how many there are */
};

/* The configuration fields a policy reads (struct pcs_policy_info.uses). */
#define PCS_USES_TTL 0x01u           /* ttl_ms */
#define PCS_USES_MIN_TOKENS 0x02u    /* min_tokens */
#define PCS_USES_GRANULARITY 0x04u   /* granularity */
#define PCS_USES_CAPACITY 0x08u      /* capacity_tokens */
#define PCS_USES_MARKERS 0x10u       /* the trace's "5m"/"1h" markers, and ttl_overrides_markers */
#define PCS_USES_OVERFLOW 0x20u      /* overflow_rpm */
#define PCS_USES_VISIBLE_AFTER 0x40u /* visible_after */
#define PCS_USES_LOOKBACK 0x80u      /* lookback */

/* What a policy is, stated once: every check of which parameter a policy
 * reads, which curve it has, and how reports describe it reads this. */
struct pcs_policy_info {
    const char *name;    /* "ttl", as parsed and reported */
    unsigned uses;       /* PCS_USES_* */
    int ttl_curve;       /* pcs_sweep_ttl draws its curve over the TTL */
    int capacity_curve;  /* pcs_sweep_capacity draws its curve over the capacity */
    int profiles;        /* pcs_cache_enable_profile accepts it */
    const char *summary; /* how reports end its parameters ("writes at breakpoints"), or NULL */
};

/* The policy's description; NULL outside [0, PCS_POLICY_COUNT). Static
 * data: thread-safe. */
const struct pcs_policy_info *pcs_policy_info(enum pcs_policy policy);

const char *pcs_policy_name(enum pcs_policy policy); /* "unknown" outside the range */

/* The names of the policies that have a TTL curve, joined for people into
 * buf[0..cap) (cap >= 1; cut short to fit): "ttl, openai and breakpoint".
 * Returns buf. */
const char *pcs_policy_ttl_curve_names(char *buf, size_t cap);
int pcs_policy_parse(const char *name); /* -1 if unknown */

struct pcs_cache_config {
    enum pcs_policy policy;
    int64_t ttl_ms;           /* idle TTL in ms (ttl, openai, breakpoint); > 0 */
    uint64_t min_tokens;      /* shortest cached prefix, tokens (openai, breakpoint) */
    uint64_t granularity;     /* tokens a read is rounded down to (openai); >= 1 */
    uint64_t capacity_tokens; /* tokens the cache may hold (lru); > 0 */
    /* breakpoint: a what-if TTL (an explicit TTL, each point of a TTL
     * sweep): when set, ttl_ms is every entry's TTL and the trace's "5m" and
     * "1h" breakpoint markers are overridden; when 0 (the default) an entry
     * written or refreshed at a marked breakpoint lives by its marker and
     * ttl_ms applies to unmarked breakpoints only (DESIGN §3). */
    int ttl_overrides_markers;
    /* Overflow routing (DESIGN §3, every policy but none; 0 = off): a
     * request's routing key (its model, its cache_key and the chain key of
     * its deepest bound ending at or before token PCS_ROUTING_PREFIX_TOKENS,
     * the first bound if that one ends later) seen by r requests in the
     * trailing PCS_ROUTING_WINDOW_MS (this one included) is served by m =
     * max(1, ceil(r / overflow_rpm)) machines, taken in turn by a per-key
     * counter; each machine has its own cache. 0: nothing is routed and
     * cache_key is ignored. Requests per minute. */
    uint64_t overflow_rpm;
    /* breakpoint (DESIGN §3 refinements; 0 turns each off):
     * visible_after: an entry written by a request at t becomes readable at
     * t + the request's ttft_ms (at most PCS_MAX_TTFT_MS counts); a read
     * sees only entries alive and readable; a request that finds an entry
     * alive but not yet readable at one of its breakpoints writes it again
     * (billed), its readable time becoming the earlier of the two.
     * lookback: for requests whose units are content blocks
     * (pcs_request.content_blocks), only bound i with some breakpoint b,
     * i <= b <= i + lookback, is looked up; other requests are exempt. */
    int visible_after;
    uint64_t lookback; /* bounds */
};

/* The routing prefix and window of overflow_rpm (DESIGN §3, §7: OpenAI
 * routes by about the first 256 tokens, rates per minute). */
#define PCS_ROUTING_PREFIX_TOKENS 256
#define PCS_ROUTING_WINDOW_MS 60000

/* The parameters a policy may read, each described once: which policy
 * reads which is pcs_policy_info(policy)->uses; pcs_cache_config_equal
 * compares them, reports echo them and front ends override them by
 * walking this table, so a new parameter is a field above, a PCS_USES_*
 * bit and one row in cache.c. JSON echoes and notes follow this order. */
enum pcs_cache_param {
    PCS_PARAM_TTL = 0,
    PCS_PARAM_MIN_TOKENS,
    PCS_PARAM_GRANULARITY,
    PCS_PARAM_CAPACITY,
    PCS_PARAM_MARKERS,
    PCS_PARAM_OVERFLOW_RPM,
    PCS_PARAM_VISIBLE_AFTER,
    PCS_PARAM_LOOKBACK,
    PCS_PARAM_COUNT /* not a parameter: how many there are */
};

enum pcs_param_unit {
    PCS_UNIT_MS = 0, /* a duration in milliseconds, echoed in seconds */
    PCS_UNIT_TOKENS, /* a count of tokens, echoed with "token(s)" */
    PCS_UNIT_NUMBER, /* a plain count */
    PCS_UNIT_SWITCH  /* 0 or 1; text echoes name it alone when 1 */
};

struct pcs_cache_param_info {
    const char *name;         /* "ttl", "min_tokens": one word, as messages name it */
    unsigned uses;            /* its PCS_USES_* bit */
    enum pcs_param_unit unit; /* of the value pcs_cache_param_get returns */
    const char *label;        /* how text reports name it ("idle TTL"); NULL: not echoed */
    const char *json_key;     /* its member in a report's policy object; NULL: not echoed */
    int text_rank;            /* text echoes list parameters in increasing text_rank */
    int quiet_when_off;       /* 1: a refinement, echoed only when on (not 0) */
};

/* The parameter's description; NULL outside [0, PCS_PARAM_COUNT). Static
 * data: thread-safe. */
const struct pcs_cache_param_info *pcs_cache_param_info(enum pcs_cache_param param);

/* The parameter named name (pcs_cache_param_info(p)->name), or -1. */
int pcs_cache_param_parse(const char *name);

/* The parameter's value in config, in its unit (0 for an unknown param). */
uint64_t pcs_cache_param_get(const struct pcs_cache_config *config, enum pcs_cache_param param);

/* Sets it (a value out of the field's range is the caller's error: check
 * the config after, with pcs_cache_config_check). */
void pcs_cache_param_set(struct pcs_cache_config *config, enum pcs_cache_param param, uint64_t value);

/* A user's changes to a preset's parameters: value[p] replaces parameter p
 * where given has its PCS_USES_* bit. */
struct pcs_cache_overrides {
    unsigned given;                  /* PCS_USES_* bits of the parameters given */
    uint64_t value[PCS_PARAM_COUNT]; /* in each parameter's unit */
};

/* Applies overrides to config. A TTL given is a what-if TTL: it also
 * overrides the trace's "5m"/"1h" breakpoint markers (DESIGN §3). */
void pcs_cache_overrides_apply(const struct pcs_cache_overrides *overrides, struct pcs_cache_config *config);

/* policy ttl, ttl 300 s, min 0, granularity 1, capacity 0 (unset); a
 * value the caller owns. */
struct pcs_cache_config pcs_cache_config_default(void);

/* 1 if a and b make caches that behave alike: the same policy and equal
 * values of the fields it uses (pcs_policy_info(policy)->uses), else 0. Two
 * models whose configurations are equal may share one cache. */
int pcs_cache_config_equal(const struct pcs_cache_config *a, const struct pcs_cache_config *b);

/* Checks a configuration: PCS_OK, or PCS_ERR_ARG with err filled with what
 * is wrong. */
enum pcs_status pcs_cache_config_check(const struct pcs_cache_config *config, struct pcs_error *err);

/* A preset as the hand-kept rules file scenarios/rules/cache_rules.json states
 * it (schema pcsim.cache_rules.v1; docs/prices.md says how to change a
 * rule). The file is assembled into the library; the preset functions
 * below read it, so a provider's rule is data, not code. Strings are owned
 * by the table they come from. */
/* A preset's default for one parameter, beyond its policy's defaults: a
 * row of the rules file's "refinements" table (DESIGN §3 "Refinements"). */
struct pcs_cache_refinement {
    enum pcs_cache_param param;
    uint64_t value;     /* in the parameter's unit (pcs_cache_param_info); switches 0 or 1 */
    const char *source; /* a URL or a document's name */
    const char *as_of;  /* YYYY-MM-DD */
};

struct pcs_cache_rule {
    const char *name; /* the preset's name: "openai", "anthropic-5m", ... */
    enum pcs_policy policy;
    int64_t ttl_s;        /* idle TTL, seconds (>= 1) */
    uint64_t min_tokens;  /* minimum cacheable prefix, tokens */
    uint64_t granularity; /* tokens (>= 1) */
    int per_model;        /* 1: each model's minimum comes from the price catalog */
    const char *source;   /* a URL or a document's name */
    const char *as_of;    /* the date the rule was last checked: YYYY-MM-DD */
    /* Its refinements, in the file's order, at most one per parameter;
     * pcs_cache_preset sets each. */
    size_t refinement_count;
    struct pcs_cache_refinement refinements[PCS_PARAM_COUNT];
};

/* The most preset rows a rules file may hold. */
#define PCS_CACHE_RULES_MAX 64

/* Parses a rules document text[0..size) (text[size] must be '\0'; name
 * labels errors) into rules[0..cap), in the file's order; *count gets the
 * rows read. Errors (nothing is kept, *count = 0): those of a JSON document
 * (file:line:column for malformed text), PCS_ERR_PARSE "NAME: presets[I].FIELD:
 * problem" for a missing or wrong field, an unknown policy, a date that is
 * not YYYY-MM-DD or a name given twice, PCS_ERR_RANGE for more than cap
 * rows, PCS_ERR_NOMEM. The optional "refinements" table ({"preset",
 * "parameter", "value", "source", "as_of"} rows) is attached to its presets;
 * its errors read "NAME: refinements[I].FIELD: problem": an unknown preset
 * or parameter (a name of the parameter table), one the preset's policy
 * does not read, a value that is not a whole number (0 or 1 for a
 * switch), or a (preset, parameter) given twice. Free the strings of a parsed table with
 * pcs_cache_rules_release. Thread safety: reentrant. */
enum pcs_status pcs_cache_rules_parse(const char *text, size_t size, const char *name, struct pcs_cache_rule *rules,
                                      size_t cap, size_t *count, struct pcs_error *err);

/* Frees the strings of rules[0..count) filled by pcs_cache_rules_parse. */
void pcs_cache_rules_release(struct pcs_cache_rule *rules, size_t count);

/* The built-in rules (read once, on first use; thread-safe), *count rows.
 * *count is 0 only if the built-in file is broken (a build defect the
 * cache_rules test catches); then err, if not NULL, says why. */
const struct pcs_cache_rule *pcs_cache_rules(size_t *count, struct pcs_error *err);

/* The built-in rule of the preset named name, or NULL. */
const struct pcs_cache_rule *pcs_cache_rule_find(const char *name);

/* Sets *config to a named provider preset (DESIGN §3): "openai",
 * "openai-24h", "openai-bp", "anthropic-5m", "anthropic-1h", "gemini",
 * "deepseek", and the bare policy names. Returns PCS_ERR_ARG for an unknown
 * name, leaving *config as it was. */
enum pcs_status pcs_cache_preset(const char *name, struct pcs_cache_config *config);

/* 1 if the preset takes each model's minimum prefix from the price catalog
 * (the Anthropic and Gemini presets), else 0 (also for an unknown name). */
int pcs_cache_preset_per_model(const char *name);

/* The presets that make a cache from their own parameters (all but lru,
 * which needs a capacity, when standalone_only), joined by ", " into
 * buf[0..cap) (cap >= 1; cut short to fit) for messages. Returns buf. */
const char *pcs_cache_preset_list(int standalone_only, char *buf, size_t cap);

/* Iterates the preset names (static text): returns NULL past the last. */
const char *pcs_cache_preset_name(unsigned index);

/* What a ttl, ideal or openai cache serves of a request whose alive
 * matched prefix ends at matched tokens (DESIGN §3): matched itself, or for
 * openai 0 when input_tokens or matched is below min_tokens, else matched
 * rounded down to a multiple of granularity. The cache and the one-pass TTL
 * curve (pcsim/sweep.h) both read through it. */
uint64_t pcs_cache_read_of_match(const struct pcs_cache_config *config, uint64_t input_tokens, uint64_t matched);

/* Token counts of one request or a sum of them (requests is a count of
 * requests, every other field tokens). cache_write counts every written
 * token; cache_write_1h is the part of it written with a TTL of one hour or
 * more. uncached = input - cache_read - cache_write. */
struct pcs_usage {
    uint64_t requests;
    uint64_t input;
    uint64_t cache_read;
    uint64_t cache_write;
    uint64_t cache_write_1h;
    uint64_t output;
};

static inline uint64_t pcs_usage_uncached(const struct pcs_usage *usage)
{
    return usage->input - usage->cache_read - usage->cache_write;
}

void pcs_usage_add(struct pcs_usage *sum, const struct pcs_usage *usage);

typedef struct pcs_cache pcs_cache;

/* A new empty cache with a copy of config. NULL with err filled on a bad
 * config (PCS_ERR_ARG: what pcs_cache_config_check says) or PCS_ERR_NOMEM. */
pcs_cache *pcs_cache_new(const struct pcs_cache_config *config, struct pcs_error *err);

/* Plays one request through the cache and sets *usage (requests = 1);
 * with overflow_rpm it is first routed to its machine's cache (req's
 * cache_key is read then only).
 * Returns PCS_ERR_ARG if req is earlier than the previous request (the
 * cache is then unchanged) or the cache is one of lanes (below),
 * PCS_ERR_NOMEM when the cache cannot grow. */
enum pcs_status pcs_cache_access(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage);

/* What a caller may know of a request's prompt from earlier ones, so that
 * the cache need not find it again (ids are the caller's; 0: unknown):
 * prompt_id names the prompt's units (two requests with one nonzero
 * prompt_id have the same bound_count and units), and the prompt's first
 * prefix_shared units equal those of the prompt named prefix_of (fewer
 * than it truly shares is allowed, more is not). */
struct pcs_cache_hint {
    uint64_t prompt_id;
    uint64_t prefix_of;
    uint64_t prefix_shared; /* units (bounds) */
};

/* pcs_cache_access with a hint: the same usage and the same cache state
 * after as without it; only faster. When the last request the cache played
 * in req's (namespace, model) was the prompt hint names (prefix_of, or
 * prompt_id itself: a redo), the cache starts from where that one ended
 * instead of comparing the shared units again, so a conversation's turn
 * costs its new bounds and its path's nodes, not all its bounds. A false
 * hint (units that differ within prefix_shared) gives wrong results.
 * hint NULL: pcs_cache_access. Errors as pcs_cache_access. */
enum pcs_status pcs_cache_access_hinted(pcs_cache *cache, const struct pcs_request *req,
                                        const struct pcs_cache_hint *hint, struct pcs_usage *usage);

/* Breakpoint caches at several configurations played as one, for the TTL
 * curves of the breakpoint policy (pcsim/sweep.h): one tree of the chains
 * every lane holds, and per entry each lane's last use and TTL side by
 * side, so a request walks the tree once whatever the number of lanes.
 * pcs_cache_new_lanes makes one of lane_count lanes (1 to
 * PCS_CACHE_MAX_LANES; PCS_ERR_ARG otherwise, PCS_ERR_NOMEM), freed by
 * pcs_cache_free; it is only played by pcs_cache_access_lanes
 * (pcs_cache_access refuses it: PCS_ERR_ARG). That plays
 * req in every lane: configs[0..lane_count) are the lanes' configurations
 * for req's model (breakpoint policy; each lane must be given the same one
 * for a model every time), and usages[i] is what pcs_cache_access of a
 * breakpoint cache of configs[i] that had seen the same requests would
 * give. The lanes route alike (routing does not depend on the TTL): every
 * lane's overflow_rpm must be the same, PCS_ERR_ARG otherwise (nothing
 * changes). PCS_ERR_ARG if req is earlier than the previous request (nothing
 * changes), PCS_ERR_NOMEM when the tree cannot grow. One thread at a time. */
#define PCS_CACHE_MAX_LANES 1024
pcs_cache *pcs_cache_new_lanes(size_t lane_count, struct pcs_error *err);
enum pcs_status pcs_cache_access_lanes(pcs_cache *cache, const struct pcs_request *req,
                                       const struct pcs_cache_config *configs, struct pcs_usage *usages);

/* A request's matched prefix as a function of the TTL, for one-pass TTL
 * curves (pcsim/sweep.h): see pcs_cache_profile. */
struct pcs_gap_step {
    int64_t gap_ms; /* time since these bounds' last use, before this request */
    uint64_t end;   /* the token offset where they end */
};

/* Makes a ttl, openai or ideal cache record profiles (other policies:
 * PCS_ERR_ARG). Then after each pcs_cache_access, pcs_cache_profile gives
 * steps[0..count) with non-decreasing gaps: under any idle TTL tau no larger
 * than the cache's own, the request's matched prefix ends at steps[i].end for
 * the last i with gap_ms < tau (0 tokens when there is none). The steps are
 * valid until the next access. */
enum pcs_status pcs_cache_enable_profile(pcs_cache *cache);
const struct pcs_gap_step *pcs_cache_profile(const pcs_cache *cache, size_t *count);

/* Live tree nodes, and the tokens an lru cache holds (for benchmarks and
 * tests). */
uint64_t pcs_cache_node_count(const pcs_cache *cache);
uint64_t pcs_cache_cached_tokens(const pcs_cache *cache); /* lru: tokens held */

/* Accesses whose walk started where a hinted earlier one ended
 * (pcs_cache_access_hinted), for benchmarks and tests. */
uint64_t pcs_cache_resumed_count(const pcs_cache *cache);

void pcs_cache_free(pcs_cache *cache); /* NULL is a no-op */

#endif
