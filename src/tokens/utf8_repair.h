/* Ill-formed UTF-8 made well-formed the way the WHATWG Encoding Standard's
 * UTF-8 decoder does it (https://encoding.spec.whatwg.org/#utf-8-decoder),
 * which is how node reads a file as UTF-8: every maximal ill-formed subpart
 * (a byte that cannot start a sequence, or a sequence cut short, surrogates
 * and overlong forms included) becomes one U+FFFD (EF BF BD).
 * Internal to src/tokens. */
#ifndef PCSIM_TOKENS_UTF8_REPAIR_H
#define PCSIM_TOKENS_UTF8_REPAIR_H

#include <stddef.h>
#include <stdint.h>

/* The length of the longest well-formed prefix of text[0..len): len when all is well-formed. */
size_t pcs_utf8_valid_prefix(const uint8_t *text, size_t len);

/* Writes text[0..len) to out with each maximal ill-formed subpart replaced
 * by U+FFFD; returns the bytes written. out has room for 3 * len bytes
 * (a replacement is never longer than three times the bytes it replaces). */
size_t pcs_utf8_repair(const uint8_t *text, size_t len, uint8_t *out);

#endif
