/* A replay's reconciliation in text, JSON, CSV and HTML; see
 * reconcile_report.h. The sums and the worst list are pcsim/reconcile.h's;
 * this file only lays them out. */
#include "reconcile_report.h"

#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "html.h"
#include "report_util.h"
#include "svg_chart.h"

/* DESIGN §9's definitions, as every format states them. */
static const char *const error_rule = "error E: the sum over the requests of |read sim - read obs| + |write sim - "
                                      "write obs| (their deviations), divided by the sum of their input";

/* "agree: ... within max(128 tokens, 1% of their input)", from the rule's
 * constants. */
static const char *agreement_rule(char *buf, size_t cap)
{
    snprintf(buf, cap, "agree: the share of requests whose deviation is within max(%u tokens, %g%% of their input)",
             PCS_AGREE_MIN_TOKENS, 100.0 * PCS_AGREE_INPUT_SHARE);
    return buf;
}

/* The models with observed requests, in name order; *count of them. */
static uint32_t *observed_models(const struct pcs_replay_report *report, size_t *count)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    uint32_t *by_name = pcs_report_models_by_name(report);
    if (!by_name)
        return NULL;
    *count = 0;
    for (size_t i = 0; i < report->result->model_count; i++)
        if (by_name[i] < reconciliation->model_count && reconciliation->by_model[by_name[i]].observed.requests)
            by_name[(*count)++] = by_name[i];
    return by_name;
}

/* The money precision of the rows shown: the total and each model. */
static struct report_money reconcile_money(const struct pcs_reconciliation *reconciliation, const uint32_t *models,
                                           size_t count)
{
    struct report_money money;
    pcs_report_money_init(&money);
    pcs_report_money_add(&money, reconciliation->total.observed_usd);
    pcs_report_money_add(&money, reconciliation->total.simulated_usd);
    for (size_t i = 0; i < count; i++) {
        pcs_report_money_add(&money, reconciliation->by_model[models[i]].observed_usd);
        pcs_report_money_add(&money, reconciliation->by_model[models[i]].simulated_usd);
    }
    return money;
}

/* "4 of 6 requests carry observed usage; the 2 without it are left out of
 * this section" or "all 4 requests carry observed usage". */
static const char *coverage_text(const struct pcs_reconciliation *reconciliation, char *buf, size_t cap)
{
    uint64_t with = reconciliation->total.observed.requests;
    char count[64];
    if (!reconciliation->without_observed) {
        snprintf(buf, cap, "%s %s observed usage", pcs_report_count(with, "request", "requests", count, sizeof count),
                 with == 1 ? "carries" : "all carry");
        return buf;
    }
    char grouped[32], without[32];
    uint64_t replayed = with + reconciliation->without_observed;
    snprintf(buf, cap, "%s of %s carry observed usage; the %s without it %s left out of this section",
             pcs_report_grouped(with, grouped, sizeof grouped),
             pcs_report_count(replayed, "request", "requests", count, sizeof count),
             pcs_report_grouped(reconciliation->without_observed, without, sizeof without),
             reconciliation->without_observed == 1 ? "is" : "are");
    return buf;
}

/* "2 of 3 requests agree (66.67%)". */
static const char *agreement_text(const struct pcs_reconcile_sums *sums, char *buf, size_t cap)
{
    char agreeing[32], count[64];
    snprintf(buf, cap, "%s of %s agree (%.2f%%)", pcs_report_grouped(sums->agreeing, agreeing, sizeof agreeing),
             pcs_report_count(sums->observed.requests, "request", "requests", count, sizeof count),
             100.0 * pcs_reconcile_agreement(sums));
    return buf;
}

/* "the 3 requests that disagree, largest deviation first", or "the 10
 * requests that disagree most (of 25 that disagree), ...". */
static const char *worst_title(const struct pcs_reconciliation *reconciliation, char *buf, size_t cap)
{
    char count[64];
    if (reconciliation->worst_count == reconciliation->disagreeing)
        snprintf(buf, cap, "the %s that %s, largest deviation first",
                 pcs_report_count(reconciliation->disagreeing, "request", "requests", count, sizeof count),
                 reconciliation->disagreeing == 1 ? "disagrees" : "disagree");
    else
        snprintf(buf, cap, "the %zu requests that disagree most (of %s that disagree), largest deviation first",
                 reconciliation->worst_count, pcs_report_grouped(reconciliation->disagreeing, count, sizeof count));
    return buf;
}

