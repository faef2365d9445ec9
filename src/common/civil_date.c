/* Calendar arithmetic; see civil_date.h. */
#include "civil_date.h"

#include <ctype.h>

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
