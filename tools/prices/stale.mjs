// Reports the rows of a cache rules file (schema pcsim.cache_rules.v1) whose
// as_of is older than the file's own stale_before date: rules nobody has
// checked against their source since that date. The date is in the file, not
// the clock, so the report is the same on every machine; move stale_before
// forward to ask for a review.
//
// Usage: node stale.mjs [RULES.json]   (default: scenarios/rules/cache_rules.json)
// Prints one line per stale row and a summary; exits 0 (a report, not a
// failure), or 1 when the file is broken (a row without a date, no
// stale_before).
import fs from 'node:fs';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const path = process.argv[2] ?? new URL('../../scenarios/rules/cache_rules.json', import.meta.url).pathname;

function die(message) {
    console.error(`stale: error: ${path}: ${message}`);
    process.exit(1);
}

let rules;
try {
    rules = JSON.parse(fs.readFileSync(path, 'utf8'));
} catch (error) {
    die(error.message);
}
if (rules.schema !== 'pcsim.cache_rules.v1')
    die('schema: must be "pcsim.cache_rules.v1"');
if (typeof rules.stale_before !== 'string' || !DATE.test(rules.stale_before))
    die('stale_before: must be a date YYYY-MM-DD');

let rows = 0;
let stale = 0;
for (const table of ['presets', 'refinements', 'min_tokens', 'ttl_classes', 'cache_preset_by_model']) {
    (rules[table] ?? []).forEach((row, index) => {
        const where = `${table}[${index}]`;
        if (typeof row.as_of !== 'string' || !DATE.test(row.as_of))
            die(`${where}.as_of: must be a date YYYY-MM-DD`);
        if (typeof row.source !== 'string' || row.source === '')
            die(`${where}.source: must be a non-empty string`);
        rows++;
        // Two YYYY-MM-DD dates compare as text.
        if (row.as_of < rules.stale_before) {
            stale++;
            console.log(`${path}: ${where} (${row.name ?? row.family ?? row.seller ?? `${row.preset} ${row.parameter}`}): as_of ${row.as_of} is older than ` +
                        `stale_before ${rules.stale_before}; re-check ${row.source}`);
        }
    });
}
console.log(`${stale} of ${rows} cache rules older than ${rules.stale_before}`);
