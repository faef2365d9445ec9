/* Model-name resolution, as @pydantic/genai-prices' calcPrice does it, and
 * nearest-name suggestions for names that resolve to nothing; see
 * pcsim/pricing.h. */
#include "pricing_internal.h"

#include "common/civil_date.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Names longer than this do not resolve (no catalog id comes close). */
#define MAX_NAME 512

int pcs_match_rule_test(const struct match_rule *rule, const char *name, size_t name_len)
{
    switch (rule->kind) {
    case MATCH_EQUALS: return name_len == rule->text_len && memcmp(name, rule->text, name_len) == 0;
    case MATCH_STARTS_WITH: return name_len >= rule->text_len && memcmp(name, rule->text, rule->text_len) == 0;
    case MATCH_ENDS_WITH:
        return name_len >= rule->text_len && memcmp(name + name_len - rule->text_len, rule->text, rule->text_len) == 0;
    case MATCH_CONTAINS: return strstr(name, rule->text) != NULL;
    case MATCH_REGEX: return pcs_regex_test(rule->regex, name);
    case MATCH_OR:
        for (size_t i = 0; i < rule->child_count; i++)
            if (pcs_match_rule_test(&rule->children[i], name, name_len))
                return 1;
        return 0;
    case MATCH_AND:
        for (size_t i = 0; i < rule->child_count; i++)
            if (!pcs_match_rule_test(&rule->children[i], name, name_len))
                return 0;
        return 1;
    }
    return 0;
}

/* Lowercased copy of text without leading and trailing white space (as
 * JavaScript's toLowerCase().trim(), for ASCII). Returns its length, or
 * (size_t)-1 when it does not fit. */
static size_t normalise_name(const char *text, char *out, size_t out_size)
{
    while (*text && isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= out_size)
        return (size_t)-1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)text[i]);
    out[len] = '\0';
    return len;
}

static const struct pcs_model *find_in_provider(const struct provider_entry *provider, const char *name, size_t len)
{
    for (size_t i = 0; i < provider->public.model_count; i++)
        if (pcs_match_rule_test(&provider->model_rules[i], name, len))
            return &provider->public.models[i];
    return NULL;
}

/* The provider's own models first, then its fallback providers' (one level,
 * as calcPrice looks). */
static const struct pcs_model *find_model(const struct provider_entry *provider, const char *name, size_t len)
{
    const struct pcs_model *model = find_in_provider(provider, name, len);
    for (size_t i = 0; !model && i < provider->fallback_count; i++)
        model = find_in_provider(provider->fallbacks[i], name, len);
    return model;
}

static int digits_at(const char *text, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isdigit((unsigned char)text[i]))
            return 0;
    return 1;
}

/* Rewrites every "-YYYYMMDD" (20xx, a real date, followed by '-', ':' or the
 * end) as "-YYYY-MM-DD", so dated ids find models written with dashes.
 * out has room for 1.25 × len + 1 bytes. Returns the new length. */
static size_t rewrite_dates(const char *name, size_t len, char *out)
{
    size_t used = 0;
    size_t i = 0;
    while (i < len) {
        const char *p = name + i;
        if (p[0] == '-' && i + 9 <= len && p[1] == '2' && p[2] == '0' && digits_at(p + 1, 8) &&
            (i + 9 == len || p[9] == '-' || p[9] == ':')) {
            int year = (p[1] - '0') * 1000 + (p[2] - '0') * 100 + (p[3] - '0') * 10 + (p[4] - '0');
            int month = (p[5] - '0') * 10 + (p[6] - '0');
            int day = (p[7] - '0') * 10 + (p[8] - '0');
            int month_ok = (p[5] == '0' && p[6] != '0') || (p[5] == '1' && p[6] <= '2');
            int day_ok = (p[7] == '0' && p[8] != '0') || p[7] == '1' || p[7] == '2' || (p[7] == '3' && p[8] <= '1');
            if (month_ok && day_ok) {
                if (pcs_civil_date_valid(year, (unsigned)month, (unsigned)day)) {
                    out[used++] = '-';
                    memcpy(out + used, p + 1, 4);
                    used += 4;
                    out[used++] = '-';
                    memcpy(out + used, p + 5, 2);
                    used += 2;
                    out[used++] = '-';
                    memcpy(out + used, p + 7, 2);
                    used += 2;
                } else {
                    memcpy(out + used, p, 9);
                    used += 9;
                }
                i += 9;
                continue;
            }
        }
        out[used++] = name[i++];
    }
    out[used] = '\0';
    return used;
}

