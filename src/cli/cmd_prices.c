/* pcsim prices: the price catalog (list, show) and the cost of one usage. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_pricing.h"
#include "pcsim/report.h"

static void print_help(FILE *out)
{
    fputs("Usage: pcsim prices list [PROVIDER] [options]\n"
          "       pcsim prices show MODEL [options]\n"
          "       pcsim prices cost MODEL --input N [--cache-read N] [--cache-write N]\n"
          "                         [--cache-write-1h N] --output N [options]\n"
          "\n"
          "The price catalog pcsim bills with: USD per million tokens by provider and\n"
          "model, generated from the npm package @pydantic/genai-prices (tools/update-prices)\n"
          "and built into pcsim. Model names resolve as that package resolves them, so\n"
          "dated ids such as claude-opus-4-5-20251101 find their prices.\n"
          "\n"
          "  list [PROVIDER]   every model (of one provider) with its prices, cache preset\n"
          "                    and minimum cacheable prefix\n"
          "  show MODEL        one model: provider, cache, tiers, and every dated price\n"
          "  cost MODEL        the cost of one usage, part by part\n"
          "\n"
          "Usage counts (cost; the package's convention):\n"
          "  --input N           every prompt token, cached ones included\n"
          "  --cache-read N      of those, tokens read from the cache\n"
          "  --cache-write N     of those, tokens written to the cache (1-hour writes included)\n"
          "  --cache-write-1h N  of the written ones, those with a 1-hour TTL\n"
          "  --output N          completion tokens\n"
          "  --requests N        requests the usage spans (per-request fees; default 1);\n"
          "                      long-context prices go by each request's prompt,\n"
          "                      input / N (assumes equal requests)\n"
          "                      Counts take k, M, G suffixes: 15M = 15,000,000.\n"
          "\n"
          "Pricing:\n"
          "  --tier T            standard (default), batch, flex or priority: the provider's\n"
          "                      multiplier (batch and flex 0.5 where sold)\n"
          "  --region-uplift X   regional processing surcharge: a multiplier (1.1), an extra\n"
          "                      share (0.1), a percentage (10%), or catalog (the provider's\n"
          "                      own uplift from the catalog)\n"
          "  --provider ID       look the model up at this provider only (or write ID:MODEL)\n"
          "  --price-date WHEN   prices in effect at WHEN: 2026-11-23 (noon UTC),\n"
          "                      2026-11-23T08:30:00Z or now (default: $PCSIM_PRICE_DATE,\n"
          "                      else today, noon UTC)\n"
          "  --prices FILE       your own catalog (schema pcsim.catalog.v1) instead of the\n"
          "                      built-in one; $PCSIM_PRICES does the same\n"
          "\n"
          "Output:\n"
          "  --format FMT        text (default) or json (schema pcsim.prices.v1; cost's\n"
          "                      \"total\" is the cost in USD)\n"
          "  -h, --help          this help\n"
          "\n"
          "Examples:\n"
          "  pcsim prices list anthropic\n"
          "  pcsim prices show claude-sonnet-4-5-20250929\n"
          "  pcsim prices cost gpt-4o-mini --input 15M --output 30M\n"
          "  pcsim prices cost claude-opus-4-5 --input 200k --cache-read 150k --cache-write 40k \\\n"
          "      --output 2k --tier batch --format json\n"
          "\n"
          "Cost = (input - cache_read - cache_write) x input price + cache_read x cache read\n"
          "price + 5-minute writes x cache write price + 1-hour writes x 1-hour write price\n"
          "+ output x output price, per million, times the tier multiplier and the uplift.\n"
          "A cache class without its own price is billed at its parent's (writes and reads\n"
          "at the input price). Long-context prices apply by one prompt's size: the input,\n"
          "or input / N with --requests N (the usage of N equal requests).\n",
          out);
}

enum {
    OPT_INPUT = 256,
    OPT_CACHE_READ,
    OPT_CACHE_WRITE,
    OPT_CACHE_WRITE_1H,
    OPT_OUTPUT,
    OPT_REQUEST_COUNT,
    OPT_TIER,
    OPT_UPLIFT,
    OPT_PROVIDER,
    OPT_PRICE_DATE,
    OPT_PRICES,
    OPT_FORMAT
};

static const struct option options[] = {
    {"input", required_argument, NULL, OPT_INPUT},
    {"cache-read", required_argument, NULL, OPT_CACHE_READ},
    {"cache-write", required_argument, NULL, OPT_CACHE_WRITE},
    {"cache-write-1h", required_argument, NULL, OPT_CACHE_WRITE_1H},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"requests", required_argument, NULL, OPT_REQUEST_COUNT},
    {"tier", required_argument, NULL, OPT_TIER},
    {"region-uplift", required_argument, NULL, OPT_UPLIFT},
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"price-date", required_argument, NULL, OPT_PRICE_DATE},
    {"prices", required_argument, NULL, OPT_PRICES},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct prices_options {
    struct pcs_usage usage;
    int has_input, has_usage;
    enum pcs_tier tier;
    int has_tier;
    double uplift;
    int has_uplift;
    const char *provider;
    const char *price_date;
    const char *prices_path;
    int json;
};

static int parse_count_option(const char *name, const char *text, uint64_t *value)
{
    if (cli_parse_count(text, value) != 0)
        return cli_usage_error("prices", "--%s: expected a whole token count such as 1200 or 15M, got '%s'", name,
                               text);
    return CLI_EXIT_OK;
}

/* Parses options (they may come before or after the operands; getopt
 * moves the operands to the end). Returns CLI_EXIT_OK or the exit code. */
