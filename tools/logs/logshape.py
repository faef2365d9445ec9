"""The shape of the request logs pcsim's ground-truth tools write, in one place.

tools/make-logs (logs whose observed usage is known) and tools/bench/gen_logs.py
(gigabytes of chat logs) both write their lines through this module, so the two
agree with each other and with the readers on one shape. The envelope is DESIGN
§8's: a line is {"timestamp": T, "request": BODY, "response": BODY}, BODY a Chat
Completions (openai-log) or Messages (anthropic-log) body. Field names are the
SDKs': openai-python `ChatCompletion` / `CompletionUsage` (`prompt_tokens`,
`completion_tokens`, `total_tokens`, `prompt_tokens_details.cached_tokens`;
`cache_write_tokens` there for GPT-5.6+ writes, DESIGN §7), anthropic-sdk-python
`Message` / `Usage` (`input_tokens` without the cache tokens,
`cache_read_input_tokens`, `cache_creation_input_tokens`,
`cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`), and
the request's session: `prompt_cache_key` (OpenAI) and `metadata.user_id`
(Anthropic).

Prompt text with a known token count: a unit of N tokens is N words of WORDS
joined by single spaces. Each word is one token alone and after a space in both
o200k_base and cl100k_base, and the pre-tokenizers of both split before every
space-letter run, so N words are exactly N tokens (checked with the npm package
gpt-tokenizer 4.0.0 on 2,000 random sequences of 1 to 600 words, each encoding;
tests/convert/make_logs_test.py checks again when node and the package are at
hand). Which words a unit gets is a hash of its key, so equal keys give equal
text and distinct keys, in practice, distinct text. Standard library only.
"""
import datetime
import functools
import hashlib
import json

# 256 words: the first lowercase ASCII words of 4 to 7 letters in o200k_base's
# rank order that are one token, alone and after a space, in both encodings.
WORDS = """
    with that this from return your have will class public cont more inter part void they const
    their comp self time over about stat work which else para also some data private null when
    other year like name need just been true there them real comm what value cons would false
    type were into make result java list than first import back start only string inform form
    look static best under trans most find person help people want long inst final read test
    every spec should know well pres hand then through user char require right pass stud very
    these product case good prof down where post pour high after even file mark many much could
    while said used number serv years event here play print item last program word text current
    great gener does sign because home such free before process online voor take child view
    break size show model using design check world week book think again system call cent point
    produ being made each poss place qual found open support create como super line order
    service develop contin method custom quest state next life request those follow care array
    oper prov expect organ same intern local site rece style really main default must game conf
    object direct fact around rest between cour market term error cert android still plus
    without month disc offer going both project page report build love client come color cost
    second content path hist port full appro access effect company message stand head feel level
    team mill health sure
""".split()
assert len(WORDS) == 256

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


@functools.lru_cache(maxsize=4096)  # a conversation re-sends its units every turn
def unit_text(key, tokens):
    """tokens words chosen by the hash of key (a str): exactly tokens o200k tokens."""
    words = []
    counter = 0
    while len(words) < tokens:
        digest = hashlib.sha256(("%s\x1f%d" % (key, counter)).encode()).digest()
        words.extend(WORDS[b] for b in digest[:tokens - len(words)])
        counter += 1
    return " ".join(words)


def iso_time(t_ms):
    """Epoch milliseconds as ISO 8601 UTC with milliseconds: 2026-03-01T12:00:00.250Z."""
    seconds, ms = divmod(t_ms, 1000)
    when = EPOCH + datetime.timedelta(seconds=seconds)
    return "%s.%03dZ" % (when.strftime("%Y-%m-%dT%H:%M:%S"), ms)


def dumps(value):
    """The JSON text of a value as every tool writes it (compact, keys in order)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---- prompts: a list of units, each (role, text, cache) with cache None, "5m" or "1h"

def openai_messages(units):
    """Chat Completions messages: a unit a message, its content a plain string
    (one block). Chat Completions has no cache_control: markers are dropped."""
    return [{"role": role, "content": text} for role, text, _cache in units]


def anthropic_messages(units):
    """Messages API messages: a unit a message; a marked unit is a text block
    with cache_control (ttl "1h" when marked so), others a plain string."""
    messages = []
    for role, text, cache in units:
        if cache is None:
            messages.append({"role": role, "content": text})
        else:
            control = {"type": "ephemeral"}
            if cache == "1h":
                control["ttl"] = "1h"
            messages.append({"role": role, "content": [{"type": "text", "text": text, "cache_control": control}]})
    return messages


def openai_roles(count):
    """Roles by position: system first, then user and assistant in turn."""
    return ["system" if i == 0 else ("user" if i % 2 else "assistant") for i in range(count)]


def anthropic_roles(count):
    """Roles by position: user and assistant in turn (the system prompt is a
    message here too, so that every unit has a message of its own)."""
    return ["user" if i % 2 == 0 else "assistant" for i in range(count)]


# ---- usage

def openai_usage(input_tokens, output_tokens, cache_read, cache_write):
    details = {"cached_tokens": cache_read}
    if cache_write:
        details["cache_write_tokens"] = cache_write
    return {"prompt_tokens": input_tokens, "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens, "prompt_tokens_details": details}


def anthropic_usage(input_tokens, output_tokens, cache_read, cache_write, cache_write_1h):
    return {"input_tokens": input_tokens - cache_read - cache_write, "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_write, "cache_read_input_tokens": cache_read,
            "cache_creation": {"ephemeral_5m_input_tokens": cache_write - cache_write_1h,
                               "ephemeral_1h_input_tokens": cache_write_1h}}


# ---- lines

REPLY = "(synthetic reply)"


def openai_line(index, t_ms, model, session, messages, usage):
    """One openai-log line; messages None for a log without prompts."""
    request = {"model": model}
    if messages is not None:
        request["messages"] = messages
    if session is not None:
        request["prompt_cache_key"] = session
    response = {"id": "chatcmpl-%d" % index, "object": "chat.completion", "created": t_ms // 1000, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY},
                             "finish_reason": "stop"}],
                "usage": usage}
    return dumps({"timestamp": iso_time(t_ms), "request": request, "response": response})


def anthropic_line(index, t_ms, model, session, messages, usage):
    """One anthropic-log line; messages None for a log without prompts."""
    request = {"model": model, "max_tokens": max(usage["output_tokens"], 1)}
    if messages is not None:
        request["messages"] = messages
    if session is not None:
        request["metadata"] = {"user_id": session}
    response = {"id": "msg_%d" % index, "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": REPLY}], "stop_reason": "end_turn", "usage": usage}
    return dumps({"timestamp": iso_time(t_ms), "request": request, "response": response})
