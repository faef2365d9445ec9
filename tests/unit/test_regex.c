/* The catalog's regex matcher against JavaScript. The two tables below are
 * data: tests/unit/regex_cases.mjs reads them from this file and checks
 * every row with node's own RegExp, so an expected value here is what
 * JavaScript answers, not what the matcher happens to do. */
#include <stdlib.h>

#include "check.h"
#include "pricing/regex.h"

struct regex_case {
    const char *pattern;
    const char *text;
    int expected; /* new RegExp(pattern).test(text) */
};

/* Rows are { pattern, text, expected } with C string literals; keep one row
 * per line so the node script can parse them. */
/* BEGIN CASES */
static const struct regex_case cases[] = {
    /* The catalog's own rules. */
    {"^claude-opus-5-\\d{8}$", "claude-opus-5-20260115", 1},
    {"^claude-opus-5-\\d{8}$", "claude-opus-5-2026011", 0},
    {"^claude-opus-5-\\d{8}$", "claude-opus-5-202601150", 0},
    {"^claude-opus-5-\\d{8}$", "claude-opus-5-latest", 0},
    {"^claude-opus-5-\\d{8}$", "xclaude-opus-5-20260115", 0},
    {"^claude-opus-5-\\d{8}$", "claude-opus-5-20260115\n", 0},
    {"^composer-2\\.5\\[fast=false\\]$", "composer-2.5[fast=false]", 1},
    {"^composer-2\\.5\\[fast=false\\]$", "composer-2x5[fast=false]", 0},
    {"^composer-2\\.5\\[fast=false\\]$", "composer-2.5[fast=true]", 0},
    {"^composer-2\\.5\\[fast=false\\]$", "composer-2.5f", 0},
    {"^gpt-5\\.6-luna-\\d{4}-\\d{2}-\\d{2}$", "gpt-5.6-luna-2026-03-01", 1},
    {"^gpt-5\\.6-luna-\\d{4}-\\d{2}-\\d{2}$", "gpt-5.6-luna-2026-3-01", 0},
    {"^gpt-5\\.6-luna-\\d{4}-\\d{2}-\\d{2}$", "gpt-5.6-luna-2026-03-01-preview", 0},
    {"^o[134]", "o1", 1},
    {"^o[134]", "o3-mini", 1},
    {"^o[134]", "o4-mini-high", 1},
    {"^o[134]", "o2", 0},
    {"^o[134]", "go1", 0},
    {"^o[134]", "O1", 0},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "gpt-4o-mini", 1},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "gpt-4o-mini-tts", 0},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "gpt-4o-mini-TTS-2025-03-20", 0},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "model-Tts-1", 0},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "tts-1", 1},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "gpt-ttsx", 1},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "a\n-tts", 1},
    {"^(?!.*-[tT][tT][sS](?:$|-))", "", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "mistral-large-latest", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "codestral-2501", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "labs-devstral-small-2505", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "magistral-medium", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "ministral-8b", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "pixtral-12b", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "voxtral-mini", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "open-mixtral-8x22b", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "labs-open-mistral-nemo", 1},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "mistralai/mistral-large", 0},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "my-mistral", 0},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "open-mistra", 0},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "mistral/x", 0},
    {"^(?![^/]+/)(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral))",
     "labs-stral", 0},
    {"^gemini-3\\.5-flash-\\d", "gemini-3.5-flash-001", 1},
    {"^gemini-3\\.5-flash-\\d", "gemini-3.5-flash-lite", 0},
    {"^gemini-3\\.5-flash-\\d", "gemini-3.5-flash", 0},
    {"^gemini-3\\.5-flash-\\d", "gemini-3x5-flash-1", 0},

    /* Literals and the unanchored search. */
    {"", "", 1},
    {"", "anything", 1},
    {"abc", "xxabcxx", 1},
    {"abc", "ab", 0},
    {"abc", "ABC", 0},
    {"aab", "aaab", 1},
    {"a b", "a b", 1},
    {"x}", "x}", 1},
    {"]", "a]", 1},
    {"a{", "a{", 1},
    {"a{,2}", "a{,2}", 1},
    {"a{1", "a{1", 1},
    {"a{x}", "a{x}", 1},
    {"a{1,2", "aa", 0},

    /* Anchors. */
    {"^abc", "abcd", 1},
    {"^abc", "xabc", 0},
    {"abc$", "xabc", 1},
    {"abc$", "abcx", 0},
    {"abc$", "abc\n", 0},
    {"^$", "", 1},
    {"^$", "\n", 0},
    {"a^b", "a^b", 0},
    {"a$|^b", "ba", 1},
    {"x|^y", "zy", 0},

    /* Dot. */
    {"^a.c$", "abc", 1},
    {"^a.c$", "a.c", 1},
    {"^a.c$", "a\nc", 0},
    {"^a.c$", "a\rc", 0},
    {"^a.c$", "ac", 0},
    {"^.$", "\t", 1},
    {"^.$", "\xe2\x80\xa8", 0},
    {"^.$", "\xe2\x80\xa9", 0},
    {"^.$", "\xc2\x85", 1},

    /* Class escapes. */
    {"^\\d+$", "0123456789", 1},
    {"^\\d+$", "12a", 0},
    {"^\\D+$", "ab-_", 1},
    {"^\\D$", "5", 0},
    {"^\\w+$", "Az09_", 1},
    {"^\\w$", "-", 0},
    {"^\\W$", "-", 1},
    {"^\\W$", "_", 0},
    {"^\\s$", " ", 1},
    {"^\\s$", "\t", 1},
    {"^\\s$", "\v", 1},
    {"^\\s$", "\f", 1},
    {"^\\s$", "x", 0},
    {"^\\S$", " ", 0},
    {"^\\S$", "x", 1},
    {"^\\t\\n\\v\\f\\r$", "\t\n\v\f\r", 1},

    /* Escaped punctuation. */
    {"^\\.\\[\\]\\(\\)\\{\\}\\*\\+\\?\\|\\^\\$\\\\\\/\\-$", ".[](){}*+?|^$\\/-", 1},
    {"^\\.$", "x", 0},
    {"^\\:\\=\\!\\<\\>\\_\\@\\#\\%\\&\\~\\'\\\"\\,\\ $", ":=!<>_@#%&~'\", ", 1},
    {"a/b", "a/b", 1},
    {"a\\/b", "a/b", 1},

    /* Character classes. */
    {"^[abc]+$", "cab", 1},
    {"^[abc]+$", "cabd", 0},
    {"^[^abc]$", "d", 1},
    {"^[^abc]$", "a", 0},
    {"^[^abc]$", "\n", 1},
    {"^[a-z0-9]+$", "gpt4o", 1},
    {"^[a-z0-9]+$", "GPT4o", 0},
    {"^[a-]+$", "a-a", 1},
    {"^[-a]+$", "-a-", 1},
    {"^[a-c-e]+$", "a-e", 1},
    {"^[a-c-e]$", "d", 0},
    {"^[a\\-z]+$", "a-z", 1},
    {"^[a\\-z]$", "b", 0},
    {"^[\\]]$", "]", 1},
    {"^[[]$", "[", 1},
    {"^[\\d.]+$", "2.5", 1},
    {"^[\\w.-]+$", "gpt-4.1_mini", 1},
    {"^[\\w.-]+$", "gpt/4", 0},
    {"^[\\s\\S]$", "\n", 1},
    {"^[^\\d]$", "7", 0},
    {"^[^\\d]$", "x", 1},
    {"^[^\\D]$", "7", 1},
    {"^[^\\s]$", "\xc2\xa0", 0},
    {"^[.]$", "x", 0},
    {"^[$^|]+$", "$^|", 1},
    {"[]", "", 0},
    {"[]", "abc", 0},
    {"^[^]$", "\n", 1},
    {"^[^]*$", "a\nb\r", 1},

    /* Groups and alternation. */
    {"^(ab)+$", "ababab", 1},
    {"^(ab)+$", "ababa", 0},
    {"^(?:ab|cd)+$", "abcdab", 1},
    {"^(?:ab|cd)+$", "abce", 0},
    {"^(a|ab)(c|bcd)$", "abcd", 1},
    {"^(?:a|b|)$", "", 1},
    {"^(?:|x)y$", "y", 1},
    {"a|b|c", "xxc", 1},
    {"a|b|c", "xyz", 0},
    {"^()$", "", 1},
    {"^(?:)$", "", 1},
    {"^((a)(b(c)))$", "abc", 1},

    /* Quantifiers. */
    {"^a*$", "", 1},
    {"^a*$", "aaaa", 1},
    {"^a+$", "", 0},
    {"^a+$", "aaa", 1},
    {"^ab?c$", "ac", 1},
    {"^ab?c$", "abc", 1},
    {"^ab?c$", "abbc", 0},
    {"^a{3}$", "aaa", 1},
    {"^a{3}$", "aa", 0},
    {"^a{3}$", "aaaa", 0},
    {"^a{2,}$", "a", 0},
    {"^a{2,}$", "aaaaaa", 1},
    {"^a{2,3}$", "aaa", 1},
    {"^a{2,3}$", "aaaa", 0},
    {"^a{0}$", "", 1},
    {"^a{0}b$", "ab", 0},
    {"^a{0,0}b$", "b", 1},
    {"^(?:ab){2}$", "abab", 1},
    {"^(?:ab){2}$", "ab", 0},
    {"^(?:a|bc){2,3}$", "abca", 1},
    {"^(?:a|bc){2,3}$", "bcbcbcbc", 0},
    {"^a*?$", "aaa", 1},
    {"^a+?b$", "aaab", 1},
    {"^a??b$", "b", 1},
    {"^a{2,3}?$", "aaa", 1},
    {"^(?:ab)*?c$", "ababc", 1},
    {"^(?:ab)+?$", "abab", 1},
    {"^.*-tts$", "gpt-4o-mini-tts", 1},
    {"^.*-tts$", "gpt-4o-mini-tts-x", 0},
    {"^[^/]+/[^/]+$", "openai/gpt-5", 1},
    {"^[^/]+/[^/]+$", "openai/gpt/5", 0},
    {"\\d{4}-\\d{2}", "model-2025-03", 1},

    /* Lookaheads. */
    {"^(?=gpt)gpt-5$", "gpt-5", 1},
    {"^(?=gpt)", "o3", 0},
    {"^(?!gpt)", "o3", 1},
    {"^(?!gpt)", "gpt-5", 0},
    {"^(?=.*mini)(?!.*audio)gpt", "gpt-4o-mini", 1},
    {"^(?=.*mini)(?!.*audio)gpt", "gpt-4o-mini-audio", 0},
    {"^(?=.*mini)(?!.*audio)gpt", "gpt-4o", 0},
    {"a(?=b)", "ac ab", 1},
    {"a(?!b)", "ab", 0},
    {"^(?=(a+))a*b$", "aaab", 1},
    {"^(?:(?=a)a)+$", "aaa", 1},
    {"(?=a)*b", "b", 1},
    {"^(?=a)+a$", "a", 1},
    {"^(?!a){2}b$", "b", 1},
    {"^(?=a|b)[ab]$", "b", 1},
    {"^(?!(?!a))a$", "a", 1},

    /* Empty iterations stop loops that consume nothing. */
    {"^(a*)*$", "", 1},
    {"^(a*)*$", "aaaa", 1},
    {"^(a*)*b$", "aaac", 0},
    {"^(a*)+b$", "aaab", 1},
    {"^(?:a?)*$", "aa", 1},
    {"^(?:a|)*$", "aab", 0},
    {"^(?:)*x$", "x", 1},
    {"^(?:)+$", "", 1},
    {"^(a?){3}$", "a", 1},
    {"^(a?){3}b$", "aab", 1},
    {"^(?:a*?)*?b$", "aab", 1},
    {"^(?:(?:a*)*)*$", "aaaa", 1},
    {"^(?:$)*$", "", 1},
    {"^(?:^)*a$", "a", 1},
    {"^(?:b*|a)*$", "abba", 1},
    {"^(?:x*)*y$", "xxxxxxz", 0},

    /* Text is UTF-8, seen as UTF-16 code units as in JavaScript. */
    {"^.$", "\xc3\xa9", 1},
    {"^..$", "\xc3\xa9", 0},
    {"^.$", "\xe2\x82\xac", 1},
    {"^.$", "\xf0\x9f\x98\x80", 0},
    {"^..$", "\xf0\x9f\x98\x80", 1},
    {"^a.{2}b$",
     "a\xf0\x9f\x98\x80"
     "b",
     1},
    {"^\\w$", "\xc3\xa9", 0},
    {"^\\W$", "\xc3\xa9", 1},
    {"^\\D$", "\xc3\xa9", 1},
    {"^\\s$", "\xc2\xa0", 1},
    {"^\\s$", "\xe3\x80\x80", 1},
    {"^\\s$", "\xef\xbb\xbf", 1},
    {"^\\s$", "\xc2\x85", 0},
    {"^\\S$", "\xc2\xa0", 0},
    {"^\\S$", "\xc3\xa9", 1},
    {"^[^a]$", "\xc3\xa9", 1},
    {"^[a-z]$", "\xc3\xa9", 0},
    {"^[\\s\\d]$", "\xe2\x80\x80", 1},
    {"^[\\s\\d]$", "\xc3\xa9", 0},
    {"^caf.-\\d$", "caf\xc3\xa9-1", 1},
    {"^.$", "\xff", 1},
    {"^.$", "\xe2\x82", 1},
    {"^.$", "\xf0\x9f\x98", 1},
    {"^..$", "\xc0\x80", 1},
    {"^..$", "\xed\xa0\x80", 0},
    {"^...$", "\xed\xa0\x80", 1},
    {"^.b$",
     "\xe2\x82"
     "b",
     1},
    {"^[^x]{2}$", "\xf4\x90\x80\x80", 0},
    {"^[^x]{4}$", "\xf4\x90\x80\x80", 1},
};
/* END CASES */

