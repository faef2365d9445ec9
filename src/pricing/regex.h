/* A regular-expression matcher for the model-name match rules of the price
 * catalog (internal to src/pricing).
 *
 * The catalog's rules are JavaScript regular expressions, written for
 * `new RegExp(pattern).test(name)`. pcs_regex_test gives the answer that
 * call gives, for the slice of the syntax the catalog uses; everything
 * outside that slice is refused at compile time, so a rule is never matched
 * with a meaning other than the one its author tested in JavaScript.
 *
 * Semantics (no flags): case-sensitive; the match may start anywhere in the
 * text; `^` and `$` are the start and end of the whole text; `.` matches any
 * code unit except the line terminators \n, \r, U+2028 and U+2029.
 *
 * Text is UTF-8 and is seen as JavaScript sees the same string: as UTF-16
 * code units. A character outside the BMP is two units (`^..$` matches one
 * emoji), and a malformed byte sequence reads as U+FFFD the way
 * TextDecoder decodes it. Patterns are ASCII only.
 *
 * Supported syntax:
 *   literals          any ASCII byte that is not special; `]` and `}` are
 *                     literals, and so is `{` when it does not start `{n}`,
 *                     `{n,}` or `{n,m}` (as in JavaScript without the u flag)
 *   .                 any code unit but a line terminator
 *   \d \D \w \W \s \S JavaScript's classes (\s includes the Unicode spaces)
 *   \t \n \v \f \r    control characters
 *   \<punctuation>    that character: \. \[ \] \( \) \{ \} \* \+ \? \| \^
 *                     \$ \\ \/ \- and any other printable ASCII non-alphanumeric
 *   [...] [^...]      classes with ranges (a-z) and the escapes above;
 *                     `-` is literal first, last or right after a range;
 *                     [] matches nothing, [^] any unit
 *   (...) (?:...)     groups; capturing groups are treated as non-capturing
 *   (?=...) (?!...)   lookaheads (a quantifier on one is accepted, as in JS)
 *   a|b               alternation
 *   * + ? {n} {n,} {n,m}  greedy quantifiers, and their lazy forms *? +? ...
 *   ^ $               start and end of the text
 *
 * Refused, with "unsupported regex syntax at offset N: <what>": backreferences
 * (\1, \k<name>), lookbehind, named groups, modifier groups (?i:...), \b \B,
 * \0, \x \u \c \p escapes, escaped letters without a meaning above,
 * a class escape as a range end ([\d-z]), non-ASCII pattern bytes, repeat
 * counts above PCS_REGEX_MAX_COUNT and groups nested deeper than
 * PCS_REGEX_MAX_NESTING. Patterns JavaScript itself rejects fail with
 * "invalid regex at offset N: <what>" (nothing to repeat, unmatched ')',
 * unterminated group or class, (? with no known group kind, range out of
 * order, {2,1}, trailing \).
 * Flags do not exist here: a pattern is the text between the slashes. */
#ifndef PCSIM_PRICING_REGEX_H
#define PCSIM_PRICING_REGEX_H

#include <stddef.h>

/* Largest n or m accepted in {n}, {n,}, {n,m}. */
#define PCS_REGEX_MAX_COUNT 1000

/* Deepest nesting of groups and lookaheads a pattern may have. */
#define PCS_REGEX_MAX_NESTING 32

/* Work one pcs_regex_test call may do, in matcher steps (about one per
 * pattern node tried at a text position, plus one per character a repeat
 * consumes). A catalog rule on a name of a couple of hundred bytes needs at
 * most tens of thousands; only a pathological pattern such as (a+)+b on a
 * long run of a's, or an unanchored .*x on kilobytes of text, gets near it. */
#define PCS_REGEX_MAX_STEPS 1000000

/* Deepest recursion of the backtracking matcher. A single-character repeat
 * (`.*`, `\d+`, `[^/]+`) costs a constant number of levels whatever it
 * consumes; a repeated group costs two or three levels per character, so
 * (?:a|b)* gives up past about 650 bytes of text. At the limit a call uses
 * under 320 KB of C stack in an -O2 build and under 512 KB at -O0. */
#define PCS_REGEX_MAX_DEPTH 2000

typedef struct pcs_regex pcs_regex;

/* Compiles pattern (NUL-terminated, JavaScript syntax without the slashes
 * and flags). On success returns a regex the caller frees with
 * pcs_regex_free. On failure returns NULL and, if err_size > 0, writes a
 * NUL-terminated message (truncated to err_size - 1 bytes) into err, such as
 * "unsupported regex syntax at offset 1: lookbehind". Offsets are byte
 * offsets into pattern. Out of memory also returns NULL ("out of memory"). */
pcs_regex *pcs_regex_compile(const char *pattern, char *err, size_t err_size);

/* 1 if re matches somewhere in text (NUL-terminated UTF-8), else 0: the
 * value of JavaScript's new RegExp(pattern).test(text). A match that would
 * need more than PCS_REGEX_MAX_STEPS steps or PCS_REGEX_MAX_DEPTH levels is
 * reported as 0; use pcs_regex_test_checked to tell that case apart. re is
 * not modified, so threads may share one. */
int pcs_regex_test(const pcs_regex *re, const char *text);

/* As pcs_regex_test; also sets *gave_up (if not NULL) to 1 when the search
 * stopped at a limit (the result is then 0 and says nothing), else to 0. */
int pcs_regex_test_checked(const pcs_regex *re, const char *text, int *gave_up);

/* Frees re; NULL is a no-op. */
void pcs_regex_free(pcs_regex *re);

#endif
