/* Request logs of API calls: what the openai-log, anthropic-log and litellm
 * readers share (src/trace only).
 *
 * A reader walks its line with the scanner (the envelope once, its request
 * body read on the way; each message and block once more) and fills a
 * struct api_log_call: the call's time, model, session, usage (as the provider
 * reported it) and where in the line its prompt is (spans of the logged
 * JSON, never copied). pcs_api_log_request then turns the call into a
 * request by the rules of docs/design.md §8: usage normalised, observed
 * cache usage kept, and the prompt's prefix identity from its content
 * when the log carries it, else from counts alone, chained per session.
 * docs/formats.md lists every field read and where its meaning comes from.
 *
 * Prompt units are read in place; the only copies are a text's unescaped
 * bytes (for the token counter) in a buffer the trace keeps. Token counts
 * are memoised by unit id in a table of fixed size, so a chat that re-sends
 * its history counts each turn's units once, and memory does not grow with
 * the file.
 *
 * Threads: reading a call (a format's read_call, the pcs_api_* readers
 * below) touches nothing shared, so any thread may read lines. Finishing
 * (pcs_api_log_request) uses the trace's state: pass two's one thread, in
 * trace order. In between, a worker (pcs_api_log_counter, one thread at a
 * time each) may walk a call's prompt units and count their tokens ahead
 * of pass two (pcs_api_log_count_units, log_feed.h); the memo of counts is
 * shared by all of them without a lock (entries checked on read), and a
 * count is a function of its unit alone, so the requests do not depend on
 * which thread counted what.
 *
 * Errors: PCS_ERR_PARSE or PCS_ERR_RANGE with "path:line: field F:
 * problem" (F the member's path in the line, "request.messages[3].role"),
 * PCS_ERR_NOMEM; err filled. */
#ifndef PCSIM_TRACE_API_LOG_H
#define PCSIM_TRACE_API_LOG_H

#include "fields.h"

/* A JSON value's bytes in the record; p == NULL: absent (or null). */
struct api_span {
    const char *p;
    size_t len;
};

/* Whose shape the prompt has. */
enum api_dialect {
    API_OPENAI_CHAT,      /* Chat Completions: messages[] with role and content */
    API_OPENAI_RESPONSES, /* Responses: instructions, input (a string or items) */
    API_ANTHROPIC         /* Messages: system, messages[] of content blocks */
};

/* One call as a reader found it. Counts are what the provider reported;
 * has_* say which were there. */
struct api_log_call {
    enum pcs_trace_format format; /* the reader's */
    enum api_dialect dialect;
    int64_t t_ms;
    char model[FIELD_MODEL_MAX];
    size_t model_len; /* 0: none found */
    int has_session;
    uint64_t session;   /* hash of the session's name */
    uint64_t cache_key; /* the request's cache key (pcs_request_cache_key_hash), 0: none */
    /* Usage. OpenAI and LiteLLM: prompt = every prompt token; Anthropic:
     * prompt = input_tokens, which leaves the cache tokens out. */
    int has_usage;
    int has_prompt_tokens;
    uint64_t prompt_tokens;
    uint64_t output_tokens;
    int has_cache_fields; /* the usage said something about caching */
    uint64_t cache_read;
    uint64_t cache_write;
    uint64_t cache_write_1h;
    int has_split; /* Anthropic cache_creation.{ephemeral_5m,1h}_input_tokens */
    uint64_t split_5m;
    int failed;
    int tier; /* enum pcs_tier, or -1: not said */
    /* The prompt, in the provider's order; all absent: counts alone. */
    struct api_span tools;    /* array: a unit per definition */
    struct api_span system;   /* string, or array of blocks (Anthropic system) */
    struct api_span messages; /* array of messages or items, or a string (Responses input) */
    uint8_t auto_cache;       /* a top-level cache_control's PCS_BOUND_* flags, 0: none */
    /* OpenAI GPT-5.6+ prompt_cache_options.mode "implicit" (the default):
     * besides the blocks marked with prompt_cache_breakpoint, OpenAI writes
     * at the end of the newest message, taken as the last unit. */
    uint8_t implicit_breakpoint;
    const char *record;      /* the line, for messages about malformed JSON */
    const char *usage_field; /* where usage belongs, for "missing" */
    int observed;            /* the provider's cache usage is known (0: LiteLLM without it) */
};

void pcs_api_log_call_init(struct api_log_call *call, enum pcs_trace_format format, enum api_dialect dialect,
                           const char *record);

