// Exports the price data bundled in the npm package @pydantic/genai-prices into
// pcsim's catalog (schema pcsim.catalog.v1, DESIGN §4), adding what pcsim needs
// and the package does not carry: each model's cache preset and minimum
// cacheable prefix (both from the hand-kept scenarios/rules/cache_rules.json), and each provider's tier multipliers and regional uplift
// (DESIGN §7).
//
// Usage: node export.mjs OUTPUT.json [DATE]
//   DATE (YYYY-MM-DD) stamps the export; default: today (UTC).
// Run it through tools/update-prices, which installs the pinned package first.
//
// The package keeps its providers in one array that calcPrice searches in
// order; resolution depends on that order, so it is kept, and so are models
// without token prices (they still shadow later match rules). Only the price
// keys pcsim bills are copied; the others (audio, images, searches) cannot
// occur in a token trace.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { findProvider } from '@pydantic/genai-prices';

const require = createRequire(import.meta.url);
const packageDir = require.resolve('@pydantic/genai-prices').replace(/dist[\\/]index\.cjs$/, '');
const packageInfo = JSON.parse(fs.readFileSync(packageDir + 'package.json', 'utf8'));

const PRICE_KEYS = ['input_mtok', 'cache_read_mtok', 'cache_write_mtok', 'cache_write_1h_mtok', 'output_mtok',
                    'requests_kcount'];

function die(message) {
    console.error(`export: error: ${message}`);
    process.exit(1);
}

// The provider array: the bundle declares it first as `const E = [...]`; the
// order is checked against the public findProvider below.
function loadProviders() {
    const source = fs.readFileSync(packageDir + 'dist/index.js', 'utf8');
    const start = source.indexOf('[', source.indexOf('const E = '));
    const end = source.indexOf('\n]', start);
    if (start < 0 || end < 0)
        die('cannot find the provider array in the package bundle (did its layout change?)');
    const providers = new Function(`return ${source.slice(start, end + 2)};`)();
    for (const provider of providers) {
        const found = findProvider({ providerId: provider.id });
        if (!found || found.id !== provider.id || found.models.length !== provider.models.length)
            die(`provider ${provider.id}: the bundle and findProvider disagree`);
    }
    return providers;
}

// Minimum cacheable prefix (DESIGN §7), by model family: the min_tokens rows
// of the hand-kept rules file scenarios/rules/cache_rules.json, in order; the first
// row whose every pattern matches the model id gives the minimum.
const rulesPath = new URL('../../scenarios/rules/cache_rules.json', import.meta.url);
const rules = JSON.parse(fs.readFileSync(rulesPath, 'utf8'));
if (rules.schema !== 'pcsim.cache_rules.v1' || !Array.isArray(rules.min_tokens))
    die(`${rulesPath.pathname}: not a pcsim.cache_rules.v1 file with min_tokens rows`);
const minTokenRules = rules.min_tokens.map((row) => ({ ...row, patterns: row.match.map((text) => new RegExp(text)) }));

function minTokens(id) {
    const row = minTokenRules.find((rule) => rule.patterns.every((pattern) => pattern.test(id)));
    if (!row)
        die(`${id}: no min_tokens row of ${rulesPath.pathname} matches (the last should match every id)`);
    return row.min_tokens;
}

function hasPrice(prices, key) {
    const list = Array.isArray(prices) ? prices.map((entry) => entry.prices) : [prices];
    return list.some((entry) => entry[key] !== undefined);
}

// The cache a model's provider runs (the `auto` policy uses it): none when
// the package gives the model no cache price; otherwise the preset of the
// first cache_preset_by_model row of the rules file that takes the model: its
// provider is one of the row's provider_ids, or its id matches every one of
// the row's match patterns (a row with neither takes every model).
if (!Array.isArray(rules.cache_preset_by_model))
    die(`${rulesPath.pathname}: no cache_preset_by_model rows`);
const presetRules = rules.cache_preset_by_model.map((row) =>
    ({ ...row, patterns: row.match.map((text) => new RegExp(text)) }));

function takesModel(row, providerId, id) {
    if (row.provider_ids.includes(providerId))
        return true;
    if (row.patterns.length > 0)
        return row.patterns.every((pattern) => pattern.test(id));
    return row.provider_ids.length === 0;
}

function cachePreset(providerId, id, prices) {
    if (!hasPrice(prices, 'cache_read_mtok') && !hasPrice(prices, 'cache_write_mtok'))
        return 'none';
    const row = presetRules.find((rule) => takesModel(rule, providerId, id));
    if (!row)
        die(`${providerId}/${id}: no cache_preset_by_model row of ${rulesPath.pathname} takes it ` +
            '(the last should take every model)');
    return row.preset;
}

