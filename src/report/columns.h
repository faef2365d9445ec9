/* The columns of the usage tables, described once (internal to
 * src/report). A column is one entry of its report's table in columns.c:
 * its name in each format (a NULL name: that format does not show it), its
 * kind (how each format spells the value), where its value comes from and
 * how the text table lays it out. The text, CSV, JSON and HTML writers of
 * replay (the total and each model) and sweep (each point and the ideal)
 * iterate the table through the writers below; none of them names a
 * column, so a new column is one entry in columns.c. */
#ifndef PCSIM_REPORT_COLUMNS_H
#define PCSIM_REPORT_COLUMNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report_json.h"
#include "report_util.h"

/* One row of a usage table: a replay's total or one model, a sweep point
 * or the ideal cache. */
struct report_usage_row {
    const struct pcs_usage *usage;
    int priced;                /* the row's costs below are set */
    double cost;               /* USD with the cache */
    double cost_without_cache; /* USD with none */
    double cost_ideal;         /* USD with the ideal cache */
    /* A reconciliation's row (its table only): the sums of the total, a
     * model or one request; usage is then unused. */
    const struct pcs_reconcile_sums *reconcile;
};

/* How every format spells a value. */
enum report_kind {
    REPORT_KIND_COUNT,  /* requests: grouped digits for people, exact integers else */
    REPORT_KIND_TOKENS, /* as counts */
    REPORT_KIND_RATIO,  /* a share: a percentage with two decimals for people, six decimals else */
    REPORT_KIND_MONEY,  /* USD: its money group's precision for people, unrounded else */
};

/* The precision a money column shares with the others of its group (see
 * report_money in report_util.h): the costs, or the savings. */
enum report_money_group { REPORT_MONEY_COST, REPORT_MONEY_SAVINGS, REPORT_MONEY_GROUP_COUNT };

/* Where a JSON member goes in the row's object: HEAD members before the
 * members a writer adds of its own (a replay's "skipped", ...), BODY after. */
enum report_json_place { REPORT_JSON_BODY, REPORT_JSON_HEAD };

struct report_column {
    const char *text_header; /* the text table's header; NULL: not in text */
    const char *html_header; /* NULL: not in HTML */
    const char *csv_name;    /* NULL: not in CSV */
    const char *json_key;    /* NULL: not in JSON */
    const char *json_group;  /* the object of the row holding the member ("tokens"); NULL: the row's own */
    enum report_json_place json_place;
    enum report_kind kind;
    enum report_money_group money; /* REPORT_KIND_MONEY */
    /* Money: a row without prices is spelled by unpriced_text()
     * (columns_write.c), and a
     * report without prices leaves the column out of text, HTML and JSON
     * (CSV keeps every column, an empty field). */
    int priced;
    int text_width;        /* the text cell, right-aligned after one space */
    int text_header_width; /* the header's when it differs; 0: text_width */
    /* The value: counts and tokens from count(row), else the usage member
     * at usage_offset; ratios and money from number(row). */
    size_t usage_offset;
    uint64_t (*count)(const struct report_usage_row *row);
    double (*number)(const struct report_usage_row *row);
};

struct report_table {
    const struct report_column *columns;
    size_t count;
    int label_width; /* the text table's first column, the row's label, left-aligned */
};

/* Replay: the total and each model. Sweep: each point and the ideal. */
extern const struct report_table pcs_report_replay_table;
extern const struct report_table pcs_report_sweep_table;
/* A replay's reconciliation (DESIGN §9): its total, each model, each of the
 * requests that disagree most. */
extern const struct report_table pcs_report_reconcile_table;

/* A reconciliation's row: sums (the total, a model's, or one request's made
 * by pcs_report_reconcile_request_sums), its dollars when sums->priced. */
struct report_usage_row pcs_report_reconcile_row(const struct pcs_reconcile_sums *sums);

/* One request of the worst list as sums of one request (no dollars). */
struct pcs_reconcile_sums pcs_report_reconcile_request_sums(const struct pcs_reconcile_request *request);

/* A sweep's row i: point i, or the ideal cache when i == point_count. */
struct report_usage_row pcs_report_sweep_row(const struct pcs_sweep_result *result, size_t i);

/* A replay's row: the total (model < 0) or that trace model's, with its
 * costs when the replay is priced and the model has prices. */
struct report_usage_row pcs_report_replay_row(const struct pcs_replay_report *report, int64_t model);

/* Most columns in a table. */
#define REPORT_MAX_COLUMNS 24

/* Text: the label (left-aligned in the table's label width), then each
 * column; a newline. money[REPORT_MONEY_GROUP_COUNT]: each group's precision. */
void pcs_report_table_text_header(FILE *out, const struct report_table *table, const char *label, int priced);
void pcs_report_table_text_row(FILE *out, const struct report_table *table, const char *label,
                               const struct report_usage_row *row, int priced, const struct report_money *money);

/* CSV: ",name" or ",value" for each column (the caller writes the row's
 * label fields before and the newline after). */
void pcs_report_table_csv_header(FILE *out, const struct report_table *table);
void pcs_report_table_csv_cells(FILE *out, const struct report_table *table, const struct report_usage_row *row);

/* JSON: the row's members of place into object. */
void pcs_report_table_json(struct report_json *doc, cJSON *object, const struct report_table *table,
                           const struct report_usage_row *row, enum report_json_place place);

/* HTML: the table's header row (label first), and a row. */
void pcs_report_table_html_begin(FILE *out, const char *class_name, const struct report_table *table, const char *label,
                                 int priced);
void pcs_report_table_html_row(FILE *out, const struct report_table *table, const char *label,
                               const struct report_usage_row *row, int priced, const struct report_money *money);

#endif
