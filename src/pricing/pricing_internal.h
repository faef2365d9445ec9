/* The catalog's private parts (internal to src/pricing): match rules and
 * the provider records behind the public structs. */
#ifndef PCSIM_PRICING_INTERNAL_H
#define PCSIM_PRICING_INTERNAL_H

#include "common/arena.h"
#include "pcsim/pricing.h"
#include "regex.h"

/* A model-name match rule as the genai-prices data writes it. String
 * rules compare case-insensitively (text is stored lowercased); a regex is
 * tested as JavaScript's RegExp.test would. */
enum match_kind { MATCH_EQUALS, MATCH_STARTS_WITH, MATCH_ENDS_WITH, MATCH_CONTAINS, MATCH_REGEX, MATCH_OR, MATCH_AND };

struct match_rule {
    enum match_kind kind;
    const char *text; /* string kinds: lowercased; regex: the pattern */
    size_t text_len;
    pcs_regex *regex;
    size_t child_count; /* or, and */
    struct match_rule *children;
};

/* 1 if rule accepts name (lowercased already). */
int pcs_match_rule_test(const struct match_rule *rule, const char *name, size_t name_len);

/* The public provider plus what resolution needs. public comes first, so a
 * const struct pcs_provider * from this catalog converts back. */
struct provider_entry {
    struct pcs_provider public;
    const struct match_rule *model_match;    /* NULL when absent */
    const struct match_rule *provider_match; /* NULL when absent */
    struct pcs_model *models;                /* public.models, writable while loading */
    struct match_rule *model_rules;          /* one per model */
    size_t fallback_count;
    const struct provider_entry **fallbacks;
};

struct pcs_catalog {
    struct arena arena;
    char *source;
    size_t provider_count;
    struct provider_entry *providers;
    size_t regex_count; /* compiled patterns, freed with the catalog */
    size_t regex_cap;
    pcs_regex **regexes;
};

/* Builds a catalog from JSON text[0..size), which must be followed by a
 * NUL (text[size] == 0); name labels errors. */
pcs_catalog *pcs_catalog_parse(const char *text, size_t size, const char *name, struct pcs_error *err);

#endif
