/* Which points of a TTL curve a provider sells (pcsim/ttl_class.h), as the
 * sweep and calibrate reports mark them: one rule for every format. */
#ifndef PCSIM_REPORT_TTL_SALE_H
#define PCSIM_REPORT_TTL_SALE_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/cache.h"
#include "pcsim/ttl_class.h"

/* 1 if reports mark the sale of each TTL under preset: its policy bills
 * writes (breakpoint) and the rules file names a provider for it. */
int pcs_report_marks_sales(const char *preset, enum pcs_policy policy);

/* The mark a point not sold carries after its TTL in text and HTML. */
#define PCS_REPORT_UNSOLD_MARK " *"

/* A class's TTL for people: "5 min", "1 h", "90 s"; "no TTL choice" for 0.
 * Returns buf. */
const char *pcs_report_class_ttl(int64_t ttl_s, char *buf, size_t cap);

/* The note that explains the marks: the classes the preset's provider
 * sells with their write multipliers, the pricing rule and what the mark
 * means, into buf[0..cap) (cut short to fit). Returns buf. */
const char *pcs_report_sales_note(const char *preset, char *buf, size_t cap);

#endif