static const struct provider_entry *provider_for_id(const pcs_catalog *catalog, const char *id)
{
    char lower[MAX_NAME];
    size_t len = normalise_name(id, lower, sizeof lower);
    if (len == (size_t)-1)
        return NULL;
    for (size_t i = 0; i < catalog->provider_count; i++)
        if (strcmp(catalog->providers[i].public.id, lower) == 0)
            return &catalog->providers[i];
    for (size_t i = 0; i < catalog->provider_count; i++)
        if (catalog->providers[i].provider_match &&
            pcs_match_rule_test(catalog->providers[i].provider_match, lower, len))
            return &catalog->providers[i];
    return NULL;
}

const struct pcs_model *pcs_catalog_resolve(const pcs_catalog *catalog, const char *name, const char *provider_id)
{
    char lower[MAX_NAME];
    size_t len = normalise_name(name, lower, sizeof lower);
    if (len == (size_t)-1)
        return NULL;
    const char *model_name = lower;
    const struct provider_entry *provider = NULL;
    if (provider_id) {
        provider = provider_for_id(catalog, provider_id);
    } else {
        /* "PROVIDER:model" names the provider when PROVIDER is one's exact
         * id (ids such as "...-v1:0" keep their colon). */
        const char *colon = strchr(lower, ':');
        for (size_t i = 0; colon && i < catalog->provider_count; i++) {
            const char *id = catalog->providers[i].public.id;
            if (strlen(id) == (size_t)(colon - lower) && memcmp(id, lower, (size_t)(colon - lower)) == 0) {
                provider = &catalog->providers[i];
                model_name = colon + 1;
                len -= (size_t)(colon - lower) + 1;
            }
        }
        for (size_t i = 0; !provider && i < catalog->provider_count; i++)
            if (catalog->providers[i].model_match && pcs_match_rule_test(catalog->providers[i].model_match, lower, len))
                provider = &catalog->providers[i];
    }
    if (!provider)
        return NULL;
    const struct pcs_model *model = find_model(provider, model_name, len);
    if (!model) {
        char dated[MAX_NAME * 5 / 4 + 2];
        size_t dated_len = rewrite_dates(model_name, len, dated);
        if (dated_len != len || memcmp(dated, model_name, len) != 0)
            model = find_model(provider, dated, dated_len);
    }
    return model;
}

/* Levenshtein distance, giving up (returning limit) once it reaches limit. */
static size_t edit_distance(const char *a, size_t a_len, const char *b, size_t b_len, size_t limit, size_t *row)
{
    for (size_t j = 0; j <= b_len; j++)
        row[j] = j;
    for (size_t i = 1; i <= a_len; i++) {
        size_t diagonal = row[0];
        size_t best = row[0] = i;
        for (size_t j = 1; j <= b_len; j++) {
            size_t above = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t value = diagonal + cost;
            if (above + 1 < value)
                value = above + 1;
            if (row[j - 1] + 1 < value)
                value = row[j - 1] + 1;
            row[j] = value;
            diagonal = above;
            if (value < best)
                best = value;
        }
        if (best >= limit)
            return limit;
    }
    return row[b_len] < limit ? row[b_len] : limit;
}

size_t pcs_catalog_nearest(const pcs_catalog *catalog, const char *name, const char **names, size_t max)
{
    size_t name_len = strlen(name);
    if (max == 0 || name_len >= MAX_NAME)
        return 0;
    size_t row[MAX_NAME + 1];
    size_t distances[PCS_NEAREST_MAX];
    if (max > PCS_NEAREST_MAX)
        max = PCS_NEAREST_MAX;
    size_t found = 0;
    for (size_t p = 0; p < catalog->provider_count; p++) {
        const struct pcs_provider *provider = &catalog->providers[p].public;
        for (size_t m = 0; m < provider->model_count; m++) {
            const char *id = provider->models[m].id;
            size_t id_len = strlen(id);
            if (id_len >= MAX_NAME)
                continue;
            size_t limit = found == max ? distances[found - 1] : (size_t)-1;
            /* Walk the shorter string in the outer loop: the row holds the longer. */
            size_t distance = name_len <= id_len ? edit_distance(name, name_len, id, id_len, limit, row)
                                                 : edit_distance(id, id_len, name, name_len, limit, row);
            if (distance >= limit)
                continue;
            int duplicate = 0;
            for (size_t i = 0; i < found && !duplicate; i++)
                duplicate = strcmp(names[i], id) == 0;
            if (duplicate)
                continue;
            size_t at = found < max ? found++ : max - 1;
            while (at > 0 && distances[at - 1] > distance) {
                distances[at] = distances[at - 1];
                names[at] = names[at - 1];
                at--;
            }
            distances[at] = distance;
            names[at] = id;
        }
    }
    return found;
}