/* ------------------------------------------------------------------- text */

/* The worst list as a table: numbers first, then the model and the place
 * (as long as they are). */
static void worst_table_text(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    int model_width = 5;
    for (size_t i = 0; i < reconciliation->worst_count; i++) {
        int length = (int)strlen(pcs_trace_model_name(report->trace, reconciliation->worst[i].model));
        if (length > model_width)
            model_width = length;
    }
    fprintf(out, "%11s %11s %11s %11s %11s %11s  %-*s  %s\n", "deviation", "input", "read obs", "read sim", "write obs",
            "write sim", model_width, "model", "place");
    for (size_t i = 0; i < reconciliation->worst_count; i++) {
        const struct pcs_reconcile_request *request = &reconciliation->worst[i];
        char cells[6][32];
        fprintf(out, "%11s %11s %11s %11s %11s %11s  %-*s  %s\n",
                pcs_report_grouped(request->deviation, cells[0], sizeof cells[0]),
                pcs_report_grouped(request->observed.input, cells[1], sizeof cells[1]),
                pcs_report_grouped(request->observed.cache_read, cells[2], sizeof cells[2]),
                pcs_report_grouped(request->simulated.cache_read, cells[3], sizeof cells[3]),
                pcs_report_grouped(request->observed.cache_write, cells[4], sizeof cells[4]),
                pcs_report_grouped(request->simulated.cache_write, cells[5], sizeof cells[5]), model_width,
                pcs_trace_model_name(report->trace, request->model), request->place);
    }
}

enum pcs_status pcs_report_reconcile_text(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    const struct report_table *table = &pcs_report_reconcile_table;
    size_t count;
    uint32_t *models = observed_models(report, &count);
    if (!models)
        return PCS_ERR_NOMEM;
    char line[320];
    int priced = reconciliation->total.priced;
    fprintf(out, "\nreconciliation: observed cache usage (as the provider reported it) against simulated\n");
    fprintf(out, "%s\n\n", coverage_text(reconciliation, line, sizeof line));
    struct report_money money[REPORT_MONEY_GROUP_COUNT];
    money[REPORT_MONEY_COST] = money[REPORT_MONEY_SAVINGS] = reconcile_money(reconciliation, models, count);
    pcs_report_table_text_header(out, table, "", priced);
    struct report_usage_row row = pcs_report_reconcile_row(&reconciliation->total);
    pcs_report_table_text_row(out, table, "total", &row, priced, money);
    for (size_t i = 0; i < count; i++) {
        row = pcs_report_reconcile_row(&reconciliation->by_model[models[i]]);
        pcs_report_table_text_row(out, table, pcs_trace_model_name(report->trace, models[i]), &row, priced, money);
    }
    for (size_t i = 0; priced && i < count; i++) {
        const struct pcs_reconcile_sums *sums = &reconciliation->by_model[models[i]];
        if (!sums->priced)
            fprintf(out, "not priced: %s (%s): left out of the USD totals\n",
                    pcs_trace_model_name(report->trace, models[i]),
                    pcs_report_count(sums->observed.requests, "request", "requests", line, sizeof line));
    }
    free(models);
    fprintf(out, "%s\n%s\n\n", error_rule, agreement_rule(line, sizeof line));
    if (!reconciliation->worst_count) {
        fprintf(out, "every request agrees\n");
        return PCS_OK;
    }
    fprintf(out, "%s:\n", worst_title(reconciliation, line, sizeof line));
    worst_table_text(out, report);
    return PCS_OK;
}

/* ------------------------------------------------------------------- JSON */

static void json_row(struct report_json *doc, cJSON *object, const struct pcs_reconcile_sums *sums)
{
    struct report_usage_row row = pcs_report_reconcile_row(sums);
    pcs_report_table_json(doc, object, &pcs_report_reconcile_table, &row, REPORT_JSON_HEAD);
    pcs_report_table_json(doc, object, &pcs_report_reconcile_table, &row, REPORT_JSON_BODY);
}

