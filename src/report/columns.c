/* The usage tables' columns, one entry each; see columns.h. A new column
 * is an entry here (and its tests, goldens and docs). */
#include "columns.h"

#include <stddef.h>

static uint64_t uncached(const struct report_usage_row *row)
{
    return pcs_usage_uncached(row->usage);
}

static double cached_ratio(const struct report_usage_row *row)
{
    return pcs_report_cached_ratio(row->usage);
}

static double cost(const struct report_usage_row *row)
{
    return row->cost;
}

static double cost_without_cache(const struct report_usage_row *row)
{
    return row->cost_without_cache;
}

static double cost_ideal(const struct report_usage_row *row)
{
    return row->cost_ideal;
}

static double savings(const struct report_usage_row *row)
{
    return row->cost_without_cache - row->cost;
}

#define USAGE(member) .usage_offset = offsetof(struct pcs_usage, member)

/* ------------------------------------------------------------------ replay */

enum replay_column {
    REPLAY_REQUESTS,
    REPLAY_INPUT,
    REPLAY_CACHE_READ,
    REPLAY_CACHE_WRITE,
    REPLAY_CACHE_WRITE_1H,
    REPLAY_UNCACHED,
    REPLAY_OUTPUT,
    REPLAY_CACHED_RATIO,
    REPLAY_COST,
    REPLAY_COST_WITHOUT_CACHE,
    REPLAY_COST_IDEAL,
    REPLAY_COLUMN_COUNT
};

static const struct report_column replay_columns[REPLAY_COLUMN_COUNT] = {
    [REPLAY_REQUESTS] = {.text_header = "requests",
                         .html_header = "requests",
                         .csv_name = "requests",
                         .json_key = "requests",
                         .json_place = REPORT_JSON_HEAD,
                         .kind = REPORT_KIND_COUNT,
                         .text_width = 10,
                         USAGE(requests)},
    [REPLAY_INPUT] = {.text_header = "input",
                      .html_header = "input",
                      .csv_name = "input",
                      .json_key = "input",
                      .json_group = "tokens",
                      .kind = REPORT_KIND_TOKENS,
                      .text_width = 15,
                      USAGE(input)},
    [REPLAY_CACHE_READ] = {.text_header = "cache_read",
                           .html_header = "cache_read",
                           .csv_name = "cache_read",
                           .json_key = "cache_read",
                           .json_group = "tokens",
                           .kind = REPORT_KIND_TOKENS,
                           .text_width = 15,
                           USAGE(cache_read)},
    [REPLAY_CACHE_WRITE] = {.text_header = "cache_write",
                            .html_header = "cache_write",
                            .csv_name = "cache_write",
                            .json_key = "cache_write",
                            .json_group = "tokens",
                            .kind = REPORT_KIND_TOKENS,
                            .text_width = 15,
                            USAGE(cache_write)},
    [REPLAY_CACHE_WRITE_1H] = {.csv_name = "cache_write_1h",
                               .json_key = "cache_write_1h",
                               .json_group = "tokens",
                               .kind = REPORT_KIND_TOKENS,
                               USAGE(cache_write_1h)},
    [REPLAY_UNCACHED] = {.text_header = "uncached",
                         .html_header = "uncached",
                         .csv_name = "uncached",
                         .json_key = "uncached",
                         .json_group = "tokens",
                         .kind = REPORT_KIND_TOKENS,
                         .text_width = 15,
                         .count = uncached},
    [REPLAY_OUTPUT] = {.text_header = "output",
                       .html_header = "output",
                       .csv_name = "output",
                       .json_key = "output",
                       .json_group = "tokens",
                       .kind = REPORT_KIND_TOKENS,
                       .text_width = 13,
                       USAGE(output)},
    [REPLAY_CACHED_RATIO] = {.text_header = "cached",
                             .html_header = "cached ratio",
                             .csv_name = "cached_ratio",
                             .json_key = "cached_ratio",
                             .kind = REPORT_KIND_RATIO,
                             .text_width = 8,
                             .number = cached_ratio},
    /* The dollars of a replay have tables of their own in text, HTML and
     * JSON (with, without and with the ideal cache, the savings, the
     * parts); CSV carries them on the usage rows. */
    [REPLAY_COST] = {.csv_name = "cost_usd", .kind = REPORT_KIND_MONEY, .priced = 1, .number = cost},
    [REPLAY_COST_WITHOUT_CACHE] = {.csv_name = "cost_without_cache_usd",
                                   .kind = REPORT_KIND_MONEY,
                                   .priced = 1,
                                   .number = cost_without_cache},
    [REPLAY_COST_IDEAL] = {.csv_name = "cost_ideal_usd", .kind = REPORT_KIND_MONEY, .priced = 1, .number = cost_ideal},
};