struct regex_reject {
    const char *pattern;
    const char *message; /* the whole error message */
    int js_accepts;      /* whether new RegExp(pattern) compiles in node */
};

/* BEGIN REJECTS */
static const struct regex_reject rejects[] = {
    {"(?<=a)b", "unsupported regex syntax at offset 0: lookbehind", 1},
    {"a(?<!b)", "unsupported regex syntax at offset 1: lookbehind", 1},
    {"(?<name>a)", "unsupported regex syntax at offset 0: named group", 1},
    {"(?i:a)", "unsupported regex syntax at offset 0: group modifier (?", 0},
    {"a(?a)", "invalid regex at offset 1: invalid group", 0},
    {"(?", "invalid regex at offset 0: invalid group", 0},
    {"(a)\\1", "unsupported regex syntax at offset 3: backreference \\1", 1},
    {"\\k<x>", "unsupported regex syntax at offset 0: named backreference \\k", 1},
    {"a\\bc", "unsupported regex syntax at offset 1: \\b (word boundary)", 1},
    {"a\\B", "unsupported regex syntax at offset 1: \\B (non-word boundary)", 1},
    {"[\\b]", "unsupported regex syntax at offset 1: \\b (backspace) in a class", 1},
    {"\\0", "unsupported regex syntax at offset 0: octal escape \\0", 1},
    {"[\\1]", "unsupported regex syntax at offset 1: octal escape \\1", 1},
    {"\\u0041", "unsupported regex syntax at offset 0: unicode escape \\u", 1},
    {"\\x41", "unsupported regex syntax at offset 0: hex escape \\x", 1},
    {"\\cA", "unsupported regex syntax at offset 0: control escape \\c", 1},
    {"\\p{L}", "unsupported regex syntax at offset 0: unicode property escape", 1},
    {"ab\\q", "unsupported regex syntax at offset 2: escape \\q", 1},
    {"[\\d-z]", "unsupported regex syntax at offset 1: class escape as a range end", 1},
    {"[a-\\w]", "unsupported regex syntax at offset 1: class escape as a range end", 1},
    {"a{1001}", "unsupported regex syntax at offset 1: repeat count above 1000", 1},
    {"a{1,99999999999999999999}", "unsupported regex syntax at offset 1: repeat count above 1000", 1},
    {"caf\xc3\xa9", "unsupported regex syntax at offset 3: non-ASCII character", 1},
    {"[\xc3\xa9]", "unsupported regex syntax at offset 1: non-ASCII character", 1},
    {"a**", "invalid regex at offset 2: nothing to repeat", 0},
    {"a???", "invalid regex at offset 3: nothing to repeat", 0},
    {"*a", "invalid regex at offset 0: nothing to repeat", 0},
    {"a|+", "invalid regex at offset 2: nothing to repeat", 0},
    {"(?:*)", "invalid regex at offset 3: nothing to repeat", 0},
    {"a{2}{3}", "invalid regex at offset 4: nothing to repeat", 0},
    {"{2}", "invalid regex at offset 0: nothing to repeat", 0},
    {"^*", "invalid regex at offset 1: nothing to repeat", 0},
    {"a$+", "invalid regex at offset 2: nothing to repeat", 0},
    {"a{2,1}", "invalid regex at offset 1: numbers out of order in {} quantifier", 0},
    {"(ab", "invalid regex at offset 0: unterminated group", 0},
    {"a(b(c)", "invalid regex at offset 1: unterminated group", 0},
    {"ab)", "invalid regex at offset 2: unmatched ')'", 0},
    {"[ab", "invalid regex at offset 0: unterminated character class", 0},
    {"[a-", "invalid regex at offset 0: unterminated character class", 0},
    {"[z-a]", "invalid regex at offset 1: range out of order in character class", 0},
    {"ab\\", "invalid regex at offset 2: \\ at end of pattern", 0},
};
/* END REJECTS */

