/* Request logs of API calls: the readers' shared part; see api_log.h. */
#include "api_log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "common/civil_date.h"
#include "common/grow.h"
#include "common/hash_table.h"
#include "log_units.h"
#include "pcsim/tokens.h"

/* Unit ids: XXH3 of a unit's JSON text as logged, seeded with its role's. */
#define ROLE_SEED 0x901e
/* A chain's root from the session's hash and the chain's number. */
#define CHAIN_SEED 0xc4a1
/* Memoised token counts: a direct-mapped table of this many entries. */
#define MEMO_BITS 16
#define API_MAX_MEMBERS 16
/* The text LiteLLM logs in place of a prompt it was told not to log. */
static const char redacted_prefix[] = "redacted by litellm";

/* The memo is shared by pass two and the workers reading ahead of it
 * (pcs_api_log_counter),
 * without a lock: an entry is two words, each written and read whole but
 * not together, so a reader may see one write's tokens with another's
 * check. check = key ^ tokens makes such a torn entry read as a miss (its
 * check agrees only if the two writes stored the same count, which is then
 * right). Counts are a pure function of the key, so which thread fills an
 * entry, or evicts it, never changes a result. */
struct memo_entry {
    _Atomic uint64_t check; /* key ^ tokens; 0 ^ 0: empty (keys are odd) */
    _Atomic uint64_t tokens;
};

/* What counting a unit's tokens needs, one per thread: the tokenizers
 * (made when first needed), a buffer for unescaped text, and the memo
 * (shared: the state's). */
struct unit_counter {
    pcs_tokenizer *tokenizers[PCS_ENCODING_COUNT];
    struct memo_entry *memo;
    char *text; /* a unit's text, unescaped */
    size_t text_cap;
    uint64_t counted; /* units this counter tokenized (memo misses) */
};

static void unit_counter_free(struct unit_counter *counter)
{
    for (int e = 0; e < PCS_ENCODING_COUNT; e++)
        pcs_tokenizer_free(counter->tokenizers[e]);
    free(counter->text);
}

/* The memoised count of key, if there. */
static int memo_get(const struct memo_entry *memo, uint64_t key, uint64_t *tokens)
{
    const struct memo_entry *entry = &memo[key & (((size_t)1 << MEMO_BITS) - 1)];
    uint64_t count = atomic_load_explicit(&entry->tokens, memory_order_relaxed);
    uint64_t check = atomic_load_explicit(&entry->check, memory_order_relaxed);
    if ((check ^ count) != key)
        return 0;
    *tokens = count;
    return 1;
}

static void memo_put(struct memo_entry *memo, uint64_t key, uint64_t tokens)
{
    struct memo_entry *entry = &memo[key & (((size_t)1 << MEMO_BITS) - 1)];
    atomic_store_explicit(&entry->tokens, tokens, memory_order_relaxed);
    atomic_store_explicit(&entry->check, key ^ tokens, memory_order_relaxed);
}

/* A session's chain of counts-only prompts (docs/design.md §8). */
struct session_chain {
    uint64_t session;
    struct log_prompt prompt;
};

struct api_log_state {
    struct unit_counter counter; /* owns the memo */
    uint64_t *counts;            /* a request's units' token counts */
    size_t counts_cap;
    struct session_chain *chains;
    size_t chain_count;
    size_t chain_cap;
    struct pcs_hash_table chain_ids; /* session hash -> chains[] index */
    uint64_t chains_started;
    struct log_prompt lone; /* a call without a session: its own chain */
    int counts_only;        /* the format of the first counts-only request, 0: none */
};

struct api_log_state *pcs_api_log_state_new(void)
{
    struct api_log_state *state = calloc(1, sizeof *state);
    if (!state)
        return NULL;
    state->counter.memo = calloc((size_t)1 << MEMO_BITS, sizeof *state->counter.memo);
    if (!state->counter.memo) {
        free(state);
        return NULL;
    }
    state->chain_ids.premixed = 1; /* sessions are XXH3 hashes already */
    return state;
}

void pcs_api_log_state_free(struct api_log_state *state)
{
    if (!state)
        return;
    unit_counter_free(&state->counter);
    free(state->counter.memo);
    free(state->counts);
    for (size_t i = 0; i < state->chain_count; i++)
        pcs_log_prompt_free(&state->chains[i].prompt);
    free(state->chains);
    pcs_hash_release(&state->chain_ids);
    pcs_log_prompt_free(&state->lone);
    free(state);
}

int pcs_api_log_state_counts_only(const struct api_log_state *state)
{
    return state ? state->counts_only : 0;
}

uint64_t pcs_api_log_state_counted(const struct api_log_state *state)
{
    return state ? state->counter.counted : 0;
}

/* A worker's counter over the state's memo. */
struct api_log_counter {
    struct unit_counter counter;
};

struct api_log_counter *pcs_api_log_counter_new(struct api_log_state *state)
{
    struct api_log_counter *counter = calloc(1, sizeof *counter);
    if (counter)
        counter->counter.memo = state->counter.memo;
    return counter;
}

void pcs_api_log_counter_free(struct api_log_counter *counter)
{
    if (!counter)
        return;
    unit_counter_free(&counter->counter);
    free(counter);
}

uint64_t pcs_api_log_counter_counted(const struct api_log_counter *counter)
{
    return counter->counter.counted;
}

void pcs_api_log_units_free(struct api_log_units *units)
{
    free(units->ids);
    free(units->flags);
    free(units->counts);
    memset(units, 0, sizeof *units);
}

/* Room for count units in units; -1 when out of memory. */
static int units_room(struct api_log_units *units, size_t count)
{
    if (count <= units->cap)
        return 0;
    size_t cap = grow_capacity(units->cap, count, 1024, sizeof(uint64_t));
    if (cap == 0)
        return -1;
    uint64_t *ids = realloc(units->ids, cap * sizeof *ids);
    if (ids)
        units->ids = ids;
    uint8_t *flags = ids ? realloc(units->flags, cap) : NULL;
    if (flags)
        units->flags = flags;
    uint64_t *counts = flags ? realloc(units->counts, cap * sizeof *counts) : NULL;
    if (!counts)
        return -1;
    units->counts = counts;
    units->cap = cap;
    return 0;
}

void pcs_api_log_call_init(struct api_log_call *call, enum pcs_trace_format format, enum api_dialect dialect,
                           const char *record)
{
    memset(call, 0, sizeof *call);
    call->format = format;
    call->dialect = dialect;
    call->tier = -1;
    call->record = record;
}

/* ------------------------------------------------------------ values */

static void span_cursor(const struct api_span *span, struct js_cursor *c)
{
    pcs_js_init(c, span->p, span->p + span->len);
}

static int span_is_string(const struct api_span *span)
{
    return span->p && span->p[0] == '"';
}

static int span_is(const struct api_span *span, char first)
{
    return span->p && span->p[0] == first;
}

/* field "prefix.key" (or "key" when prefix is empty) into buf. */
/* Appends text[0..len) to buf at *at (cap bytes; cut short, always
 * NUL-terminated). Field names are made for every value read, for the
 * messages that may name them: plain copies cost less than a printf. */
static void field_append(char *buf, size_t cap, size_t *at, const char *text, size_t len)
{
    if (*at + len >= cap)
        len = *at + 1 < cap ? cap - 1 - *at : 0;
    memcpy(buf + *at, text, len);
    *at += len;
    buf[*at] = '\0';
}

/* "prefix.key", or "key" when prefix is empty, into buf. */
static const char *join_field(char *buf, size_t cap, const char *prefix, const char *key)
{
    size_t at = 0;
    buf[0] = '\0';
    field_append(buf, cap, &at, prefix, strlen(prefix));
    if (prefix[0])
        field_append(buf, cap, &at, ".", 1);
    field_append(buf, cap, &at, key, strlen(key));
    return buf;
}

/* "prefix[index]" into buf. */
static const char *index_field(char *buf, size_t cap, const char *prefix, size_t index)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + index % 10);
        index /= 10;
    } while (index && n > 0);
    size_t at = 0;
    buf[0] = '\0';
    field_append(buf, cap, &at, prefix, strlen(prefix));
    field_append(buf, cap, &at, "[", 1);
    field_append(buf, cap, &at, digits + n, sizeof digits - n);
    field_append(buf, cap, &at, "]", 1);
    return buf;
}

/* A member whose object is read on the way (its bytes walked once): key's
 * value, when an object, has its keys' members put in values. */
struct nested_walk {
    const char *key;
    const char *const *keys;
    struct api_span *values;
};

