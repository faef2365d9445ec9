/* Calendar dates in UTC, for price periods and price times. Internal to
 * the library. */
#ifndef PCSIM_COMMON_CIVIL_DATE_H
#define PCSIM_COMMON_CIVIL_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DD" (a real Gregorian date, year >= 1) at text into the
 * Unix seconds of its UTC midnight; *end points past it. Returns 0, or -1
 * when text does not start with such a date. */
int pcs_civil_date_parse(const char *text, int64_t *midnight_s, const char **end);

/* Parses an ISO 8601 / RFC 3339 time, text[0..len) whole:
 * "YYYY-MM-DDTHH:MM:SS" (or a space for the T), an optional fraction of a
 * second (any number of digits, rounded to the millisecond, half away from
 * zero), then "Z", "+HH:MM", "+HHMM", "+HH" (or '-'), or nothing (then UTC:
 * a log's clock is never the reader's time zone). Leap second 60 is taken
 * as 59.999 rounded up, i.e. the next second. Into *t_ms: Unix milliseconds
 * with the offset applied. Returns 0, or -1 when text is not such a time. */
int pcs_iso8601_to_ms(const char *text, size_t len, int64_t *t_ms);

/* Days since 1970-01-01 (negative before) of a proleptic Gregorian date. */
int64_t pcs_civil_days(int64_t year, unsigned month, unsigned day);

/* 1 if day exists in that month of that year. */
int pcs_civil_date_valid(int64_t year, unsigned month, unsigned day);

#endif
