#!/usr/bin/env python3
"""Python baseline for `pcsim replay` on request logs: import and replay, written plainly.

What a user would write in an afternoon to answer "what would prompt caching save on
our logs": read openai-log lines (DESIGN §8: {"timestamp", "request", "response"}
around Chat Completions bodies) with the json module, turn each prompt into units,
count each unit's tokens with the model's byte-pair encoding, and replay them through
an idle-TTL prefix cache (DESIGN §3, policy ttl) in dicts. tools/bench/logs measures
pcsim against it; it favours obviousness over speed on purpose: do not optimise it
(standard library and the `regex` module only: no C extensions of its own, one process).

  - units (docs/design.md §8, as pcsim reads Chat Completions): every tool definition
    (role "tool", its JSON text), then every message's content in order (a string is
    one unit, each block of a list one unit) and its tool calls (each one unit); a
    unit's id is a hash of its role and its JSON text;
  - tokens (--tokens bpe, the default): a unit's text (a string's characters; a block's
    "text" when it is a string; else its JSON text) counted with the model's encoding
    as docs/tokens.md describes it, from the published algorithm:
      1. pre-split with the encoding's pattern (gpt-tokenizer 4.0.0's
         src/encodingParams/constants.ts, O200K_TOKEN_SPLIT_PATTERN and
         CL100K_TOKEN_SPLIT_PATTERN) through the `regex` module, which knows \\p{...};
         \\s and \\S spelled as JavaScript's whitespace class (ECMA-262), $ as the very
         end (\\Z), as the JavaScript expressions mean them;
      2. each piece, as UTF-8 bytes, is one token when it is a token; else it starts as
         single bytes and the adjacent pair of lowest rank is merged (the leftmost of
         equal ones) while any pair is a token (tiktoken's byte_pair_merge);
    the ranks are the pinned npm package's data/ENCODING.tiktoken (tools/tokenizer/
    install puts it in tools/tokenizer/node_modules; a line is a token's bytes in base64
    and its rank), else the same table decoded from src/tokens/generated/ (zstd -dc).
    A unit's count is memoised by its id in a direct-mapped table of 2^16 entries, the
    trick pcsim uses: a conversation re-sends its history every turn.
    Not covered: the stand-ins of docs/tokens.md for code points the regex module's
    Unicode tables class otherwise than node's; an unpaired surrogate escape is an
    error, as in pcsim.
  - tokens (--tokens words): the old estimate, a unit's words (exact on the logs of
    tools/bench/gen_logs.py, whose words are one token each);
  - either way the counts are scaled to usage.prompt_tokens by DESIGN §8's largest
    remainder rule; a unit scaled to nothing is no bound of its own (its id goes into
    the next unit's prefix);
  - namespace: request prompt_cache_key, else user, else the global one;
  - the cache: an entry per (namespace, model, prefix of units) with its last use;
    a request reads the deepest bound whose whole prefix is alive (t < last use +
    TTL) and refreshes and writes every bound.
Lines must be in time order (as a log is written); one that goes back is an error.
Memory: the cache's entries (they expire lazily: a swept dict), the rank table and
the memo, not the file.

Usage:
    log_baseline.py [--ttl SECONDS] [--tokens bpe|words] [--ranks DIR] LOG...
    log_baseline.py --count [--encoding NAME] [--ranks DIR] FILE...

Prints one JSON object: {"requests", "units", "tokens": {"input", "cache_read",
"output"}, "cached_ratio"}.
--count prints each FILE's tokens (its bytes read as UTF-8, ill-formed sequences
replaced) and the total, as `pcsim tokens` does. Exit 0, 1 on bad input, 2 on a
usage error.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys

try:
    import regex
except ImportError:  # the standard re has no \p{L}
    regex = None

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PACKAGE_DATA = os.path.join(REPO, "tools", "tokenizer", "node_modules", "gpt-tokenizer", "data")
GENERATED = os.path.join(REPO, "src", "tokens", "generated")
MEMO_BITS = 16


class LogError(Exception):
    pass


# ---------------------------------------------------------------- tokens

# ECMAScript's WhiteSpace and LineTerminator code points (ECMA-262, CharacterClassEscape \s).
JS_SPACE = "\\t\\n\\x0B\\f\\r \\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF"
CONTRACTION = "'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])"
UPPER = "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]"
LOWER = "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]"
PATTERNS = {
    "o200k_base": "|".join([
        "[^\\r\\n\\p{L}\\p{N}]?%s*%s+(?:%s)?" % (UPPER, LOWER, CONTRACTION),
        "[^\\r\\n\\p{L}\\p{N}]?%s+%s*(?:%s)?" % (UPPER, LOWER, CONTRACTION),
        "\\p{N}{1,3}",
        " ?[^%s\\p{L}\\p{N}]+[\\r\\n/]*" % JS_SPACE,
        "[%s]*[\\r\\n]+" % JS_SPACE,
        "[%s]+(?![^%s])" % (JS_SPACE, JS_SPACE),
        "[%s]+" % JS_SPACE,
    ]),
    "cl100k_base": "|".join([
        CONTRACTION,
        "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+",
        "\\p{N}{1,3}",
        " ?[^%s\\p{L}\\p{N}]+[\\r\\n]*" % JS_SPACE,
        "[%s]+\\Z" % JS_SPACE,
        "[%s]*[\\r\\n]" % JS_SPACE,
        "[%s]+(?![^%s])" % (JS_SPACE, JS_SPACE),
        "[%s]" % JS_SPACE,
    ]),
}


def encoding_for_model(model):
    """docs/tokens.md's table: cl100k_base for the GPT-4 and GPT-3.5 families (not gpt-4o,
    gpt-4.1, gpt-4.5) and the older embedding models; o200k_base for every other name."""
    name = model.split("/")[-1]
    if name in ("gpt-4", "gpt-3.5", "gpt-35-turbo", "text-embedding-ada-002", "babbage-002", "davinci-002"):
        return "cl100k_base"
    if name.startswith(("gpt-4-", "gpt-3.5-", "gpt-35-turbo-", "text-embedding-3-")):
        return "cl100k_base"
    return "o200k_base"


def read_ranks(encoding, ranks_dir):
    """{token bytes: rank} of an encoding."""
    path = os.path.join(ranks_dir, encoding + ".tiktoken")
    if os.path.exists(path):
        ranks = {}
        with open(path, "rb") as table:
            for line in table:
                if line.strip():
                    token, rank = line.split()
                    ranks[base64.b64decode(token)] = int(rank)
        return ranks
    # The same tokens from pcsim's embedded copy (docs/tokens.md): a header line, then
    # each token in rank order as a length byte and its bytes.
    path = os.path.join(GENERATED, encoding + ".ranks.zst")
    try:
        data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise LogError("no ranks for %s (run tools/tokenizer/install, or install zstd): %s" % (encoding, error))
    at = data.index(b"\n") + 1
    ranks = {}
    while at < len(data):
        length = data[at]
        ranks[data[at + 1:at + 1 + length]] = len(ranks)
        at += 1 + length
    return ranks


class Encoding:
    def __init__(self, name, ranks_dir):
        if regex is None:
            raise LogError("the BPE count needs the regex module (pip install regex), or use --tokens words")
        self.name = name
        self.ranks = read_ranks(name, ranks_dir)
        self.pattern = regex.compile(PATTERNS[name])

    def piece_tokens(self, piece):
        """How many tokens the bytes of one piece merge into."""
        if piece in self.ranks:
            return 1
        parts = [piece[i:i + 1] for i in range(len(piece))]
        while len(parts) > 1:
            best = None
            best_rank = None
            for i in range(len(parts) - 1):
                rank = self.ranks.get(parts[i] + parts[i + 1])
                if rank is not None and (best_rank is None or rank < best_rank):
                    best, best_rank = i, rank
            if best is None:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        return len(parts)

    def count(self, text):
        return sum(self.piece_tokens(piece.encode("utf-8")) for piece in self.pattern.findall(text))


class Counter:
    """A unit's tokens, by the model's encoding or by words; memoised by unit id."""

    def __init__(self, method, ranks_dir):
        self.method = method
        self.ranks_dir = ranks_dir
        self.encodings = {}
        self.memo = [None] * (1 << MEMO_BITS)

    def encoding(self, model):
        name = encoding_for_model(model)
        if name not in self.encodings:
            self.encodings[name] = Encoding(name, self.ranks_dir)
        return self.encodings[name]

    def unit_tokens(self, model, unit_id, text):
        if self.method == "words":
            return len(text.split())
        encoding = self.encoding(model)
        key = (unit_id, encoding.name)
        slot = int.from_bytes(unit_id, "little") & ((1 << MEMO_BITS) - 1)
        entry = self.memo[slot]
        if entry is not None and entry[0] == key:
            return entry[1]
        tokens = encoding.count(text)
        self.memo[slot] = (key, tokens)
        return tokens


# ------------------------------------------------------------------- log

def timestamp_ms(value, where):
    if isinstance(value, (int, float)):
        return int(round(value * 1000))
    if isinstance(value, str):
        try:
            when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise LogError("%s: field timestamp: not an ISO 8601 time" % where)
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return int(round(when.timestamp() * 1000))
    raise LogError("%s: field timestamp: expected a time" % where)


def unit(role, value, text):
    """(id, text) of a unit: value is its JSON, text what its tokens are counted from."""
    unit_json = json.dumps([role, value], separators=(",", ":"))
    return hashlib.blake2b(unit_json.encode(), digest_size=8).digest(), text


def units_of(request):
    """(id, text) per unit of a Chat Completions request."""
    units = []
    for tool in request.get("tools") or []:
        units.append(unit("tool", tool, json.dumps(tool, separators=(",", ":"))))
    for message in request.get("messages", []):
        role = message.get("role", "")
        content = message.get("content")
        blocks = [content] if isinstance(content, str) else (content or [])
        for block in blocks + (message.get("tool_calls") or []):
            if isinstance(block, str):
                text = block
            elif isinstance(block, dict) and isinstance(block.get("text"), str):
                text = block["text"]
            else:
                text = json.dumps(block, separators=(",", ":"))
            units.append(unit(role, block, text))
    return units


def scale(counts, total):
    """Largest remainder: unit i gets floor(c_i total / C), the rest one each to the
    largest fractional parts (ties: the earlier unit); C = 0 puts all on the last."""
    whole = sum(counts)
    if whole == 0:
        return [0] * (len(counts) - 1) + [total]
    shares = [c * total // whole for c in counts]
    left = total - sum(shares)
    order = sorted(range(len(counts)), key=lambda i: (-(counts[i] * total % whole), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def replay(args):
    counter = Counter(args.tokens, args.ranks)
    ttl_ms = int(args.ttl * 1000)
    last_use = {}  # key -> ms
    requests = units_total = input_total = read_total = output_total = 0
    last_t = None
    sweep_at = 0
    for path in args.logs:
        with open(path, encoding="utf-8") as log:
            for number, line in enumerate(log, 1):
                if not line.strip():
                    continue
                where = "%s:%d" % (path, number)
                try:
                    record = json.loads(line)
                    request, response = record["request"], record["response"]
                    usage = response["usage"]
                    prompt_tokens = int(usage["prompt_tokens"])
                    output_tokens = int(usage.get("completion_tokens", 0))
                    model = request["model"]
                except (ValueError, KeyError, TypeError) as error:
                    raise LogError("%s: %s" % (where, error))
                t = timestamp_ms(record.get("timestamp"), where)
                if last_t is not None and t < last_t:
                    raise LogError("%s: time goes back" % where)
                last_t = t
                namespace = request.get("prompt_cache_key") or request.get("user") or ""
                units = units_of(request)
                counts = [counter.unit_tokens(model, unit_id, text) for unit_id, text in units]
                tokens = scale(counts, prompt_tokens) if units else []
                key = hashlib.blake2b((namespace + "\x00" + model).encode(), digest_size=8).digest()
                end = 0
                read = 0
                alive = True
                for (unit_id, _), count in zip(units, tokens):
                    key = hashlib.blake2b(key + unit_id, digest_size=8).digest()
                    if count == 0:
                        continue  # no bound of its own: its id is in the next unit's key
                    end += count
                    used = last_use.get(key)
                    alive = alive and used is not None and t < used + ttl_ms
                    if alive:
                        read = end
                    last_use[key] = t
                    units_total += 1
                requests += 1
                input_total += prompt_tokens
                read_total += read
                output_total += output_tokens
                if t >= sweep_at:  # expired entries can never be read again
                    last_use = {k: u for k, u in last_use.items() if t < u + ttl_ms}
                    sweep_at = t + ttl_ms
    print(json.dumps({"requests": requests, "units": units_total,
                      "tokens": {"input": input_total, "cache_read": read_total, "output": output_total},
                      "cached_ratio": round(read_total / input_total, 6) if input_total else 0}))


def count_files(args):
    encoding = Encoding(args.encoding, args.ranks)
    total = 0
    for path in args.logs:
        with open(path, "rb") as text:
            tokens = encoding.count(text.read().decode("utf-8", "replace"))
        print("%10d  %s" % (tokens, path))
        total += tokens
    print("%10d  total" % total)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ttl", type=float, default=300.0)
    parser.add_argument("--tokens", choices=("bpe", "words"), default="bpe")
    parser.add_argument("--ranks", default=PACKAGE_DATA)
    parser.add_argument("--count", action="store_true")
    parser.add_argument("--encoding", choices=sorted(PATTERNS), default="o200k_base")
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    try:
        if args.count:
            count_files(args)
        else:
            replay(args)
    except (LogError, OSError) as error:
        print("log_baseline: %s" % error, file=sys.stderr)
        return 1
    except UnicodeEncodeError:
        print("log_baseline: an unpaired surrogate in a string", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