// Tier multipliers and regional uplift (DESIGN §7): Batch halves prices at
// OpenAI, Anthropic and Google; Flex halves them at OpenAI; OpenAI's
// Priority costs about 2x (1.7-2.5x by model); regional processing +10%.
const PROVIDER_EXTRAS = {
    openai: { tiers: { standard: 1, batch: 0.5, flex: 0.5, priority: 2 }, region_uplift: 1.1 },
    anthropic: { tiers: { standard: 1, batch: 0.5 }, region_uplift: 1.1 },
    google: { tiers: { standard: 1, batch: 0.5 }, region_uplift: 1.1 },
};

function filterPrices(prices, where) {
    const out = {};
    for (const key of PRICE_KEYS)
        if (prices[key] !== undefined)
            out[key] = prices[key];
    if (out.cache_write_1h_mtok !== undefined && out.cache_write_mtok === undefined)
        die(`${where}: cache_write_1h_mtok without cache_write_mtok`);
    return out;
}

// The package accepts constraints with or without "type"; pcsim wants it.
function normaliseConstraint(constraint, where) {
    if (constraint.type)
        return constraint;
    if (constraint.start_date !== undefined)
        return { type: 'start_date', start_date: constraint.start_date };
    if (constraint.start_time !== undefined)
        return { type: 'time_of_date', start_time: constraint.start_time, end_time: constraint.end_time };
    die(`${where}: unknown price constraint ${JSON.stringify(constraint)}`);
}

function exportModel(provider, model) {
    const where = `${provider.id}/${model.id}`;
    const out = { id: model.id };
    if (model.name)
        out.name = model.name;
    out.match = model.match;
    if (model.context_window)
        out.context_window = model.context_window;
    if (Array.isArray(model.prices)) {
        out.prices = model.prices.map((entry) => {
            const conditional = {};
            if (entry.constraint)
                conditional.constraint = normaliseConstraint(entry.constraint, where);
            conditional.prices = filterPrices(entry.prices, where);
            return conditional;
        });
    } else {
        out.prices = filterPrices(model.prices, where);
    }
    out.cache_preset = cachePreset(provider.id, model.id, model.prices);
    if (out.cache_preset !== 'none')
        out.min_tokens = minTokens(model.id);
    return out;
}

function exportProvider(provider) {
    const out = { id: provider.id, name: provider.name };
    if (provider.model_match)
        out.model_match = provider.model_match;
    if (provider.provider_match)
        out.provider_match = provider.provider_match;
    if (provider.fallback_model_providers)
        out.fallback_model_providers = provider.fallback_model_providers;
    const extras = PROVIDER_EXTRAS[provider.id] ?? { tiers: { standard: 1 }, region_uplift: 1 };
    out.tiers = extras.tiers;
    out.region_uplift = extras.region_uplift;
    out.models = provider.models.map((model) => exportModel(provider, model));
    return out;
}

const [output, date = new Date().toISOString().slice(0, 10)] = process.argv.slice(2);
if (!output)
    die('usage: node export.mjs OUTPUT.json [YYYY-MM-DD]');
if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    die(`the date must be YYYY-MM-DD, not "${date}"`);

const providers = loadProviders().map(exportProvider);
const catalog = {
    schema: 'pcsim.catalog.v1',
    source: {
        package: packageInfo.name,
        version: packageInfo.version,
        license: packageInfo.license,
        exported: date,
        note: 'USD per million tokens (requests_kcount: per thousand requests). Generated by ' +
              'tools/update-prices; min_tokens, cache_preset, tiers and region_uplift are added by pcsim.',
    },
    providers,
};

// One model per line keeps diffs between two exports readable.
const lines = ['{',
    `  "schema": ${JSON.stringify(catalog.schema)},`,
    `  "source": ${JSON.stringify(catalog.source)},`,
    '  "providers": ['];
providers.forEach((provider, p) => {
    const { models, ...head } = provider;
    const headText = JSON.stringify(head);
    lines.push(`    ${headText.slice(0, -1)}, "models": [`);
    models.forEach((model, m) => lines.push(`      ${JSON.stringify(model)}${m + 1 < models.length ? ',' : ''}`));
    lines.push(`    ]}${p + 1 < providers.length ? ',' : ''}`);
});
lines.push('  ]', '}', '');
fs.writeFileSync(output + '.tmp', lines.join('\n'));
JSON.parse(fs.readFileSync(output + '.tmp', 'utf8'));
fs.renameSync(output + '.tmp', output);
const modelCount = providers.reduce((sum, provider) => sum + provider.models.length, 0);
console.error(`export: ${output}: ${providers.length} providers, ${modelCount} models from ` +
              `${packageInfo.name} ${packageInfo.version} (${date})`);