enum pcs_status pcs_report_reconcile_json(struct report_json *doc, const struct pcs_replay_report *report)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    size_t count;
    uint32_t *models = observed_models(report, &count);
    if (!models)
        return PCS_ERR_NOMEM;
    cJSON *object = pcs_report_json_object(doc, doc->root, "reconciliation");
    json_row(doc, object, &reconciliation->total);
    pcs_report_json_put(doc, object, "requests_without_observed",
                        pcs_report_json_integer(reconciliation->without_observed));
    pcs_report_json_put(doc, object, "disagreeing_requests", pcs_report_json_integer(reconciliation->disagreeing));
    cJSON *by_model = pcs_report_json_array(doc, object, "by_model");
    for (size_t i = 0; i < count; i++) {
        cJSON *model = pcs_report_json_object(doc, by_model, NULL);
        pcs_report_json_add_string(doc, model, "model", pcs_trace_model_name(report->trace, models[i]));
        json_row(doc, model, &reconciliation->by_model[models[i]]);
    }
    free(models);
    cJSON *worst = pcs_report_json_array(doc, object, "worst");
    for (size_t i = 0; i < reconciliation->worst_count; i++) {
        const struct pcs_reconcile_request *request = &reconciliation->worst[i];
        cJSON *item = pcs_report_json_object(doc, worst, NULL);
        pcs_report_json_add_string(doc, item, "place", request->place);
        pcs_report_json_add_string(doc, item, "model", pcs_trace_model_name(report->trace, request->model));
        /* Exact as an integer (times before the trace clock's zero are rare: a double will do). */
        pcs_report_json_put(doc, item, "t_ms",
                            request->t_ms >= 0 ? pcs_report_json_integer((uint64_t)request->t_ms)
                                               : cJSON_CreateNumber((double)request->t_ms));
        struct pcs_reconcile_sums sums = pcs_report_reconcile_request_sums(request);
        json_row(doc, item, &sums);
    }
    return PCS_OK;
}

/* -------------------------------------------------------------------- CSV */

static void csv_field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\n\r")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

static void csv_row(FILE *out, const char *scope, const char *model, const char *place,
                    const struct pcs_reconcile_sums *sums)
{
    struct report_usage_row row = pcs_report_reconcile_row(sums);
    fputs(scope, out);
    fputc(',', out);
    csv_field(out, model);
    fputc(',', out);
    csv_field(out, place);
    pcs_report_table_csv_cells(out, &pcs_report_reconcile_table, &row);
    fputc('\n', out);
}

enum pcs_status pcs_report_reconcile_csv(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    size_t count;
    uint32_t *models = observed_models(report, &count);
    if (!models)
        return PCS_ERR_NOMEM;
    fputs("\nscope,model,place", out);
    pcs_report_table_csv_header(out, &pcs_report_reconcile_table);
    fputc('\n', out);
    csv_row(out, "total", "", "", &reconciliation->total);
    for (size_t i = 0; i < count; i++)
        csv_row(out, "model", pcs_trace_model_name(report->trace, models[i]), "", &reconciliation->by_model[models[i]]);
    free(models);
    for (size_t i = 0; i < reconciliation->worst_count; i++) {
        const struct pcs_reconcile_request *request = &reconciliation->worst[i];
        struct pcs_reconcile_sums sums = pcs_report_reconcile_request_sums(request);
        csv_row(out, "request", pcs_trace_model_name(report->trace, request->model), request->place, &sums);
    }
    return PCS_OK;
}

/* ------------------------------------------------------------------- HTML */

/* A bar's exact token count, as the table prints it ("20,895,108"). */
static const char *format_tokens_exact(double tokens, char *buf, size_t cap)
{
    return pcs_report_grouped(tokens > 0 ? (uint64_t)(tokens + 0.5) : 0, buf, cap);
}