const struct report_table pcs_report_replay_table = {replay_columns, REPLAY_COLUMN_COUNT, 28};

/* ------------------------------------------------------------------- sweep */

enum sweep_column {
    SWEEP_REQUESTS,
    SWEEP_INPUT,
    SWEEP_CACHE_READ,
    SWEEP_CACHE_WRITE,
    SWEEP_CACHE_WRITE_1H,
    SWEEP_UNCACHED,
    SWEEP_OUTPUT,
    SWEEP_CACHED_RATIO,
    SWEEP_COST,
    SWEEP_SAVINGS,
    SWEEP_COLUMN_COUNT
};

/* A sweep's JSON says "requests" once, at the top (every point replays the
 * same requests). */
static const struct report_column sweep_columns[SWEEP_COLUMN_COUNT] = {
    [SWEEP_REQUESTS] = {.csv_name = "requests", .kind = REPORT_KIND_COUNT, USAGE(requests)},
    [SWEEP_INPUT] =
        {.csv_name = "input", .json_key = "input", .json_group = "tokens", .kind = REPORT_KIND_TOKENS, USAGE(input)},
    [SWEEP_CACHE_READ] = {.text_header = "cache_read",
                          .html_header = "cache_read",
                          .csv_name = "cache_read",
                          .json_key = "cache_read",
                          .json_group = "tokens",
                          .kind = REPORT_KIND_TOKENS,
                          .text_width = 16,
                          USAGE(cache_read)},
    [SWEEP_CACHE_WRITE] = {.text_header = "cache_write",
                           .html_header = "cache_write",
                           .csv_name = "cache_write",
                           .json_key = "cache_write",
                           .json_group = "tokens",
                           .kind = REPORT_KIND_TOKENS,
                           .text_width = 16,
                           USAGE(cache_write)},
    [SWEEP_CACHE_WRITE_1H] = {.html_header = "cache_write_1h",
                              .csv_name = "cache_write_1h",
                              .json_key = "cache_write_1h",
                              .json_group = "tokens",
                              .kind = REPORT_KIND_TOKENS,
                              USAGE(cache_write_1h)},
    [SWEEP_UNCACHED] = {.html_header = "uncached",
                        .csv_name = "uncached",
                        .json_key = "uncached",
                        .json_group = "tokens",
                        .kind = REPORT_KIND_TOKENS,
                        .count = uncached},
    [SWEEP_OUTPUT] =
        {.csv_name = "output", .json_key = "output", .json_group = "tokens", .kind = REPORT_KIND_TOKENS, USAGE(output)},
    [SWEEP_CACHED_RATIO] = {.text_header = "cached",
                            .html_header = "cached ratio",
                            .csv_name = "cached_ratio",
                            .json_key = "cached_ratio",
                            .kind = REPORT_KIND_RATIO,
                            .text_width = 9,
                            .number = cached_ratio},
    /* The text header sits one place left of its cells. */
    [SWEEP_COST] = {.text_header = "cost",
                    .html_header = "cost (USD)",
                    .csv_name = "cost_usd",
                    .json_key = "cost",
                    .kind = REPORT_KIND_MONEY,
                    .money = REPORT_MONEY_COST,
                    .priced = 1,
                    .text_width = 12,
                    .text_header_width = 11,
                    .number = cost},
    [SWEEP_SAVINGS] = {.html_header = "savings (USD)",
                       .kind = REPORT_KIND_MONEY,
                       .money = REPORT_MONEY_SAVINGS,
                       .priced = 1,
                       .number = savings},
};

const struct report_table pcs_report_sweep_table = {sweep_columns, SWEEP_COLUMN_COUNT, 16};

/* ---------------------------------------------------------- reconciliation */

static uint64_t observed_requests(const struct report_usage_row *row)
{
    return row->reconcile->observed.requests;
}

static uint64_t observed_input(const struct report_usage_row *row)
{
    return row->reconcile->observed.input;
}

static uint64_t observed_read(const struct report_usage_row *row)
{
    return row->reconcile->observed.cache_read;
}

static uint64_t simulated_read(const struct report_usage_row *row)
{
    return row->reconcile->simulated.cache_read;
}

