/* A minimal test harness: CHECK counts passes and failures, and
 * check_summary() prints "N passed, N failed" and returns the exit code. */
#ifndef PCSIM_TEST_CHECK_H
#define PCSIM_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_passed;
static int check_failed;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            check_passed++;                                                                                            \
        } else {                                                                                                       \
            check_failed++;                                                                                            \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
        }                                                                                                              \
    } while (0)

#define CHECK_U64(actual, expected)                                                                                    \
    do {                                                                                                               \
        uint64_t check_a = (uint64_t)(actual);                                                                         \
        uint64_t check_e = (uint64_t)(expected);                                                                       \
        if (check_a == check_e) {                                                                                      \
            check_passed++;                                                                                            \
        } else {                                                                                                       \
            check_failed++;                                                                                            \
            fprintf(stderr, "%s:%d: %s is %" PRIu64 ", expected %" PRIu64 "\n", __FILE__, __LINE__, #actual, check_a,  \
                    check_e);                                                                                          \
        }                                                                                                              \
    } while (0)

#define CHECK_CONTAINS(text, part)                                                                                     \
    do {                                                                                                               \
        const char *check_t = (text);                                                                                  \
        if (strstr(check_t, (part))) {                                                                                 \
            check_passed++;                                                                                            \
        } else {                                                                                                       \
            check_failed++;                                                                                            \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, check_t, (part));           \
        }                                                                                                              \
    } while (0)

static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
