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
#define CALIBRATE_NOTE_MAX 5
#define CALIBRATE_NOTE_CAP 400
struct calibrate_notes {
    size_t count;
    char text[CALIBRATE_NOTE_MAX][CALIBRATE_NOTE_CAP];
};
void pcs_calibrate_notes(const struct pcs_calibrate_report *report, struct calibrate_notes *notes);

#endif
