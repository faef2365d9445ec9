// Exports the token ranks of the npm package gpt-tokenizer (the version pinned
// in package.json and package-lock.json) for pcsim's BPE counter (src/tokens):
// for each encoding, the package's data/ENCODING.tiktoken (one line per token:
// its bytes in base64, a space, its rank) becomes OUTPUT_DIR/ENCODING.ranks,
// then compressed by tools/update-tokenizer.
//
// Layout of a .ranks file (read by src/tokens/ranks.c):
//   a text line "pcsim-ranks 1 ENCODING COUNT gpt-tokenizer VERSION\n", then
//   COUNT records in rank order 0, 1, ..., COUNT - 1, each one byte holding
//   the token's length (1..255) followed by that many bytes.
// The ranks of the package's files are dense (0 .. COUNT - 1, each once); the
// export checks it, so the record's position is its rank.
//
// Usage: node export.mjs OUTPUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('gpt-tokenizer/package.json'));
const version = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
const ENCODINGS = ['o200k_base', 'cl100k_base'];

function die(message) {
    console.error(`export: error: ${message}`);
    process.exit(1);
}

const outputDir = process.argv[2];
if (!outputDir)
    die('usage: node export.mjs OUTPUT_DIR');

for (const encoding of ENCODINGS) {
    const file = path.join(packageDir, 'data', `${encoding}.tiktoken`);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
    const tokens = new Array(lines.length);
    for (const [index, line] of lines.entries()) {
        const fields = line.split(' ');
        if (fields.length !== 2 || !/^[0-9]+$/.test(fields[1]))
            die(`${file}:${index + 1}: expected "BASE64 RANK"`);
        const rank = Number(fields[1]);
        const bytes = Buffer.from(fields[0], 'base64');
        if (rank >= lines.length || tokens[rank] !== undefined)
            die(`${file}:${index + 1}: rank ${rank} out of 0..${lines.length - 1} or given twice`);
        if (bytes.length < 1 || bytes.length > 255)
            die(`${file}:${index + 1}: a token of ${bytes.length} bytes (1..255 expected)`);
        tokens[rank] = bytes;
    }
    const header = Buffer.from(`pcsim-ranks 1 ${encoding} ${tokens.length} gpt-tokenizer ${version}\n`);
    const parts = [header];
    for (const bytes of tokens)
        parts.push(Buffer.from([bytes.length]), bytes);
    fs.writeFileSync(path.join(outputDir, `${encoding}.ranks`), Buffer.concat(parts));
    console.error(`export: ${encoding}: ${tokens.length} tokens from gpt-tokenizer ${version}`);
}
fs.writeFileSync(path.join(outputDir, 'version'), `${version}\n`);
