/* pcsim: output files that never destroy what is there, and paths that
 * must not be both read and written.
 *
 * A report, an HTML page or a per-request CSV goes to a path the user
 * names. What happens there depends on what the path names now:
 *   - nothing yet, or a regular file: the output is written to a temporary
 *     sibling (TARGET.tmp.PID, in the same directory) and renamed over
 *     TARGET only when every byte was written and flushed, so a failed or
 *     interrupted run leaves no file, or the old one as it was. A replaced
 *     file keeps its permission bits (rwx for user, group, other) and, where
 *     the process may, its owner. Other hard links to it keep the old text.
 *   - a symbolic link: its target (followed link by link, up to 40) is
 *     handled by these rules, and the link is kept: a link to a regular file
 *     has that file replaced; a dangling link has its target created.
 *   - a character device (/dev/null), a FIFO or a socket: opened and
 *     written through; never renamed over, truncated by rename or removed.
 *   - a descriptor of this process ("-" for the standard output,
 *     /dev/stdout, /dev/fd/N, /proc/self/fd/N): written through a duplicate
 *     of that descriptor, at its offset (so a shell's ">>" still appends).
 *   - a directory or a block device: refused (PCS_ERR_IO).
 * The temporary sibling must be creatable in the target's directory: when
 * it is not (a directory the process may not write), the output fails
 * before anything is written; the target is not written in place.
 *
 * Thread safety: the functions share no state; one struct pcs_output per
 * thread. Nothing here reads the clock or the environment. A pcs_output is
 * a value in the caller's storage (pcsim/status.h, "Values in place"). */
#ifndef PCSIM_OUTPUT_H
#define PCSIM_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "pcsim/status.h"

/* An output being written. Fields are read-only to the caller. */
struct pcs_output {
    FILE *file;     /* write here; NULL when not open */
    char *path;     /* the path as given (owned copy, for messages) */
    char *target;   /* the file renamed over at the end; NULL when written through */
    char *tmp_path; /* the temporary sibling; NULL when written through */
};

/* Opens out for path by the rules above. PCS_OK, or PCS_ERR_IO with
 * "PATH: cannot write: why" (or "PATH: is a directory", ...) in err, or
 * PCS_ERR_NOMEM; on failure out->file is NULL and nothing needs closing. */
enum pcs_status pcs_output_open(struct pcs_output *out, const char *path, struct pcs_error *err);

/* 1 if pcs_output_open would write path through (a device, FIFO, socket
 * or descriptor: what is written cannot be taken back), else 0 (a file
 * replaced whole, or a path it would refuse). Only reads the file system. */
int pcs_output_writes_through(const char *path);

/* Finishes out. With commit and every write successful: flushes, syncs and
 * renames the temporary sibling over the target (or just closes a file
 * written through) and returns PCS_OK. A failed write returns PCS_ERR_IO
 * ("PATH: write failed: why"); a failed rename PCS_ERR_IO ("PATH: cannot
 * rename into place: why"). Without commit, or on any failure, the
 * temporary sibling is removed (the target stays as it was) and nothing
 * else is ever removed; without commit the result is PCS_OK unless a write
 * had failed. Always frees what open allocated; a closed or zeroed out is a
 * no-op (PCS_OK). */
enum pcs_status pcs_output_close(struct pcs_output *out, int commit, struct pcs_error *err);

/* A path a command reads or writes, for pcs_paths_check. */
struct pcs_path_use {
    const char *path; /* "-" as an input is the standard input */
    int is_output;    /* 1: written (by pcs_output_open); 0: read */
};

/* Why two uses clash. */
enum pcs_path_clash {
    PCS_CLASH_NONE = 0,
    PCS_CLASH_SAME_FILE,  /* an output is an input: the same device and inode */
    PCS_CLASH_IN_DIR,     /* an output is an existing regular file inside an input directory */
    PCS_CLASH_SAME_OUTPUT /* two outputs are one file: the same device and inode when it
                             exists, else the same directory (device, inode) and name */
};

/* Finds the first pair of uses that would overwrite each other, comparing
 * files by device and inode, not by spelling, with every symbolic link
 * followed (outputs as pcs_output_open follows them). An input that does
 * not exist, and "-" unless the standard input is a regular file, clash
 * with nothing (reading them reports their own errors); an output that
 * does not exist yet clashes only with another output. Returns the clash
 * and, when there is one, the indexes of its uses in *first < *second
 * (for an output against an input, either may come first). Only reads
 * the file system (stat, readlink, realpath); allocates nothing. */
enum pcs_path_clash pcs_paths_check(const struct pcs_path_use *uses, size_t count, size_t *first, size_t *second);

#endif