static uint64_t observed_write(const struct report_usage_row *row)
{
    return row->reconcile->observed.cache_write;
}

static uint64_t simulated_write(const struct report_usage_row *row)
{
    return row->reconcile->simulated.cache_write;
}

static uint64_t observed_write_1h(const struct report_usage_row *row)
{
    return row->reconcile->observed.cache_write_1h;
}

static uint64_t simulated_write_1h(const struct report_usage_row *row)
{
    return row->reconcile->simulated.cache_write_1h;
}

static uint64_t deviation(const struct report_usage_row *row)
{
    return row->reconcile->deviation;
}

static uint64_t agreeing(const struct report_usage_row *row)
{
    return row->reconcile->agreeing;
}

static double error(const struct report_usage_row *row)
{
    return pcs_reconcile_error(row->reconcile);
}

static double agreement(const struct report_usage_row *row)
{
    return pcs_reconcile_agreement(row->reconcile);
}

static double observed_usd(const struct report_usage_row *row)
{
    return row->reconcile->observed_usd;
}

static double simulated_usd(const struct report_usage_row *row)
{
    return row->reconcile->simulated_usd;
}

enum reconcile_column {
    RECONCILE_REQUESTS,
    RECONCILE_INPUT,
    RECONCILE_OBSERVED_READ,
    RECONCILE_SIMULATED_READ,
    RECONCILE_OBSERVED_WRITE,
    RECONCILE_SIMULATED_WRITE,
    RECONCILE_OBSERVED_WRITE_1H,
    RECONCILE_SIMULATED_WRITE_1H,
    RECONCILE_DEVIATION,
    RECONCILE_ERROR,
    RECONCILE_AGREEING,
    RECONCILE_AGREEMENT,
    RECONCILE_OBSERVED_COST,
    RECONCILE_SIMULATED_COST,
    RECONCILE_COLUMN_COUNT
};

/* Observed and simulated side by side; JSON groups each side's members. */
static const struct report_column reconcile_columns[RECONCILE_COLUMN_COUNT] = {
    [RECONCILE_REQUESTS] = {.text_header = "requests",
                            .html_header = "requests",
                            .csv_name = "requests",
                            .json_key = "requests",
                            .json_place = REPORT_JSON_HEAD,
                            .kind = REPORT_KIND_COUNT,
                            .text_width = 10,
                            .count = observed_requests},
    [RECONCILE_INPUT] = {.text_header = "input",
                         .html_header = "input",
                         .csv_name = "input",
                         .json_key = "input",
                         .json_place = REPORT_JSON_HEAD,
                         .kind = REPORT_KIND_TOKENS,
                         .text_width = 15,
                         .count = observed_input},
    [RECONCILE_OBSERVED_READ] = {.text_header = "read obs",
                                 .html_header = "read obs",
                                 .csv_name = "observed_cache_read",
                                 .json_key = "cache_read",
                                 .json_group = "observed",
                                 .kind = REPORT_KIND_TOKENS,
                                 .text_width = 15,
                                 .count = observed_read},
    [RECONCILE_SIMULATED_READ] = {.text_header = "read sim",
                                  .html_header = "read sim",
                                  .csv_name = "simulated_cache_read",
                                  .json_key = "cache_read",
                                  .json_group = "simulated",
                                  .kind = REPORT_KIND_TOKENS,
                                  .text_width = 15,
                                  .count = simulated_read},
    [RECONCILE_OBSERVED_WRITE] = {.text_header = "write obs",
                                  .html_header = "write obs",
                                  .csv_name = "observed_cache_write",
                                  .json_key = "cache_write",
                                  .json_group = "observed",
                                  .kind = REPORT_KIND_TOKENS,
                                  .text_width = 15,
                                  .count = observed_write},
    [RECONCILE_SIMULATED_WRITE] = {.text_header = "write sim",
                                   .html_header = "write sim",
                                   .csv_name = "simulated_cache_write",
                                   .json_key = "cache_write",
                                   .json_group = "simulated",
                                   .kind = REPORT_KIND_TOKENS,
                                   .text_width = 15,
                                   .count = simulated_write},
    [RECONCILE_OBSERVED_WRITE_1H] = {.csv_name = "observed_cache_write_1h",
                                     .json_key = "cache_write_1h",
                                     .json_group = "observed",
                                     .kind = REPORT_KIND_TOKENS,
                                     .count = observed_write_1h},
    [RECONCILE_SIMULATED_WRITE_1H] = {.csv_name = "simulated_cache_write_1h",
                                      .json_key = "cache_write_1h",
                                      .json_group = "simulated",
                                      .kind = REPORT_KIND_TOKENS,
                                      .count = simulated_write_1h},
    [RECONCILE_DEVIATION] = {.html_header = "deviation",
                             .csv_name = "deviation",
                             .json_key = "deviation",
                             .kind = REPORT_KIND_TOKENS,
                             .count = deviation},
    [RECONCILE_ERROR] = {.text_header = "error E",
                         .html_header = "error E",
                         .csv_name = "error",
                         .json_key = "error",
                         .kind = REPORT_KIND_RATIO,
                         .text_width = 9,
                         .number = error},
    [RECONCILE_AGREEING] = {.csv_name = "agreeing_requests",
                            .json_key = "agreeing_requests",
                            .kind = REPORT_KIND_COUNT,
                            .count = agreeing},
    [RECONCILE_AGREEMENT] = {.text_header = "agree",
                             .html_header = "agree",
                             .csv_name = "agreement_share",
                             .json_key = "agreement_share",
                             .kind = REPORT_KIND_RATIO,
                             .text_width = 8,
                             .number = agreement},
    [RECONCILE_OBSERVED_COST] = {.text_header = "USD obs",
                                 .html_header = "USD obs",
                                 .csv_name = "observed_cost_usd",
                                 .json_key = "cost",
                                 .json_group = "observed",
                                 .kind = REPORT_KIND_MONEY,
                                 .priced = 1,
                                 .text_width = 12,
                                 .number = observed_usd},
    [RECONCILE_SIMULATED_COST] = {.text_header = "USD sim",
                                  .html_header = "USD sim",
                                  .csv_name = "simulated_cost_usd",
                                  .json_key = "cost",
                                  .json_group = "simulated",
                                  .kind = REPORT_KIND_MONEY,
                                  .priced = 1,
                                  .text_width = 12,
                                  .number = simulated_usd},
};