/* pcs_api_members on the object that starts at begin (before limit);
 * *object_end (if not NULL) is where it ends; nested (if not NULL) is read
 * on the way. */
static enum pcs_status walk_nested(const char *begin, const char *limit, const char *field, const char *const *keys,
                                   struct api_span *values, const struct record_loc *loc, const char *record,
                                   const char **object_end, const struct nested_walk *nested, struct pcs_error *err)
{
    size_t count = 0;
    while (keys[count])
        values[count++] = (struct api_span){NULL, 0};
    struct js_cursor c;
    pcs_js_init(&c, begin, limit);
    if (pcs_js_expect(&c, '{') != 0)
        return field[0] ? pcs_field_wrong(&c, loc, field, "an object", err)
                        : pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                                pcs_js_kind(&c));
    int first = 1;
    const char *key;
    size_t key_len;
    char key_buf[64];
    int r;
    uint32_t seen = 0; /* keys met so far: one that is read may not appear twice */
    while ((r = pcs_js_next_key_ref(&c, &first, &key, &key_len, key_buf, sizeof key_buf)) == 1) {
        size_t k = 0;
        while (k < count && !(strlen(keys[k]) == key_len && memcmp(keys[k], key, key_len) == 0))
            k++;
        if (k < count) {
            /* Which of the two would pass one (which reads the time
             * alone) and pass two take? Neither: the record is bad. */
            if (seen >> k & 1) {
                char twice[128];
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, join_field(twice, sizeof twice, field, keys[k]),
                                             "appears twice");
            }
            seen |= 1u << k;
        }
        const char *start;
        if (pcs_js_peek(&c) == '{' && nested && strlen(nested->key) == key_len &&
            memcmp(nested->key, key, key_len) == 0) {
            start = c.p;
            const char *end;
            enum pcs_status status =
                walk_nested(start, c.end, nested->key, nested->keys, nested->values, loc, record, &end, NULL, err);
            if (status != PCS_OK)
                return status;
            c.p = end;
        } else {
            start = c.p;
            if (pcs_js_skip(&c) != 0)
                return pcs_field_syntax(&c, loc, record, err);
        }
        if (k < count && !(c.p - start == 4 && memcmp(start, "null", 4) == 0))
            values[k] = (struct api_span){start, (size_t)(c.p - start)};
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, record, err);
    if (object_end)
        *object_end = c.p;
    return PCS_OK;
}

static enum pcs_status walk_members(const char *begin, const char *limit, const char *field, const char *const *keys,
                                    struct api_span *values, const struct record_loc *loc, const char *record,
                                    const char **object_end, struct pcs_error *err)
{
    return walk_nested(begin, limit, field, keys, values, loc, record, object_end, NULL, err);
}

/* pcs_api_record_members, with nested read on the way. */
static enum pcs_status record_members(const char *record, size_t len, const char *const *keys, struct api_span *values,
                                      const struct record_loc *loc, const struct nested_walk *nested,
                                      struct pcs_error *err)
{
    struct js_cursor c;
    pcs_js_init(&c, record, record + len);
    if (pcs_js_peek(&c) != '{')
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    const char *object_end;
    enum pcs_status status = walk_nested(c.p, record + len, "", keys, values, loc, record, &object_end, nested, err);
    if (status != PCS_OK)
        return status;
    c.p = object_end; /* only white space may follow */
    return pcs_field_record_end(&c, loc, err);
}

enum pcs_status pcs_api_record_members(const char *record, size_t len, const char *const *keys, struct api_span *values,
                                       const struct record_loc *loc, struct pcs_error *err)
{
    return record_members(record, len, keys, values, loc, NULL, err);
}

enum pcs_status pcs_api_members(const struct api_span *span, const char *field, const char *const *keys,
                                struct api_span *values, const struct record_loc *loc, const char *record,
                                struct pcs_error *err)
{
    return walk_members(span->p, span->p + span->len, field, keys, values, loc, record, NULL, err);
}

enum pcs_status pcs_api_time(const struct api_span *span, const char *field, const struct record_loc *loc,
                             int64_t *t_ms, struct pcs_error *err)
{
    struct js_cursor c;
    span_cursor(span, &c);
    if (span_is_string(span)) {
        char text[64];
        size_t len;
        if (pcs_js_string(&c, text, sizeof text, &len) != 0 || pcs_iso8601_to_ms(text, len, t_ms) != 0)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                         "expected an ISO 8601 time with an offset (2026-03-01T12:00:00.250Z) "
                                         "or epoch seconds");
        if (*t_ms < 0 || *t_ms > PCS_MAX_TIME_MS)
            return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "time before 1970 or too far ahead");
        return PCS_OK;
    }
    return pcs_field_time(&c, loc, field, 0.0, 1000, t_ms, err);
}

enum pcs_status pcs_api_count(const struct api_span *span, const char *field, const struct record_loc *loc,
                              uint64_t *count, struct pcs_error *err)
{
    struct js_cursor c;
    span_cursor(span, &c);
    return pcs_field_tokens(&c, loc, field, count, err);
}

enum pcs_status pcs_api_string(const struct api_span *span, const char *field, const struct record_loc *loc, char *buf,
                               size_t cap, size_t *len, struct pcs_error *err)
{
    struct js_cursor c;
    span_cursor(span, &c);
    if (!span_is_string(span))
        return pcs_field_wrong(&c, loc, field, "a string", err);
    if (pcs_js_string(&c, buf, cap, len) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "%s", c.problem ? c.problem : "bad string");
    return PCS_OK;
}

enum pcs_status pcs_api_model(struct api_log_call *call, const struct api_span *span, const char *field,
                              const struct record_loc *loc, struct pcs_error *err)
{
    enum pcs_status status = pcs_api_string(span, field, loc, call->model, sizeof call->model, &call->model_len, err);
    if (status == PCS_OK && call->model_len == 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "empty model name");
    return status;
}

enum pcs_status pcs_api_session(struct api_log_call *call, const struct api_span *span, const char *field,
                                const struct record_loc *loc, struct pcs_error *err)
{
    char name[1024];
    size_t len;
    enum pcs_status status = pcs_api_string(span, field, loc, name, sizeof name, &len, err);
    if (status != PCS_OK)
        return status;
    if (len == 0)
        return PCS_OK; /* an empty key is no key */
    call->has_session = 1;
    call->session = XXH3_64bits(name, len);
    return PCS_OK;
}

enum pcs_status pcs_api_cache_key(struct api_log_call *call, const struct api_span *span, const char *field,
                                  const struct record_loc *loc, struct pcs_error *err)
{
    char name[1024];
    size_t len = 0;
    enum pcs_status status = pcs_api_string(span, field, loc, name, sizeof name, &len, err);
    if (status != PCS_OK)
        return status;
    call->cache_key = len ? pcs_request_cache_key_hash(name, len) : 0;
    return pcs_api_session(call, span, field, loc, err);
}

enum pcs_status pcs_api_tier(struct api_log_call *call, const struct api_span *span, const char *field,
                             const struct record_loc *loc, struct pcs_error *err)
{
    static const struct {
        const char *name;
        enum pcs_tier tier;
    } tiers[] = {{"default", PCS_TIER_STANDARD}, {"auto", PCS_TIER_STANDARD},          {"standard", PCS_TIER_STANDARD},
                 {"scale", PCS_TIER_STANDARD},   {"standard_only", PCS_TIER_STANDARD}, {"batch", PCS_TIER_BATCH},
                 {"flex", PCS_TIER_FLEX},        {"priority", PCS_TIER_PRIORITY},      {"fast", PCS_TIER_PRIORITY}};
    char name[32];
    size_t len;
    enum pcs_status status = pcs_api_string(span, field, loc, name, sizeof name, &len, err);
    if (status != PCS_OK)
        return status;
    for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; i++) {
        if (strcmp(name, tiers[i].name) == 0) {
            call->tier = (int)tiers[i].tier;
            return PCS_OK;
        }
    }
    return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                 "unknown service tier \"%s\" (default, auto, standard, scale, batch, flex, "
                                 "priority or fast)",
                                 name);
}

/* ------------------------------------------------------------- usage */

/* Reads span as a count into *out (present members only). */
static enum pcs_status read_count(const struct api_span *span, const char *prefix, const char *key,
                                  const struct record_loc *loc, uint64_t *out, int *present, struct pcs_error *err)
{
    if (!span->p)
        return PCS_OK;
    char field[128];
    enum pcs_status status = pcs_api_count(span, join_field(field, sizeof field, prefix, key), loc, out, err);
    if (status == PCS_OK && present)
        *present = 1;
    return status;
}