static void test_case_table(void)
{
    size_t count = sizeof cases / sizeof cases[0];
    CHECK(count >= 60);
    for (size_t i = 0; i < count; i++) {
        const struct regex_case *c = &cases[i];
        char err[160];
        pcs_regex *re = pcs_regex_compile(c->pattern, err, sizeof err);
        if (!re) {
            fprintf(stderr, "case %zu: cannot compile /%s/: %s\n", i, c->pattern, err);
            CHECK(re != NULL);
            continue;
        }
        int gave_up = -1;
        int got = pcs_regex_test_checked(re, c->text, &gave_up);
        if (got != c->expected || gave_up != 0) {
            fprintf(stderr, "case %zu: /%s/.test(\"%s\") is %d (gave_up %d), expected %d\n", i, c->pattern, c->text,
                    got, gave_up, c->expected);
        }
        CHECK(got == c->expected);
        CHECK(gave_up == 0);
        CHECK(pcs_regex_test(re, c->text) == got);
        pcs_regex_free(re);
    }
}

static void test_reject_table(void)
{
    for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
        char err[160];
        pcs_regex *re = pcs_regex_compile(rejects[i].pattern, err, sizeof err);
        CHECK(re == NULL);
        if (re) {
            fprintf(stderr, "reject %zu: /%s/ compiled\n", i, rejects[i].pattern);
            pcs_regex_free(re);
            continue;
        }
        if (strcmp(err, rejects[i].message) != 0) {
            fprintf(stderr, "reject %zu: /%s/ says \"%s\", expected \"%s\"\n", i, rejects[i].pattern, err,
                    rejects[i].message);
        }
        CHECK(strcmp(err, rejects[i].message) == 0);
    }
}

