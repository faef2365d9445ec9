/* The BPE token counter (src/tokens, pcsim/tokens.h): names and the model
 * map, then token ids of small texts. Every expected id list was produced by
 * the npm package gpt-tokenizer 4.0.0 (encode(text, {disallowedSpecial: new
 * Set()}), node 20, bytes read with Buffer.toString) and written down here;
 * the comment shows the tokens as text. Then the rules around them: invalid
 * UTF-8 (each ill-formed subpart is one U+FFFD), long pieces (the tree
 * merge equals the scan), and tokenizers built on two threads at once. */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "pcsim/tokens.h"
#include "tokens/bpe.h"
#include "tokens/ranks.h"
#include "tokens/tokenizer_ids.h"
#include "tokens/utf8_repair.h"

struct id_list {
    uint32_t ids[64];
    size_t count;
};

static void collect(void *context, const uint32_t *ids, size_t count)
{
    struct id_list *list = context;
    for (size_t i = 0; i < count; i++)
        if (list->count < 64)
            list->ids[list->count++] = ids[i];
}

static pcs_tokenizer *tokenizers[PCS_ENCODING_COUNT];

/* Checks the ids of text[0..len) under encoding against expected[0..n). */
static void check_ids(int line, enum pcs_encoding encoding, const char *text, size_t len, const uint32_t *expected,
                      size_t n)
{
    struct id_list got = {{0}, 0};
    uint64_t count = 0;
    struct pcs_error err = {{0}, PCS_OK};
    enum pcs_status status = pcs_tokenizer_ids(tokenizers[encoding], text, len, collect, &got, &count, &err);
    uint64_t counted = 0;
    enum pcs_status count_status = pcs_tokenizer_count(tokenizers[encoding], text, len, &counted, &err);
    int same = status == PCS_OK && count_status == PCS_OK && count == n && counted == n && got.count == n;
    for (size_t i = 0; same && i < n; i++)
        same = got.ids[i] == expected[i];
    if (same) {
        check_passed++;
        return;
    }
    check_failed++;
    fprintf(stderr, "test_tokens.c:%d: %s: %zu tokens expected, got %" PRIu64 " (count %" PRIu64 "):", line,
            pcs_encoding_name(encoding), n, count, counted);
    for (size_t i = 0; i < got.count; i++)
        fprintf(stderr, " %u", got.ids[i]);
    fprintf(stderr, "\n");
}

#define IDS(encoding, text, ...)                                                                                       \
    do {                                                                                                               \
        static const uint32_t expected[] = {__VA_ARGS__};                                                              \
        check_ids(__LINE__, encoding, text, sizeof text - 1, expected, sizeof expected / sizeof expected[0]);          \
    } while (0)

#define O200K PCS_ENCODING_O200K_BASE
#define CL100K PCS_ENCODING_CL100K_BASE

static uint64_t count_of(enum pcs_encoding encoding, const char *text, size_t len)
{
    uint64_t count = UINT64_MAX;
    struct pcs_error err = {{0}, PCS_OK};
    if (pcs_tokenizer_count(tokenizers[encoding], text, len, &count, &err) != PCS_OK)
        fprintf(stderr, "count failed: %s\n", err.message);
    return count;
}

static void test_names(void)
{
    CHECK(strcmp(pcs_encoding_name(O200K), "o200k_base") == 0);
    CHECK(strcmp(pcs_encoding_name(CL100K), "cl100k_base") == 0);
    CHECK(strcmp(pcs_encoding_name(PCS_ENCODING_COUNT), "unknown") == 0);
    CHECK(pcs_encoding_parse("o200k_base") == O200K);
    CHECK(pcs_encoding_parse("cl100k_base") == CL100K);
    CHECK(pcs_encoding_parse("p50k_base") == -1);
    CHECK(pcs_encoding_parse("O200K_BASE") == -1);
    /* gpt-tokenizer's src/modelsMap.ts lists these under cl100k_base. */
    const char *cl100k_models[] = {"gpt-4",
                                   "gpt-4-0613",
                                   "gpt-4-32k",
                                   "gpt-4-turbo-2024-04-09",
                                   "gpt-3.5",
                                   "gpt-3.5-turbo",
                                   "gpt-3.5-turbo-0125",
                                   "gpt-3.5-turbo-instruct",
                                   "text-embedding-3-large",
                                   "text-embedding-3-small",
                                   "text-embedding-ada-002",
                                   "babbage-002",
                                   "davinci-002",
                                   "openai/gpt-4",
                                   "azure/gpt-35-turbo-16k",
                                   "gpt-35-turbo"};
    for (size_t i = 0; i < sizeof cl100k_models / sizeof cl100k_models[0]; i++)
        CHECK(pcs_encoding_for_model(cl100k_models[i]) == CL100K);
    /* Everything else, the newer GPT-4 family and other providers included. */
    const char *o200k_models[] = {"gpt-4o",
                                  "gpt-4o-mini",
                                  "gpt-4.1",
                                  "gpt-4.5-preview",
                                  "gpt-5.4",
                                  "o3-mini",
                                  "chatgpt-4o-latest",
                                  "claude-sonnet-4-5",
                                  "gemini-2.5-pro",
                                  "gpt-40",
                                  "",
                                  "gpt-3"};
    for (size_t i = 0; i < sizeof o200k_models / sizeof o200k_models[0]; i++)
        CHECK(pcs_encoding_for_model(o200k_models[i]) == O200K);
    CHECK(pcs_encoding_for_model(NULL) == O200K);
}