enum pcs_status pcs_api_usage_openai(struct api_log_call *call, const struct api_span *usage, const char *field,
                                     const struct record_loc *loc, struct pcs_error *err)
{
    /* Chat Completions' names, then Responses'; LiteLLM adds Anthropic's. */
    static const char *const keys[] = {"prompt_tokens",
                                       "completion_tokens",
                                       "prompt_tokens_details",
                                       "input_tokens",
                                       "output_tokens",
                                       "input_tokens_details",
                                       "cache_read_input_tokens",
                                       "cache_creation_input_tokens",
                                       NULL};
    static const char *const detail_keys[] = {"cached_tokens", "cache_write_tokens", "cache_creation_tokens",
                                              "cache_creation_token_details", NULL};
    static const char *const split_keys[] = {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens", NULL};
    struct api_span v[API_MAX_MEMBERS];
    enum pcs_status status = pcs_api_members(usage, field, keys, v, loc, call->record, err);
    if (status != PCS_OK)
        return status;
    char sub[128];
    uint64_t ignored;
    int cache = 0;
    call->has_usage = 1;
    for (int pair = 0; pair < 2; pair++) {
        const struct api_span *prompt = &v[pair ? 3 : 0];
        const struct api_span *output = &v[pair ? 4 : 1];
        const struct api_span *details = &v[pair ? 5 : 2];
        const char *prompt_key = pair ? "input_tokens" : "prompt_tokens";
        if ((status = read_count(prompt, field, prompt_key, loc, &call->prompt_tokens, &call->has_prompt_tokens,
                                 err)) != PCS_OK ||
            (status = read_count(output, field, pair ? "output_tokens" : "completion_tokens", loc, &call->output_tokens,
                                 NULL, err)) != PCS_OK)
            return status;
        if (!details->p)
            continue;
        struct api_span d[API_MAX_MEMBERS];
        const char *details_field =
            join_field(sub, sizeof sub, field, pair ? "input_tokens_details" : "prompt_tokens_details");
        char details_name[128];
        join_field(details_name, sizeof details_name, "", details_field);
        if ((status = pcs_api_members(details, details_name, detail_keys, d, loc, call->record, err)) != PCS_OK ||
            (status = read_count(&d[0], details_name, "cached_tokens", loc, &call->cache_read, &cache, err)) !=
                PCS_OK ||
            (status = read_count(&d[1], details_name, "cache_write_tokens", loc, &call->cache_write, &cache, err)) !=
                PCS_OK)
            return status;
        if (!d[1].p && (status = read_count(&d[2], details_name, "cache_creation_tokens", loc, &call->cache_write,
                                            &cache, err)) != PCS_OK)
            return status;
        if (d[3].p) {
            struct api_span s[API_MAX_MEMBERS];
            char split_name[160];
            join_field(split_name, sizeof split_name, details_name, "cache_creation_token_details");
            if ((status = pcs_api_members(&d[3], split_name, split_keys, s, loc, call->record, err)) != PCS_OK ||
                (status = read_count(&s[0], split_name, "ephemeral_5m_input_tokens", loc, &call->split_5m,
                                     &call->has_split, err)) != PCS_OK ||
                (status = read_count(&s[1], split_name, "ephemeral_1h_input_tokens", loc, &call->cache_write_1h,
                                     &call->has_split, err)) != PCS_OK)
                return status;
        }
    }
    /* LiteLLM's Usage also carries Anthropic's names; they say the same. */
    if ((status = read_count(&v[6], field, "cache_read_input_tokens", loc, cache ? &ignored : &call->cache_read, &cache,
                             err)) != PCS_OK ||
        (status = read_count(&v[7], field, "cache_creation_input_tokens", loc,
                             call->cache_write ? &ignored : &call->cache_write, &cache, err)) != PCS_OK)
        return status;
    call->has_cache_fields |= cache;
    return PCS_OK;
}

enum pcs_status pcs_api_usage_anthropic(struct api_log_call *call, const struct api_span *usage, const char *field,
                                        const struct record_loc *loc, struct pcs_error *err)
{
    static const char *const keys[] = {"input_tokens",
                                       "output_tokens",
                                       "cache_read_input_tokens",
                                       "cache_creation_input_tokens",
                                       "cache_creation",
                                       "service_tier",
                                       NULL};
    static const char *const split_keys[] = {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens", NULL};
    struct api_span v[API_MAX_MEMBERS];
    enum pcs_status status = pcs_api_members(usage, field, keys, v, loc, call->record, err);
    if (status != PCS_OK)
        return status;
    call->has_usage = 1;
    if ((status = read_count(&v[0], field, "input_tokens", loc, &call->prompt_tokens, &call->has_prompt_tokens, err)) !=
            PCS_OK ||
        (status = read_count(&v[1], field, "output_tokens", loc, &call->output_tokens, NULL, err)) != PCS_OK ||
        (status = read_count(&v[2], field, "cache_read_input_tokens", loc, &call->cache_read, &call->has_cache_fields,
                             err)) != PCS_OK ||
        (status = read_count(&v[3], field, "cache_creation_input_tokens", loc, &call->cache_write,
                             &call->has_cache_fields, err)) != PCS_OK)
        return status;
    if (v[4].p) {
        struct api_span s[API_MAX_MEMBERS];
        char split_name[128];
        join_field(split_name, sizeof split_name, field, "cache_creation");
        if ((status = pcs_api_members(&v[4], split_name, split_keys, s, loc, call->record, err)) != PCS_OK ||
            (status = read_count(&s[0], split_name, "ephemeral_5m_input_tokens", loc, &call->split_5m, &call->has_split,
                                 err)) != PCS_OK ||
            (status = read_count(&s[1], split_name, "ephemeral_1h_input_tokens", loc, &call->cache_write_1h,
                                 &call->has_split, err)) != PCS_OK)
            return status;
    }
    if (v[5].p) {
        char tier_field[128];
        status = pcs_api_tier(call, &v[5], join_field(tier_field, sizeof tier_field, field, "service_tier"), loc, err);
    }
    return status;
}

enum pcs_status pcs_api_cache_control(const struct api_span *span, const char *field, const struct record_loc *loc,
                                      const char *record, uint8_t *flags, struct pcs_error *err)
{
    static const char *const keys[] = {"type", "ttl", NULL};
    struct api_span v[API_MAX_MEMBERS];
    enum pcs_status status = pcs_api_members(span, field, keys, v, loc, record, err);
    if (status != PCS_OK)
        return status;
    *flags = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M;
    if (v[1].p) {
        char ttl[16];
        size_t len;
        char ttl_field[128];
        status = pcs_api_string(&v[1], join_field(ttl_field, sizeof ttl_field, field, "ttl"), loc, ttl, sizeof ttl,
                                &len, err);
        if (status != PCS_OK)
            return status;
        if (strcmp(ttl, "1h") == 0)
            *flags = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H;
        else if (strcmp(ttl, "5m") != 0) /* the two the API sells; another is not taken for either */
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, ttl_field, "expected \"5m\" or \"1h\", got \"%s\"",
                                         ttl);
    }
    return PCS_OK;
}

/* ---------------------------------------------------------- envelope */

/* The time a response (a body, or its first streamed event) says it was
 * created: created (Chat Completions), created_at (Responses), or
 * response.created_at (a Responses stream event). 0: none. */
static enum pcs_status response_time(const struct api_span *response, const struct record_loc *loc, const char *record,
                                     int64_t *t_ms, int *found, struct pcs_error *err)
{
    static const char *const keys[] = {"created", "created_at", "response", NULL};
    struct api_span body = *response;
    const char *field = "response";
    char element_field[32];
    if (span_is(response, '[')) {
        struct js_cursor c;
        span_cursor(response, &c);
        c.p++;
        int first = 1;
        if (pcs_js_next_element(&c, &first) != 1)
            return PCS_OK;
        const char *start = c.p;
        if (pcs_js_skip(&c) != 0)
            return pcs_field_syntax(&c, loc, record, err);
        body = (struct api_span){start, (size_t)(c.p - start)};
        snprintf(element_field, sizeof element_field, "response[0]");
        field = element_field;
    }
    if (!span_is(&body, '{'))
        return PCS_OK;
    struct api_span v[API_MAX_MEMBERS];
    enum pcs_status status = pcs_api_members(&body, field, keys, v, loc, record, err);
    if (status != PCS_OK)
        return status;
    char name[64];
    for (int k = 0; k < 2; k++) {
        if (v[k].p) {
            *found = 1;
            return pcs_api_time(&v[k], join_field(name, sizeof name, field, keys[k]), loc, t_ms, err);
        }
    }
    if (span_is(&v[2], '{')) {
        static const char *const inner_keys[] = {"created_at", NULL};
        struct api_span inner[API_MAX_MEMBERS];
        char inner_field[64];
        join_field(inner_field, sizeof inner_field, field, "response");
        if ((status = pcs_api_members(&v[2], inner_field, inner_keys, inner, loc, record, err)) != PCS_OK)
            return status;
        if (inner[0].p) {
            *found = 1;
            return pcs_api_time(&inner[0], join_field(name, sizeof name, inner_field, "created_at"), loc, t_ms, err);
        }
    }
    return PCS_OK;
}

/* The failure an HTTP status or a status word says. */
static enum pcs_status envelope_status(const struct api_span *span, const struct record_loc *loc, int *failed,
                                       struct pcs_error *err)
{
    if (span_is_string(span)) {
        char word[32];
        size_t len;
        enum pcs_status status = pcs_api_string(span, "status", loc, word, sizeof word, &len, err);
        if (status != PCS_OK)
            return status;
        *failed = strcmp(word, "error") == 0 || strcmp(word, "failure") == 0 || strcmp(word, "failed") == 0;
        return PCS_OK;
    }
    uint64_t code;
    enum pcs_status status = pcs_api_count(span, "status", loc, &code, err);
    if (status != PCS_OK)
        return status;
    *failed = code >= 400;
    return PCS_OK;
}

enum pcs_status pcs_api_envelope(const char *record, size_t len, const char *const *request_keys,
                                 struct api_span *request_values, const struct record_loc *loc,
                                 struct api_envelope *envelope, struct pcs_error *err)
{
    static const char *const keys[] = {"timestamp", "request", "response", "status", "error", NULL};
    struct api_span v[API_MAX_MEMBERS] = {{NULL, 0}};
    const struct nested_walk request = {"request", request_keys, request_values};
    for (size_t k = 0; request_keys[k]; k++)
        request_values[k] = (struct api_span){NULL, 0};
    enum pcs_status status = record_members(record, len, keys, v, loc, &request, err);
    if (status != PCS_OK)
        return status;
    memset(envelope, 0, sizeof *envelope);
    envelope->request = v[1];
    envelope->response = v[2];
    if (!v[1].p)
        return pcs_field_missing(loc, "request", err);
    if (!span_is(&v[1], '{')) {
        struct js_cursor r;
        span_cursor(&v[1], &r);
        return pcs_field_wrong(&r, loc, "request", "an object (the request body)", err);
    }
    if (v[2].p && !span_is(&v[2], '{') && !span_is(&v[2], '[')) {
        struct js_cursor r;
        span_cursor(&v[2], &r);
        return pcs_field_wrong(&r, loc, "response", "an object (the response body) or an array (its stream)", err);
    }
    if (v[3].p && (status = envelope_status(&v[3], loc, &envelope->failed, err)) != PCS_OK)
        return status;
    if (v[4].p)
        envelope->failed = 1;
    if (v[0].p)
        return pcs_api_time(&v[0], "timestamp", loc, &envelope->t_ms, err);
    int found = 0;
    if (v[2].p && (status = response_time(&v[2], loc, record, &envelope->t_ms, &found, err)) != PCS_OK)
        return status;
    if (!found)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "timestamp",
                                     "missing (and the response has no created or created_at)");
    return PCS_OK;
}

