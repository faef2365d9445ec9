/* A tokenizer: the shared ranks and split pattern of its encoding, plus what
 * one thread needs to use them (PCRE2 match data and JIT stack, the repaired
 * copy of an ill-formed text, merge scratch, the memo of short pieces'
 * counts). A piece comes from the hand matcher of ASCII text when it is sure
 * of it, else from PCRE2 (split.h). */
#include <stdlib.h>
#include <string.h>

#include "pcsim/tokens.h"
#include "bpe.h"
#include "piece_memo.h"
#include "ranks.h"
#include "split.h"
#include "tokenizer_ids.h"
#include "utf8_repair.h"

/* The JIT stack grows to this much (address space, used only as needed)
 * before a match gives up on JIT and is tried again by the interpreter; the
 * split patterns need little stack (tests/cli/tokens_tests.sh: five million
 * spaces). */
#define JIT_STACK_START ((size_t)32 * 1024)
#define JIT_STACK_MAX ((size_t)8 * 1024 * 1024)

struct pcs_tokenizer {
    enum pcs_encoding encoding;
    const struct pcs_ranks *ranks;
    const pcre2_code *code;
    int jit;
    pcs_split_ascii_fn *split_ascii;
    pcre2_match_data *match;
    pcre2_match_context *context;
    pcre2_jit_stack *jit_stack;
    uint8_t *repaired; /* an ill-formed text made well-formed (utf8_repair.h) */
    size_t repaired_capacity;
    uint8_t *classed; /* the text the patterns match, when it needs stand-ins (split.h) */
    size_t classed_capacity;
    uint32_t *ids; /* one piece's ids, for pcs_tokenizer_ids */
    size_t ids_capacity;
    struct pcs_bpe_scratch scratch;
    struct pcs_piece_memo_slot *memo; /* PCS_PIECE_MEMO_SLOTS, for counts alone (pcs_tokenizer_count) */
};

