/* Request-log foundations: ISO 8601 times, the unit scaling rule, chains
 * from counts alone, the reconciliation rules, native observed usage. Every
 * expectation is computed by hand from docs/design.md §8 and §9. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "common/civil_date.h"
#include "pcsim/reconcile.h"
#include "pcsim/trace.h"
#include "trace/log_units.h"

static char dir[] = "/tmp/pcsim_test_log_units_XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return path;
    fputs(text, f);
    fclose(f);
    return path;
}

static int64_t iso(const char *text)
{
    int64_t t_ms = -1;
    if (pcs_iso8601_to_ms(text, strlen(text), &t_ms) != 0)
        return -999;
    return t_ms;
}

static void test_iso8601(void)
{
    /* 2026-03-01 is day 20513 since 1970 (2026-01-01 is 20454, + 31 + 28). */
    const int64_t day = 20513ll * 86400000ll;
    CHECK(iso("2026-03-01T12:00:00Z") == day + 12 * 3600000ll);
    CHECK(iso("2026-03-01T12:00:00.250Z") == day + 12 * 3600000ll + 250);
    CHECK(iso("2026-03-01 12:00:00.2504") == day + 12 * 3600000ll + 250);
    CHECK(iso("2026-03-01T12:00:00.2505Z") == day + 12 * 3600000ll + 251); /* half rounds up */
    CHECK(iso("2026-03-01T12:00:00.9999999Z") == day + 12 * 3600000ll + 1000);
    CHECK(iso("2026-03-01T12:00:00.5") == day + 12 * 3600000ll + 500);
    /* Offsets: 12:00 at +05:45 is 06:15 UTC; at -08:00, 20:00 UTC. */
    CHECK(iso("2026-03-01T12:00:00+05:45") == day + (6 * 60 + 15) * 60000ll);
    CHECK(iso("2026-03-01T12:00:00+0545") == day + (6 * 60 + 15) * 60000ll);
    CHECK(iso("2026-03-01T12:00:00-08") == day + 20 * 3600000ll);
    CHECK(iso("2026-03-01T00:30:00+01:00") == day - 30 * 60000ll); /* the day before in UTC */
    const char *const bad[] = {"2026-02-29T00:00:00Z",
                               "2026-03-01T24:00:00Z",
                               "2026-03-01T12:00Z",
                               "2026-03-01T12:00:00.Z",
                               "2026-03-01T12:00:00+5",
                               "2026-03-01T12:00:00 Z",
                               "2026-03-01",
                               "2026-03-01T12:00:00Zx",
                               "1772366400"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (iso(bad[i]) != -999)
            fprintf(stderr, "accepted %s\n", bad[i]);
        CHECK(iso(bad[i]) == -999);
    }
}

static void scale(const uint64_t *counts, size_t n, uint64_t total, const uint32_t *expected)
{
    uint32_t ends[8];
    pcs_log_scale_units(counts, n, total, ends);
    for (size_t i = 0; i < n; i++)
        CHECK_U64(ends[i], expected[i]);
}

static void test_scaling(void)
{
    /* Exact: counts already sum to the total. */
    scale((const uint64_t[]){3, 5, 2}, 3, 10, (const uint32_t[]){3, 8, 10});
    /* 1,1,1 to 10: floors 3,3,3, remainders all 1/3: the one token left
     * goes to the earliest. */
    scale((const uint64_t[]){1, 1, 1}, 3, 10, (const uint32_t[]){4, 7, 10});
    /* 1,2,4 (C = 7) to 10: 10/7 = 1 r3, 20/7 = 2 r6, 40/7 = 5 r5; floors sum
     * to 8; the two left go to r6 (unit 1) and r5 (unit 2). */
    scale((const uint64_t[]){1, 2, 4}, 3, 10, (const uint32_t[]){1, 4, 10});
    /* Scaling down: 5,5,5,5 to 2: floors 0, remainders all 10/20: the first two. */
    scale((const uint64_t[]){5, 5, 5, 5}, 4, 2, (const uint32_t[]){1, 2, 2, 2});
    /* C = 0: all on the last unit. */
    scale((const uint64_t[]){0, 0, 0}, 3, 7, (const uint32_t[]){0, 0, 7});
    /* A zero count stays zero: 0,3,1 to 8 is 0,6,2. */
    scale((const uint64_t[]){0, 3, 1}, 3, 8, (const uint32_t[]){0, 6, 8});
    /* Large: counts near 2^31, total near 2^32 - 1: no overflow. */
    scale((const uint64_t[]){2147483647ull, 1}, 2, 4294967295ull, (const uint32_t[]){4294967293u, 4294967295u});
}