enum pcs_status pcs_api_envelope_time(const char *record, size_t len, const struct record_loc *loc, int64_t *t_ms,
                                      struct pcs_error *err)
{
    /* Only the time's members are read; the rest is skipped by its outline
     * and checked in full in pass two. */
    struct js_cursor c;
    pcs_js_init(&c, record, record + len);
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    int first = 1;
    const char *key;
    size_t key_len;
    char key_buf[64];
    int r;
    struct api_span response = {NULL, 0};
    while ((r = pcs_js_next_key_ref(&c, &first, &key, &key_len, key_buf, sizeof key_buf)) == 1) {
        pcs_js_peek(&c);
        const char *start = c.p;
        if (JS_KEY_IS(key, key_len, "timestamp")) {
            if (pcs_js_skip(&c) != 0)
                return pcs_field_syntax(&c, loc, record, err);
            struct api_span span = {start, (size_t)(c.p - start)};
            return pcs_api_time(&span, "timestamp", loc, t_ms, err);
        }
        if (pcs_js_skip_lax(&c) != 0)
            return pcs_field_syntax(&c, loc, record, err);
        if (JS_KEY_IS(key, key_len, "response"))
            response = (struct api_span){start, (size_t)(c.p - start)};
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, record, err);
    int found = 0;
    if (response.p && !(response.len == 4 && memcmp(response.p, "null", 4) == 0)) {
        enum pcs_status status = response_time(&response, loc, record, t_ms, &found, err);
        if (status != PCS_OK)
            return status;
    }
    if (!found)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "timestamp",
                                     "missing (and the response has no created or created_at)");
    return PCS_OK;
}

/* The usage objects of one response body (or streamed event). */
static enum pcs_status body_usage(struct api_log_call *call, const struct api_span *body, const char *field,
                                  enum pcs_status (*read_usage)(struct api_log_call *, const struct api_span *,
                                                                const char *, const struct record_loc *,
                                                                struct pcs_error *),
                                  const struct record_loc *loc, struct pcs_error *err)
{
    static const char *const keys[] = {"usage",  "message", "response", "model", "service_tier",
                                       "status", "error",   "type",     NULL};
    struct api_span v[API_MAX_MEMBERS];
    enum pcs_status status = pcs_api_members(body, field, keys, v, loc, call->record, err);
    if (status != PCS_OK)
        return status;
    char sub[128];
    if (v[3].p && call->model_len == 0 &&
        (status = pcs_api_model(call, &v[3], join_field(sub, sizeof sub, field, "model"), loc, err)) != PCS_OK)
        return status;
    /* The tier that served the call: the response's. */
    if (v[4].p &&
        (status = pcs_api_tier(call, &v[4], join_field(sub, sizeof sub, field, "service_tier"), loc, err)) != PCS_OK)
        return status;
    if (span_is_string(&v[5])) {
        char word[32];
        size_t len;
        if ((status = pcs_api_string(&v[5], join_field(sub, sizeof sub, field, "status"), loc, word, sizeof word, &len,
                                     err)) != PCS_OK)
            return status;
        /* Responses: "failed" or "cancelled"; "incomplete" was answered
         * (and billed) up to a limit. */
        if (strcmp(word, "failed") == 0 || strcmp(word, "cancelled") == 0)
            call->failed = 1;
    }
    if (v[6].p)
        call->failed = 1;
    if (span_is_string(&v[7])) {
        char word[32];
        size_t len;
        if ((status = pcs_api_string(&v[7], join_field(sub, sizeof sub, field, "type"), loc, word, sizeof word, &len,
                                     err)) != PCS_OK)
            return status;
        if (strcmp(word, "error") == 0 || strcmp(word, "response.failed") == 0)
            call->failed = 1;
    }
    if (v[0].p && (status = read_usage(call, &v[0], join_field(sub, sizeof sub, field, "usage"), loc, err)) != PCS_OK)
        return status;
    for (int k = 1; k <= 2; k++) {
        if (span_is(&v[k], '{')) {
            char inner[128];
            join_field(inner, sizeof inner, field, keys[k]);
            if ((status = body_usage(call, &v[k], inner, read_usage, loc, err)) != PCS_OK)
                return status;
        }
    }
    return PCS_OK;
}

enum pcs_status pcs_api_response_usage(struct api_log_call *call, const struct api_span *response,
                                       enum pcs_status (*read_usage)(struct api_log_call *, const struct api_span *,
                                                                     const char *, const struct record_loc *,
                                                                     struct pcs_error *),
                                       const struct record_loc *loc, struct pcs_error *err)
{
    if (!response->p)
        return PCS_OK;
    if (span_is(response, '{'))
        return body_usage(call, response, "response", read_usage, loc, err);
    struct js_cursor c;
    span_cursor(response, &c);
    c.p++;
    int first = 1;
    int r;
    for (size_t i = 0; (r = pcs_js_next_element(&c, &first)) == 1; i++) {
        const char *start = c.p;
        if (pcs_js_skip(&c) != 0)
            return pcs_field_syntax(&c, loc, call->record, err);
        struct api_span element = {start, (size_t)(c.p - start)};
        char field[48];
        index_field(field, sizeof field, "response", i);
        if (!span_is(&element, '{')) {
            struct js_cursor e;
            span_cursor(&element, &e);
            return pcs_field_wrong(&e, loc, field, "a streamed event (an object)", err);
        }
        enum pcs_status status = body_usage(call, &element, field, read_usage, loc, err);
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, call->record, err);
    return PCS_OK;
}

