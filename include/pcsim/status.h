/* pcsim: status codes, located error messages, and the conventions every
 * public header follows.
 *
 * Every library function that can fail returns an enum pcs_status (or, for
 * a constructor, the object or NULL). Functions that read user input also
 * fill a struct pcs_error whose message names the place: "trace.jsonl:1234:
 * field hash_ids: expected array of integers".
 *
 * Conventions (the other headers refer here rather than repeat them):
 *
 *   Constructors. An object behind an opaque handle is made by
 *       pcs_x *pcs_x_new(..., struct pcs_error *err)
 *   (pcs_x_open or pcs_x_load where the verb says more: files are opened,
 *   documents loaded). It returns the object, or NULL with err->status and
 *   err->message filled: PCS_ERR_NOMEM when memory runs out, else what the
 *   function's comment lists. A failed constructor leaves nothing to free.
 *   err may be NULL (the reason is then lost); after a success err holds
 *   nothing of interest. The object is released by pcs_x_free(x);
 *   pcs_x_free(NULL) is a no-op.
 *
 *   Values in place. A plain struct whose fields are public and which lives
 *   in the caller's storage (a configuration, a sketch, a timeline, an
 *   output) is not allocated by the library: a configuration comes by value
 *   from pcs_x_config_default(); other structs are set up by
 *       void pcs_x_init(struct pcs_x *x, ...)             (cannot fail)
 *       enum pcs_status pcs_x_init(struct pcs_x *x, ..., struct pcs_error *err)
 *   (or pcs_x_open, pcs_output_open). After a failed init the struct holds
 *   nothing to release; one that owns memory is released by pcs_x_free(x),
 *   which leaves it empty.
 *
 *   Results. A function that fills a caller's result struct (struct
 *   pcs_replay_result, pcs_sweep_result, pcs_run_result, pcs_replay_cost)
 *   fills it only on PCS_OK; the caller then releases it with its
 *   pcs_x_free(result) (the struct itself is the caller's). On failure there
 *   is nothing to release.
 *
 *   Errors. err, wherever a function takes one, may be NULL. On failure it
 *   holds the status returned and a message (NUL-terminated, at most
 *   PCS_ERROR_MAX - 1 bytes, cut short if longer; its first line says what
 *   and where); the message never names a command-line flag. The library
 *   never exits or aborts, on bad input or out of memory alike.
 *
 *   Pointers. A pointer parameter must not be NULL unless its comment says
 *   what NULL means there. Strings are NUL-terminated UTF-8 (or bytes);
 *   the library copies what it keeps unless the comment says the caller's
 *   string must outlive an object. Pointers returned by accessors point into
 *   the object and live as long as it does; the caller frees nothing it did
 *   not get from a constructor.
 *
 *   Threads. Apart from what a header says (the report writers), the
 *   library keeps no global mutable state: distinct objects may be used
 *   from distinct threads at once, and const accessors of one object
 *   may be called from several threads once no thread changes it. One
 *   object is never changed from two threads at once (no function locks the
 *   caller's objects). Functions that take a thread count start and join
 *   their own threads before returning. Static data (names, presets,
 *   descriptions) is read-only and thread-safe.
 *
 *   Units. Times on a trace's clock are int64 milliseconds (t_ms, ttl_ms,
 *   gap_ms); wall-clock times are Unix seconds as doubles (price_time_s);
 *   durations in a scenario are seconds or hours as their names say
 *   (gap_seconds, horizon_hours). Token counts are whole tokens (uint64).
 *   Money is US dollars (USD) as doubles; catalog prices are USD per million
 *   tokens (_mtok) or per thousand requests (_kcount). Ratios are in [0, 1];
 *   multipliers are plain factors (1 for none). */
#ifndef PCSIM_STATUS_H
#define PCSIM_STATUS_H

#include <stddef.h>

enum pcs_status {
    PCS_OK = 0,
    PCS_END,        /* not an error: a stream has no more items */
    PCS_ERR_IO,     /* a file could not be opened, read or written */
    PCS_ERR_PARSE,  /* input is malformed (syntax, missing or wrong field) */
    PCS_ERR_RANGE,  /* a value is out of its allowed range or overflows */
    PCS_ERR_FORMAT, /* the input format is unknown or unsupported here */
    PCS_ERR_ARG,    /* an invalid argument or configuration */
    PCS_ERR_NOMEM   /* out of memory */
};

/* Room for one located message; always NUL-terminated. */
#define PCS_ERROR_MAX 1024
/* What went wrong: filled by the function that failed (see Errors above). */
struct pcs_error {
    char message[PCS_ERROR_MAX];
    enum pcs_status status; /* the status the failing function returned */
};

/* A static description of a status ("malformed input"); never NULL. */
const char *pcs_strerror(enum pcs_status status);

/* Formats a message into err and sets err->status (if err is not NULL) and
 * returns status, so a failure reads: return pcs_error_set(err, PCS_ERR_PARSE, "%s:%lu: ...", ...). */
enum pcs_status pcs_error_set(struct pcs_error *err, enum pcs_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
