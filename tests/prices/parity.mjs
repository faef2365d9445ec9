// Parity of `pcsim prices cost` with the package it is generated from: random
// usage vectors over many models of several providers go to both
// @pydantic/genai-prices' calcPrice (node) and pcsim, at random price times;
// the totals must agree to a relative 1e-9, and a name one side cannot
// resolve must be unknown to the other as well.
//
// Usage: node parity.mjs PCSIM [VECTORS] [SEED]
// (tests/prices/parity.sh installs the pinned package first).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

// The pinned package that tools/prices/install puts in tools/prices.
const packageEntry = new URL('../../tools/prices/node_modules/@pydantic/genai-prices/dist/index.js', import.meta.url);
const { calcPrice } = await import(packageEntry);

const [pcsim, vectorArg = '1000', seedArg = '1'] = process.argv.slice(2);
const vectorCount = Number(vectorArg);
let state = BigInt(seedArg) * 0x9E3779B97F4A7C15n + 1n;

// splitmix64: a seeded generator, so a failure can be replayed.
function random() {
    state = (state + 0x9E3779B97F4A7C15n) & 0xFFFFFFFFFFFFFFFFn;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & 0xFFFFFFFFFFFFFFFFn;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & 0xFFFFFFFFFFFFFFFFn;
    return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const integer = (max) => Math.floor(random() * (max + 1));

const catalog = JSON.parse(fs.readFileSync(new URL('../../scenarios/prices.json', import.meta.url), 'utf8'));

// Names that exercise resolution: dated ids, model-match rules of several
// providers, regex rules, long-context tiers, dated and time-of-day prices.
const named = [
    'gpt-4o-mini', 'gpt-4o', 'gpt-5.4-mini', 'gpt-5.4', 'gpt-5.6-sol', 'gpt-5.6-luna-2026-07-01', 'o3', 'o4-mini',
    'claude-opus-4-5-20251101', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001',
    'claude-3-5-haiku-20241022', 'claude-opus-4-6', 'claude-opus-5-20260301', 'gemini-2.5-flash', 'gemini-2.5-pro',
    'gemini-2.5-pro-preview-tts', 'gemini-3.6-flash', 'deepseek-chat', 'deepseek-reasoner', 'deepseek-v4-pro',
    'mistral-medium-latest', 'mistral-large-latest', 'grok-4.5', 'grok-4.3-20260101', 'command-r-plus',
    'kimi-k2', 'glm-4.6', 'MiniMax-M2', 'composer-2.5[fast=true]', 'no-such-model-xyz', 'Claude-Opus-4-5',
];
// Models drawn from the whole catalog, looked up at their own provider.
const catalogModels = catalog.providers.flatMap((provider) =>
    provider.models.map((model) => ({ provider: provider.id, id: model.id })));
const drawn = [];
for (let i = 0; i < 60; i++)
    drawn.push(pick(catalogModels));

// Price times around the catalog's dated prices and time-of-day windows.
const times = ['2025-06-01T12:00:00Z', '2026-07-29T23:59:59Z', '2026-08-20T02:30:00Z', '2026-08-21T00:00:00Z',
               '2026-11-23T00:45:00Z', '2026-11-23T17:00:00Z', '2027-01-02T12:00:00Z', '2026-09-30T16:29:59Z'];

function usageVector() {
    const input = random() < 0.05 ? 0 : Math.floor(Math.exp(random() * Math.log(600000)));
    const cacheRead = random() < 0.3 ? 0 : integer(input);
    const cacheWrite = random() < 0.4 ? 0 : integer(input - cacheRead);
    const cacheWrite1h = random() < 0.5 ? 0 : integer(cacheWrite);
    const output = integer(random() < 0.5 ? 2000 : 200000);
    return { input_tokens: input, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite,
             cache_write_1h_tokens: cacheWrite1h, output_tokens: output };
}

let compared = 0, unknownBoth = 0, failures = 0;
const models = new Set(), providers = new Set();
for (let i = 0; i < vectorCount; i++) {
    const fromCatalog = random() < 0.5;
    const entry = fromCatalog ? pick(drawn) : { provider: null, id: pick(named) };
    const usage = usageVector();
    const when = pick(times);
    let expected = null;
    try {
        expected = calcPrice(usage, entry.id, { providerId: entry.provider ?? undefined, timestamp: new Date(when) });
    } catch (error) {
        console.error(`skip: calcPrice threw for ${entry.id}: ${error.message}`);
        continue;
    }
    const args = ['prices', 'cost', entry.id, '--format', 'json', '--price-date', when,
                  '--input', String(usage.input_tokens), '--cache-read', String(usage.cache_read_tokens),
                  '--cache-write', String(usage.cache_write_tokens),
                  '--cache-write-1h', String(usage.cache_write_1h_tokens), '--output', String(usage.output_tokens)];
    if (entry.provider)
        args.push('--provider', entry.provider);
    let actual = null;
    try {
        actual = JSON.parse(execFileSync(pcsim, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    } catch (error) {
        if (error.status !== 1)
            throw error;
    }
    const label = `${entry.provider ? entry.provider + ':' : ''}${entry.id} at ${when} ${JSON.stringify(usage)}`;
    if (!expected || !actual) {
        if (expected || actual) {
            failures++;
            console.error(`FAIL ${label}: calcPrice ${expected ? expected.model.id : 'unknown'}, ` +
                          `pcsim ${actual ? actual.model : 'unknown'}`);
        } else {
            unknownBoth++;
        }
        continue;
    }
    const difference = Math.abs(actual.total - expected.total_price);
    const scale = Math.max(Math.abs(expected.total_price), 1e-300);
    if (actual.model !== expected.model.id || actual.provider !== expected.provider.id ||
        (difference > 1e-9 * scale && difference > 1e-15)) {
        failures++;
        console.error(`FAIL ${label}: calcPrice ${expected.provider.id}/${expected.model.id} ` +
                      `${expected.total_price}, pcsim ${actual.provider}/${actual.model} ${actual.total}`);
        continue;
    }
    compared++;
    models.add(`${actual.provider}/${actual.model}`);
    providers.add(actual.provider);
}
console.log(`parity: ${compared} totals equal over ${models.size} models of ${providers.size} providers, ` +
            `${unknownBoth} names unknown to both, ${failures} failures`);
if (failures || compared < 1000 && vectorCount >= 1200 || models.size < 20 || providers.size < 5)
    process.exit(1);