/* ----------------------------------------------------- prompt units */

/* A request's units as they are read: ids and flags in the trace's
 * scratch, token counts in the state (pass two); or all three appended
 * to a worker's store (trace and state NULL). */
struct unit_list {
    struct pcs_trace *trace;
    struct api_log_state *state;
    struct api_log_units *store;
    struct unit_counter *counter;
    pcs_tokenizer *tokenizer;
    uint64_t encoding_mix;
    size_t count;
    uint64_t total; /* C: the counts' sum */
    const struct record_loc *loc;
    const char *record;
};

/* Room for count token counts in the state; -1 when out of memory. */
static int counts_room(struct api_log_state *state, size_t count)
{
    if (count <= state->counts_cap)
        return 0;
    size_t cap = state->counts_cap ? state->counts_cap : 256;
    while (cap < count)
        cap *= 2;
    uint64_t *counts = realloc(state->counts, cap * sizeof *counts);
    if (!counts)
        return -1;
    state->counts = counts;
    state->counts_cap = cap;
    return 0;
}

static enum pcs_status text_room(struct unit_counter *counter, size_t len)
{
    if (len + 1 <= counter->text_cap)
        return PCS_OK;
    size_t cap = counter->text_cap ? counter->text_cap : 4096;
    while (cap < len + 1)
        cap *= 2;
    char *text = realloc(counter->text, cap);
    if (!text)
        return PCS_ERR_NOMEM;
    counter->text = text;
    counter->text_cap = cap;
    return PCS_OK;
}

/* The tokens of text[0..len) by the model's encoding, memoised by id. */
static enum pcs_status unit_tokens(struct unit_list *list, uint64_t id, const char *text, size_t len, uint64_t *tokens,
                                   struct pcs_error *err)
{
    uint64_t key = (id ^ list->encoding_mix) | 1; /* odd: an empty entry never matches */
    if (memo_get(list->counter->memo, key, tokens))
        return PCS_OK;
    enum pcs_status status = pcs_tokenizer_count(list->tokenizer, text, len, tokens, err);
    if (status != PCS_OK)
        return status;
    memo_put(list->counter->memo, key, *tokens);
    list->counter->counted++;
    return PCS_OK;
}

/* Adds a unit: its JSON text as logged (id), the text its tokens are
 * counted from (a string's unescaped bytes when text_span is a string,
 * else the JSON text), and its flags. */
static enum pcs_status add_unit(struct unit_list *list, const char *role, const struct api_span *json,
                                const struct api_span *text_span, uint8_t flags, struct pcs_error *err)
{
    if (list->count >= TRACE_MAX_BOUNDS)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, list->loc, "request", "more than %zu prompt units",
                                     TRACE_MAX_BOUNDS);
    struct api_log_state *state = list->state;
    struct unit_counter *counter = list->counter;
    struct bound_arrays *scratch = NULL;
    if (list->trace && !(scratch = pcs_trace_scratch(list->trace, list->count + 1)))
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (list->store && units_room(list->store, list->store->count + 1) != 0)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (state && counts_room(state, list->count + 1) != 0)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    uint64_t id = XXH3_64bits_withSeed(json->p, json->len, XXH3_64bits_withSeed(role, strlen(role), ROLE_SEED));
    uint64_t memo_key = (id ^ list->encoding_mix) | 1;
    uint64_t tokens;
    enum pcs_status status;
    if (memo_get(counter->memo, memo_key, &tokens)) {
        /* counted before: no need to unescape */
    } else if (span_is_string(text_span)) {
        if (text_room(counter, text_span->len) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        struct js_cursor c;
        size_t len;
        span_cursor(text_span, &c);
        if (pcs_js_string(&c, counter->text, counter->text_cap, &len) != 0)
            return pcs_field_syntax(&c, list->loc, list->record, err);
        if ((status = unit_tokens(list, id, counter->text, len, &tokens, err)) != PCS_OK)
            return status;
    } else if ((status = unit_tokens(list, id, json->p, json->len, &tokens, err)) != PCS_OK) {
        return status;
    }
    if (scratch) {
        scratch->units[list->count] = id;
        scratch->flags[list->count] = flags;
        state->counts[list->count] = tokens;
    } else {
        struct api_log_units *store = list->store;
        store->ids[store->count] = id;
        store->flags[store->count] = flags;
        store->counts[store->count] = tokens;
        store->count++;
    }
    list->total += tokens;
    list->count++;
    return PCS_OK;
}

/* The members a content block is read by. */
static const char *const block_keys[] = {"text", "cache_control", "prompt_cache_breakpoint", NULL};

/* An OpenAI GPT-5.6+ block's prompt_cache_breakpoint, {"mode": "explicit"}
 * (the only mode): a breakpoint at the block's end whose TTL is the
 * request's, which pcsim leaves to the policy (openai-bp: 30 minutes). */
static enum pcs_status prompt_cache_breakpoint(const struct api_span *span, const char *field,
                                               const struct record_loc *loc, const char *record, uint8_t *flags,
                                               struct pcs_error *err)
{
    static const char *const keys[] = {"mode", NULL};
    struct api_span v[API_MAX_MEMBERS];
    enum pcs_status status = pcs_api_members(span, field, keys, v, loc, record, err);
    if (status != PCS_OK)
        return status;
    if (v[0].p) {
        char mode[16], mode_field[192];
        size_t len;
        join_field(mode_field, sizeof mode_field, field, "mode");
        if ((status = pcs_api_string(&v[0], mode_field, loc, mode, sizeof mode, &len, err)) != PCS_OK)
            return status;
        if (strcmp(mode, "explicit") != 0)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, mode_field, "unknown mode \"%s\" (explicit)", mode);
    }
    *flags |= PCS_BOUND_BREAKPOINT;
    return PCS_OK;
}

/* A content block (an object, its block_keys members in v): its
 * cache_control or prompt_cache_breakpoint, and its text when it has a
 * string "text". */
static enum pcs_status add_block(struct unit_list *list, const char *role, const struct api_span *block,
                                 const struct api_span *v, const char *field, struct pcs_error *err)
{
    enum pcs_status status;
    uint8_t flags = 0;
    if (v[1].p) {
        char cc_field[160];
        if ((status = pcs_api_cache_control(&v[1], join_field(cc_field, sizeof cc_field, field, "cache_control"),
                                            list->loc, list->record, &flags, err)) != PCS_OK)
            return status;
    }
    if (v[2].p) {
        char bp_field[192];
        if ((status =
                 prompt_cache_breakpoint(&v[2], join_field(bp_field, sizeof bp_field, field, "prompt_cache_breakpoint"),
                                         list->loc, list->record, &flags, err)) != PCS_OK)
            return status;
    }
    return add_unit(list, role, block, span_is_string(&v[0]) ? &v[0] : block, flags, err);
}

/* The next element of the array at c: an object's members (keys, into v)
 * are read on the way, so that its bytes are walked once; *element is its
 * span. */
static enum pcs_status next_element(struct unit_list *list, struct js_cursor *c, const char *field,
                                    const char *const *keys, struct api_span *v, struct api_span *element,
                                    struct pcs_error *err)
{
    const char *start = c->p;
    if (*start == '{') {
        const char *end;
        enum pcs_status status = walk_members(start, c->end, field, keys, v, list->loc, list->record, &end, err);
        if (status != PCS_OK)
            return status;
        c->p = end;
    } else if (pcs_js_skip(c) != 0) {
        return pcs_field_syntax(c, list->loc, list->record, err);
    }
    *element = (struct api_span){start, (size_t)(c->p - start)};
    return PCS_OK;
}

