/* pcsim: the inputs a user names, as files the readers can read.
 *
 * Each name is one of:
 *   - a regular file, read in place;
 *   - "-": standard input (at most once in a list; it is named "<stdin>" in
 *     messages and reports);
 *   - a FIFO, /dev/stdin or a process substitution such as <(zcat f.gz):
 *     read once, to its end;
 *   - a gzip or zstd file or stream (told by its magic bytes, whatever its
 *     name): decompressed on the fly; messages name the input as given and
 *     count lines of the decompressed text;
 *   - a directory: its files, recursively, sorted by name (byte order) in
 *     each directory, a subdirectory's files in its place. Symbolic links
 *     to files count as files. Skipped, each with a note: hidden entries
 *     (names starting with '.'), symbolic links to directories (no loops),
 *     anything that is not a regular file (a FIFO, socket or device
 *     inside a directory), and what Claude Code keeps beside its
 *     transcripts in ~/.claude/projects ("tool-results" and "memory"
 *     directories, "sessions-index.json", files named "*.meta.json"). A
 *     directory with no file left is an error.
 * Streams and compressed files are held in anonymous files (memory-backed
 * where the system has memfd_create) for as long as the list lives.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: an open list
 * is only read: any threads may read it at once (descriptors with pread).
 * Ownership: the list owns its names, notes and descriptors. */
#ifndef PCSIM_INPUT_H
#define PCSIM_INPUT_H

#include <stddef.h>

#include "pcsim/status.h"

typedef struct pcs_inputs pcs_inputs;

/* Opens names[0..count) in order, expanding directories, reading streams
 * and decompressing (names are copied). On failure returns NULL with err
 * filled: PCS_ERR_ARG ("-" given twice), PCS_ERR_IO ("NAME: cannot open:
 * ..."), PCS_ERR_PARSE (an empty directory; corrupt or truncated compressed
 * data, "NAME:LINE: gzip data is corrupt: ..."), PCS_ERR_NOMEM; whatever it
 * opened is closed again. Not thread-safe (standard input is consumed):
 * call it from one thread at a time. */
pcs_inputs *pcs_inputs_open(const char *const *names, size_t count, struct pcs_error *err);

/* The files, in order (a directory's in its place): their names for
 * messages and reports (strings owned by the list). */
size_t pcs_inputs_count(const pcs_inputs *inputs);
const char *const *pcs_inputs_names(const pcs_inputs *inputs);

/* File i's descriptor, whose bytes [0, size) are its text (read it with
 * pread; owned by the list: dup it to keep it), or -1: a regular file,
 * open it by its name. */
int pcs_inputs_fd(const pcs_inputs *inputs, size_t i);

/* What was skipped inside directories, one note each ("dir/.x: skipped: a
 * hidden entry"), in order. */
size_t pcs_inputs_note_count(const pcs_inputs *inputs);
const char *pcs_inputs_note(const pcs_inputs *inputs, size_t i);

/* Closes and releases everything the list holds; NULL is a no-op. */
void pcs_inputs_free(pcs_inputs *inputs);

#endif
