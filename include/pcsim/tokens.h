/* pcsim: exact BPE token counts for OpenAI's o200k_base and cl100k_base
 * encodings (DESIGN §8, docs/tokens.md).
 *
 * A text is counted as the npm package gpt-tokenizer (the version named in
 * docs/tokens.md, whose .tiktoken rank files are built into the library)
 * counts it with encode(text, {disallowedSpecial: new Set()}):
 *   - the bytes are read as UTF-8; every ill-formed sequence becomes U+FFFD,
 *     one per maximal ill-formed subpart (the WHATWG decoder's rule, which is
 *     what node does when it reads a file as UTF-8); a byte order mark is text;
 *   - the text is split by the encoding's published pattern (pre-tokenisation),
 *     and each piece is a single token when its bytes are one, else its bytes
 *     are merged pair by pair, lowest rank first (leftmost among equals);
 *   - special tokens ("<|endoftext|>", "<|im_start|>", ...) are ordinary text:
 *     counted as the tokens of their characters, never as one special token
 *     and never an error. (gpt-tokenizer's default would throw on them.)
 * No chat framing is added: a message's role and separators are not counted.
 *
 * Threads: a tokenizer is used by one thread at a time (it keeps scratch
 * space); make one per thread. The rank tables behind them are built once per
 * encoding, on first use, and shared read-only by every tokenizer (thread-safe).
 * Ownership and errors follow pcsim/status.h. */
#ifndef PCSIM_TOKENS_H
#define PCSIM_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

enum pcs_encoding {
    PCS_ENCODING_O200K_BASE,  /* GPT-4o, GPT-4.1, GPT-5, o-series, and the default */
    PCS_ENCODING_CL100K_BASE, /* GPT-4, GPT-3.5-turbo, text-embedding-3 / ada-002 */
    PCS_ENCODING_COUNT
};

/* The encoding's name as OpenAI spells it ("o200k_base", "cl100k_base");
 * "unknown" for a value out of range. Static; never NULL. */
const char *pcs_encoding_name(enum pcs_encoding encoding);

/* The encoding named name (exactly as pcs_encoding_name spells it), or -1. */
int pcs_encoding_parse(const char *name);

/* The encoding a model's prompts are counted with: cl100k_base for the models
 * that use it (gpt-4, gpt-4-*, gpt-3.5, gpt-3.5-*, gpt-35-turbo*,
 * text-embedding-3-*, text-embedding-ada-002, babbage-002, davinci-002; a
 * "provider/" prefix is ignored), o200k_base for every other name, non-OpenAI
 * models included (an estimate: DESIGN §8). NULL counts as an unknown model.
 * docs/tokens.md cites the map's sources. */
enum pcs_encoding pcs_encoding_for_model(const char *model);

typedef struct pcs_tokenizer pcs_tokenizer;

/* A tokenizer for encoding. The first tokenizer of an encoding in the process
 * builds its rank table (about 20 ms and 11 MB for o200k_base); later ones share it.
 * Errors: PCS_ERR_ARG (encoding out of range), PCS_ERR_NOMEM, PCS_ERR_FORMAT
 * (the built-in ranks are damaged: a build problem). */
pcs_tokenizer *pcs_tokenizer_new(enum pcs_encoding encoding, struct pcs_error *err);

/* The encoding tok counts with. */
enum pcs_encoding pcs_tokenizer_encoding(const pcs_tokenizer *tok);

/* Sets *count to the number of tokens of the len bytes at text (any bytes:
 * NUL and invalid UTF-8 included, see above; text may be NULL when len is 0).
 * Errors: PCS_ERR_NOMEM (scratch space for a long text). */
enum pcs_status pcs_tokenizer_count(pcs_tokenizer *tok, const char *text, size_t len, uint64_t *count,
                                    struct pcs_error *err);

/* Frees tok (not the shared rank table). NULL: nothing. */
void pcs_tokenizer_free(pcs_tokenizer *tok);

#endif