const struct report_table pcs_report_reconcile_table = {reconcile_columns, RECONCILE_COLUMN_COUNT, 28};

struct report_usage_row pcs_report_reconcile_row(const struct pcs_reconcile_sums *sums)
{
    return (struct report_usage_row){.usage = &sums->observed, .priced = sums->priced, .reconcile = sums};
}

struct pcs_reconcile_sums pcs_report_reconcile_request_sums(const struct pcs_reconcile_request *request)
{
    return (struct pcs_reconcile_sums){
        .observed = request->observed, .simulated = request->simulated, .deviation = request->deviation};
}

/* ------------------------------------------------------------------- rows */

struct report_usage_row pcs_report_sweep_row(const struct pcs_sweep_result *result, size_t i)
{
    if (i == result->point_count)
        return (struct report_usage_row){.usage = &result->ideal,
                                         .priced = result->priced,
                                         .cost = result->ideal_cost,
                                         .cost_without_cache = result->without_cache_cost};
    const struct pcs_sweep_point *point = &result->points[i];
    return (struct report_usage_row){.usage = &point->total,
                                     .priced = point->priced,
                                     .cost = point->cost.total,
                                     .cost_without_cache = result->without_cache_cost};
}

struct report_usage_row pcs_report_replay_row(const struct pcs_replay_report *report, int64_t model)
{
    const struct pcs_replay_cost *cost = report->cost;
    if (model < 0) {
        struct report_usage_row row = {.usage = &report->result->total, .priced = cost != NULL};
        if (cost) {
            row.cost = cost->with_cache.total;
            row.cost_without_cache = cost->without_cache;
            row.cost_ideal = cost->ideal;
        }
        return row;
    }
    struct report_usage_row row = {.usage = &report->result->by_model[model]};
    const struct pcs_model_cost *priced =
        cost && (size_t)model < cost->model_count && cost->by_model[model].priced_as ? &cost->by_model[model] : NULL;
    if (priced) {
        row.priced = 1;
        row.cost = priced->with_cache.total;
        row.cost_without_cache = priced->without_cache;
        row.cost_ideal = priced->ideal;
    }
    return row;
}

_Static_assert(REPLAY_COLUMN_COUNT <= REPORT_MAX_COLUMNS && SWEEP_COLUMN_COUNT <= REPORT_MAX_COLUMNS &&
                   RECONCILE_COLUMN_COUNT <= REPORT_MAX_COLUMNS,
               "REPORT_MAX_COLUMNS holds every table");
