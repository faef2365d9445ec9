/* The marks of TTLs not sold; see ttl_sale.h. */
#include "ttl_sale.h"

#include <stdio.h>
#include <string.h>

int pcs_report_marks_sales(const char *preset, enum pcs_policy policy)
{
    return policy == PCS_POLICY_BREAKPOINT && preset && pcs_ttl_sale_of(preset, 1, NULL) != PCS_TTL_NO_SELLER;
}

const char *pcs_report_class_ttl(int64_t ttl_s, char *buf, size_t cap)
{
    if (ttl_s == 0)
        snprintf(buf, cap, "no TTL choice");
    else if (ttl_s >= 3600 && ttl_s % 3600 == 0)
        snprintf(buf, cap, "%lld h", (long long)(ttl_s / 3600));
    else if (ttl_s >= 60 && ttl_s % 60 == 0)
        snprintf(buf, cap, "%lld min", (long long)(ttl_s / 60));
    else
        snprintf(buf, cap, "%lld s", (long long)ttl_s);
    return buf;
}

const char *pcs_report_sales_note(const char *preset, char *buf, size_t cap)
{
    const struct pcs_ttl_class *rows[PCS_TTL_CLASSES_MAX];
    size_t count = pcs_ttl_classes_of(preset, rows, PCS_TTL_CLASSES_MAX);
    char classes[256] = "";
    size_t used = 0;
    int choices = 0;
    for (size_t i = 0; i < count && i < PCS_TTL_CLASSES_MAX && used < sizeof classes; i++) {
        if (rows[i]->ttl_s == 0)
            continue;
        char ttl[32];
        pcs_report_class_ttl(rows[i]->ttl_s, ttl, sizeof ttl);
        int wrote = snprintf(classes + used, sizeof classes - used, "%s%s (writes %gx input)", choices ? ", " : "", ttl,
                             rows[i]->write_multiplier);
        used += wrote > 0 ? (size_t)wrote : 0;
        choices++;
    }
    if (choices == 0)
        snprintf(buf, cap,
                 "TTLs sold: %s's provider sells no TTL choice, so no point is sold (each is marked *); writes are "
                 "priced by the TTL as written",
                 preset);
    else
        snprintf(buf, cap,
                 "TTLs sold with %s: %s; each point's writes are priced at the write price of the shortest class at "
                 "least as long (a class of an hour or more at the 1-hour price); * marks a TTL longer than every "
                 "class: not sold, its writes priced by the TTL as written",
                 preset, classes);
    return buf;
}