static void test_known_ids(void)
{
    IDS(O200K, "hello world", 24912, 2375); /* "hello" " world" */
    IDS(CL100K, "hello world", 15339, 1917);
    IDS(O200K, "Hello, world!", 13225, 11, 2375, 0); /* "Hello" "," " world" "!" */
    IDS(CL100K, "Hello, world!", 9906, 11, 1917, 0);
    /* Special tokens are text: "<" "|" "end" "of" "text" "|" ">" in o200k_base. */
    IDS(O200K, "<|endoftext|>", 27, 91, 419, 1440, 919, 91, 29);
    IDS(CL100K, "<|endoftext|>", 27, 91, 8862, 728, 428, 91, 29);
    IDS(O200K, "   ", 271);     /* three spaces, one token */
    IDS(O200K, "\n\n\n", 2499); /* one token */
    IDS(CL100K, "\n\n\n", 1432);
    IDS(O200K, "1234567", 7633, 19354, 22); /* digits split in threes: "123" "456" "7" */
    IDS(CL100K, "1234567", 4513, 10961, 22);
    /* o200k_base keeps a contraction with its word ("I'm"), cl100k_base splits it off ("I" "'m"). */
    IDS(O200K, "I'm here", 15390, 2105);
    IDS(CL100K, "I'm here", 40, 2846, 1618);
    IDS(O200K, "DON'T", 134882, 51532);               /* "DON" "'T": an upper-case word, then the contraction */
    IDS(O200K, "naïve café", 1503, 9954, 737, 30469); /* "na" "ï" "ve" " café" */
    IDS(O200K, "日本語のテキスト", 9048, 40909, 3385, 16056, 18368, 38236); /* "日本" "語" "の" "テ" "キ" "スト" */
    IDS(CL100K, "日本語のテキスト", 9080, 22656, 45918, 252, 16144, 57933, 62903, 71634); /* byte pieces */
    IDS(O200K, "مرحبا بالعالم", 158894, 26537, 101462, 12773); /* "مرح" "با" " بالع" "الم" */
    /* "a" " " " b": the space before b goes with it, the one before that alone. */
    IDS(O200K, "a  b", 64, 220, 287);
    IDS(CL100K, "a  b", 64, 220, 293);
    IDS(O200K, "x\r\ny", 87, 370, 88);       /* "x" "\r\n" "y" */
    IDS(O200K, " tokenization", 6602, 2860); /* " token" "ization" */
    /* Merges that are not the longest prefix at each step. */
    IDS(O200K, "supercalifragilisticexpialidocious", 17789, 5842, 366, 17764, 311, 6207, 8067, 563, 315, 170661);
    IDS(CL100K, "supercalifragilisticexpialidocious", 13066, 3035, 278, 333, 4193, 321, 4633, 4683, 532, 307, 78287);
    /* A ZWJ family: man, ZWJ, woman, ZWJ, girl, ZWJ, boy; each emoji 2 tokens, each ZWJ one. */
    IDS(O200K, "👨‍👩‍👧‍👦", 28823, 101, 2524, 28823, 102, 2524, 28823, 100, 2524, 28823, 99);
    /* Characters assigned after PCRE2's Unicode version are classed as node classes them (stand-ins):
     * Kaktovik numerals (U+1D2C0.., Unicode 15) are digits, so " " then three digits in one piece
     * (PCRE2 10.42 alone takes them for punctuation, " " and all: 220 is not first then). */
    IDS(CL100K, " \xf0\x9d\x8b\x80\xf0\x9d\x8b\x81\xf0\x9d\x8b\x82", 220, 57352, 233, 222, 57352, 233, 223, 57352, 233,
        224);
    IDS(O200K,
        "AB\xca\x95"
        "cd",
        2912, 134, 243, 8301); /* U+0295 (Lo to node, Ll to PCRE2): one piece either way */
    /* Nothing is nothing. */
    CHECK_U64(count_of(O200K, NULL, 0), 0);
    CHECK_U64(count_of(CL100K, "", 0), 0);
    /* NUL is a character like another. */
    CHECK_U64(count_of(O200K, "a\0b", 3), count_of(O200K,
                                                   "a\x01"
                                                   "b",
                                                   3));
}