static int parse_options(int argc, char **argv, struct prices_options *opts)
{
    int opt;
    int code = CLI_EXIT_OK;
    optind = 1;
    opterr = 0;
    while (code == CLI_EXIT_OK && (opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': print_help(stdout); return -1;
        case OPT_INPUT:
            code = parse_count_option("input", optarg, &opts->usage.input);
            opts->has_input = opts->has_usage = 1;
            break;
        case OPT_CACHE_READ:
            code = parse_count_option("cache-read", optarg, &opts->usage.cache_read);
            opts->has_usage = 1;
            break;
        case OPT_CACHE_WRITE:
            code = parse_count_option("cache-write", optarg, &opts->usage.cache_write);
            opts->has_usage = 1;
            break;
        case OPT_CACHE_WRITE_1H:
            code = parse_count_option("cache-write-1h", optarg, &opts->usage.cache_write_1h);
            opts->has_usage = 1;
            break;
        case OPT_OUTPUT:
            code = parse_count_option("output", optarg, &opts->usage.output);
            opts->has_usage = 1;
            break;
        case OPT_REQUEST_COUNT:
            code = parse_count_option("requests", optarg, &opts->usage.requests);
            opts->has_usage = 1;
            break;
        case OPT_TIER: {
            int tier = pcs_tier_parse(optarg);
            if (tier < 0)
                return cli_usage_error("prices", "--tier: expected standard, batch, flex or priority, got '%s'",
                                       optarg);
            opts->tier = (enum pcs_tier)tier;
            opts->has_tier = 1;
            break;
        }
        case OPT_UPLIFT:
            if (cli_parse_uplift(optarg, &opts->uplift) != 0)
                return cli_usage_error("prices",
                                       "--region-uplift: expected a multiplier such as 1.1, a share such "
                                       "as 0.1 or a percentage such as 10%%, got '%s'",
                                       optarg);
            opts->has_uplift = 1;
            break;
        case OPT_PROVIDER: opts->provider = optarg; break;
        case OPT_PRICE_DATE: opts->price_date = optarg; break;
        case OPT_PRICES: opts->prices_path = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return cli_usage_error("prices", "--format: expected text or json, got '%s'", optarg);
            opts->json = strcmp(optarg, "json") == 0;
            break;
        default: return cli_option_error("prices", argv);
        }
    }
    return code;
}