/* Each element of an array as a block, or a string as one block. */
static enum pcs_status add_blocks(struct unit_list *list, const char *role, const struct api_span *content,
                                  const char *field, struct pcs_error *err)
{
    if (span_is_string(content))
        return add_unit(list, role, content, content, 0, err);
    struct js_cursor c;
    span_cursor(content, &c);
    if (!span_is(content, '['))
        return pcs_field_wrong(&c, list->loc, field, "a string or an array of content blocks", err);
    c.p++;
    int first = 1;
    int r;
    for (size_t i = 0; (r = pcs_js_next_element(&c, &first)) == 1; i++) {
        char block_field[128];
        struct api_span block = {NULL, 0};
        struct api_span v[API_MAX_MEMBERS];
        index_field(block_field, sizeof block_field, field, i);
        enum pcs_status status = next_element(list, &c, block_field, block_keys, v, &block, err);
        if (status != PCS_OK)
            return status;
        /* A string part is its own text. */
        status = span_is(&block, '{') ? add_block(list, role, &block, v, block_field, err)
                                      : add_unit(list, role, &block, &block, 0, err);
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(&c, list->loc, list->record, err);
    return PCS_OK;
}

/* The roles each dialect's messages may have. */
static int role_known(enum api_dialect dialect, const char *role)
{
    static const char *const chat[] = {"system", "developer", "user", "assistant", "tool", "function", NULL};
    static const char *const responses[] = {"system", "developer", "user", "assistant", NULL};
    static const char *const anthropic[] = {"user", "assistant", NULL};
    const char *const *known = dialect == API_OPENAI_CHAT ? chat : dialect == API_ANTHROPIC ? anthropic : responses;
    for (; *known; known++)
        if (strcmp(*known, role) == 0)
            return 1;
    return 0;
}

static const char *roles_text(enum api_dialect dialect)
{
    return dialect == API_OPENAI_CHAT ? "system, developer, user, assistant, tool or function"
           : dialect == API_ANTHROPIC ? "user or assistant"
                                      : "system, developer, user or assistant";
}

/* One message (or Responses input item): its content's blocks, and a
 * chat message's tool calls, each a unit with the message's role; an item
 * without a role (a function call, its output, a reasoning item) is one
 * unit named by its type. */
static const char *const message_keys[] = {"role", "content", "tool_calls", "type", NULL};

/* (Its message_keys members in v.) */
static enum pcs_status add_message(struct unit_list *list, enum api_dialect dialect, const struct api_span *message,
                                   const struct api_span *v, const char *field, struct pcs_error *err)
{
    enum pcs_status status;
    char sub[128];
    char role[32];
    size_t role_len;
    if (!v[0].p) {
        if (dialect == API_OPENAI_RESPONSES && span_is_string(&v[3])) {
            char type[64];
            size_t type_len;
            if ((status = pcs_api_string(&v[3], join_field(sub, sizeof sub, field, "type"), list->loc, type,
                                         sizeof type, &type_len, err)) != PCS_OK)
                return status;
            return add_unit(list, type, message, message, 0, err);
        }
        return pcs_field_missing(list->loc, join_field(sub, sizeof sub, field, "role"), err);
    }
    if ((status = pcs_api_string(&v[0], join_field(sub, sizeof sub, field, "role"), list->loc, role, sizeof role,
                                 &role_len, err)) != PCS_OK)
        return status;
    if (!role_known(dialect, role))
        return pcs_trace_field_error(err, PCS_ERR_PARSE, list->loc, sub, "unknown role \"%s\" (%s)", role,
                                     roles_text(dialect));
    if (v[1].p &&
        (status = add_blocks(list, role, &v[1], join_field(sub, sizeof sub, field, "content"), err)) != PCS_OK)
        return status;
    if (dialect == API_OPENAI_CHAT && span_is(&v[2], '['))
        status = add_blocks(list, role, &v[2], join_field(sub, sizeof sub, field, "tool_calls"), err);
    else if (dialect == API_ANTHROPIC && !v[1].p)
        return pcs_field_missing(list->loc, join_field(sub, sizeof sub, field, "content"), err);
    return status;
}

static enum pcs_status add_messages(struct unit_list *list, enum api_dialect dialect, const struct api_span *messages,
                                    const char *field, struct pcs_error *err)
{
    if (span_is_string(messages)) /* Responses: input as one user string */
        return add_unit(list, "user", messages, messages, 0, err);
    struct js_cursor c;
    span_cursor(messages, &c);
    if (!span_is(messages, '['))
        return pcs_field_wrong(&c, list->loc, field, "an array of messages", err);
    c.p++;
    int first = 1;
    int r;
    for (size_t i = 0; (r = pcs_js_next_element(&c, &first)) == 1; i++) {
        char message_field[96];
        struct api_span message = {NULL, 0};
        struct api_span v[API_MAX_MEMBERS];
        index_field(message_field, sizeof message_field, field, i);
        enum pcs_status status = next_element(list, &c, message_field, message_keys, v, &message, err);
        if (status != PCS_OK)
            return status;
        if (!span_is(&message, '{')) {
            struct js_cursor m;
            span_cursor(&message, &m);
            return pcs_field_wrong(&m, list->loc, message_field, "a message object", err);
        }
        if ((status = add_message(list, dialect, &message, v, message_field, err)) != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(&c, list->loc, list->record, err);
    return PCS_OK;
}

/* The tokenizer of the model's encoding, made when first needed. */
static enum pcs_status tokenizer_for(struct unit_counter *counter, const char *model, pcs_tokenizer **tokenizer,
                                     enum pcs_encoding *encoding, struct pcs_error *err)
{
    *encoding = pcs_encoding_for_model(model);
    if ((unsigned)*encoding >= PCS_ENCODING_COUNT)
        *encoding = PCS_ENCODING_O200K_BASE;
    if (!counter->tokenizers[*encoding]) {
        counter->tokenizers[*encoding] = pcs_tokenizer_new(*encoding, err);
        if (!counter->tokenizers[*encoding])
            return err && err->status != PCS_OK ? err->status : PCS_ERR_NOMEM;
    }
    *tokenizer = counter->tokenizers[*encoding];
    return PCS_OK;
}

/* Units with no tokens after scaling have no bound of their own: the id
 * folds into the next unit's, the breakpoint onto the bound before (the
 * same token position); the bounds' ends then rise strictly. */
static size_t drop_empty_units(struct bound_arrays *scratch, size_t count)
{
    size_t kept = 0;
    uint64_t carried = 0;
    uint32_t previous_end = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t id = scratch->units[i];
        if (carried)
            id = XXH3_64bits_withSeed(&id, sizeof id, carried);
        if (scratch->ends[i] == previous_end) {
            carried = id;
            if (kept && scratch->flags[i])
                scratch->flags[kept - 1] |= scratch->flags[i];
            continue;
        }
        carried = 0;
        scratch->units[kept] = id;
        scratch->ends[kept] = scratch->ends[i];
        scratch->flags[kept] = scratch->flags[i];
        previous_end = scratch->ends[i];
        kept++;
    }
    return kept;
}

/* The call's prompt units, in order, into list (its trace, state and
 * counter set): tools, system, messages. */
static enum pcs_status walk_units(struct unit_list *list, const struct api_log_call *call, struct pcs_error *err)
{
    const struct record_loc *loc = list->loc;
    enum pcs_encoding encoding;
    enum pcs_status status = tokenizer_for(list->counter, call->model, &list->tokenizer, &encoding, err);
    if (status != PCS_OK)
        return status;
    list->encoding_mix = (uint64_t)encoding * 0x9E3779B97F4A7C15ull;
    if (call->tools.p) {
        struct js_cursor c;
        span_cursor(&call->tools, &c);
        if (!span_is(&call->tools, '['))
            return pcs_field_wrong(&c, loc, "request.tools", "an array of tool definitions", err);
        c.p++;
        int first = 1;
        int r;
        for (size_t i = 0; (r = pcs_js_next_element(&c, &first)) == 1; i++) {
            static const char *const keys[] = {"cache_control", NULL};
            char field[64];
            struct api_span tool = {NULL, 0};
            struct api_span v[API_MAX_MEMBERS];
            index_field(field, sizeof field, "request.tools", i);
            if ((status = next_element(list, &c, field, keys, v, &tool, err)) != PCS_OK)
                return status;
            uint8_t flags = 0;
            if (span_is(&tool, '{') && v[0].p) {
                char cc_field[96];
                if ((status =
                         pcs_api_cache_control(&v[0], join_field(cc_field, sizeof cc_field, field, "cache_control"),
                                               loc, call->record, &flags, err)) != PCS_OK)
                    return status;
            }
            /* A definition's tokens: its JSON text as logged. */
            if ((status = add_unit(list, "tool", &tool, &(struct api_span){NULL, 0}, flags, err)) != PCS_OK)
                return status;
        }
        if (r < 0)
            return pcs_field_syntax(&c, loc, call->record, err);
    }
    if (call->system.p) {
        const char *field = call->dialect == API_OPENAI_RESPONSES ? "request.instructions" : "request.system";
        if ((status = add_blocks(list, "system", &call->system, field, err)) != PCS_OK)
            return status;
    }
    if (call->messages.p) {
        const char *field = call->dialect == API_OPENAI_RESPONSES ? "request.input" : "request.messages";
        if ((status = add_messages(list, call->dialect, &call->messages, field, err)) != PCS_OK)
            return status;
    }
    return PCS_OK;
}

/* The bounds of the call's prompt: its units walked now, or as a worker
 * walked and counted them (counted, not NULL). */
static enum pcs_status content_bounds(struct pcs_trace *trace, struct api_log_state *state,
                                      const struct api_log_call *call, const struct api_log_counted *counted,
                                      const struct record_loc *loc, struct pcs_request *req, struct pcs_error *err)
{
    struct unit_list list = {trace, state, NULL, &state->counter, NULL, 0, 0, 0, loc, call->record};
    struct bound_arrays *scratch;
    if (counted) {
        list.count = counted->count;
        if (!(scratch = pcs_trace_scratch(trace, list.count)) || counts_room(state, list.count) != 0)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        if (list.count) {
            memcpy(scratch->units, counted->ids, list.count * sizeof *scratch->units);
            memcpy(scratch->flags, counted->flags, list.count);
            memcpy(state->counts, counted->counts, list.count * sizeof *state->counts);
        }
    } else {
        enum pcs_status status = walk_units(&list, call, err);
        if (status != PCS_OK)
            return status;
        if (!(scratch = pcs_trace_scratch(trace, list.count)))
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    }
    if (list.count == 0) {
        req->bound_count = 0; /* an empty prompt: nothing to cache */
        return PCS_OK;
    }
    if (call->auto_cache)
        scratch->flags[list.count - 1] |= call->auto_cache;
    if (call->implicit_breakpoint) { /* OpenAI's own breakpoint beside the marked ones */
        uint8_t any = 0;
        for (size_t i = 0; i < list.count; i++)
            any |= scratch->flags[i];
        if (any & PCS_BOUND_BREAKPOINT)
            scratch->flags[list.count - 1] |= PCS_BOUND_BREAKPOINT;
    }
    pcs_log_scale_units(state->counts, list.count, req->input_tokens, scratch->ends);
    size_t count = drop_empty_units(scratch, list.count);
    int marked = 0;
    for (size_t i = 0; i < count; i++)
        marked |= scratch->flags[i] != 0;
    req->bound_count = count;
    req->units = scratch->units;
    req->ends = scratch->ends;
    req->flags = marked ? scratch->flags : NULL;
    return PCS_OK;
}

/* ------------------------------------------------------ counts alone */

static enum pcs_status counts_bounds(struct api_log_state *state, const struct api_log_call *call,
                                     struct pcs_request *req, struct pcs_error *err)
{
    struct log_prompt *prompt = &state->lone;
    if (call->has_session) {
        uint32_t index = pcs_hash_find(&state->chain_ids, call->session, 0);
        if (index == PCS_HASH_EMPTY) {
            if (state->chain_count == state->chain_cap) {
                size_t cap = state->chain_cap ? state->chain_cap * 2 : 64;
                struct session_chain *chains = realloc(state->chains, cap * sizeof *chains);
                if (!chains)
                    return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
                state->chains = chains;
                state->chain_cap = cap;
            }
            if (state->chain_count >= UINT32_MAX - 1 ||
                pcs_hash_put(&state->chain_ids, call->session, 0, (uint32_t)state->chain_count) != PCS_OK)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
            index = (uint32_t)state->chain_count++;
            memset(&state->chains[index], 0, sizeof state->chains[index]);
            state->chains[index].session = call->session;
        }
        prompt = &state->chains[index].prompt;
    } else {
        prompt->root = 0; /* no session: every call starts its own chain */
    }
    uint64_t seed[2] = {call->session, state->chains_started};
    uint64_t new_root = XXH3_64bits_withSeed(seed, sizeof seed, CHAIN_SEED) | 1; /* never 0: no chain */
    uint64_t root_before = prompt->root;
    enum pcs_status status = pcs_log_prompt_follow(prompt, req->input_tokens, new_root);
    if (status != PCS_OK)
        return pcs_error_set(err, status, "out of memory");
    if (prompt->root != root_before)
        state->chains_started++; /* the next chain gets another root */
    if (!state->counts_only)
        state->counts_only = (int)call->format;
    req->bound_count = prompt->count;
    req->units = prompt->units;
    req->ends = prompt->ends;
    req->flags = prompt->count ? prompt->flags : NULL;
    return PCS_OK;
}

/* ------------------------------------------------------------ finish */

/* The request from the call (counted: its units as a worker counted
 * them, or NULL). */
static enum pcs_status finish(struct pcs_trace *trace, const struct api_log_call *call,
                              const struct api_log_counted *counted, const struct record_loc *loc,
                              struct pcs_request *req, struct pcs_error *err)
{
    const char *usage_field = call->usage_field ? call->usage_field : "response.usage";
    if (call->model_len == 0) /* LiteLLM's model is the payload's own; the others' the request's */
        return pcs_field_missing(loc, call->format == PCS_FORMAT_LITELLM ? "model" : "request.model", err);
    enum pcs_status status = pcs_trace_model_id(trace, call->model, call->model_len, &req->model);
    if (status != PCS_OK)
        return pcs_error_set(err, status, "out of memory");
    req->ok = (uint8_t)!call->failed;
    if (call->tier >= 0)
        req->tier = (uint8_t)call->tier;
    if (!call->has_usage || !call->has_prompt_tokens) {
        /* A call the provider refused has no usage: nothing was read,
         * written or billed, so it is a request of no tokens. */
        if (call->failed)
            return PCS_OK;
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, usage_field,
                                     call->has_usage ? "no prompt or input token count" : "missing");
    }
    uint64_t input = call->prompt_tokens;
    if (call->dialect == API_ANTHROPIC && !call->usage_field)
        input += call->cache_read + call->cache_write; /* docs/design.md §8: Anthropic's excludes them */
    if (input > PCS_MAX_REQUEST_TOKENS)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, usage_field, "%llu input tokens is too many",
                                     (unsigned long long)input);
    if (call->cache_read > input)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, usage_field,
                                     "%llu cached tokens is more than the %llu input tokens",
                                     (unsigned long long)call->cache_read, (unsigned long long)input);
    if (call->cache_read + call->cache_write > input)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, usage_field,
                                     "cache reads (%llu) and writes (%llu) add up to more than the %llu input tokens",
                                     (unsigned long long)call->cache_read, (unsigned long long)call->cache_write,
                                     (unsigned long long)input);
    if (call->cache_write_1h > call->cache_write)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, usage_field,
                                     "1-hour cache writes (%llu) exceed cache writes (%llu)",
                                     (unsigned long long)call->cache_write_1h, (unsigned long long)call->cache_write);
    if (call->has_split && call->split_5m + call->cache_write_1h != call->cache_write)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, usage_field,
                                     "5-minute (%llu) and 1-hour (%llu) cache writes do not add up to the %llu "
                                     "written",
                                     (unsigned long long)call->split_5m, (unsigned long long)call->cache_write_1h,
                                     (unsigned long long)call->cache_write);
    req->input_tokens = input;
    req->output_tokens = call->output_tokens;
    req->cache_key = call->cache_key;
    req->has_observed = (uint8_t)call->observed;
    req->observed.cache_read = call->cache_read;
    req->observed.cache_write = call->cache_write;
    req->observed.cache_write_1h = call->cache_write_1h;

    struct api_log_state *state = pcs_trace_api_log(trace);
    if (!state)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (call->tools.p || call->system.p || call->messages.p)
        return content_bounds(trace, state, call, counted, loc, req, err);
    return counts_bounds(state, call, req, err);
}

