/* The hand matcher of ASCII text (src/tokens/split_ascii.c) against PCRE2 on
 * the split patterns, at every offset of every text (a match at an offset
 * depends only on the text from there on, split.h): where the hand matcher
 * answers, its end must be PCRE2's; on ASCII text it must always answer.
 * First hand-picked texts for every alternative of both patterns, then a
 * seeded random corpus drawn from an alphabet of boundary makers (millions
 * of offsets); then counts with and without the memo of pieces
 * (pcs_tokenizer_count memoises, pcs_tokenizer_ids does not). */
#include <stdlib.h>

#include "check.h"
#include "pcsim/tokens.h"
#include "tokens/split.h"
#include "tokens/tokenizer_ids.h"

static const pcre2_code *codes[PCS_ENCODING_COUNT];
static pcre2_match_data *matches[PCS_ENCODING_COUNT];
static pcs_tokenizer *tokenizers[PCS_ENCODING_COUNT];

struct tally {
    uint64_t offsets; /* offsets compared */
    uint64_t sure;    /* of which the hand matcher answered */
    uint64_t wrong;   /* of which its answer was not PCRE2's */
    uint64_t unsure_ascii;
};

static struct tally tallies[PCS_ENCODING_COUNT];

static void print_escaped(const uint8_t *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] >= 0x20 && text[i] < 0x7F && text[i] != '\\' && text[i] != '"')
            fputc(text[i], stderr);
        else
            fprintf(stderr, "\\x%02X", text[i]);
    }
}

/* Compares the two at every offset of text[0..len) (well-formed UTF-8)
 * where a character starts. */
static void compare(enum pcs_encoding encoding, const uint8_t *text, size_t len)
{
    struct tally *tally = &tallies[encoding];
    pcs_split_ascii_fn *split_ascii = pcs_split_ascii(encoding);
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        ascii &= text[i] < 0x80;
    for (size_t pos = 0; pos < len; pos++) {
        if ((text[pos] & 0xC0) == 0x80)
            continue; /* inside a character */
        int rc = pcre2_match(codes[encoding], text, len, pos, PCRE2_NO_UTF_CHECK, matches[encoding], NULL);
        const PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(matches[encoding]);
        size_t got = split_ascii(text, len, pos);
        tally->offsets++;
        if (rc < 0 || ovector[0] != pos) {
            /* Every position starts a match: the premise of mixing the two. */
            tally->wrong++;
            fprintf(stderr, "%s: PCRE2 does not match at offset %zu of \"", pcs_encoding_name(encoding), pos);
            print_escaped(text, len);
            fprintf(stderr, "\"\n");
            continue;
        }
        if (got == 0) {
            if (ascii && tally->unsure_ascii++ < 5) {
                fprintf(stderr, "%s: not sure on ASCII at offset %zu of \"", pcs_encoding_name(encoding), pos);
                print_escaped(text, len);
                fprintf(stderr, "\"\n");
            }
            continue;
        }
        tally->sure++;
        if (got != ovector[1] && tally->wrong++ < 10) {
            fprintf(stderr, "%s: offset %zu of \"", pcs_encoding_name(encoding), pos);
            print_escaped(text, len);
            fprintf(stderr, "\": hand matcher ends at %zu, PCRE2 at %zu\n", got, (size_t)ovector[1]);
        }
    }
}

static void compare_both(const char *text)
{
    for (int e = 0; e < PCS_ENCODING_COUNT; e++)
        compare((enum pcs_encoding)e, (const uint8_t *)text, strlen(text));
}

/* Texts for every alternative of both patterns, at the ends of the text
 * and next to a non-ASCII character. Each is compared at every offset, so
 * each suffix is a case too. */
