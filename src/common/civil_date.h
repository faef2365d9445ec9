/* Calendar dates in UTC, for price periods and price times. Internal to
 * the library. */
#ifndef PCSIM_COMMON_CIVIL_DATE_H
#define PCSIM_COMMON_CIVIL_DATE_H

#include <stdint.h>

/* Parses "YYYY-MM-DD" (a real Gregorian date, year >= 1) at text into the
 * Unix seconds of its UTC midnight; *end points past it. Returns 0, or -1
 * when text does not start with such a date. */
int pcs_civil_date_parse(const char *text, int64_t *midnight_s, const char **end);

/* Days since 1970-01-01 (negative before) of a proleptic Gregorian date. */
int64_t pcs_civil_days(int64_t year, unsigned month, unsigned day);

/* 1 if day exists in that month of that year. */
int pcs_civil_date_valid(int64_t year, unsigned month, unsigned day);

#endif
