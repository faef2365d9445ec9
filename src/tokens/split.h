/* Pre-tokenisation: the encodings' published split patterns, compiled with
 * PCRE2 (UTF, Unicode properties, JIT when the library has it), and matched
 * by hand where the text is ASCII (split_ascii.c). A text's pieces are the
 * pattern's successive leftmost matches, each search starting where the
 * previous match ended (JavaScript's matchAll); bytes no match covers belong
 * to no piece. Internal to src/tokens. */
#ifndef PCSIM_TOKENS_SPLIT_H
#define PCSIM_TOKENS_SPLIT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"
#include "pcsim/tokens.h"

/* Writes text[0..len) (well-formed UTF-8) to out (room for len bytes) with
 * every code point that node's Unicode tables and PCRE2's class differently
 * replaced by its stand-in, one PCRE2 classes as node does and whose UTF-8 is
 * as long (generated/unicode_remap.h), so that the patterns split out as
 * they split text in node, at the same byte offsets. Returns 1 when it
 * replaced any (out holds the text), 0 when there was none (out unspecified). */
int pcs_split_stand_ins(const uint8_t *text, size_t len, uint8_t *out);

/* The pattern of encoding, in PCRE2's syntax (static). */
const char *pcs_split_pattern(enum pcs_encoding encoding);

/* The compiled pattern of encoding, compiled on first use and shared
 * read-only (thread-safe; matching needs a pcre2_match_data per thread).
 * NULL with err set when PCRE2 refuses it (PCS_ERR_NOMEM, or PCS_ERR_ARG). */
const pcre2_code *pcs_split_code(enum pcs_encoding encoding, int *jit, struct pcs_error *err);

/* The end of the match that the pattern of the encoding finds at text[pos]
 * (pos < len, text[0..len) being the text the pattern matches, with its
 * stand-ins), or 0 when it is not sure: whenever a byte that the match
 * depends on is not ASCII (a byte of the run, the one that ends it, the
 * lookahead of \s+(?!\S), or the byte after a run that $ needs to be the
 * end). Exact where it answers: every position of a well-formed text starts
 * a match and the patterns look behind nothing, so a match at pos depends
 * only on text[pos..len) and one piece may come from here, the next from
 * PCRE2 (tests/unit/test_split.c compares the two at every offset).
 * Pure, thread-safe; reads text[pos..len) only. */
typedef size_t pcs_split_ascii_fn(const uint8_t *text, size_t len, size_t pos);
pcs_split_ascii_fn pcs_split_ascii_o200k;
pcs_split_ascii_fn pcs_split_ascii_cl100k;

/* The hand matcher of encoding (one of the two above). */
pcs_split_ascii_fn *pcs_split_ascii(enum pcs_encoding encoding);

#endif
