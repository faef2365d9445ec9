/* The cache object: configuration, presets and dispatch to the policies;
 * see pcsim/cache.h. */
#include "cache_internal.h"
#include "common/text_append.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sweep comes once the live nodes are half as many again as the last one
 * left, and never below SWEEP_MIN_NODES. The tree's footprint decides its
 * speed more than the sweeps' cost: on the generated 1M-request trace, a
 * threshold of 65536 nodes doubling made the cache thread 15% slower than
 * this (sweeping costs O(nodes) per sweep, so any factor above 1 keeps it
 * linear overall). */
#define SWEEP_MIN_NODES 16384

static const struct policy_ops *const all_policies[PCS_POLICY_COUNT] = {
    [PCS_POLICY_NONE] = &pcs_policy_none,
    [PCS_POLICY_IDEAL] = &pcs_policy_ideal,
    [PCS_POLICY_TTL] = &pcs_policy_ttl,
    [PCS_POLICY_OPENAI] = &pcs_policy_openai,
    [PCS_POLICY_BREAKPOINT] = &pcs_policy_breakpoint,
    [PCS_POLICY_LRU] = &pcs_policy_lru,
};

static const struct pcs_policy_info policies[PCS_POLICY_COUNT] = {
    [PCS_POLICY_NONE] = {.name = "none", .summary = "no TTL, unlimited capacity"},
    [PCS_POLICY_IDEAL] = {.name = "ideal",
                          .uses = PCS_USES_OVERFLOW,
                          .profiles = 1,
                          .summary = "no TTL, unlimited capacity"},
    [PCS_POLICY_TTL] = {.name = "ttl", .uses = PCS_USES_TTL | PCS_USES_OVERFLOW, .ttl_curve = 1, .profiles = 1},
    [PCS_POLICY_OPENAI] = {.name = "openai",
                           .uses = PCS_USES_TTL | PCS_USES_MIN_TOKENS | PCS_USES_GRANULARITY | PCS_USES_OVERFLOW,
                           .ttl_curve = 1,
                           .profiles = 1},
    [PCS_POLICY_BREAKPOINT] = {.name = "breakpoint",
                               .uses = PCS_USES_TTL | PCS_USES_MIN_TOKENS | PCS_USES_MARKERS | PCS_USES_OVERFLOW |
                                       PCS_USES_VISIBLE_AFTER | PCS_USES_LOOKBACK,
                               .ttl_curve = 1,
                               .summary = "writes at breakpoints"},
    [PCS_POLICY_LRU] = {.name = "lru",
                        .uses = PCS_USES_CAPACITY | PCS_USES_OVERFLOW,
                        .capacity_curve = 1,
                        .summary = "least recently used evicted"},
};

const struct pcs_policy_info *pcs_policy_info(enum pcs_policy policy)
{
    return (unsigned)policy < PCS_POLICY_COUNT ? &policies[policy] : NULL;
}

const char *pcs_policy_name(enum pcs_policy policy)
{
    return (unsigned)policy < PCS_POLICY_COUNT ? policies[policy].name : "unknown";
}

const char *pcs_policy_ttl_curve_names(char *buf, size_t cap)
{
    size_t count = 0, used = 0, total = 0;
    for (int i = 0; i < PCS_POLICY_COUNT; i++)
        total += policies[i].ttl_curve != 0;
    buf[0] = '\0';
    for (int i = 0; i < PCS_POLICY_COUNT; i++) {
        if (!policies[i].ttl_curve)
            continue;
        const char *joint = count == 0 ? "" : count + 1 == total ? " and " : ", ";
        pcs_text_append(buf, cap, &used, "%s%s", joint, policies[i].name);
        count++;
    }
    return buf;
}

int pcs_policy_parse(const char *name)
{
    for (int i = 0; i < PCS_POLICY_COUNT; i++)
        if (strcmp(name, policies[i].name) == 0)
            return i;
    return -1;
}

