// Replay dollars, checked request by request with the package itself: runs
// `pcsim replay --requests FILE --format json` and prices every per-request
// row with @pydantic/genai-prices' calcPrice (node), then checks that each
// row's cost_usd, each model's total and the replay's total equal those
// sums (relative 1e-9).
//
// Usage: node replay_costs.mjs PCSIM POLICY TRACE...
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const packageEntry = new URL('../../tools/prices/node_modules/@pydantic/genai-prices/dist/index.js', import.meta.url);
const { calcPrice } = await import(packageEntry);

const [pcsim, policy, ...traces] = process.argv.slice(2);
const when = '2026-11-23T12:00:00Z';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcsim-costs-'));
const rowsFile = path.join(dir, 'requests.csv');
const report = JSON.parse(execFileSync(pcsim, ['replay', '--policy', policy, '--format', 'json', '--price-date', when,
                                               '--requests', rowsFile, ...traces], { encoding: 'utf8' }));
const lines = fs.readFileSync(rowsFile, 'utf8').trim().split('\n');
fs.rmSync(dir, { recursive: true });

const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(b), 1e-12);
let failures = 0;
const fail = (message) => {
    failures++;
    if (failures <= 10)
        console.error(`FAIL ${message}`);
};
if (lines[0] !== 't_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,observed_cache_read,observed_cache_write,observed_cache_write_1h,source')
    fail(`header ${lines[0]}`);
const byModel = new Map();
let total = 0, writes1h = 0;
for (const line of lines.slice(1)) {
    const [, model, input, read, write, output, write1h, cost] = line.split(',');
    const usage = { input_tokens: +input, cache_read_tokens: +read, cache_write_tokens: +write,
                    cache_write_1h_tokens: +write1h, output_tokens: +output };
    const price = calcPrice(usage, model, { timestamp: new Date(when) });
    if (!price) {
        fail(`calcPrice knows no ${model}`);
        continue;
    }
    if (!close(+cost, price.total_price))
        fail(`row ${line}: pcsim ${cost}, calcPrice ${price.total_price}`);
    byModel.set(model, (byModel.get(model) ?? 0) + price.total_price);
    total += price.total_price;
    writes1h += +write1h;
}
for (const entry of report.cost.by_model) {
    const expected = byModel.get(entry.model) ?? 0;
    if (!close(entry.total, expected))
        fail(`model ${entry.model}: replay ${entry.total}, rows priced one by one ${expected}`);
    byModel.delete(entry.model);
}
if (byModel.size)
    fail(`models in the rows but not in the report: ${[...byModel.keys()].join(', ')}`);
if (!close(report.cost.total, total))
    fail(`total: replay ${report.cost.total}, rows priced one by one ${total}`);
console.log(`${policy}: ${lines.length - 1} requests, ${report.cost.by_model.length} models, ` +
            `$${total.toFixed(6)} (1-hour writes: ${writes1h} tokens), ${failures} failures`);
process.exit(failures ? 1 : 0);
