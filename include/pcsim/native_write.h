/* pcsim: writing requests as native JSONL (docs/formats.md, "Native trace
 * format"), the format every trace can be turned into.
 *
 * A line holds what a replay reads of a request and nothing else: the time
 * (seconds, printed so that the reader's llround(t * 1000) gives the same
 * t_ms back), the model's name, input and output tokens, the prompt as
 * segments (one per bound: its unit id in hex, its tokens the difference of
 * two ends, "cache" on a breakpoint: its "5m" or "1h" marker, or true when
 * it has none), the session when the request has a namespace of its own,
 * the task, attempt, outcome and tier when they differ from the defaults,
 * the time to first token when known (seconds, exact as t), what the
 * provider observed when the request carries it, and "content_blocks":
 * false when the prompt's units are blocks of a block trace (Mooncake,
 * Claude-Code sessions), which segments would otherwise read back as. No prompt text is ever
 * written: unit ids are the reader's hashes or ids.
 *
 * Reading the lines back gives the same replay: the reader hashes each
 * segment id again, which keeps equal units equal and distinct ones
 * distinct; every namespace gets a session name of its own (checked, so
 * that two namespaces never share one after the reader hashes the names),
 * and the global namespace none.
 *
 * Contract (the rules are in pcsim/status.h). A writer is used by one
 * thread at a time. It owns its line buffer and its table of session
 * names; the FILE stays the caller's. Errors: PCS_ERR_IO when a write
 * fails, PCS_ERR_RANGE for a request no line can carry (a time below 0 or
 * one whose seconds do not read back to the same millisecond; the message
 * names the request's place, pcs_trace_request_place), PCS_ERR_NOMEM. */
#ifndef PCSIM_NATIVE_WRITE_H
#define PCSIM_NATIVE_WRITE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "pcsim/request.h"
#include "pcsim/status.h"
#include "pcsim/trace.h"

typedef struct pcs_native_writer pcs_native_writer;

/* A writer of lines to out (which must outlive it). NULL with err filled
 * (PCS_ERR_NOMEM) on failure. */
pcs_native_writer *pcs_native_writer_new(FILE *out, struct pcs_error *err);

/* Writes req, read from trace (its model names), as one line. Requests are
 * written in the order given: give them in time order (as pcs_trace_next
 * yields them) and the file reads back in that order. */
enum pcs_status pcs_native_writer_put(pcs_native_writer *writer, const pcs_trace *trace, const struct pcs_request *req,
                                      struct pcs_error *err);

/* As pcs_native_writer_put, for a request that comes from no trace (a
 * generated trial, pcsim/gen.h): model_name names req's model, and an error
 * names the request as "SOURCE: line N" (N: the line it would have been). */
enum pcs_status pcs_native_writer_put_named(pcs_native_writer *writer, const char *model_name, const char *source,
                                            const struct pcs_request *req, struct pcs_error *err);

/* Lines written so far. */
uint64_t pcs_native_writer_count(const pcs_native_writer *writer);

void pcs_native_writer_free(pcs_native_writer *writer); /* NULL is a no-op */

/* Every request of trace, in time order, written to out: a writer's loop.
 * Stops early, returning PCS_END, when *stop (may be NULL) becomes nonzero
 * (a signal handler's flag). *written (may be NULL) counts the lines
 * written, also on failure. Errors are pcs_trace_next's and the writer's. */
enum pcs_status pcs_native_write_trace(pcs_trace *trace, FILE *out, const volatile sig_atomic_t *stop,
                                       uint64_t *written, struct pcs_error *err);

#endif