/* Where each parameter lives in struct pcs_cache_config, and how it is stored. */
enum param_storage { STORED_U64, STORED_I64, STORED_INT };

struct param_row {
    struct pcs_cache_param_info info;
    size_t offset;
    enum param_storage storage;
};

#define PARAM_FIELD(field, kind) .offset = offsetof(struct pcs_cache_config, field), .storage = kind

static const struct param_row params[PCS_PARAM_COUNT] = {
    [PCS_PARAM_CAPACITY] = {{.name = "capacity",
                             .uses = PCS_USES_CAPACITY,
                             .unit = PCS_UNIT_TOKENS,
                             .label = "capacity",
                             .json_key = "capacity_tokens",
                             .text_rank = 0},
                            PARAM_FIELD(capacity_tokens, STORED_U64)},
    [PCS_PARAM_TTL] = {{.name = "ttl",
                        .uses = PCS_USES_TTL,
                        .unit = PCS_UNIT_MS,
                        .label = "idle TTL",
                        .json_key = "ttl_s",
                        .text_rank = 1},
                       PARAM_FIELD(ttl_ms, STORED_I64)},
    [PCS_PARAM_MIN_TOKENS] = {{.name = "min_tokens",
                               .uses = PCS_USES_MIN_TOKENS,
                               .unit = PCS_UNIT_TOKENS,
                               .label = "min",
                               .json_key = "min_tokens",
                               .text_rank = 2},
                              PARAM_FIELD(min_tokens, STORED_U64)},
    [PCS_PARAM_GRANULARITY] = {{.name = "granularity",
                                .uses = PCS_USES_GRANULARITY,
                                .unit = PCS_UNIT_NUMBER,
                                .label = "granularity",
                                .json_key = "granularity",
                                .text_rank = 3},
                               PARAM_FIELD(granularity, STORED_U64)},
    /* Reports say whether markers stand in their own words (report_util.c). */
    [PCS_PARAM_MARKERS] = {{.name = "ttl_overrides_markers", .uses = PCS_USES_MARKERS, .unit = PCS_UNIT_SWITCH},
                           PARAM_FIELD(ttl_overrides_markers, STORED_INT)},
    [PCS_PARAM_OVERFLOW_RPM] = {{.name = "overflow_rpm",
                                 .uses = PCS_USES_OVERFLOW,
                                 .unit = PCS_UNIT_NUMBER,
                                 .label = "overflow rpm",
                                 .json_key = "overflow_rpm",
                                 .text_rank = 4,
                                 .quiet_when_off = 1},
                                PARAM_FIELD(overflow_rpm, STORED_U64)},
    [PCS_PARAM_VISIBLE_AFTER] = {{.name = "visible_after",
                                  .uses = PCS_USES_VISIBLE_AFTER,
                                  .unit = PCS_UNIT_SWITCH,
                                  .label = "readable after first token",
                                  .json_key = "visible_after",
                                  .text_rank = 5,
                                  .quiet_when_off = 1},
                                 PARAM_FIELD(visible_after, STORED_INT)},
    [PCS_PARAM_LOOKBACK] = {{.name = "lookback",
                             .uses = PCS_USES_LOOKBACK,
                             .unit = PCS_UNIT_NUMBER,
                             .label = "lookback",
                             .json_key = "lookback",
                             .text_rank = 6,
                             .quiet_when_off = 1},
                            PARAM_FIELD(lookback, STORED_U64)},
};

const struct pcs_cache_param_info *pcs_cache_param_info(enum pcs_cache_param param)
{
    return (unsigned)param < PCS_PARAM_COUNT ? &params[param].info : NULL;
}

int pcs_cache_param_parse(const char *name)
{
    for (int p = 0; p < PCS_PARAM_COUNT; p++)
        if (strcmp(name, params[p].info.name) == 0)
            return p;
    return -1;
}