enum pcs_status pcs_api_log_request(struct pcs_trace *trace, const struct api_log_read *read,
                                    const struct api_log_counted *counted, const struct record_loc *loc,
                                    struct pcs_request *req, struct pcs_error *err)
{
    memset(req, 0, sizeof *req);
    req->ok = 1;
    req->t_ms = read->t_ms;
    enum pcs_status status = finish(trace, &read->call, counted, loc, req, err);
    req->ttft_ms = read->ttft_ms;
    /* A prompt logged with its content is units of content blocks, where
     * lookback applies; one rebuilt from counts alone is not (DESIGN §8). */
    req->content_blocks = (uint8_t)(read->call.tools.p || read->call.system.p || read->call.messages.p);
    return status;
}

int pcs_api_log_walks(const struct api_log_call *call)
{
    /* As finish: a call it rejects before its prompt, or finishes without
     * it (no model, no usage, counts alone), has nothing to walk. */
    return call->model_len != 0 && call->has_usage && call->has_prompt_tokens &&
           (call->tools.p || call->system.p || call->messages.p);
}

enum pcs_status pcs_api_log_count_units(struct api_log_counter *counter, const struct api_log_call *call,
                                        const struct record_loc *loc, struct api_log_units *units,
                                        struct pcs_error *err)
{
    size_t before = units->count;
    struct unit_list list = {NULL, NULL, units, &counter->counter, NULL, 0, 0, 0, loc, call->record};
    enum pcs_status status = walk_units(&list, call, err);
    if (status != PCS_OK)
        units->count = before;
    return status;
}