static void test_invalid_utf8(void)
{
    /* node's Buffer.toString: one U+FFFD per maximal ill-formed subpart. */
    IDS(O200K, "\xef\xbf\xbd", 3251); /* U+FFFD itself */
    IDS(O200K, "\x80", 3251);         /* a lone continuation byte */
    IDS(CL100K, "\x80", 5809);
    IDS(O200K, "\xff\xfe", 10123);     /* two bytes that start nothing: two U+FFFD, one token */
    IDS(O200K, "\xe2\x82", 3251);      /* a sequence cut short: one U+FFFD */
    IDS(O200K, "\xf0\x9f\x98", 3251);  /* the same, four-byte */
    IDS(O200K, "\xc0\xaf", 10123);     /* overlong: C0 starts nothing, AF is alone */
    IDS(O200K, "\xed\xa0\x80", 72387); /* a surrogate: ED then A0 (out of ED's range) then 80: three */
    IDS(CL100K, "\xed\xa0\x80", 58432);
    IDS(O200K, "caf\xe9", 176980, 3251); /* Latin-1 e-acute */
    IDS(O200K,
        "a\xe2\x82"
        "b",
        64, 3251, 65);
}

/* The long-piece merge gives what the scan gives, on pieces of every kind (random bytes, letters, repeats). */
static void test_long_equals_scan(void)
{
    const struct pcs_ranks *ranks = pcs_ranks_get(O200K, NULL);
    CHECK(ranks != NULL);
    if (ranks == NULL)
        return;
    struct pcs_bpe_scratch scratch = {0};
    uint32_t scan_ids[PCS_BPE_SCAN_MAX];
    uint32_t long_ids[PCS_BPE_SCAN_MAX];
    uint8_t piece[PCS_BPE_SCAN_MAX];
    unsigned state = 16;
    int differ = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len = 1 + round % PCS_BPE_SCAN_MAX;
        for (size_t i = 0; i < len; i++) {
            state = state * 1103515245u + 12345u;
            unsigned r = state >> 16;
            piece[i] = round % 3 == 0 ? (uint8_t)r : round % 3 == 1 ? (uint8_t)('a' + r % 6) : (uint8_t) "ab "[r % 3];
        }
        size_t scan = pcs_bpe_merge(ranks, piece, len, &scratch, scan_ids);
        size_t long_count = pcs_bpe_merge_long(ranks, piece, len, &scratch, long_ids);
        differ += scan != long_count || memcmp(scan_ids, long_ids, scan * sizeof scan_ids[0]) != 0;
    }
    CHECK(differ == 0);
    pcs_bpe_scratch_free(&scratch);
}

/* Pieces far past PCS_BPE_SCAN_MAX (counts from gpt-tokenizer). */
static void test_long_pieces(void)
{
    size_t n = 20000;
    char *text = malloc(2 * n + 2);
    CHECK(text != NULL);
    if (text == NULL)
        return;
    memset(text, 'a', n);
    CHECK_U64(count_of(O200K, text, n), 2500); /* 20,000 a's: 2,500 tokens of eight */
    CHECK_U64(count_of(CL100K, text, n), 2500);
    memset(text, ' ', n);
    text[n] = 'x';
    CHECK_U64(count_of(O200K, text, n + 1), 158); /* 20,000 spaces then x */
    CHECK_U64(count_of(CL100K, text, n + 1), 158);
    for (size_t i = 0; i < 2 * n; i += 2)
        memcpy(text + i, "ab", 2);
    text[n / 2] = 'Z'; /* "abab...ab" (10,000 bytes) then Z */
    CHECK_U64(count_of(O200K, text, n / 2 + 1), 2501);
    CHECK_U64(count_of(CL100K, text, n / 2 + 1), 5001);
    free(text);
}

/* The tokens' bytes, end to end. */
struct decoded {
    const struct pcs_ranks *ranks;
    uint8_t *bytes;
    size_t len;
    size_t capacity;
    int bad_id;
};

static void decode_ids(void *context, const uint32_t *ids, size_t count)
{
    struct decoded *out = context;
    for (size_t i = 0; i < count; i++) {
        if (ids[i] >= out->ranks->count) {
            out->bad_id = 1;
            continue;
        }
        size_t len = pcs_ranks_token_len(out->ranks, ids[i]);
        if (out->len + len <= out->capacity)
            memcpy(out->bytes + out->len, pcs_ranks_token_bytes(out->ranks, ids[i]), len);
        out->len += len;
    }
}

/* Every byte is in some piece and every piece is its tokens: the tokens of any bytes spell the
 * bytes back, once ill-formed UTF-8 is repaired (random bytes, random characters of every width,
 * runs). */
