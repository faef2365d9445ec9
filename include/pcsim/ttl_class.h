/* pcsim: the cache TTL classes each provider sells (DESIGN §3, §7), as the
 * hand-kept rules file scenarios/rules/cache_rules.json states them (its
 * ttl_classes rows, each with its source and date; docs/prices.md says how
 * to change one).
 *
 * A what-if TTL (a sweep point, a calibrated TTL) is bought as the smallest
 * class its provider sells whose TTL is at least as long, and its writes are
 * priced at that class's write price (one hour or longer: the 1-hour write
 * price; shorter: the 5-minute one, DESIGN §4). A TTL longer than every class
 * sold, or a provider that sells no TTL choice, is not sold.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: the built-in
 * classes are read once, on first use, and never change; every function is
 * thread-safe. Ownership: a parsed table's strings are the table's (release
 * with pcs_ttl_classes_release); the built-in table lives as long as the
 * process. Units: TTLs in seconds (ttl_s) or milliseconds (ttl_ms);
 * multipliers of the model's input price. */
#ifndef PCSIM_TTL_CLASS_H
#define PCSIM_TTL_CLASS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

/* The most presets one row names. */
#define PCS_TTL_CLASS_MAX_PRESETS 8

struct pcs_ttl_class {
    const char *seller;                                 /* "anthropic", "openai-gpt-5.6+" */
    const char *presets[PCS_TTL_CLASS_MAX_PRESETS + 1]; /* the cache presets it is sold with; NULL-terminated */
    int64_t ttl_s;           /* the class's TTL, seconds; 0: the seller offers no TTL choice */
    double write_multiplier; /* a written token's price over the input price; 0: writes are free */
    const char *source;      /* a URL or a document's name */
    const char *as_of;       /* the date the row was last checked: YYYY-MM-DD */
};

/* The most rows a rules file's ttl_classes may hold. */
#define PCS_TTL_CLASSES_MAX 64

/* Parses the ttl_classes rows of a rules document text[0..size) (text[size]
 * must be '\0'; name labels errors) into classes[0..cap), in the file's
 * order; *count gets the rows read (0 when the document has none). Errors
 * (nothing is kept, *count = 0): those of a JSON document, PCS_ERR_PARSE
 * "NAME: ttl_classes[I].FIELD: problem" for a missing or wrong field (ttl_s
 * a whole number of seconds >= 1 or null, write_multiplier >= 0, presets 1
 * to PCS_TTL_CLASS_MAX_PRESETS names, a date YYYY-MM-DD), PCS_ERR_RANGE for
 * more than cap rows, PCS_ERR_NOMEM. Reentrant. */
enum pcs_status pcs_ttl_classes_parse(const char *text, size_t size, const char *name, struct pcs_ttl_class *classes,
                                      size_t cap, size_t *count, struct pcs_error *err);

/* Frees the strings of classes[0..count) filled by pcs_ttl_classes_parse. */
void pcs_ttl_classes_release(struct pcs_ttl_class *classes, size_t count);

/* The built-in rows (*count of them); *count is 0 only if the built-in file
 * is broken (a build defect the cache_rules test catches), and then err, if
 * not NULL, says why. */
const struct pcs_ttl_class *pcs_ttl_classes(size_t *count, struct pcs_error *err);

/* Whether a provider sells a TTL. */
enum pcs_ttl_sale {
    PCS_TTL_NO_SELLER = 0, /* the preset is no provider's (ttl, breakpoint, ...): nothing to say */
    PCS_TTL_SOLD,          /* *sold is the class that bills it */
    PCS_TTL_ABOVE_LONGEST, /* longer than every class the provider sells */
    PCS_TTL_NO_CHOICE      /* the provider sells no TTL choice */
};

/* The sale of a cache TTL of ttl_ms (> 0) under preset, by the built-in rows
 * that name the preset: PCS_TTL_SOLD with *sold the row of the smallest TTL
 * >= ttl_ms (the earlier row among equals), else as the enum says (*sold
 * NULL). sold may be NULL. */
enum pcs_ttl_sale pcs_ttl_sale_of(const char *preset, int64_t ttl_ms, const struct pcs_ttl_class **sold);

/* The built-in rows that name preset, in the file's order, into
 * rows[0..cap); returns how many there are (possibly more than cap). */
size_t pcs_ttl_classes_of(const char *preset, const struct pcs_ttl_class **rows, size_t cap);

/* 1 if writes bought as class are billed at the 1-hour write price (its TTL
 * is one hour or longer, DESIGN §4), else 0. */
int pcs_ttl_class_bills_1h(const struct pcs_ttl_class *sold);

/* What a sale is called in reports: "sold", "not sold: longer than the longest
 * class", "not sold: no TTL choice", "" for PCS_TTL_NO_SELLER. Static text. */
const char *pcs_ttl_sale_name(enum pcs_ttl_sale sale);

#endif
