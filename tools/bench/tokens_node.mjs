// The node side of tools/bench/tokens: gpt-tokenizer's countTokens (the
// version pinned in tools/tokenizer) on FILE, special tokens as text, as
// pcsim counts. Prints "ENCODING TOKENS SECONDS" for each encoding; SECONDS
// is the best of RUNS counts of the whole text (decoding the file excluded).
// Usage: node tokens_node.mjs FILE [RUNS]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'tokenizer', 'x.js'));
const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const text = fs.readFileSync(file).toString('utf8');
for (const encoding of ['o200k_base', 'cl100k_base']) {
    const tokenizer = require(`gpt-tokenizer/encoding/${encoding}`);
    let best = Infinity;
    let tokens = 0;
    for (let run = 0; run < runs; run++) {
        tokenizer.clearMergeCache();
        const start = process.hrtime.bigint();
        tokens = tokenizer.countTokens(text, { disallowedSpecial: new Set() });
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        best = Math.min(best, seconds);
    }
    console.log(`${encoding} ${tokens} ${best.toFixed(3)}`);
}