static const char *const edge_cases[] = {
    /* contractions, every letter in both cases, cut short at the end */
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D 'Ll 'lL 'rE 'Ve",
    "don't I'm they'RE we'VE she'LL he'D it'S",
    "'",
    "''",
    "'l",
    "'ll",
    "'lx",
    "'r",
    "'rex",
    "'v",
    "'vex",
    "'x",
    "'1",
    "' s",
    "'\n",
    "x'",
    "x''s",
    "abc'",
    "ABC'",
    "ABC's",
    "aBC'S",
    "Abc'Ll",
    "'sss",
    "'lll",
    "can't've",
    /* letter runs, upper and lower case */
    "HelloWorld",
    "HELLOworld",
    "helloWORLD",
    "aBcDeF",
    "ABC",
    "abc",
    "A",
    "a",
    "Z9",
    "9Z",
    "xY'z",
    "JSONParser",
    "iOS",
    "McDonald's",
    "ALL'S",
    "all'S",
    /* a character before a letter run */
    " hello",
    "  hello",
    "\thello",
    "\vhello",
    "\fhello",
    "\rhello",
    "\nhello",
    "\r\nhello",
    ".hello",
    "'hello",
    "\"Hello\"",
    "(ABC)",
    "_x",
    "\x01word",
    "\x7Fword",
    "#include",
    " 'quoted'",
    /* digits, runs of 1 to 7, next to letters and spaces */
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "a1234567b",
    " 1234",
    "1 2",
    "3.14159",
    "x86_64",
    "2026-12-07T08:00:00Z",
    /* punctuation, with a space before and newlines or slashes after */
    "!",
    " !",
    "  !",
    "...",
    " ...",
    "!\n",
    "!\r\n\r\n",
    "!\n/",
    "!/\n",
    ".\n/x",
    " //\n//",
    "a/b",
    "https://example.com/a/b?c=d",
    "{\"key\": [1, 2]}",
    " -->\n",
    "?!\n\n\n",
    "!\r",
    "!\n ",
    "::\n\t",
    " ?\n/\n/",
    "*/\n/",
    "\x01\x02\x1f",
    "\x7f\x7f\n",
    /* whitespace: runs before letters, punctuation, digits, newlines and the end */
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    "\r",
    "\v",
    "\f",
    "\r\n",
    "\n\n",
    "\r\n\r\n",
    " \n",
    "\n ",
    " \n ",
    "  \n  x",
    "\n\n  x",
    "\t\t\tx",
    "   .",
    "   1",
    "  \n\n",
    "x   ",
    "x \t ",
    "x\n",
    "x\n\n ",
    "\v\f x",
    "\f\v\n",
    " \v",
    "x\f\f",
    "  \r  \n  ",
    "a \n b",
    "a  \n\n  b",
    "end \t\n",
    /* next to a non-ASCII character: a letter, a space (U+00A0, U+3000), a digit (U+00B2), a mark
     * (U+0301), an ideograph, an emoji, U+FEFF, U+0085 */
    "caf\xc3\xa9",
    "\xc3\xa9t\xc3\xa9",
    "a\xcc\x81",
    "ab\xcc\x81 c",
    " \xc3\xa9",
    "'\xc3\xa9",
    "x'\xc3\xa9",
    "x'l\xc3\xa9",
    "12\xc2\xb2",
    "1\xc2\xb2",
    "123\xc2\xb2",
    " \xc2\xa0x",
    "  \xc2\xa0",
    "\n\xc2\xa0",
    "\xe3\x80\x80 x",
    "x \xe3\x80\x80",
    ".\xc3\xa9",
    ". \xc3\xa9",
    "!\n\xc3\xa9",
    "!\xe2\x80\x94",
    "\xe6\x97\xa5\xe6\x9c\xac a",
    "a \xf0\x9f\x98\x80",
    "\xef\xbb\xbf x",
    "x \xc2\x85",
    "ABC\xc3\x89",
    "ABC\xc3\xa9",
    "abc\xc3\x89",
    "x\xca\x95y",
    "  \xe2\x80\xa8",
    "\t\xe2\x80\x8b",
};

static void test_edge_cases(void)
{
    for (size_t i = 0; i < sizeof edge_cases / sizeof edge_cases[0]; i++)
        compare_both(edge_cases[i]);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

/* xorshift64*: the same texts on every machine. */
static uint64_t next_random(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Boundary makers: every class of both patterns, the contractions' letters, the ends of A-Z and
 * a-z and their neighbours, and a few non-ASCII characters (a letter, a mark, a digit, two spaces, an ideograph). */
static const char *const alphabet[] = {
    "a",
    "b",
    "e",
    "l",
    "s",
    "z",
    "A",
    "Z",
    "L",
    "E",
    "S",
    "R",
    "'",
    "'",
    "1",
    "0",
    " ",
    " ",
    " ",
    "\t",
    "\n",
    "\r",
    "\v",
    "\f",
    ".",
    "/",
    "\"",
    "-",
    "\x01",
    "@", /* the neighbours of A-Z and a-z */
    "[",
    "`",
    "{",
    "\xc3\xa9",
    "\xcc\x81",
    "\xc2\xb2",
    "\xc2\xa0",
    "\xe3\x80\x80",
    "\xe6\x97\xa5",
};

/* Writes a random text of 1 to 48 characters to out (room for 48 * 3 + 1); ASCII only when
 * ascii_only; when wordy, seven characters in eight are letters (the alphabet's first twelve), so
 * that letter runs are long enough for the matcher's eight bytes at a time and end at every
 * byte of a word. Returns its length. */
static size_t random_text(uint8_t *out, int ascii_only, int wordy)
{
    size_t ascii_count = 33; /* the alphabet's ASCII prefix */
    size_t letter_count = 12;
    size_t choices = ascii_only ? ascii_count : sizeof alphabet / sizeof alphabet[0];
    size_t characters = 1 + next_random() % 48;
    size_t len = 0;
    for (size_t i = 0; i < characters; i++) {
        int letter = wordy && next_random() % 8 != 0;
        const char *item = alphabet[next_random() % (letter ? letter_count : choices)];
        size_t item_len = strlen(item);
        memcpy(out + len, item, item_len);
        len += item_len;
    }
    out[len] = 0;
    return len;
}

static void test_random_corpus(void)
{
    uint8_t text[48 * 3 + 1];
    for (int round = 0; round < 300000; round++) {
        size_t len = random_text(text, round % 3 != 0, round >= 200000);
        for (int e = 0; e < PCS_ENCODING_COUNT; e++)
            compare((enum pcs_encoding)e, text, len);
    }
}

static void ignore_ids(void *context, const uint32_t *ids, size_t count)
{
    (void)context;
    (void)ids;
    (void)count;
}

/* The count (memo of pieces) against the ids' total (no memo) on random
 * texts that repeat a few hundred distinct pieces, so that slots are found,
 * missed and replaced. */
static void test_memo_counts(void)
{
    uint8_t text[48 * 3 + 1];
    int differ = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = random_text(text, round % 2, round % 4 >= 2);
        for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
            uint64_t counted = 0;
            uint64_t from_ids = 0;
            struct pcs_error err = {{0}, PCS_OK};
            enum pcs_status a = pcs_tokenizer_count(tokenizers[e], (const char *)text, len, &counted, &err);
            enum pcs_status b =
                pcs_tokenizer_ids(tokenizers[e], (const char *)text, len, ignore_ids, NULL, &from_ids, &err);
            if (a != PCS_OK || b != PCS_OK || counted != from_ids) {
                if (differ++ < 5) {
                    fprintf(stderr, "%s: count %" PRIu64 ", ids %" PRIu64 " of \"",
                            pcs_encoding_name((enum pcs_encoding)e), counted, from_ids);
                    print_escaped(text, len);
                    fprintf(stderr, "\"\n");
                }
            }
        }
    }
    CHECK(differ == 0);
}