uint64_t pcs_cache_param_get(const struct pcs_cache_config *config, enum pcs_cache_param param)
{
    if ((unsigned)param >= PCS_PARAM_COUNT)
        return 0;
    const char *field = (const char *)config + params[param].offset;
    switch (params[param].storage) {
    case STORED_U64: {
        uint64_t value;
        memcpy(&value, field, sizeof value);
        return value;
    }
    case STORED_I64: {
        int64_t value;
        memcpy(&value, field, sizeof value);
        return value > 0 ? (uint64_t)value : 0;
    }
    case STORED_INT: {
        int value;
        memcpy(&value, field, sizeof value);
        return value != 0;
    }
    }
    return 0;
}

void pcs_cache_param_set(struct pcs_cache_config *config, enum pcs_cache_param param, uint64_t value)
{
    if ((unsigned)param >= PCS_PARAM_COUNT)
        return;
    char *field = (char *)config + params[param].offset;
    switch (params[param].storage) {
    case STORED_U64: memcpy(field, &value, sizeof value); break;
    case STORED_I64: {
        int64_t stored = value > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)value;
        memcpy(field, &stored, sizeof stored);
        break;
    }
    case STORED_INT: {
        int stored = value != 0;
        memcpy(field, &stored, sizeof stored);
        break;
    }
    }
}

void pcs_cache_overrides_apply(const struct pcs_cache_overrides *overrides, struct pcs_cache_config *config)
{
    for (int p = 0; p < PCS_PARAM_COUNT; p++)
        if (overrides->given & params[p].info.uses)
            pcs_cache_param_set(config, (enum pcs_cache_param)p, overrides->value[p]);
    if (overrides->given & PCS_USES_TTL) /* a what-if TTL overrides the trace's markers (DESIGN §3) */
        config->ttl_overrides_markers = 1;
}

int pcs_cache_config_equal(const struct pcs_cache_config *a, const struct pcs_cache_config *b)
{
    if (a->policy != b->policy)
        return 0;
    const struct pcs_policy_info *info = pcs_policy_info(a->policy);
    unsigned uses = info ? info->uses : 0;
    for (int p = 0; p < PCS_PARAM_COUNT; p++)
        if ((uses & params[p].info.uses) && pcs_cache_param_get(a, p) != pcs_cache_param_get(b, p))
            return 0;
    return 1;
}

struct pcs_cache_config pcs_cache_config_default(void)
{
    struct pcs_cache_config config;
    memset(&config, 0, sizeof config);
    config.policy = PCS_POLICY_TTL;
    config.ttl_ms = 300000;
    config.granularity = 1;
    return config;
}

enum pcs_status pcs_cache_config_check(const struct pcs_cache_config *config, struct pcs_error *err)
{
    if ((unsigned)config->policy >= PCS_POLICY_COUNT)
        return pcs_error_set(err, PCS_ERR_ARG, "unknown cache policy %d", (int)config->policy);
    if (config->ttl_ms <= 0 || config->ttl_ms > PCS_MAX_TTL_MS)
        return pcs_error_set(err, PCS_ERR_ARG, "ttl must be positive and at most %lld s",
                             (long long)(PCS_MAX_TTL_MS / 1000));
    if (config->granularity == 0)
        return pcs_error_set(err, PCS_ERR_ARG, "granularity must be at least 1");
    if ((policies[config->policy].uses & PCS_USES_CAPACITY) && config->capacity_tokens == 0)
        return pcs_error_set(err, PCS_ERR_ARG, "the %s policy needs a capacity in tokens",
                             policies[config->policy].name);
    return PCS_OK;
}

/* Provider presets (DESIGN §3, §7) are rows of the rules file
 * (src/cache/rules.c). per_model: the catalog's minimum prefix of each
 * model replaces min_tokens (pricing/model_cache.c). */
int pcs_cache_preset_per_model(const char *name)
{
    const struct pcs_cache_rule *rule = pcs_cache_rule_find(name);
    return rule && rule->per_model;
}