/* Observed and simulated totals side by side: cache_read and cache_write. */
static enum pcs_status totals_chart(FILE *out, const struct pcs_reconcile_sums *total)
{
    static const char *const categories[] = {"cache_read", "cache_write"};
    static const char *const series[] = {"observed", "simulated"};
    const double values[] = {(double)total->observed.cache_read, (double)total->simulated.cache_read,
                             (double)total->observed.cache_write, (double)total->simulated.cache_write};
    struct bar_chart chart = {
        .label = "observed and simulated cache tokens",
        .value = {.title = "tokens",
                  .from_zero = 1,
                  .tick_format = pcs_chart_format_tokens,
                  .value_format = format_tokens_exact},
        .categories = categories,
        .category_count = 2,
        .series_names = series,
        .series_count = 2,
        .values = values,
    };
    pcs_html_element(out, "h3", NULL, "Observed and simulated cache tokens");
    enum pcs_status status = pcs_svg_bar_chart(out, &chart);
    pcs_html_element(out, "p", "note",
                     "Cache tokens summed over the requests that carry observed usage: what the provider reported "
                     "beside what the simulated cache gives for the same requests.");
    return status;
}

static void worst_table_html(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    char line[320];
    pcs_html_element(out, "h3", NULL, "The requests that disagree most");
    if (!reconciliation->worst_count) {
        pcs_html_element(out, "p", "meta", "Every request agrees.");
        return;
    }
    pcs_html_element(out, "p", "meta", worst_title(reconciliation, line, sizeof line));
    pcs_report_table_html_begin(out, "reconcile-worst", &pcs_report_reconcile_table, "request (model)", 0);
    for (size_t i = 0; i < reconciliation->worst_count; i++) {
        const struct pcs_reconcile_request *request = &reconciliation->worst[i];
        struct pcs_reconcile_sums sums = pcs_report_reconcile_request_sums(request);
        struct report_usage_row row = pcs_report_reconcile_row(&sums);
        char label[4200];
        snprintf(label, sizeof label, "%s (%s)", request->place, pcs_trace_model_name(report->trace, request->model));
        pcs_report_table_html_row(out, &pcs_report_reconcile_table, label, &row, 0, NULL);
    }
    pcs_html_table_end(out);
}

enum pcs_status pcs_report_reconcile_html(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_reconciliation *reconciliation = report->reconciliation;
    const struct report_table *table = &pcs_report_reconcile_table;
    size_t count;
    uint32_t *models = observed_models(report, &count);
    if (!models)
        return PCS_ERR_NOMEM;
    char line[320], rule[160];
    int priced = reconciliation->total.priced;
    pcs_html_element(out, "h2", NULL, "Observed against simulated");
    pcs_html_element(out, "p", "meta", coverage_text(reconciliation, line, sizeof line));
    struct report_money money[REPORT_MONEY_GROUP_COUNT];
    money[REPORT_MONEY_COST] = money[REPORT_MONEY_SAVINGS] = reconcile_money(reconciliation, models, count);
    pcs_report_table_html_begin(out, "reconcile", table, "", priced);
    struct report_usage_row row = pcs_report_reconcile_row(&reconciliation->total);
    pcs_report_table_html_row(out, table, "total", &row, priced, money);
    for (size_t i = 0; i < count; i++) {
        row = pcs_report_reconcile_row(&reconciliation->by_model[models[i]]);
        pcs_report_table_html_row(out, table, pcs_trace_model_name(report->trace, models[i]), &row, priced, money);
    }
    pcs_html_table_end(out);
    for (size_t i = 0; priced && i < count; i++) {
        const struct pcs_reconcile_sums *sums = &reconciliation->by_model[models[i]];
        if (!sums->priced)
            pcs_html_elementf(out, "p", "meta", "not priced: %s (%s): left out of the USD totals",
                              pcs_trace_model_name(report->trace, models[i]),
                              pcs_report_count(sums->observed.requests, "request", "requests", line, sizeof line));
    }
    free(models);
    pcs_html_elementf(out, "p", "note",
                      "Observed: the cache usage the provider reported; simulated: the chosen cache's for the same "
                      "requests. %s. %s: %s.",
                      error_rule, agreement_rule(rule, sizeof rule),
                      agreement_text(&reconciliation->total, line, sizeof line));
    enum pcs_status status = totals_chart(out, &reconciliation->total);
    worst_table_html(out, report);
    return status;
}
