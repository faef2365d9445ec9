/* Reading a request log ahead on worker threads, for the one-pass reader
 * (src/trace only: trace.c's pass two uses it; docs/design.md §8).
 *
 * Most of a content-form log's reading is per line and needs nothing
 * from the lines before: scanning the JSON, walking the prompt's units,
 * counting the tokens of units not in the memo. Only finishing a call
 * (usage, scaling, a session's chain, the trace's models) must go in
 * trace order. So workers take the file in chunks of whole lines (a chunk
 * each in turn, at most two per worker ahead of pass two, so memory does
 * not grow with the file), read each line's call and count its units,
 * and pass two takes the lines back in file order and finishes them.
 *
 * A line a worker could not read is handed back as text alone: pass two
 * parses it as it would without workers, so the first error in file
 * order, its message and --lenient's skips are pass two's own. A chunk
 * that cannot be read (an I/O error, a line too long) ends the feed at
 * its first such line: pass two reads on by itself from there.
 *
 * Threads: start, next and stop on the thread that reads the trace; the
 * workers touch only their chunks, their counters and the shared memo. */
#ifndef PCSIM_TRACE_LOG_FEED_H
#define PCSIM_TRACE_LOG_FEED_H

#include "api_log.h"
#include "trace_internal.h"

/* Bytes a chunk covers (a chunk holds the lines that start in it). */
#define LOG_FEED_CHUNK_BYTES ((size_t)2 << 20)

struct log_feed;

/* A line as the feed hands it back. */
struct log_fed_line {
    const char *text; /* the line as pcs_line_next gives it */
    size_t len;
    const struct api_log_read *read;       /* its call; NULL: parse the line as usual */
    const struct api_log_counted *counted; /* its prompt's units; NULL: walk them in pass two */
};

/* Starts workers threads on file (a request log: its format has a
 * read_call) from origin, a line's start, in chunks of chunk_bytes;
 * state's memo is shared. NULL when a thread or memory is missing (pass
 * two then reads alone). */
struct log_feed *pcs_log_feed_start(const struct trace_file *file, uint64_t origin, unsigned workers,
                                    size_t chunk_bytes, struct api_log_state *state);

/* The next line that is not blank, in file order, into *line (valid until
 * the next call); lines (pass two's reader, at the feed's place) is moved
 * past it as pcs_line_next would move it. PCS_END when the feed has no
 * more lines: pass two reads on from lines with pcs_line_next (at the
 * end of the file, or at a line the workers could not read). Blocks while
 * the next chunk is being read. */
enum pcs_status pcs_log_feed_next(struct log_feed *feed, struct line_reader *lines, struct log_fed_line *line);

/* Stops the workers (midway) and frees the feed; NULL is nothing. */
void pcs_log_feed_stop(struct log_feed *feed);

#endif
