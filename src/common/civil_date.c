/* Calendar arithmetic; see civil_date.h. */
#include "civil_date.h"

#include <ctype.h>
#include <string.h>

/* Howard Hinnant's days_from_civil: shift the year to start in March so
 * the leap day ends it, then count whole 400-year eras. */
int64_t pcs_civil_days(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned year_of_era = (unsigned)(year - era * 400);
    unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

int pcs_civil_date_valid(int64_t year, unsigned month, unsigned day)
{
    static const unsigned month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= month_days[month - 1] + (month == 2 && leap);
}

static int digits(const char *text, int count, unsigned *value)
{
    *value = 0;
    for (int i = 0; i < count; i++) {
        if (!isdigit((unsigned char)text[i]))
            return -1;
        *value = *value * 10 + (unsigned)(text[i] - '0');
    }
    return 0;
}

int pcs_civil_date_parse(const char *text, int64_t *midnight_s, const char **end)
{
    unsigned year, month, day;
    if (digits(text, 4, &year) != 0 || text[4] != '-' || digits(text + 5, 2, &month) != 0 || text[7] != '-' ||
        digits(text + 8, 2, &day) != 0 || year < 1 || !pcs_civil_date_valid(year, month, day))
        return -1;
    *midnight_s = pcs_civil_days(year, month, day) * 86400;
    *end = text + 10;
    return 0;
}

int pcs_iso8601_to_ms(const char *text, size_t len, int64_t *t_ms)
{
    char buf[64];
    if (len < 19 || len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    int64_t midnight_s;
    const char *p;
    if (pcs_civil_date_parse(buf, &midnight_s, &p) != 0 || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    unsigned hour, minute, second;
    if (digits(p + 1, 2, &hour) != 0 || p[3] != ':' || digits(p + 4, 2, &minute) != 0 || p[6] != ':' ||
        digits(p + 7, 2, &second) != 0 || hour > 23 || minute > 59 || second > 60)
        return -1;
    p += 9;
    int64_t ms = 0;
    if (*p == '.' || *p == ',') {
        /* Milliseconds from the first three digits, the fourth rounds. */
        int count = 0;
        p++;
        while (isdigit((unsigned char)*p)) {
            if (count < 3)
                ms = ms * 10 + (*p - '0');
            else if (count == 3 && *p >= '5')
                ms++;
            count++;
            p++;
        }
        if (count == 0)
            return -1;
        for (; count < 3; count++)
            ms *= 10;
    }
    int64_t offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        unsigned off_hour, off_minute = 0;
        if (digits(p + 1, 2, &off_hour) != 0 || off_hour > 23)
            return -1;
        p += 3;
        if (*p == ':')
            p++;
        if (*p != '\0') {
            if (digits(p, 2, &off_minute) != 0 || off_minute > 59)
                return -1;
            p += 2;
        }
        offset_s = sign * (int64_t)(off_hour * 3600 + off_minute * 60);
    }
    if (*p != '\0')
        return -1;
    int64_t seconds = midnight_s + (int64_t)hour * 3600 + (int64_t)minute * 60 + second - offset_s;
    *t_ms = seconds * 1000 + ms;
    return 0;
}
