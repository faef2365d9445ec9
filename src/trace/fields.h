/* Field parsers shared by the trace formats: each converts one JSON value
 * with range checks and, on failure, fills err with
 * "LOC: field NAME: problem". Internal to src/trace. */
#ifndef PCSIM_TRACE_FIELDS_H
#define PCSIM_TRACE_FIELDS_H

#include "json_scan.h"
#include "trace_internal.h"

/* A token count: an integer in [0, PCS_MAX_REQUEST_TOKENS]. */
enum pcs_status pcs_field_tokens(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t *out,
                                 struct pcs_error *err);

/* A positive integer no larger than max. */
enum pcs_status pcs_field_positive(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t max,
                                   uint64_t *out, struct pcs_error *err);

/* A time field: a non-negative number of unit_ms milliseconds (1 for ms,
 * 1000 for seconds) plus base_seconds, to t_ms = llround(seconds * 1000);
 * integral times are converted exactly. */
enum pcs_status pcs_field_time(struct js_cursor *c, const struct record_loc *loc, const char *field,
                               double base_seconds, int64_t unit_ms, int64_t *t_ms, struct pcs_error *err);

/* A time to first token: a non-negative number of seconds, to *ms
 * (llround(seconds * 1000)). */
enum pcs_status pcs_field_ttft(struct js_cursor *c, const struct record_loc *loc, const char *field, int64_t *ms,
                               struct pcs_error *err);

/* A model name, interned into *model. */
enum pcs_status pcs_field_model(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                                const char *field, uint32_t *model, struct pcs_error *err);

#define FIELD_MODEL_MAX 256
/* A model name, unescaped into name[0..*len) (FIELD_MODEL_MAX bytes). */
enum pcs_status pcs_field_model_name(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                     char name[FIELD_MODEL_MAX], size_t *len, struct pcs_error *err);

/* An array of non-negative integer ids: *ids and *count set. Without a
 * store the ids are in the trace's scratch units; with one they are at
 * store->ids[store->prev_at ..] (see struct ids_store), and *ids is valid
 * until the store grows. trace is used only without a store. */
enum pcs_status pcs_field_hash_ids(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                                   const char *field, struct ids_store *store, const uint64_t **ids, size_t *count,
                                   struct pcs_error *err);

/* Checks that count hash_ids over blocks of block tokens fit in input
 * tokens (see pcs_field_block_ends). */
enum pcs_status pcs_field_ids_fit(const struct record_loc *loc, const char *field, size_t count, uint64_t block,
                                  uint64_t input, int partial_last, struct pcs_error *err);

/* Ends for count hash_ids over blocks of block tokens, in the trace's
 * block-ends table (*ends; valid until the next record is parsed):
 * partial_last: bound i ends at min(block * (i + 1), input), and ids must
 *   not outnumber ceil(input / block) (Mooncake, native);
 * otherwise: every id is a full block, block * count <= input (Claude-Code). */
enum pcs_status pcs_field_block_ends(struct pcs_trace *trace, const struct record_loc *loc, const char *field,
                                     size_t count, uint64_t block, uint64_t input, int partial_last,
                                     const uint32_t **ends, struct pcs_error *err);

/* Errors for a value of the wrong kind, a missing field, a duplicate one. */
enum pcs_status pcs_field_wrong(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                const char *expected, struct pcs_error *err);
enum pcs_status pcs_field_missing(const struct record_loc *loc, const char *field, struct pcs_error *err);
enum pcs_status pcs_field_syntax(struct js_cursor *c, const struct record_loc *loc, const char *record,
                                 struct pcs_error *err);

/* A time that may also be an ISO 8601 string with its offset (native "t",
 * log timestamps; see pcs_iso8601_to_ms): a string is converted to Unix
 * milliseconds, anything else as pcs_field_time converts seconds. */
enum pcs_status pcs_field_time_or_iso(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                      int64_t *t_ms, struct pcs_error *err);

/* Finds the top-level field key of the record (an object) and converts it
 * with pcs_field_time (pcs_field_time_or_iso when iso_ok and unit_ms is
 * 1000). Other fields are skipped by their outline only: the
 * record is validated when parsed. */
enum pcs_status pcs_field_find_time(const char *record, size_t len, const char *key, int64_t unit_ms, int iso_ok,
                                    const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err);

/* After the record's closing brace only whitespace may follow. */
enum pcs_status pcs_field_record_end(struct js_cursor *c, const struct record_loc *loc, struct pcs_error *err);

#endif
