/* Telling a trace file's format from its head (src/trace only).
 *
 * Each format (format_NAME.c) judges a file's first bytes with its own
 * detect function (struct trace_format.detect), usually through one of the
 * helpers here; index.c asks every format in the registry and takes the
 * best verdict, and when none fits, names what each looked for and what
 * the head is instead (pcs_trace_detect_describe). */
#ifndef PCSIM_TRACE_DETECT_H
#define PCSIM_TRACE_DETECT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a file detection reads first, and at most (when the first do
 * not tell). */
#define DETECT_FIRST_BYTES ((size_t)4 << 10)
#define DETECT_BYTES ((size_t)64 << 10)

/* A format's judgement of a file's head. */
struct detect_verdict {
    int fits;      /* 1: the head is this format's */
    uint64_t rank; /* when fits: among formats that fit, the lowest rank wins (the
                    * helpers' rank is 1 + where in the first record the sign was
                    * found; 0 is left for a decisive sign, a key or shape that only
                    * one format has, such as a request log's "request" envelope) */
    /* What the format looked for, for the message when no format fits:
     * "JSON with timestamp/input_length/output_length". Always set. */
    char looked_for[160];
};

/* Judges head[0..len) (a file's first bytes, perhaps cut anywhere, a UTF-8
 * byte-order mark included) into *verdict. Reads nothing else; any thread. */
typedef void (*trace_detect_fn)(const char *head, size_t len, struct detect_verdict *verdict);

/* Fits if the head's first record is a JSON object with any of keys (NULL-
 * terminated; a key is matched in the bytes read, even if the object
 * breaks off later); rank is 1 + the index of the first such key among the
 * object's keys. looked_for: "JSON with KEY/KEY/...". */
void pcs_trace_detect_json_keys(const char *head, size_t len, const char *const *keys, struct detect_verdict *verdict);

/* Fits if the head is not a JSON object and its first line holds column
 * (as a substring); rank 1. looked_for: "a CSV header with COLUMN". */
void pcs_trace_detect_csv_column(const char *head, size_t len, const char *column, struct detect_verdict *verdict);

/* Says in why[0..cap) what the head is, when no format fits it: the first
 * JSON object's keys, binary data (a NUL in its first DETECT_FIRST_BYTES),
 * or the start of its first line. */
void pcs_trace_detect_describe(const char *head, size_t len, char *why, size_t cap);

#endif
