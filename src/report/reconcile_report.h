/* A replay's reconciliation (DESIGN §9: observed against simulated) in each
 * format (internal to src/report). Each writer adds its section to the
 * replay report it is given, whose reconciliation must not be NULL; the
 * columns are the reconciliation table's (columns.c). */
#ifndef PCSIM_REPORT_RECONCILE_REPORT_H
#define PCSIM_REPORT_RECONCILE_REPORT_H

#include <stdio.h>

#include "pcsim/report.h"
#include "report_json.h"

/* The section after the replay's tables (PCS_ERR_NOMEM). */
enum pcs_status pcs_report_reconcile_text(FILE *out, const struct pcs_replay_report *report);

/* "reconciliation": {...} into doc's root (PCS_ERR_NOMEM). */
enum pcs_status pcs_report_reconcile_json(struct report_json *doc, const struct pcs_replay_report *report);

/* A blank line, then the table: scope,model,place and the columns
 * (PCS_ERR_NOMEM). */
enum pcs_status pcs_report_reconcile_csv(FILE *out, const struct pcs_replay_report *report);

/* The section, its table, a chart of the totals and the worst list
 * (PCS_ERR_NOMEM). */
enum pcs_status pcs_report_reconcile_html(FILE *out, const struct pcs_replay_report *report);

#endif
