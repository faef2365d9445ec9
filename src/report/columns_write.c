/* The usage tables written in each format from their columns; see
 * columns.h. How a format spells a kind of value is decided here, once. */
#include "columns.h"

#include <string.h>

#include "html.h"

/* How a row without prices spells a money column: nothing (the cell is left
 * out) in text, an empty field in CSV, "-" in HTML; JSON leaves the member
 * out. */
static const char *unpriced_text(enum report_format format)
{
    static const char *const spelling[] = {
        [REPORT_TEXT] = NULL, [REPORT_CSV] = "", [REPORT_JSON] = NULL, [REPORT_HTML] = "-"};
    return spelling[format];
}

static uint64_t column_count(const struct report_column *column, const struct report_usage_row *row)
{
    if (column->count)
        return column->count(row);
    uint64_t value;
    memcpy(&value, (const char *)row->usage + column->usage_offset, sizeof value);
    return value;
}

static const char *column_name(const struct report_column *column, enum report_format format)
{
    switch (format) {
    case REPORT_TEXT: return column->text_header;
    case REPORT_CSV: return column->csv_name;
    case REPORT_JSON: return column->json_key;
    case REPORT_HTML: return column->html_header;
    }
    return NULL;
}

/* Whether format shows column in a report priced or not. */
static int column_shown(const struct report_column *column, enum report_format format, int priced)
{
    if (!column_name(column, format))
        return 0;
    return !column->priced || priced || format == REPORT_CSV;
}

/* The cell as format spells it (not JSON), or NULL when the cell is left
 * out (a money cell of a row without prices, in text). */
static const char *cell_text(const struct report_column *column, enum report_format format,
                             const struct report_usage_row *row, const struct report_money *money, char *buf,
                             size_t cap)
{
    int for_people = format == REPORT_TEXT || format == REPORT_HTML;
    switch (column->kind) {
    case REPORT_KIND_COUNT:
    case REPORT_KIND_TOKENS:
        if (for_people)
            return pcs_report_grouped(column_count(column, row), buf, cap);
        snprintf(buf, cap, "%llu", (unsigned long long)column_count(column, row));
        return buf;
    case REPORT_KIND_RATIO:
        if (format == REPORT_HTML)
            snprintf(buf, cap, "%s", pcs_html_percent(column->number(row)).text);
        else if (format == REPORT_TEXT)
            snprintf(buf, cap, "%.2f%%", 100.0 * column->number(row));
        else
            snprintf(buf, cap, "%.6f", column->number(row));
        return buf;
    case REPORT_KIND_MONEY:
        if (!row->priced)
            return unpriced_text(format);
        if (for_people && money)
            return pcs_report_money_text(&money[column->money], column->number(row), buf, cap);
        if (for_people) /* no precision given: the amount's own */
            return pcs_report_usd(column->number(row), buf, cap);
        snprintf(buf, cap, "%.15g", column->number(row));
        return buf;
    }
    return NULL;
}

void pcs_report_table_text_header(FILE *out, const struct report_table *table, const char *label, int priced)
{
    fprintf(out, "%-*s", table->label_width, label);
    for (size_t i = 0; i < table->count; i++) {
        const struct report_column *column = &table->columns[i];
        if (column_shown(column, REPORT_TEXT, priced))
            fprintf(out, " %*s", column->text_header_width ? column->text_header_width : column->text_width,
                    column->text_header);
    }
    fputc('\n', out);
}

void pcs_report_table_text_row(FILE *out, const struct report_table *table, const char *label,
                               const struct report_usage_row *row, int priced, const struct report_money *money)
{
    fprintf(out, "%-*s", table->label_width, label);
    for (size_t i = 0; i < table->count; i++) {
        const struct report_column *column = &table->columns[i];
        char buf[64];
        const char *cell = column_shown(column, REPORT_TEXT, priced)
                               ? cell_text(column, REPORT_TEXT, row, money, buf, sizeof buf)
                               : NULL;
        if (cell)
            fprintf(out, " %*s", column->text_width, cell);
    }
    fputc('\n', out);
}

void pcs_report_table_csv_header(FILE *out, const struct report_table *table)
{
    for (size_t i = 0; i < table->count; i++)
        if (table->columns[i].csv_name)
            fprintf(out, ",%s", table->columns[i].csv_name);
}

void pcs_report_table_csv_cells(FILE *out, const struct report_table *table, const struct report_usage_row *row)
{
    for (size_t i = 0; i < table->count; i++) {
        const struct report_column *column = &table->columns[i];
        char buf[64];
        if (column->csv_name)
            fprintf(out, ",%s", cell_text(column, REPORT_CSV, row, NULL, buf, sizeof buf));
    }
}

static cJSON *json_value(const struct report_column *column, const struct report_usage_row *row)
{
    switch (column->kind) {
    case REPORT_KIND_COUNT:
    case REPORT_KIND_TOKENS: return pcs_report_json_integer(column_count(column, row));
    case REPORT_KIND_RATIO: return pcs_report_json_ratio(column->number(row));
    case REPORT_KIND_MONEY: return cJSON_CreateNumber(column->number(row));
    }
    return NULL;
}

void pcs_report_table_json(struct report_json *doc, cJSON *object, const struct report_table *table,
                           const struct report_usage_row *row, enum report_json_place place)
{
    for (size_t i = 0; i < table->count; i++) {
        const struct report_column *column = &table->columns[i];
        if (!column->json_key || column->json_place != place || (column->kind == REPORT_KIND_MONEY && !row->priced))
            continue;
        cJSON *parent = object;
        if (column->json_group) {
            parent = cJSON_GetObjectItemCaseSensitive(object, column->json_group);
            if (!parent)
                parent = pcs_report_json_object(doc, object, column->json_group);
        }
        pcs_report_json_put(doc, parent, column->json_key, json_value(column, row));
    }
}

void pcs_report_table_html_begin(FILE *out, const char *class_name, const struct report_table *table, const char *label,
                                 int priced)
{
    const char *headers[REPORT_MAX_COLUMNS + 1];
    size_t count = 0;
    headers[count++] = label;
    for (size_t i = 0; i < table->count; i++)
        if (column_shown(&table->columns[i], REPORT_HTML, priced))
            headers[count++] = table->columns[i].html_header;
    pcs_html_table_begin(out, class_name, headers, count, 1);
}

void pcs_report_table_html_row(FILE *out, const struct report_table *table, const char *label,
                               const struct report_usage_row *row, int priced, const struct report_money *money)
{
    char text[REPORT_MAX_COLUMNS][64];
    const char *cells[REPORT_MAX_COLUMNS + 1];
    size_t count = 0;
    cells[count++] = label;
    for (size_t i = 0; i < table->count; i++) {
        const struct report_column *column = &table->columns[i];
        if (column_shown(column, REPORT_HTML, priced))
            cells[count++] = cell_text(column, REPORT_HTML, row, money, text[i], sizeof text[i]);
    }
    pcs_html_table_row(out, cells, count, 1);
}
