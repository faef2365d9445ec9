/* The calibration report as CSV: one row per point, in the order asked. */
#include "calibrate_util.h"
#include "report_util.h"

enum pcs_status pcs_report_calibrate_csv(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_result *result = report->result;
    char seconds[32];
    fputs("ttl_s,error,deviation,cache_read,cache_write,fit\n", out);
    for (size_t i = 0; i < result->point_count; i++) {
        const struct pcs_calibrate_point *point = &result->points[i];
        fprintf(out, "%s,%.6f,%llu,%llu,%llu,%s\n", pcs_report_seconds(point->ttl_ms, seconds, sizeof seconds),
                point->error, (unsigned long long)point->deviation, (unsigned long long)point->cache_read,
                (unsigned long long)point->cache_write, pcs_calibrate_fit(result, i));
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
