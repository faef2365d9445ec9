/* Prefix identity for request logs (docs/design.md §8), shared by the log
 * readers (src/trace only).
 *
 * From content: a prompt's units (tools, system, content blocks) are
 * counted with a BPE, then the counts are scaled so the units sum exactly
 * to the input the provider logged (pcs_log_scale_units).
 *
 * From counts alone: a request's prompt is its predecessor's on the same
 * chain plus one new unit of the tokens it adds, or a new chain when it is
 * shorter (compaction, an edited history). Unit ids hash (chain root,
 * position), so two chains never share a prefix; each prompt's last unit
 * is its breakpoint. struct log_prompt holds one chain's latest prompt.
 *
 * Not thread-safe per object; no globals. Units: tokens. */
#ifndef PCSIM_TRACE_LOG_UNITS_H
#define PCSIM_TRACE_LOG_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

/* Scales counts[0..n) (n >= 1) to sum exactly to total and writes the
 * units' cumulative ends into ends[0..n): unit i gets floor(c_i total / C)
 * and the tokens left go one each to the largest fractional parts (ties:
 * the earlier unit); C = sum c_i = 0 puts all of total on the last unit.
 * Each count and total are below 2^32 (a line's text and
 * PCS_MAX_REQUEST_TOKENS bound them), the sum of counts too. Units scaled to 0 tokens keep an end
 * equal to the one before (the caller drops them: bounds strictly
 * increase). */
void pcs_log_scale_units(const uint64_t *counts, size_t n, uint64_t total, uint32_t *ends);

/* One chain's latest prompt, from counts alone. Start from {0} (no chain);
 * pcs_log_prompt_free releases it. units/ends/flags hold count bounds,
 * ready for a pcs_request (flags: the last is PCS_BOUND_BREAKPOINT). */
struct log_prompt {
    uint64_t root;  /* the chain's root (0: no prompt yet) */
    uint64_t input; /* the latest prompt's tokens */
    size_t count;
    size_t cap;
    uint64_t *units;
    uint32_t *ends;
    uint8_t *flags;
};

/* The prompt of the chain's next request, of input tokens: the prompt
 * plus one unit of input - p->input tokens when input > p->input, the same
 * prompt when equal, and a new chain rooted at new_root (!= 0; the caller
 * makes it unique, say a hash of the request's place) of one unit when
 * input is less or there is no prompt yet. input 0 gives no bounds.
 * PCS_ERR_NOMEM (p unchanged) or PCS_OK. */
enum pcs_status pcs_log_prompt_follow(struct log_prompt *p, uint64_t input, uint64_t new_root);

/* The id of unit position of the chain rooted at root. */
uint64_t pcs_log_chain_unit(uint64_t root, uint64_t position);

void pcs_log_prompt_free(struct log_prompt *p);

#endif