enum pcs_status pcs_cache_preset(const char *name, struct pcs_cache_config *config)
{
    const struct pcs_cache_rule *rule = pcs_cache_rule_find(name);
    if (!rule)
        return PCS_ERR_ARG;
    *config = pcs_cache_config_default();
    config->policy = rule->policy;
    config->ttl_ms = rule->ttl_s * 1000;
    config->min_tokens = rule->min_tokens;
    config->granularity = rule->granularity;
    for (size_t i = 0; i < rule->refinement_count; i++)
        pcs_cache_param_set(config, rule->refinements[i].param, rule->refinements[i].value);
    return PCS_OK;
}

const char *pcs_cache_preset_list(int standalone_only, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    size_t count;
    const struct pcs_cache_rule *rules = pcs_cache_rules(&count, NULL);
    for (size_t i = 0; i < count; i++) {
        struct pcs_cache_config config;
        pcs_cache_preset(rules[i].name, &config);
        if (standalone_only && pcs_cache_config_check(&config, NULL) != PCS_OK)
            continue;
        pcs_text_append(buf, cap, &used, "%s%s", used ? ", " : "", rules[i].name);
    }
    return buf;
}

const char *pcs_cache_preset_name(unsigned index)
{
    size_t count;
    const struct pcs_cache_rule *rules = pcs_cache_rules(&count, NULL);
    return index < count ? rules[index].name : NULL;
}

uint64_t pcs_cache_read_of_match(const struct pcs_cache_config *config, uint64_t input_tokens, uint64_t matched)
{
    if (config->policy != PCS_POLICY_OPENAI)
        return matched;
    if (input_tokens < config->min_tokens || matched < config->min_tokens)
        return 0;
    return matched / config->granularity * config->granularity;
}

void pcs_usage_add(struct pcs_usage *sum, const struct pcs_usage *usage)
{
    sum->requests += usage->requests;
    sum->input += usage->input;
    sum->cache_read += usage->cache_read;
    sum->cache_write += usage->cache_write;
    sum->cache_write_1h += usage->cache_write_1h;
    sum->output += usage->output;
}

pcs_cache *pcs_cache_new(const struct pcs_cache_config *config, struct pcs_error *err)
{
    if (pcs_cache_config_check(config, err) != PCS_OK)
        return NULL;
    pcs_cache *cache = calloc(1, sizeof *cache);
    if (!cache) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a cache");
        return NULL;
    }
    cache->config = *config;
    cache->ops = all_policies[config->policy];
    cache->last_t_ms = INT64_MIN;
    cache->sweep_at = SWEEP_MIN_NODES;
    if (pcs_tree_init(&cache->tree, cache->ops->with_costs) != PCS_OK) {
        free(cache);
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a cache");
        return NULL;
    }
    return cache;
}

/* Overflow routing is on: a rate, and a policy that caches. */
static int routes(const pcs_cache *cache, uint64_t overflow_rpm)
{
    return overflow_rpm > 0 && cache->config.policy != PCS_POLICY_NONE;
}

enum pcs_status pcs_cache_access(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    if (req->t_ms < cache->last_t_ms || cache->lanes)
        return PCS_ERR_ARG;
    cache->last_t_ms = req->t_ms;
    pcs_tree_prefetch_forget(&cache->tree, req->units);
    memset(usage, 0, sizeof *usage);
    cache->profile_len = 0;
    usage->requests = 1;
    usage->input = req->input_tokens;
    usage->output = req->output_tokens;
    if (req->bound_count == 0)
        return PCS_OK;
    if (!routes(cache, cache->config.overflow_rpm))
        return cache->ops->access(cache, req, usage); /* the unrouted path, unchanged */
    struct pcs_request routed = *req;
    enum pcs_status status = pcs_cache_route(cache, cache->config.overflow_rpm, req, &routed.namespace_id);
    return status == PCS_OK ? cache->ops->access(cache, &routed, usage) : status;
}