static void test_nesting_limit(void)
{
    char pattern[2 * PCS_REGEX_MAX_NESTING + 8];
    char err[160];
    size_t at = 0;
    for (int i = 0; i < PCS_REGEX_MAX_NESTING; i++) {
        pattern[at++] = '(';
    }
    pattern[at++] = 'a';
    for (int i = 0; i < PCS_REGEX_MAX_NESTING; i++) {
        pattern[at++] = ')';
    }
    pattern[at] = '\0';
    pcs_regex *re = pcs_regex_compile(pattern, err, sizeof err);
    CHECK(re != NULL);
    CHECK(pcs_regex_test(re, "xa") == 1);
    pcs_regex_free(re);

    /* One more level is refused at the innermost '('. */
    memmove(pattern + 1, pattern, at + 1);
    pattern[0] = '(';
    memcpy(pattern + at + 1, ")", 2);
    re = pcs_regex_compile(pattern, err, sizeof err);
    CHECK(re == NULL);
    CHECK_CONTAINS(err, "unsupported regex syntax at offset 32: groups nested too deeply");
}

static void test_error_buffer(void)
{
    char small[12];
    memset(small, 'x', sizeof small);
    CHECK(pcs_regex_compile("(?<=a)", small, sizeof small) == NULL);
    CHECK(strcmp(small, "unsupported") == 0); /* truncated, NUL-terminated */
    CHECK(pcs_regex_compile("(?<=a)", NULL, 0) == NULL);
    CHECK(pcs_regex_compile(NULL, small, sizeof small) == NULL);

    char err[160] = "stale";
    pcs_regex *re = pcs_regex_compile("a", err, sizeof err);
    CHECK(re != NULL);
    CHECK(err[0] == '\0');
    pcs_regex_free(re);
    pcs_regex_free(NULL);
}

