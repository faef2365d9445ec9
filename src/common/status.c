/* Status codes and located messages; see pcsim/status.h. */
#include "pcsim/status.h"

#include "status_internal.h"

#include <stdarg.h>
#include <stdio.h>

const char *pcs_strerror(enum pcs_status status)
{
    if (status == PCS_ERR_ORDER)
        return "trace not in time order";
    switch (status) {
    case PCS_OK: return "success";
    case PCS_END: return "end of input";
    case PCS_ERR_IO: return "input/output error";
    case PCS_ERR_PARSE: return "malformed input";
    case PCS_ERR_RANGE: return "value out of range";
    case PCS_ERR_FORMAT: return "unknown or unsupported format";
    case PCS_ERR_ARG: return "invalid argument";
    case PCS_ERR_NOMEM: return "out of memory";
    }
    return "unknown status";
}

enum pcs_status pcs_error_set(struct pcs_error *err, enum pcs_status status, const char *format, ...)
{
    if (err) {
        char message[PCS_ERROR_MAX];
        va_list args;
        va_start(args, format);
        vsnprintf(message, sizeof message, format, args);
        va_end(args);
        snprintf(err->message, sizeof err->message, "%s", message);
        err->status = status;
    }
    return status;
}