static int run_list(const pcs_catalog *catalog, const char *provider_id, const struct prices_options *opts, double when)
{
    const struct pcs_provider *provider = NULL;
    if (provider_id) {
        provider = pcs_catalog_find_provider(catalog, provider_id);
        if (!provider) {
            fprintf(stderr, "pcsim prices: unknown provider '%s'; the catalog has:", provider_id);
            for (size_t i = 0; i < pcs_catalog_provider_count(catalog); i++)
                fprintf(stderr, " %s", pcs_catalog_provider(catalog, i)->id);
            fprintf(stderr, "\n");
            return CLI_EXIT_DATA;
        }
    }
    enum pcs_status status = opts->json ? pcs_report_price_list_json(stdout, catalog, provider, when)
                                        : pcs_report_price_list_text(stdout, catalog, provider, when);
    return status == PCS_OK ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

static int run_cost(const pcs_catalog *catalog, const struct pcs_model *model, struct prices_options *opts, double when)
{
    struct pcs_price_quote quote;
    memset(&quote, 0, sizeof quote);
    quote.catalog = catalog;
    quote.model = model;
    quote.price_time_s = when;
    quote.set = pcs_model_prices_at(model, when);
    quote.tier = opts->has_tier ? opts->tier : PCS_TIER_STANDARD;
    quote.tier_multiplier = cli_tier_multiplier("prices", model, quote.tier);
    if (quote.tier_multiplier < 0)
        return CLI_EXIT_DATA;
    quote.region_uplift = opts->has_uplift ? opts->uplift : 1.0;
    if (quote.region_uplift < 0)
        quote.region_uplift = model->provider->region_uplift;
    quote.usage = opts->usage;
    quote.prompt_class = pcs_price_class_average(quote.set, quote.usage.input, quote.usage.requests);
    struct pcs_error err = {0};
    if (pcs_price_usage(quote.set, &quote.usage, quote.prompt_class, quote.tier_multiplier * quote.region_uplift,
                        &quote.cost, &err) != PCS_OK)
        return cli_usage_error("prices", "%s", err.message);
    enum pcs_status status =
        opts->json ? pcs_report_price_quote_json(stdout, &quote) : pcs_report_price_quote_text(stdout, &quote);
    return status == PCS_OK ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

int cmd_prices(int argc, char **argv)
{
    struct prices_options opts;
    memset(&opts, 0, sizeof opts);
    opts.usage.requests = 1;
    int code = parse_options(argc, argv, &opts);
    if (code < 0)
        return cli_finish_stdout(CLI_EXIT_OK);
    if (code != CLI_EXIT_OK)
        return code;
    if (optind >= argc)
        return cli_usage_error("prices", "expected list, show MODEL or cost MODEL");
    const char *action = argv[optind];
    int operands = argc - optind - 1;
    int is_list = strcmp(action, "list") == 0;
    int is_show = strcmp(action, "show") == 0;
    int is_cost = strcmp(action, "cost") == 0;
    if (!is_list && !is_show && !is_cost)
        return cli_usage_error("prices", "unknown action '%s' (list, show or cost)", action);
    if (is_list && operands > 1)
        return cli_usage_error("prices", "list takes at most one provider");
    if (!is_list && operands != 1)
        return cli_usage_error("prices", "%s takes one model name", action);
    if (!is_cost && (opts.has_usage || opts.has_tier || opts.has_uplift))
        return cli_usage_error("prices", "usage counts, --tier and --region-uplift belong to 'prices cost'");
    if (is_cost && !opts.has_input)
        return cli_usage_error("prices", "cost needs --input N (every prompt token, cached ones included)");
    double when;
    code = cli_price_time("prices", opts.price_date, &when);
    if (code != CLI_EXIT_OK)
        return code;

    pcs_catalog *catalog = cli_load_catalog("prices", opts.prices_path);
    if (!catalog)
        return CLI_EXIT_DATA;
    if (is_list) {
        code = run_list(catalog, operands ? argv[optind + 1] : NULL, &opts, when);
    } else {
        const struct pcs_model *model = cli_resolve_model("prices", catalog, argv[optind + 1], opts.provider);
        if (!model)
            code = CLI_EXIT_DATA;
        else if (is_show)
            code = (opts.json ? pcs_report_price_model_json(stdout, catalog, model, when)
                              : pcs_report_price_model_text(stdout, catalog, model, when)) == PCS_OK
                       ? CLI_EXIT_OK
                       : CLI_EXIT_DATA;
        else
            code = run_cost(catalog, model, &opts, when);
    }
    pcs_catalog_free(catalog);
    return cli_finish_stdout(code);
}