static void test_tokens_spell_the_text(void)
{
    static const char *const alphabet[] = {"a",
                                           "Z",
                                           " ",
                                           "  ",
                                           "\n",
                                           "\r\n",
                                           "\t",
                                           "'s",
                                           "7",
                                           "123",
                                           ".",
                                           "/",
                                           "\xc3\xa9",
                                           "\xe6\x97\xa5",
                                           "\xf0\x9f\x98\x80",
                                           "\xe2\x80\x8d",
                                           "\xef\xbb\xbf",
                                           "\xc2\x85",
                                           "\xe3\x80\x80",
                                           "\xf0\x9d\x8b\x80",
                                           "\xca\x95",
                                           "\x80",
                                           "\xed\xa0\x80",
                                           "\xf4\x90",
                                           "<|endoftext|>"};
    size_t alphabet_size = sizeof alphabet / sizeof alphabet[0];
    uint8_t text[4096];
    uint8_t repaired[3 * sizeof text];
    uint8_t spelled[3 * sizeof text];
    unsigned state = 7;
    int wrong = 0;
    for (int round = 0; round < 1500; round++) {
        size_t len = 0;
        size_t target = (size_t)(round * 37) % 1200;
        while (len < target) {
            state = state * 1103515245u + 12345u;
            unsigned r = state >> 8;
            if (round % 4 == 0) {
                text[len++] = (uint8_t)r; /* any byte */
                continue;
            }
            const char *item = alphabet[r % alphabet_size];
            size_t repeat = round % 4 == 3 ? 1 + (r >> 8) % 300 : 1; /* runs */
            for (size_t k = 0; k < repeat; k++) {
                size_t item_len = strlen(item);
                if (len + item_len > sizeof text)
                    break;
                memcpy(text + len, item, item_len);
                len += item_len;
            }
        }
        size_t repaired_len = pcs_utf8_repair(text, len, repaired);
        for (int e = 0; e < PCS_ENCODING_COUNT; e++) {
            struct decoded out = {pcs_ranks_get((enum pcs_encoding)e, NULL), spelled, 0, sizeof spelled, 0};
            uint64_t count = 0;
            uint64_t counted = 0;
            struct pcs_error err = {{0}, PCS_OK};
            enum pcs_status status =
                pcs_tokenizer_ids(tokenizers[e], (const char *)text, len, decode_ids, &out, &count, &err);
            pcs_tokenizer_count(tokenizers[e], (const char *)text, len, &counted, &err);
            if (status != PCS_OK || out.bad_id || count != counted || out.len != repaired_len ||
                memcmp(spelled, repaired, repaired_len) != 0) {
                if (wrong++ < 3)
                    fprintf(stderr, "round %d, %s: %zu bytes spelled, %zu expected\n", round,
                            pcs_encoding_name((enum pcs_encoding)e), out.len, repaired_len);
            }
        }
    }
    CHECK(wrong == 0);
}

struct thread_job {
    enum pcs_encoding encoding;
    uint64_t count;
};

static void *count_on_thread(void *arg)
{
    struct thread_job *job = arg;
    pcs_tokenizer *tok = pcs_tokenizer_new(job->encoding, NULL);
    job->count = UINT64_MAX;
    if (tok != NULL)
        pcs_tokenizer_count(tok, "Hello, world!", 13, &job->count, NULL);
    pcs_tokenizer_free(tok);
    return NULL;
}

/* Run first: four threads build the two tables at once. */
static void test_threads(void)
{
    pthread_t threads[4];
    struct thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].encoding = i % 2 ? CL100K : O200K;
        CHECK(pthread_create(&threads[i], NULL, count_on_thread, &jobs[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK_U64(jobs[i].count, 4);
    }
}

int main(void)
{
    test_threads();
    struct pcs_error err = {{0}, PCS_OK};
    CHECK(pcs_tokenizer_new(PCS_ENCODING_COUNT, &err) == NULL && err.status == PCS_ERR_ARG);
    for (int i = 0; i < PCS_ENCODING_COUNT; i++) {
        tokenizers[i] = pcs_tokenizer_new((enum pcs_encoding)i, &err);
        if (tokenizers[i] == NULL) {
            fprintf(stderr, "tokenizer: %s\n", err.message);
            return 1;
        }
        CHECK(pcs_tokenizer_encoding(tokenizers[i]) == (enum pcs_encoding)i);
    }
    test_names();
    test_known_ids();
    test_invalid_utf8();
    test_long_equals_scan();
    test_long_pieces();
    test_tokens_spell_the_text();
    for (int i = 0; i < PCS_ENCODING_COUNT; i++)
        pcs_tokenizer_free(tokenizers[i]);
    pcs_tokenizer_free(NULL);
    return check_summary();
}