pcs_tokenizer *pcs_tokenizer_new(enum pcs_encoding encoding, struct pcs_error *err)
{
    if ((unsigned)encoding >= PCS_ENCODING_COUNT) {
        pcs_error_set(err, PCS_ERR_ARG, "unknown encoding %d", (int)encoding);
        return NULL;
    }
    const struct pcs_ranks *ranks = pcs_ranks_get(encoding, err);
    if (ranks == NULL)
        return NULL;
    int jit = 0;
    const pcre2_code *code = pcs_split_code(encoding, &jit, err);
    if (code == NULL)
        return NULL;
    pcs_tokenizer *tok = calloc(1, sizeof *tok);
    if (tok == NULL) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    tok->encoding = encoding;
    tok->ranks = ranks;
    tok->code = code;
    tok->jit = jit;
    tok->split_ascii = pcs_split_ascii(encoding);
    tok->match = pcre2_match_data_create_from_pattern(code, NULL);
    tok->context = pcre2_match_context_create(NULL);
    tok->memo = calloc(PCS_PIECE_MEMO_SLOTS, sizeof *tok->memo);
    if (jit)
        tok->jit_stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
    if (tok->match == NULL || tok->context == NULL || tok->memo == NULL || (jit && tok->jit_stack == NULL)) {
        pcs_tokenizer_free(tok);
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (jit)
        pcre2_jit_stack_assign(tok->context, NULL, tok->jit_stack);
    return tok;
}

enum pcs_encoding pcs_tokenizer_encoding(const pcs_tokenizer *tok)
{
    return tok->encoding;
}

void pcs_tokenizer_free(pcs_tokenizer *tok)
{
    if (tok == NULL)
        return;
    pcre2_match_data_free(tok->match);
    pcre2_match_context_free(tok->context);
    pcre2_jit_stack_free(tok->jit_stack);
    free(tok->repaired);
    free(tok->classed);
    free(tok->ids);
    free(tok->memo);
    pcs_bpe_scratch_free(&tok->scratch);
    free(tok);
}

/* The next match at or after offset: 1 with [*start, *end), 0 when none is
 * left, -1 when PCRE2 fails (a resource limit). */
static int next_piece(pcs_tokenizer *tok, const uint8_t *text, size_t len, size_t offset, size_t *start, size_t *end)
{
    int rc = PCRE2_ERROR_JIT_STACKLIMIT;
    if (tok->jit)
        rc = pcre2_jit_match(tok->code, text, len, offset, 0, tok->match, tok->context);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(tok->code, text, len, offset, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, tok->match, tok->context);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return -1;
    const PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(tok->match);
    *start = ovector[0];
    *end = ovector[1];
    return 1;
}

static enum pcs_status tokenize(pcs_tokenizer *tok, const char *input, size_t len, pcs_token_ids_fn *emit,
                                void *context, uint64_t *count, struct pcs_error *err)
{
    const uint8_t *text = (const uint8_t *)input;
    if (len == 0) {
        *count = 0;
        return PCS_OK;
    }
    if (pcs_utf8_valid_prefix(text, len) != len) {
        if (len > (SIZE_MAX - 1) / 3)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        if (3 * len > tok->repaired_capacity) {
            uint8_t *repaired = realloc(tok->repaired, 3 * len);
            if (repaired == NULL)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
            tok->repaired = repaired;
            tok->repaired_capacity = 3 * len;
        }
        len = pcs_utf8_repair(text, len, tok->repaired);
        text = tok->repaired;
    }
    /* The patterns match the text with stand-ins (same offsets); the pieces are merged from the text itself. */
    if (len > tok->classed_capacity) {
        uint8_t *classed = realloc(tok->classed, len);
        if (classed == NULL)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        tok->classed = classed;
        tok->classed_capacity = len;
    }
    const uint8_t *subject = pcs_split_stand_ins(text, len, tok->classed) ? tok->classed : text;
    const struct pcs_ranks *ranks = tok->ranks;
    uint64_t total = 0;
    size_t offset = 0;
    while (offset < len) {
        size_t start = offset;
        size_t end = tok->split_ascii(subject, len, offset);
        if (end == 0) {
            int found = next_piece(tok, subject, len, offset, &start, &end);
            if (found == 0)
                break;
            if (found < 0)
                return pcs_error_set(err, PCS_ERR_NOMEM,
                                     "text too long to split at byte %zu (regular expression limit)", offset);
        }
        size_t piece_len = end - start;
        offset = end;
        if (piece_len == 0) {
            offset++; /* the patterns never match empty; never loop on it anyway */
            continue;
        }
        const uint8_t *piece = text + start;
        /* A count alone may come from the memo, and goes to it (one or two bytes are looked up directly). */
        struct pcs_piece_key key = {0, 0, 0};
        int memoised = emit == NULL && piece_len >= 3 && piece_len <= PCS_PIECE_MEMO_MAX_PIECE;
        if (memoised) {
            key = pcs_piece_key(piece, piece_len, len - start);
            uint32_t known = pcs_piece_memo_find(tok->memo, &key, piece_len);
            if (known != 0) {
                total += known;
                continue;
            }
        }
        uint32_t *ids = NULL;
        if (emit != NULL) {
            if (piece_len > tok->ids_capacity) {
                uint32_t *grown = realloc(tok->ids, piece_len * sizeof *grown);
                if (grown == NULL)
                    return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
                tok->ids = grown;
                tok->ids_capacity = piece_len;
            }
            ids = tok->ids;
        }
        /* A piece that is one token is that token, whatever merging its bytes would give. */
        uint32_t whole = pcs_ranks_find(ranks, piece, piece_len);
        size_t tokens = 1;
        if (whole != PCS_RANK_NONE) {
            if (ids != NULL)
                ids[0] = whole;
        } else {
            tokens = pcs_bpe_merge(ranks, piece, piece_len, &tok->scratch, ids);
            if (tokens == 0)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        }
        total += tokens;
        if (memoised)
            pcs_piece_memo_store(tok->memo, &key, piece_len, (uint32_t)tokens);
        if (emit != NULL)
            emit(context, ids, tokens);
    }
    *count = total;
    return PCS_OK;
}

enum pcs_status pcs_tokenizer_count(pcs_tokenizer *tok, const char *text, size_t len, uint64_t *count,
                                    struct pcs_error *err)
{
    return tokenize(tok, text, len, NULL, NULL, count, err);
}

enum pcs_status pcs_tokenizer_ids(pcs_tokenizer *tok, const char *text, size_t len, pcs_token_ids_fn *emit,
                                  void *context, uint64_t *count, struct pcs_error *err)
{
    return tokenize(tok, text, len, emit, context, count, err);
}