int pcs_api_log_redacted(const struct api_span *span)
{
    return span_is_string(span) && span->len > sizeof redacted_prefix &&
           memcmp(span->p + 1, redacted_prefix, sizeof redacted_prefix - 1) == 0;
}

/* --------------------------------------------------------- detection */

/* What a body's keys say about its provider: +1 Anthropic, -1 OpenAI, 0
 * nothing, the body read to its end; BODY_CUT nothing, the head breaking
 * off inside it (anywhere: a value that does not end is the end of the
 * look). The keys decide; a Claude model name only hints (*hint = +1),
 * because OpenAI-compatible gateways log Chat Completions of Claude models:
 * the hint decides only when no key of any body does. */
#define BODY_CUT 2

/* What the roles of a request's messages say, the cursor at the array's
 * '[': -1 (OpenAI) at the first role only Chat Completions has (Anthropic
 * keeps its system prompt outside messages and has no tool role), 0 when
 * the array ends without one, BODY_CUT when it breaks off first. A first
 * line whose prompt is longer than the head is cut inside its messages,
 * before any key of the response: its roles are all there is to go on. */
static int messages_provider(struct js_cursor *c)
{
    static const char *const openai_roles[] = {"system", "developer", "tool", "function", NULL};
    c->p++;
    int first_message = 1;
    int r;
    while ((r = pcs_js_next_element(c, &first_message)) == 1) {
        if (pcs_js_peek(c) != '{') {
            if (pcs_js_skip(c) != 0)
                return BODY_CUT;
            continue;
        }
        c->p++;
        int first = 1;
        char key[16];
        size_t key_len;
        int k;
        while ((k = pcs_js_next_key(c, &first, key, sizeof key, &key_len)) == 1) {
            char role[16];
            size_t role_len;
            if (strcmp(key, "role") == 0 && pcs_js_peek(c) == '"' &&
                pcs_js_string(c, role, sizeof role, &role_len) == 0) {
                for (const char *const *o = openai_roles; *o; o++)
                    if (strcmp(role, *o) == 0)
                        return -1;
                continue;
            }
            if (pcs_js_skip(c) != 0)
                return BODY_CUT;
        }
        if (k != 0)
            return BODY_CUT;
    }
    return r == 0 ? 0 : BODY_CUT;
}

static int body_provider(struct js_cursor *c, int is_response, int *hint)
{
    static const char *const anthropic_keys[] = {"system",         "anthropic_version",
                                                 "anthropic_beta", "stop_sequence",
                                                 "stop_reason",    "cache_control",
                                                 "top_k",          "stop_sequences",
                                                 "thinking",       NULL};
    static const char *const openai_keys[] = {"input",
                                              "instructions",
                                              "prompt_cache_key",
                                              "response_format",
                                              "stream_options",
                                              "max_completion_tokens",
                                              "reasoning_effort",
                                              "previous_response_id",
                                              "object",
                                              "choices",
                                              "system_fingerprint",
                                              "created",
                                              "created_at",
                                              NULL};
    int first = 1;
    char key[64];
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key(c, &first, key, sizeof key, &key_len)) == 1) {
        for (const char *const *k = anthropic_keys; *k; k++)
            if (strcmp(key, *k) == 0)
                return 1;
        for (const char *const *k = openai_keys; *k; k++)
            if (strcmp(key, *k) == 0)
                return -1;
        if (!is_response && strcmp(key, "messages") == 0 && pcs_js_peek(c) == '[') {
            int said = messages_provider(c);
            if (said != 0)
                return said;
            continue;
        }
        if (strcmp(key, "model") == 0 || (is_response && strcmp(key, "type") == 0)) {
            char value[64];
            size_t value_len;
            if (pcs_js_peek(c) != '"' || pcs_js_string(c, value, sizeof value, &value_len) != 0)
                return BODY_CUT;
            if (strcmp(key, "model") == 0) {
                /* "claude-…", and as clouds name it, "anthropic.claude-…" */
                if (strstr(value, "claude"))
                    *hint = 1;
                continue;
            }
            if (strcmp(value, "message") == 0 || strncmp(value, "message_", 8) == 0)
                return 1;
            if (strncmp(value, "response.", 9) == 0)
                return -1;
            continue;
        }
        if (pcs_js_skip(c) != 0)
            return BODY_CUT;
    }
    return r == 0 ? 0 : BODY_CUT;
}

void pcs_api_detect_envelope(const char *head, size_t len, int anthropic, struct detect_verdict *verdict)
{
    snprintf(verdict->looked_for, sizeof verdict->looked_for, "JSON with request, %s",
             anthropic ? "a Messages body" : "an OpenAI body");
    verdict->fits = 0;
    verdict->rank = 0;
    struct js_cursor c;
    size_t start = len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    pcs_js_init(&c, head + start, head + len);
    if (pcs_js_expect(&c, '{') != 0)
        return;
    int first = 1;
    char key[64];
    size_t key_len;
    int envelope = 0;
    int provider = 0;
    int hint = 0;
    while (provider == 0 && pcs_js_next_key(&c, &first, key, sizeof key, &key_len) == 1) {
        int is_request = strcmp(key, "request") == 0;
        int is_response = strcmp(key, "response") == 0;
        char ch = pcs_js_peek(&c);
        if ((is_request || is_response) && ch == '{') {
            c.p++;
            envelope = 1;
            provider = body_provider(&c, is_response, &hint);
            if (provider == BODY_CUT)
                break;
            continue; /* a body read whole that said nothing: the other may */
        }
        if (is_response && ch == '[') {
            /* A stream: its first event decides; the cursor stays inside. */
            c.p++;
            int first_element = 1;
            if (pcs_js_next_element(&c, &first_element) == 1 && pcs_js_peek(&c) == '{') {
                c.p++;
                envelope = 1;
                provider = body_provider(&c, 1, &hint);
            }
            break;
        }
        if (pcs_js_skip(&c) != 0)
            break;
    }
    if (provider == BODY_CUT || provider == 0)
        provider = hint;
    if (!envelope)
        return; /* no request or response body */
    verdict->fits = anthropic ? provider > 0 : provider <= 0;
}

/* LiteLLM's StandardLoggingPayload: keys no other format has. */
void pcs_api_detect_litellm(const char *head, size_t len, struct detect_verdict *verdict)
{
    static const char *const keys[] = {"startTime",        "call_type",     "response_cost",
                                       "model_parameters", "hidden_params", NULL};
    pcs_trace_detect_json_keys(head, len, keys, verdict);
    if (verdict->fits)
        verdict->rank = 0; /* decisive: only LiteLLM's payload has these */
}

enum pcs_status pcs_api_member_lax(const char *record, size_t len, const char *key, const struct record_loc *loc,
                                   struct api_span *value, struct pcs_error *err)
{
    struct js_cursor c;
    pcs_js_init(&c, record, record + len);
    value->p = NULL;
    value->len = 0;
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    size_t want = strlen(key);
    int first = 1;
    const char *name;
    size_t name_len;
    char name_buf[64];
    int r;
    while ((r = pcs_js_next_key_ref(&c, &first, &name, &name_len, name_buf, sizeof name_buf)) == 1) {
        pcs_js_peek(&c);
        const char *start = c.p;
        if (name_len == want && memcmp(name, key, want) == 0) {
            if (pcs_js_skip(&c) != 0)
                return pcs_field_syntax(&c, loc, record, err);
            if (!(c.p - start == 4 && memcmp(start, "null", 4) == 0))
                *value = (struct api_span){start, (size_t)(c.p - start)};
            return PCS_OK;
        }
        if (pcs_js_skip_lax(&c) != 0)
            return pcs_field_syntax(&c, loc, record, err);
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, record, err);
    return PCS_OK;
}