static void test_null_text(void)
{
    int gave_up = -1;
    pcs_regex *re = pcs_regex_compile("", NULL, 0);
    CHECK(pcs_regex_test_checked(re, NULL, &gave_up) == 0);
    CHECK(gave_up == 0);
    CHECK(pcs_regex_test(NULL, "a") == 0);
    pcs_regex_free(re);
}

/* An exponential pattern gives up at the step budget instead of hanging. */
static void test_step_budget(void)
{
    char text[64];
    memset(text, 'a', 40);
    text[40] = '\0';
    pcs_regex *re = pcs_regex_compile("^(a+)+b$", NULL, 0);
    int gave_up = 0;
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 0);
    CHECK(gave_up == 1);
    CHECK(pcs_regex_test(re, "aaab") == 1);
    pcs_regex_free(re);

    re = pcs_regex_compile("(?:a|a)*c", NULL, 0);
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 0);
    CHECK(gave_up == 1);
    pcs_regex_free(re);

    /* A negative lookahead must not turn an abandoned search into a match. */
    re = pcs_regex_compile("^(?!(a+)+b)", NULL, 0);
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 0);
    CHECK(gave_up == 1);
    pcs_regex_free(re);
}

/* Single-character repeats loop; other repeats recurse and stop at the
 * depth limit on texts far longer than any model name. */
