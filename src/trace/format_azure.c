/* Azure LLM inference trace CSV (AzurePublicDataset):
 *   TIMESTAMP,ContextTokens,GeneratedTokens
 *   2023-11-16 18:17:03.9799600,4808,10
 * Arrivals and lengths only: no prefix identity, so every request has no
 * bounds (nothing is cacheable). Times are UTC, to milliseconds since 1970. */
#include <string.h>
#include <strings.h>

#include "common/civil_date.h"
#include "fields.h"

enum { COL_TIMESTAMP, COL_CONTEXT, COL_GENERATED };
static const char *const column_names[3] = {"TIMESTAMP", "ContextTokens", "GeneratedTokens"};
#define MAX_COLUMNS 64

/* Splits line into at most max comma-separated fields (trimmed). */
static int split_csv(const char *line, size_t len, const char **starts, size_t *lens, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < len && line[j] != ',')
            j++;
        size_t a = i;
        size_t b = j;
        while (a < b && (line[a] == ' ' || line[a] == '\t'))
            a++;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r'))
            b--;
        if (n == max)
            return -1;
        starts[n] = line + a;
        lens[n] = b - a;
        n++;
        if (j >= len)
            return n;
        i = j + 1;
    }
}

static enum pcs_status azure_header(struct pcs_trace *trace, struct trace_file *file, const char *line, size_t len,
                                    const struct record_loc *loc, struct pcs_error *err)
{
    const char *starts[MAX_COLUMNS];
    size_t lens[MAX_COLUMNS];
    (void)trace;
    int n = split_csv(line, len, starts, lens, MAX_COLUMNS);
    if (n < 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "header has more than %d columns", MAX_COLUMNS);
    file->csv_column_count = n;
    for (int col = 0; col < 3; col++) {
        file->csv_columns[col] = -1;
        for (int i = 0; i < n; i++)
            if (lens[i] == strlen(column_names[col]) && strncasecmp(starts[i], column_names[col], lens[i]) == 0)
                file->csv_columns[col] = i;
        if (file->csv_columns[col] < 0)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, column_names[col],
                                         "missing from the header (expected TIMESTAMP,ContextTokens,GeneratedTokens)");
    }
    return PCS_OK;
}

/* "YYYY-MM-DD HH:MM:SS[.fraction]" (or with 'T', or any ISO 8601 time) to
 * ms since 1970, rounded; the trace's times are UTC. */
static int parse_timestamp(const char *s, size_t len, int64_t *t_ms)
{
    return pcs_iso8601_to_ms(s, len, t_ms) == 0 && *t_ms >= 0 ? 0 : -1;
}

static enum pcs_status parse_count(const char *s, size_t len, const struct record_loc *loc, const char *field,
                                   uint64_t *out, struct pcs_error *err)
{
    uint64_t value = 0;
    if (len == 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "empty");
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                         "expected a non-negative integer, found \"%.*s\"", (int)(len > 40 ? 40 : len),
                                         s);
        value = value * 10 + (uint64_t)(s[i] - '0');
        if (value > PCS_MAX_REQUEST_TOKENS)
            return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "more than the limit of %llu tokens",
                                         PCS_MAX_REQUEST_TOKENS);
    }
    *out = value;
    return PCS_OK;
}

static enum pcs_status parse_azure(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                   double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                                   struct pcs_error *err)
{
    const char *starts[MAX_COLUMNS];
    size_t lens[MAX_COLUMNS];
    (void)base_seconds;
    memset(req, 0, sizeof *req);
    req->ok = 1;
    int n = split_csv(record, len, starts, lens, MAX_COLUMNS);
    if (n != file->csv_column_count)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected %d columns, found %d",
                                     file->csv_column_count, n < 0 ? MAX_COLUMNS + 1 : n);
    int col = file->csv_columns[COL_TIMESTAMP];
    if (parse_timestamp(starts[col], lens[col], &req->t_ms) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "TIMESTAMP",
                                     "expected \"YYYY-MM-DD HH:MM:SS.fff\", found \"%.*s\"",
                                     (int)(lens[col] > 40 ? 40 : lens[col]), starts[col]);
    col = file->csv_columns[COL_CONTEXT];
    enum pcs_status status = parse_count(starts[col], lens[col], loc, "ContextTokens", &req->input_tokens, err);
    if (status != PCS_OK)
        return status;
    col = file->csv_columns[COL_GENERATED];
    status = parse_count(starts[col], lens[col], loc, "GeneratedTokens", &req->output_tokens, err);
    if (status != PCS_OK)
        return status;
    status = pcs_trace_default_model(trace, &req->model);
    if (status != PCS_OK)
        return pcs_error_set(err, status, "out of memory");
    return PCS_OK;
}

/* A CSV header with the column no other format has. */
static void detect_azure(const char *head, size_t len, struct detect_verdict *verdict)
{
    pcs_trace_detect_csv_column(head, len, "ContextTokens", verdict);
}

const struct trace_format pcs_trace_format_azure = {
    .id = PCS_FORMAT_AZURE,
    .name = "azure",
    .label = "Azure CSV",
    .detect = detect_azure,
    .has_prefix_identity = 0,
    .header = azure_header,
    .parse = parse_azure,
};
