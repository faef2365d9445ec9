/* What the calibration reports share; see calibrate_util.h. */
#include "calibrate_util.h"

#include <stdlib.h>
#include <string.h>

#include "report_util.h"

size_t *pcs_calibrate_order(const struct pcs_calibrate_result *result)
{
    size_t *order = malloc((result->point_count + 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < result->point_count; i++) {
        size_t at = i;
        while (at > 0 && result->points[order[at - 1]].ttl_ms > result->points[i].ttl_ms) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    return order;
}

const char *pcs_calibrate_fit(const struct pcs_calibrate_result *result, size_t i)
{
    int64_t ttl_ms = result->points[i].ttl_ms;
    if (ttl_ms == result->points[result->best].ttl_ms)
        return "best";
    /* The interval is a run in TTL order: every point between its ends is in it. */
    if (ttl_ms >= result->points[result->interval_low].ttl_ms && ttl_ms <= result->points[result->interval_high].ttl_ms)
        return "interval";
    return "";
}

/* Points of the interval (TTLs between its ends). */
static size_t interval_points(const struct pcs_calibrate_result *result)
{
    size_t count = 0;
    for (size_t i = 0; i < result->point_count; i++)
        count += *pcs_calibrate_fit(result, i) != '\0';
    return count;
}

void pcs_calibrate_notes(const struct pcs_calibrate_report *report, struct calibrate_notes *notes)
{
    const struct pcs_calibrate_result *result = report->result;
    char observed[64], unobserved[64], marked[64];
    notes->count = 0;
    pcs_report_count(result->observed_requests, "request", "requests", observed, sizeof observed);
    pcs_report_count(result->unobserved_requests, "request", "requests", unobserved, sizeof unobserved);
    snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP,
             "E = sum(|sim cache_read - observed| + |sim cache_write - observed|) / sum(input), over the %s "
             "with observed usage%s%s%s",
             observed, result->unobserved_requests ? "; " : "", result->unobserved_requests ? unobserved : "",
             result->unobserved_requests ? (result->unobserved_requests == 1
                                                ? " without it is replayed (it fills the cache) but not part of E"
                                                : " without it are replayed (they fill the cache) but not part of E")
                                         : "");
    if (result->marked_requests)
        snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP,
                 "markers overridden: each point's TTL is every entry's (a what-if), whatever the \"5m\" or \"1h\" "
                 "markers of %s",
                 pcs_report_count(result->marked_requests, "request", "requests", marked, sizeof marked));
    else
        snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP,
                 "each point's TTL is every entry's (a what-if): it would override any \"5m\" or \"1h\" breakpoint "
                 "marker of the trace");
    size_t in_interval = interval_points(result);
    if (result->within_tolerance > in_interval) {
        char points[64];
        snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP,
                 "%s outside the interval %s within %g of the best error too (the curve is not a single valley)",
                 pcs_report_count(result->within_tolerance - in_interval, "point", "points", points, sizeof points),
                 result->within_tolerance - in_interval == 1 ? "is" : "are", PCS_CALIBRATE_TOLERANCE);
    }
    char counts_only[CALIBRATE_NOTE_CAP];
    if (report->trace && pcs_report_counts_only_note(report->trace, counts_only, sizeof counts_only))
        snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP, "%s",
                 strncmp(counts_only, "note: ", 6) == 0 ? counts_only + 6 : counts_only);
    if (report->costs)
        snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP,
                 "costs: each preset with the best TTL in place of its own; presets that differ only in their own "
                 "TTL make the same cache there");
    int sale_marked = 0;
    for (size_t i = 0; report->costs && i < report->costs->count; i++) {
        char sale[96];
        sale_marked |= *pcs_calibrate_sale_text(report->costs, i, sale, sizeof sale) != '\0';
    }
    if (sale_marked)
        snprintf(notes->text[notes->count++], CALIBRATE_NOTE_CAP,
                 "costs: a breakpoint preset's writes are priced at the write price of the shortest TTL class its "
                 "provider sells at least as long as the best TTL; a TTL longer than every class is not sold, and "
                 "its writes are priced by the TTL as written");
}

const char *pcs_calibrate_sale_text(const struct pcs_calibrate_costs *costs, size_t i, char *buf, size_t cap)
{
    const struct pcs_calibrate_cost *cost = &costs->costs[i];
    buf[0] = '\0';
    if (cost->sale == PCS_TTL_SOLD && cost->sold && cost->sold->ttl_s * 1000 != costs->ttl_ms) {
        char ttl[32];
        snprintf(buf, cap, "sold as %s s, writes %gx input",
                 pcs_report_seconds(cost->sold->ttl_s * 1000, ttl, sizeof ttl), cost->sold->write_multiplier);
    } else if (cost->sale == PCS_TTL_ABOVE_LONGEST || cost->sale == PCS_TTL_NO_CHOICE) {
        snprintf(buf, cap, "TTL not sold");
    }
    return buf;
}