static void test_long_text(void)
{
    size_t length = 200000;
    char *text = malloc(length + 2);
    CHECK(text != NULL);
    if (!text) {
        return;
    }
    for (size_t i = 0; i < length; i++) {
        text[i] = (i % 2) ? 'b' : 'a';
    }
    text[length] = '\0';
    int gave_up = 1;

    pcs_regex *re = pcs_regex_compile("^[ab]*$", NULL, 0);
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 1);
    CHECK(gave_up == 0);
    pcs_regex_free(re);

    re = pcs_regex_compile("^.*x", NULL, 0);
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 0);
    CHECK(gave_up == 0);
    pcs_regex_free(re);

    re = pcs_regex_compile("^(?:ab)*$", NULL, 0);
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 0);
    CHECK(gave_up == 1);
    text[400] = '\0';
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 1);
    CHECK(gave_up == 0);
    pcs_regex_free(re);

    /* An unanchored miss scans every start: quadratic, but within budget for names. */
    re = pcs_regex_compile("a.*c", NULL, 0);
    CHECK(pcs_regex_test_checked(re, text, &gave_up) == 0);
    CHECK(gave_up == 0);
    pcs_regex_free(re);
    free(text);
}

/* One compiled rule used for many names gives each its own answer. */
static void test_reuse(void)
{
    const char *names[] = {"claude-opus-5-20260115", "claude-opus-5", "claude-opus-5-20260116", "gpt-5"};
    const int expected[] = {1, 0, 1, 0};
    pcs_regex *re = pcs_regex_compile("^claude-opus-5-\\d{8}$", NULL, 0);
    CHECK(re != NULL);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 4; i++) {
            CHECK(pcs_regex_test(re, names[i]) == expected[i]);
        }
    }
    pcs_regex_free(re);
}

int main(void)
{
    test_case_table();
    test_reject_table();
    test_nesting_limit();
    test_error_buffer();
    test_null_text();
    test_step_budget();
    test_long_text();
    test_reuse();
    return check_summary();
}