enum pcs_status pcs_cache_route(pcs_cache *cache, uint64_t overflow_rpm, const struct pcs_request *req,
                                uint32_t *namespace_id)
{
    *namespace_id = req->namespace_id;
    if (!routes(cache, overflow_rpm))
        return PCS_OK;
    return pcs_router_route(&cache->router, overflow_rpm, req, namespace_id);
}

enum pcs_status pcs_cache_access_hinted(pcs_cache *cache, const struct pcs_request *req,
                                        const struct pcs_cache_hint *hint, struct pcs_usage *usage)
{
    if (!hint || (hint->prompt_id == 0 && hint->prefix_of == 0))
        return pcs_cache_access(cache, req, usage);
    struct tree_expect expect = {hint->prompt_id, hint->prefix_of, hint->prefix_shared};
    pcs_tree_expect(&cache->tree, &expect);
    enum pcs_status status = pcs_cache_access(cache, req, usage);
    if (status == PCS_OK)
        pcs_tree_remember(&cache->tree);
    pcs_tree_expect(&cache->tree, NULL); /* left over when the access did not match */
    return status;
}

void pcs_cache_prefetch(pcs_cache *cache, const struct pcs_request *req)
{
    /* A routed request's namespace is known only once it is routed (which
     * changes the router): no lookahead then. */
    if (cache->config.policy == PCS_POLICY_NONE || req->bound_count == 0 || routes(cache, cache->config.overflow_rpm))
        return;
    uint32_t root = pcs_tree_root_find(&cache->tree, req->namespace_id, req->model);
    if (root != TREE_NIL)
        pcs_tree_prefetch(&cache->tree, root, req->units, req->bound_count);
}

void pcs_cache_sweep_if_due(pcs_cache *cache, int64_t now_ms, tree_dead_fn is_dead)
{
    if (cache->tree.live_nodes < cache->sweep_at)
        return;
    struct sweep_context context = {now_ms, cache->config.ttl_ms, cache};
    pcs_tree_sweep(&cache->tree, is_dead, &context);
    uint64_t next = cache->tree.live_nodes + cache->tree.live_nodes / 2;
    cache->sweep_at = next > SWEEP_MIN_NODES ? next : SWEEP_MIN_NODES;
}

int64_t pcs_cache_bound_ttl(const pcs_cache *cache, const struct pcs_request *req, size_t bound)
{
    return pcs_cache_config_bound_ttl(&cache->config, req, bound);
}

int64_t pcs_cache_config_bound_ttl(const struct pcs_cache_config *config, const struct pcs_request *req, size_t bound)
{
    if (config->ttl_overrides_markers)
        return config->ttl_ms;
    uint8_t flags = req->flags ? req->flags[bound] : 0;
    if (flags & PCS_BOUND_TTL_1H)
        return CACHE_ONE_HOUR_MS;
    if (flags & PCS_BOUND_TTL_5M)
        return 300000;
    return config->ttl_ms;
}

uint64_t pcs_cache_node_count(const pcs_cache *cache)
{
    return cache->tree.live_nodes;
}

uint64_t pcs_cache_resumed_count(const pcs_cache *cache)
{
    return cache->tree.recall.resumed;
}

uint64_t pcs_cache_cached_tokens(const pcs_cache *cache)
{
    return cache->cached_tokens;
}

enum pcs_status pcs_cache_enable_profile(pcs_cache *cache)
{
    if (!policies[cache->config.policy].profiles)
        return PCS_ERR_ARG;
    cache->profiling = 1;
    return PCS_OK;
}

const struct pcs_gap_step *pcs_cache_profile(const pcs_cache *cache, size_t *count)
{
    *count = cache->profiling ? cache->profile_len : 0;
    return cache->profile;
}

void pcs_cache_free(pcs_cache *cache)
{
    if (!cache)
        return;
    pcs_tree_release(&cache->tree);
    pcs_cache_lanes_free(cache->lanes);
    pcs_router_release(&cache->router);
    free(cache->costs);
    free(cache->profile);
    free(cache);
}
