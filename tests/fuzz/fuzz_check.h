/* What the fuzz harnesses share: an invariant check that the fuzzer reports
 * as a crash, and the test that an error message names its file. */
#ifndef PCSIM_FUZZ_CHECK_H
#define PCSIM_FUZZ_CHECK_H

#include <stdio.h>
#include <string.h>

#include "pcsim/status.h"

/* A violated invariant: say which, then trap (libFuzzer saves the input). */
#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond);                             \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)

/* An error's message is non-empty, terminated within the buffer, and names
 * the file (name) it is about. */
static inline void fuzz_check_error(const struct pcs_error *err, const char *name)
{
    FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    FUZZ_CHECK(err->message[0] != '\0');
    if (name && !strstr(err->message, name))
        fprintf(stderr, "message: %s\n", err->message);
    if (name)
        FUZZ_CHECK(strstr(err->message, name) != NULL);
}

#endif
