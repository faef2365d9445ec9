// Token parity: pcsim's BPE counter (through tests/tokens/token_ids.c)
// against the npm package gpt-tokenizer, the version pinned in
// tools/tokenizer, token id for token id. For every file of the corpus
// (tests/data/tokens) and both encodings: the whole file, then SLICES random
// byte ranges of it (which cut UTF-8 sequences and so test the repair of
// ill-formed input as well). node reads bytes as UTF-8 the WHATWG way
// (Buffer.toString), and gpt-tokenizer encodes special tokens as text with
// {disallowedSpecial: new Set()} (docs/tokens.md says why).
//
// One difference is known and checked as such: gpt-tokenizer 4.0.0 turns a
// merge candidate's bytes into a string with a TextDecoder that drops a
// leading byte order mark, and keeps the tokens that start with U+FEFF
// (EF BB BF: 9 in o200k_base) out of its string table; so those tokens never
// occur, and a candidate starting with U+FEFF is looked up without it
// (EF BB BF 76 ranks as "v"). pcsim merges by the bytes, as tiktoken does.
// The comparison runs against the package with those two lookups fixed (the
// decoder keeps the mark, as {ignoreBOM: true} would, and the string table
// holds every token that is well-formed UTF-8); the texts the package as
// published counts differently must each hold U+FEFF, and are reported.
//
// Usage: node parity.mjs TOKEN_IDS CORPUS_DIR [SLICES] [SEED]
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const packageRoot = path.join(here, '..', '..', 'tools', 'tokenizer', 'node_modules', 'gpt-tokenizer');
const [tokenIds, corpusDir, slicesArg, seedArg] = process.argv.slice(2);
const slices = Number(slicesArg ?? 200);
let seed = Number(seedArg ?? 16) >>> 0;

// A small deterministic generator (mulberry32), so that a failure can be replayed.
function random() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const encoders = {
    o200k_base: require(path.join(packageRoot, 'cjs', 'encoding', 'o200k_base.js')),
    cl100k_base: require(path.join(packageRoot, 'cjs', 'encoding', 'cl100k_base.js')),
};
const version = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;

const files = fs.readdirSync(corpusDir).sort().map((name) => path.join(corpusDir, name));
const cases = [];
for (const file of files) {
    const bytes = fs.readFileSync(file);
    for (const encoding of Object.keys(encoders)) {
        cases.push({ encoding, file, bytes, offset: 0, length: bytes.length });
        for (let i = 0; i < slices && bytes.length > 0; i++) {
            const offset = Math.floor(random() * bytes.length);
            const length = Math.floor(random() * Math.min(bytes.length - offset, 1 + Math.floor(random() * 600)));
            cases.push({ encoding, file, bytes, offset, length });
        }
    }
}

const requests = cases.map((c) => `${c.encoding} ${c.offset} ${c.length} ${c.file}\n`).join('');
const run = spawnSync(tokenIds, [], { input: requests, maxBuffer: 1 << 30, encoding: 'utf8' });
if (run.status !== 0) {
    console.error(`parity: ${tokenIds} failed (${run.status}): ${run.stderr}`);
    process.exit(1);
}
const answers = run.stdout.split('\n');

function encode(c) {
    const text = c.bytes.subarray(c.offset, c.offset + c.length).toString('utf8');
    return { text, ids: encoders[c.encoding].encode(text, { disallowedSpecial: new Set() }) };
}

// The package as published, then with its byte-order-mark lookups fixed.
const unfixed = cases.map((c) => encode(c));
const decode = TextDecoder.prototype.decode;
const keepMark = new TextDecoder('utf-8', { ignoreBOM: true });
TextDecoder.prototype.decode = function (input, options) {
    if (this !== keepMark && !this.ignoreBOM && !(options && options.stream))
        return decode.call(keepMark, input, options);
    return decode.call(this, input, options);
};
const strict = new TextDecoder('utf8', { fatal: true, ignoreBOM: true });
for (const encoder of Object.values(encoders)) {
    const core = encoder.default.bytePairEncodingCoreProcessor;
    core.bytePairRankDecoder.forEach((token, rank) => {
        if (typeof token === 'string')
            return;
        try {
            core.bytePairStringRankEncoder.set(strict.decode(new Uint8Array(token)), rank);
        } catch {
            // not UTF-8: found by the package's byte search, as before
        }
    });
    encoder.clearMergeCache();
}

let failures = 0;
let tokens = 0;
let bomQuirk = 0;
for (const [index, c] of cases.entries()) {
    const { text, ids: expected } = encode(c);
    const before = unfixed[index].ids;
    if (before.length !== expected.length || before.some((id, i) => id !== expected[i])) {
        bomQuirk++;
        if (!text.includes('\ufeff')) {
            failures++;
            console.error(`parity: ${c.encoding} ${path.basename(c.file)} bytes ${c.offset}+${c.length}: ` +
                          'the byte-order-mark fix changed a text without U+FEFF');
        }
    }
    const got = answers[index].split(' ').map(Number);
    const count = got.shift();
    tokens += expected.length;
    const same = count === expected.length && got.length === expected.length && got.every((id, i) => id === expected[i]);
    if (!same) {
        failures++;
        if (failures <= 10) {
            let at = 0;
            while (at < expected.length && got[at] === expected[at])
                at++;
            console.error(`parity: ${c.encoding} ${path.basename(c.file)} bytes ${c.offset}+${c.length}: ` +
                          `pcsim ${count} tokens, gpt-tokenizer ${expected.length}; first difference at token ${at}: ` +
                          `pcsim ${JSON.stringify(got.slice(at, at + 5))}, gpt-tokenizer ${JSON.stringify(expected.slice(at, at + 5))}`);
        }
    }
}
console.log(`parity: ${cases.length} texts (${files.length} files, ${slices} slices each, both encodings), ` +
            `${tokens} tokens against gpt-tokenizer ${version}: ${failures} differ; ` +
            `${bomQuirk} texts with U+FEFF that the unfixed package counts differently`);
process.exit(failures === 0 ? 0 : 1);