static void test_chain(void)
{
    struct log_prompt p = {0};
    /* 100, then 150 (+50), 150 (same), 400 (+250), then 120 (shorter: a new chain). */
    CHECK(pcs_log_prompt_follow(&p, 100, 11) == PCS_OK);
    CHECK_U64(p.count, 1);
    CHECK_U64(p.ends[0], 100);
    CHECK(p.units[0] == pcs_log_chain_unit(11, 0));
    CHECK(p.flags[0] == PCS_BOUND_BREAKPOINT);
    CHECK(pcs_log_prompt_follow(&p, 150, 12) == PCS_OK);
    CHECK_U64(p.count, 2);
    CHECK_U64(p.ends[1], 150);
    CHECK(p.units[1] == pcs_log_chain_unit(11, 1));
    CHECK(p.flags[0] == 0 && p.flags[1] == PCS_BOUND_BREAKPOINT);
    CHECK(pcs_log_prompt_follow(&p, 150, 13) == PCS_OK);
    CHECK_U64(p.count, 2);
    CHECK(pcs_log_prompt_follow(&p, 400, 14) == PCS_OK);
    CHECK_U64(p.count, 3);
    CHECK_U64(p.ends[2], 400);
    CHECK(pcs_log_prompt_follow(&p, 120, 15) == PCS_OK);
    CHECK_U64(p.count, 1);
    CHECK_U64(p.ends[0], 120);
    CHECK(p.units[0] == pcs_log_chain_unit(15, 0));
    CHECK(p.units[0] != pcs_log_chain_unit(11, 0)); /* two chains never share a prefix */
    CHECK(p.flags[0] == PCS_BOUND_BREAKPOINT);
    pcs_log_prompt_free(&p);
    CHECK(p.count == 0 && p.units == NULL);
}

static void test_reconcile_rules(void)
{
    struct pcs_observed obs = {1000, 200, 0};
    struct pcs_usage sim = {1, 10000, 900, 260, 0, 50};
    /* |900 - 1000| + |260 - 200| = 160. */
    CHECK_U64(pcs_observed_deviation(&obs, &sim), 160);
    /* Within max(128, 1% of input): 160 > 128 and 160 > 100 at input 10,000; at 16,000 1% is 160. */
    CHECK(!pcs_observed_agrees(&obs, &sim, 10000));
    CHECK(pcs_observed_agrees(&obs, &sim, 16000));
    CHECK(!pcs_observed_agrees(&obs, &sim, 15999));
    sim.cache_read = 1000;
    sim.cache_write = 72; /* deviation 128: the floor */
    CHECK(pcs_observed_agrees(&obs, &sim, 10));
    sim.cache_write = 71; /* 129 */
    CHECK(!pcs_observed_agrees(&obs, &sim, 10));
}

static void test_native_observed(void)
{
    const char *path = write_file(
        "observed.jsonl", "{\"t\": \"2026-03-01T12:00:01.5+01:00\", \"model\": \"m\", \"input_tokens\": 900, "
                          "\"output_tokens\": 5, \"ttft\": 0.75, \"observed\": {\"cache_read\": 512, "
                          "\"cache_write\": 300, \"cache_write_1h\": 100}}\n"
                          "{\"t\": 1772370000, \"model\": \"m\", \"input_tokens\": 10, \"output_tokens\": 1}\n");
    struct pcs_error err;
    pcs_trace *trace = pcs_trace_open(&path, 1, NULL, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    /* 11:00:01.5 UTC on day 20513 = 1772362801.5 s. */
    CHECK(req.t_ms == 1772362801500ll);
    CHECK(req.ttft_ms == 750);
    CHECK(req.has_observed == 1);
    CHECK_U64(req.observed.cache_read, 512);
    CHECK_U64(req.observed.cache_write, 300);
    CHECK_U64(req.observed.cache_write_1h, 100);
    CHECK_U64(req.source_line, 1);
    char place[256];
    CHECK(strcmp(pcs_trace_request_place(trace, &req, place, sizeof place), path) > 0);
    CHECK_CONTAINS(place, "observed.jsonl:1");
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(req.has_observed == 0 && req.ttft_ms == 0);
    CHECK_U64(req.source_line, 2);
    pcs_trace_free(trace);

    /* Bad observed usage is located: file:line: field. */
    const char *const bad[][2] = {
        {"{\"t\": 1, \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 1, "
         "\"observed\": {\"cache_read\": 80, \"cache_write\": 30}}",
         "observed.jsonl:1: field observed: cache_read 80 + cache_write 30 is more than input_tokens 100"},
        {"{\"t\": 1, \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 1, "
         "\"observed\": {\"cache_write\": 10, \"cache_write_1h\": 11}}",
         "field observed.cache_write_1h: 11 is more than cache_write 10"},
        {"{\"t\": 1, \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 1, \"observed\": {\"read\": 1}}",
         "field observed.read: unknown field"},
        {"{\"t\": 1, \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 1, \"observed\": {\"cache_read\": "
         "-1}}",
         "field observed.cache_read"},
        {"{\"t\": \"2026-13-01T00:00:00Z\", \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 1}",
         "field t: expected seconds or an ISO 8601 time"},
        {"{\"t\": \"1969-12-31T23:59:59Z\", \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 1}",
         "field t: time \"1969-12-31T23:59:59Z\" is before 1970"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s\n", bad[i][0]);
        path = write_file("observed.jsonl", text);
        trace = pcs_trace_open(&path, 1, NULL, &err);
        enum pcs_status status = trace ? pcs_trace_next(trace, &req, &err) : err.status;
        CHECK(status != PCS_OK);
        CHECK_CONTAINS(err.message, bad[i][1]);
        pcs_trace_free(trace);
    }
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_iso8601();
    test_scaling();
    test_chain();
    test_reconcile_rules();
    test_native_observed();
    unlink(write_file("observed.jsonl", ""));
    rmdir(dir);
    return check_summary();
}