/* Walks the object in span (named field in messages; "" for the record
 * itself) and sets values[i] to the span of keys[i] (NULL-terminated; at
 * most 16), NULL when absent or null. Every value is checked as JSON; one
 * of keys appearing twice is an error (pass one, reading the time alone,
 * and pass two would otherwise take different ones). */
enum pcs_status pcs_api_members(const struct api_span *span, const char *field, const char *const *keys,
                                struct api_span *values, const struct record_loc *loc, const char *record,
                                struct pcs_error *err);

/* pcs_api_members on the record itself, which must be a JSON object and
 * end the line. */
enum pcs_status pcs_api_record_members(const char *record, size_t len, const char *const *keys, struct api_span *values,
                                       const struct record_loc *loc, struct pcs_error *err);

/* The time: a number of epoch seconds, or an ISO 8601 string with offset. */
enum pcs_status pcs_api_time(const struct api_span *span, const char *field, const struct record_loc *loc,
                             int64_t *t_ms, struct pcs_error *err);

/* A token count (an integer >= 0) at span. */
enum pcs_status pcs_api_count(const struct api_span *span, const char *field, const struct record_loc *loc,
                              uint64_t *count, struct pcs_error *err);

/* A string at span unescaped into buf (cap bytes, NUL-terminated). */
enum pcs_status pcs_api_string(const struct api_span *span, const char *field, const struct record_loc *loc, char *buf,
                               size_t cap, size_t *len, struct pcs_error *err);

/* The call's model from a string span; the session's hash from a string span. */
enum pcs_status pcs_api_model(struct api_log_call *call, const struct api_span *span, const char *field,
                              const struct record_loc *loc, struct pcs_error *err);
enum pcs_status pcs_api_session(struct api_log_call *call, const struct api_span *span, const char *field,
                                const struct record_loc *loc, struct pcs_error *err);

/* An OpenAI prompt_cache_key from a string span: the call's cache key and,
 * as pcs_api_session, its session (an empty key is neither). */
enum pcs_status pcs_api_cache_key(struct api_log_call *call, const struct api_span *span, const char *field,
                                  const struct record_loc *loc, struct pcs_error *err);

/* service_tier as OpenAI and Anthropic spell it: "batch", "flex",
 * "priority" (and OpenAI's "fast", served as priority); "default", "auto",
 * "standard", "standard_only", "scale" are standard. */
enum pcs_status pcs_api_tier(struct api_log_call *call, const struct api_span *span, const char *field,
                             const struct record_loc *loc, struct pcs_error *err);

/* OpenAI usage (Chat Completions' CompletionUsage or Responses'
 * ResponseUsage; LiteLLM's Usage): fields present overwrite the call's, so
 * a stream's usage objects may be read one after another. */
enum pcs_status pcs_api_usage_openai(struct api_log_call *call, const struct api_span *usage, const char *field,
                                     const struct record_loc *loc, struct pcs_error *err);

/* Anthropic's Usage, the same way. */
enum pcs_status pcs_api_usage_anthropic(struct api_log_call *call, const struct api_span *usage, const char *field,
                                        const struct record_loc *loc, struct pcs_error *err);

/* A cache_control object's flags: PCS_BOUND_BREAKPOINT with TTL_1H when
 * its ttl is "1h", TTL_5M when it is "5m" or absent; another ttl is an
 * error naming field.ttl. A block's cache_control marks the block, a
 * request's top-level one (automatic caching) the prompt's last unit. */
enum pcs_status pcs_api_cache_control(const struct api_span *span, const char *field, const struct record_loc *loc,
                                      const char *record, uint8_t *flags, struct pcs_error *err);

/* The envelope of openai-log and anthropic-log: {"timestamp", "request",
 * "response", "status", "error"}; the request body's request_keys members
 * (into request_values, read as the line is walked), the spans of request
 * and response (a body, or an array of streamed events), the time (timestamp, else the
 * response's created / created_at) and whether the call failed (status
 * >= 400 or "error", an "error" member). */
struct api_envelope {
    struct api_span request;
    struct api_span response;
    int64_t t_ms;
    int failed;
};
enum pcs_status pcs_api_envelope(const char *record, size_t len, const char *const *request_keys,
                                 struct api_span *request_values, const struct record_loc *loc,
                                 struct api_envelope *envelope, struct pcs_error *err);

/* The envelope's time alone, for pass one. */
enum pcs_status pcs_api_envelope_time(const char *record, size_t len, const struct record_loc *loc, int64_t *t_ms,
                                      struct pcs_error *err);

