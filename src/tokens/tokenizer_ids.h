/* The token ids behind a count, for the parity test against gpt-tokenizer
 * (tests/tokens) and the unit tests. Internal to the library. */
#ifndef PCSIM_TOKENS_TOKENIZER_IDS_H
#define PCSIM_TOKENS_TOKENIZER_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/tokens.h"

/* Called with the ids (ranks) of one piece, in text order. */
typedef void pcs_token_ids_fn(void *context, const uint32_t *ids, size_t count);

/* Tokenises text[0..len) as pcs_tokenizer_count counts it, calling emit for
 * every piece; *count gets the total. Errors: as pcs_tokenizer_count. */
enum pcs_status pcs_tokenizer_ids(pcs_tokenizer *tok, const char *text, size_t len, pcs_token_ids_fn *emit,
                                  void *context, uint64_t *count, struct pcs_error *err);

#endif