/* Many pieces with the same first eight bytes and length, so that pieces
 * that differ only in their last bytes, or only in how many NULs end them,
 * meet in a slot: a count must come back only for its own piece. */
static void test_memo_collisions(void)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
    static const char punctuation[] = {'!', '#', '.', '\0'};
    uint8_t text[16];
    int differ = 0;
    for (int round = 0; round < 100000; round++) {
        int letter_family = round % 2;
        memcpy(text, letter_family ? " abcdefg" : "!!!!!!!!", 8);
        size_t len = 8 + next_random() % 9;
        for (size_t i = 8; i < len; i++)
            text[i] = letter_family ? (uint8_t)letters[next_random() % 26] : (uint8_t)punctuation[next_random() % 4];
        for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
            uint64_t counted = 0;
            uint64_t from_ids = 0;
            pcs_tokenizer_count(tokenizers[e], (const char *)text, len, &counted, NULL);
            pcs_tokenizer_ids(tokenizers[e], (const char *)text, len, ignore_ids, NULL, &from_ids, NULL);
            if (counted != from_ids && differ++ < 5) {
                fprintf(stderr, "%s: count %" PRIu64 ", ids %" PRIu64 " of \"", pcs_encoding_name((enum pcs_encoding)e),
                        counted, from_ids);
                print_escaped(text, len);
                fprintf(stderr, "\"\n");
            }
        }
    }
    CHECK(differ == 0);
}

int main(void)
{
    struct pcs_error err = {{0}, PCS_OK};
    for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
        int jit = 0;
        codes[e] = pcs_split_code((enum pcs_encoding)e, &jit, &err);
        tokenizers[e] = pcs_tokenizer_new((enum pcs_encoding)e, &err);
        if (codes[e] == NULL || tokenizers[e] == NULL) {
            fprintf(stderr, "split: %s\n", err.message);
            return 1;
        }
        matches[e] = pcre2_match_data_create_from_pattern(codes[e], NULL);
    }
    test_edge_cases();
    for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
        printf("%s: hand-picked: %" PRIu64 " offsets, %" PRIu64 " answered by the hand matcher\n",
               pcs_encoding_name((enum pcs_encoding)e), tallies[e].offsets, tallies[e].sure);
        /* The hand-picked texts reach the non-ASCII fallback as well as the matcher. */
        CHECK(tallies[e].sure > 500);
        CHECK(tallies[e].sure < tallies[e].offsets);
    }
    test_random_corpus();
    for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
        const struct tally *tally = &tallies[e];
        printf("%s: %" PRIu64 " offsets, %" PRIu64 " answered by the hand matcher\n",
               pcs_encoding_name((enum pcs_encoding)e), tally->offsets, tally->sure);
        CHECK_U64(tally->wrong, 0);
        CHECK_U64(tally->unsure_ascii, 0);
        CHECK(tally->offsets > 4000000);
    }
    test_memo_counts();
    test_memo_collisions();
    for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
        pcre2_match_data_free(matches[e]);
        pcs_tokenizer_free(tokenizers[e]);
    }
    return check_summary();
}
