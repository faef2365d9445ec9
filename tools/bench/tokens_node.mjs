// The node side of tools/bench/tokens: gpt-tokenizer's countTokens (the
// version pinned in tools/tokenizer) on FILE, special tokens as text, as
// pcsim counts. Prints "ENCODING TOKENS CPU_SECONDS WALL_SECONDS" for each
// encoding: the best of RUNS counts of the whole text (decoding the file
// excluded), CPU time of the process (user + system) and wall time.
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
    let bestCpu = Infinity;
    let bestWall = Infinity;
    let tokens = 0;
    for (let run = 0; run < runs; run++) {
        tokenizer.clearMergeCache();
        const cpu = process.cpuUsage();
        const start = process.hrtime.bigint();
        tokens = tokenizer.countTokens(text, { disallowedSpecial: new Set() });
        const wall = Number(process.hrtime.bigint() - start) / 1e9;
        const used = process.cpuUsage(cpu);
        bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
        bestWall = Math.min(bestWall, wall);
    }
    console.log(`${encoding} ${tokens} ${bestCpu.toFixed(3)} ${bestWall.toFixed(3)}`);
}
