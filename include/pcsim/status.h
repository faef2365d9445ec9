/* pcsim: status codes and located error messages.
 *
 * Every library function that can fail returns an enum pcs_status. Functions
 * that read user input also fill a struct pcs_error whose message names the
 * place: "trace.jsonl:1234: field hash_ids: expected array of integers". */
#ifndef PCSIM_STATUS_H
#define PCSIM_STATUS_H

#include <stddef.h>

enum pcs_status {
    PCS_OK = 0,
    PCS_END,         /* not an error: a stream has no more items */
    PCS_ERR_IO,      /* a file could not be opened, read or written */
    PCS_ERR_PARSE,   /* input is malformed (syntax, missing or wrong field) */
    PCS_ERR_RANGE,   /* a value is out of its allowed range or overflows */
    PCS_ERR_FORMAT,  /* the input format is unknown or unsupported here */
    PCS_ERR_ARG,     /* an invalid argument or configuration */
    PCS_ERR_NOMEM    /* out of memory */
};

/* Room for one located message; always NUL-terminated. */
#define PCS_ERROR_MAX 512
struct pcs_error {
    char message[PCS_ERROR_MAX];
};

/* A static description of a status ("malformed input"); never NULL. */
const char *pcs_strerror(enum pcs_status status);

/* Formats a message into err (if err is not NULL) and returns status, so a
 * failure reads: return pcs_error_set(err, PCS_ERR_PARSE, "%s:%lu: ...", ...). */
enum pcs_status pcs_error_set(struct pcs_error *err, enum pcs_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
