// Checks the tables of tests/unit/test_regex.c against JavaScript's own
// RegExp, so the C test's expected values are JavaScript's answers.
//
//   node tests/unit/regex_cases.mjs [path/to/test_regex.c]
//
// Prints every case with node's result and exits 1 if any expected value
// (or, for rejected patterns, whether node compiles the pattern) disagrees.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const source_path = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'test_regex.c');
const source = readFileSync(source_path, 'latin1');

// The text between "BEGIN name" and "END name" comment markers.
function section(name) {
    const begin = source.indexOf(`/* BEGIN ${name} */`);
    const end = source.indexOf(`/* END ${name} */`);
    if (begin < 0 || end < begin) {
        throw new Error(`${source_path}: no ${name} section`);
    }
    return source.slice(begin + `/* BEGIN ${name} */`.length, end);
}

// Rows of the initializer: each { ... } inside the array braces becomes a
// list of values, a C string literal (adjacent ones joined) as a byte array,
// a number as a number.
function rows(text) {
    const found = [];
    let row = null;
    let depth = 0;
    let last_was_string = false;
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (text.startsWith('/*', i)) {
            i = text.indexOf('*/', i + 2) + 2;
        } else if (text.startsWith('//', i)) {
            i = text.indexOf('\n', i);
        } else if (c === '{') {
            depth++;
            if (depth === 2) {
                row = [];
            }
            i++;
        } else if (c === '}') {
            if (depth === 2) {
                found.push(row);
                row = null;
            }
            depth--;
            i++;
        } else if (c === '"' && row) {
            const [bytes, next] = c_string(text, i);
            if (last_was_string) {
                row[row.length - 1] = row[row.length - 1].concat(bytes);
            } else {
                row.push(bytes);
            }
            last_was_string = true;
            i = next;
            continue;
        } else if (/[0-9-]/.test(c) && row) {
            const match = /^-?[0-9]+/.exec(text.slice(i));
            row.push(Number(match[0]));
            i += match[0].length;
        } else {
            i++;
        }
        if (!/\s/.test(c)) {
            last_was_string = false;
        }
    }
    return found;
}

// One C string literal starting at text[at] ('"'): its bytes and the index after it.
function c_string(text, at) {
    const simple = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, '\\': 92, '"': 34, "'": 39, '?': 63 };
    const bytes = [];
    let i = at + 1;
    while (text[i] !== '"') {
        if (text[i] !== '\\') {
            bytes.push(text.charCodeAt(i));
            i++;
            continue;
        }
        const e = text[i + 1];
        if (e === 'x') {
            const match = /^[0-9a-fA-F]+/.exec(text.slice(i + 2));
            bytes.push(parseInt(match[0], 16) & 0xff);
            i += 2 + match[0].length;
        } else if (/[0-7]/.test(e)) {
            const match = /^[0-7]{1,3}/.exec(text.slice(i + 1));
            bytes.push(parseInt(match[0], 8) & 0xff);
            i += 1 + match[0].length;
        } else if (e in simple) {
            bytes.push(simple[e]);
            i += 2;
        } else {
            throw new Error(`unknown C escape \\${e}`);
        }
    }
    return [bytes, i + 1];
}

// Bytes as the string JavaScript would see: UTF-8 decoded with U+FFFD for
// malformed sequences, as the C matcher reads its text. A leading U+FEFF is
// a character here, not a byte order mark to drop.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const as_string = (bytes) => decoder.decode(Uint8Array.from(bytes));
const shown = (s) => JSON.stringify(s);

let failures = 0;
const cases = rows(section('CASES'));
for (const [pattern_bytes, text_bytes, expected] of cases) {
    const pattern = as_string(pattern_bytes);
    const text = as_string(text_bytes);
    let result;
    try {
        result = new RegExp(pattern).test(text) ? 1 : 0;
    } catch (error) {
        result = `throws ${error.message}`;
    }
    const ok = result === expected;
    if (!ok) {
        failures++;
    }
    console.log(`${ok ? 'ok  ' : 'FAIL'} /${pattern}/.test(${shown(text)}) = ${result}${ok ? '' : `, table says ${expected}`}`);
}

const rejects = rows(section('REJECTS'));
for (const [pattern_bytes, message_bytes, js_accepts] of rejects) {
    const pattern = as_string(pattern_bytes);
    const message = as_string(message_bytes);
    let accepts = 1;
    try {
        new RegExp(pattern);
    } catch {
        accepts = 0;
    }
    // "invalid regex" claims JavaScript rejects the pattern too.
    const consistent = accepts === js_accepts && (!message.startsWith('invalid regex') || accepts === 0);
    if (!consistent) {
        failures++;
    }
    console.log(`${consistent ? 'ok  ' : 'FAIL'} new RegExp(${shown(pattern)}) ${accepts ? 'compiles' : 'throws'}; pcsim: ${message}`);
}

console.log(`${cases.length} cases, ${rejects.length} rejects, ${failures} disagreements with node ${process.version}`);
process.exit(failures ? 1 : 0);
