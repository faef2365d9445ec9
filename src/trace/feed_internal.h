/* A trace fed its requests instead of reading them (internal to the
 * library: src/trace gives it, src/dist's sharded replay uses it).
 *
 * A sharded replay (docs/design.md §11) reads a part of the files on each
 * rank and sends each request to the rank that owns its prefix root; that
 * rank then replays the requests it was sent, in time order, through the
 * same replay loop as any trace. The trace that read the part becomes that
 * feed: it keeps its files (paths, formats, what they lack) and skips, so
 * that places and reports read as the whole trace's, and yields the
 * requests its owner gives it.
 *
 * Contract (the rules are in pcsim/status.h): as pcsim/trace.h; a feed is
 * read by one thread at a time. */
#ifndef PCSIM_TRACE_FEED_INTERNAL_H
#define PCSIM_TRACE_FEED_INTERNAL_H

#include <stdint.h>

#include "pcsim/trace.h"

/* Gives the next request into *req (its arrays valid until the next call)
 * and its model's name, name[0..len) (after --model-map, as read), or
 * returns PCS_END when there is none, or an error with err filled. */
typedef enum pcs_status (*pcs_trace_feed_fn)(void *context, struct pcs_request *req, const char **name, size_t *len,
                                             struct pcs_error *err);

/* Turns trace into a feed: from now on pcs_trace_next returns what next
 * gives, with req->model the trace's id for the name given, ids dense in
 * order of first appearance (the models read before are forgotten), and
 * pcs_trace_request_count returns count (the requests the feed will give).
 * context must outlive the trace's reading. */
void pcs_trace_feed(pcs_trace *trace, pcs_trace_feed_fn next, void *context, uint64_t count);

/* The skip messages kept (the first in file order, at most 20): how many,
 * and message i with its place (file index; line or top-level request
 * << 32 | subagent request), for sending to the rank that reports. */
size_t pcs_trace_skip_message_count(const pcs_trace *trace);
const char *pcs_trace_skip_message(const pcs_trace *trace, size_t i, uint32_t *file, uint64_t *position);

/* Adds skips another part found: count records, and one message at its
 * place (the first in file order kept, as the trace's own). PCS_ERR_NOMEM
 * or PCS_OK. */
void pcs_trace_add_skipped(pcs_trace *trace, uint64_t count);
enum pcs_status pcs_trace_add_skip_message(pcs_trace *trace, uint32_t file, uint64_t position, const char *message);

#endif