/* For each element of a streamed response (an array), or the response
 * itself: the usage objects it carries (usage, message.usage,
 * response.usage), in order, to read with read_usage; and the model
 * (model, message.model, response.model) if the call has none yet. */
enum pcs_status pcs_api_response_usage(struct api_log_call *call, const struct api_span *response,
                                       enum pcs_status (*read_usage)(struct api_log_call *, const struct api_span *,
                                                                     const char *, const struct record_loc *,
                                                                     struct pcs_error *),
                                       const struct record_loc *loc, struct pcs_error *err);

/* A call as a format's read_call read it from its line (spans into the
 * line, which must outlive it). */
struct api_log_read {
    struct api_log_call call;
    int64_t t_ms;
    int64_t ttft_ms; /* time to first token, 0: not known */
};

/* A call's prompt units as a worker walked and counted them: ids (as
 * pass two makes them), PCS_BOUND_* flags and token counts, in order. */
struct api_log_counted {
    const uint64_t *ids;
    const uint8_t *flags;
    const uint64_t *counts;
    size_t count;
};

/* The request from the call (pass two only): time, model, usage
 * normalised and checked, observed usage, tier, ok, and the prompt's
 * bounds (in the trace's scratch, valid until the next record is parsed),
 * its units walked now or, when counted is not NULL, as counted. The
 * request and the error are the same either way. */
enum pcs_status pcs_api_log_request(struct pcs_trace *trace, const struct api_log_read *read,
                                    const struct api_log_counted *counted, const struct record_loc *loc,
                                    struct pcs_request *req, struct pcs_error *err);

/* 1 if span is the text LiteLLM logs in place of a prompt it was told
 * not to log ("redacted by litellm. ..."). */
int pcs_api_log_redacted(const struct api_span *span);

/* The top-level member key of the record (an object), other members
 * skipped by their outline only (pass one); value->p NULL when absent. */
enum pcs_status pcs_api_member_lax(const char *record, size_t len, const char *key, const struct record_loc *loc,
                                   struct api_span *value, struct pcs_error *err);

/* Detection (see detect.h): an envelope whose first body is a Messages
 * body (anthropic 1) or not (0); LiteLLM's payload by its own keys. Both
 * decisive (rank 0) when they fit. */
void pcs_api_detect_envelope(const char *head, size_t len, int anthropic, struct detect_verdict *verdict);
void pcs_api_detect_litellm(const char *head, size_t len, struct detect_verdict *verdict);

/* The state pass two keeps for the logs of one trace (session chains,
 * token counts, scratch); created by pcs_trace_api_log (trace.c). */
struct api_log_state;
struct api_log_state *pcs_api_log_state_new(void);
void pcs_api_log_state_free(struct api_log_state *state);
/* The format (enum pcs_trace_format) of the first request whose prefix
 * came from counts alone, or 0 (none yet; state may be NULL). */
int pcs_api_log_state_counts_only(const struct api_log_state *state);
/* Units pass two tokenized itself (its memo misses; state may be NULL). */
uint64_t pcs_api_log_state_counted(const struct api_log_state *state);

/* A worker's counter: its own tokenizers and text buffer over the state's
 * memo (which must outlive it). NULL when out of memory. Made and freed
 * on any thread; used by one thread at a time. */
struct api_log_counter;
struct api_log_counter *pcs_api_log_counter_new(struct api_log_state *state);
void pcs_api_log_counter_free(struct api_log_counter *counter);
/* Units the counter tokenized itself (its memo misses). */
uint64_t pcs_api_log_counter_counted(const struct api_log_counter *counter);

/* Where a worker keeps the units it counted, many calls' one after
 * another (grown as needed; count is where the next call's go). */
struct api_log_units {
    uint64_t *ids;
    uint8_t *flags;
    uint64_t *counts;
    size_t count;
    size_t cap;
};
void pcs_api_log_units_free(struct api_log_units *units);

/* 1 if pcs_api_log_request would walk the call's prompt units (it has a
 * model, usage with a prompt count, and a prompt). */
int pcs_api_log_walks(const struct api_log_call *call);

/* Walks the call's prompt units as pcs_api_log_request would and appends
 * them, counted, to units (any thread, with its own counter). On an error
 * (the one pass two would report for these units, but loc's line may not
 * be known here) units is left as it was. */
enum pcs_status pcs_api_log_count_units(struct api_log_counter *counter, const struct api_log_call *call,
                                        const struct record_loc *loc, struct api_log_units *units,
                                        struct pcs_error *err);

#endif
