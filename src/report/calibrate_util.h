/* What the calibration reports share (internal to src/report): the points
 * in TTL order, what each point is to the fit, and the notes that state
 * the calibration's assumptions, written once for every format. */
#ifndef PCSIM_REPORT_CALIBRATE_UTIL_H
#define PCSIM_REPORT_CALIBRATE_UTIL_H

#include <stddef.h>

#include "pcsim/report.h"

/* Point indexes by increasing TTL (stable; the caller frees), NULL when
 * out of memory. */
size_t *pcs_calibrate_order(const struct pcs_calibrate_result *result);

/* What point i is to the fit: "best" (tau*), "interval" (within the
 * interval), or "". */
const char *pcs_calibrate_fit(const struct pcs_calibrate_result *result, size_t i);

/* The assumptions and caveats of a calibration, as sentences for people:
 * what E counts and leaves out, the markers every point overrides, points
 * within the tolerance outside the interval, presets that make one cache. */
#define CALIBRATE_NOTE_MAX 6
#define CALIBRATE_NOTE_CAP 400
struct calibrate_notes {
    size_t count;
    char text[CALIBRATE_NOTE_MAX][CALIBRATE_NOTE_CAP];
};
void pcs_calibrate_notes(const struct pcs_calibrate_report *report, struct calibrate_notes *notes);

/* How preset i's writes at the best TTL are sold (pcsim/ttl_class.h), for
 * people, into buf[0..cap): "sold as 1 h, writes 2x input" when the class
 * bought is longer than the TTL, "TTL not sold" when no class covers it,
 * "" otherwise (sold as itself, or a preset of no provider). Returns buf. */
const char *pcs_calibrate_sale_text(const struct pcs_calibrate_costs *costs, size_t i, char *buf, size_t cap);

#endif
