/* The WHATWG UTF-8 decoder's error handling, on bytes: a lead byte fixes the
 * range of its first continuation byte (E0: A0..BF, no overlong; ED: 80..9F,
 * no surrogate; F0: 90..BF; F4: 80..8F, nothing past U+10FFFF), the others
 * are 80..BF. A byte out of range ends the sequence as ill-formed and is
 * looked at again as a possible lead byte. */
#include "utf8_repair.h"

#include <string.h>

/* The length of the well-formed sequence at text[0..len), or 0 when it is
 * ill-formed; *bad is then how many bytes the ill-formed subpart takes (1..3). */
static size_t sequence(const uint8_t *text, size_t len, size_t *bad)
{
    uint8_t lead = text[0];
    if (lead < 0x80)
        return 1;
    size_t need;
    uint8_t low = 0x80;
    uint8_t high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        if (lead == 0xE0)
            low = 0xA0;
        else if (lead == 0xED)
            high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        if (lead == 0xF0)
            low = 0x90;
        else if (lead == 0xF4)
            high = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= len || text[i] < low || text[i] > high) {
            *bad = i;
            return 0;
        }
        low = 0x80;
        high = 0xBF;
    }
    return need + 1;
}

size_t pcs_utf8_valid_prefix(const uint8_t *text, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        /* ASCII eight bytes at a time: most of a prompt. */
        while (len - pos >= 8) {
            uint64_t word;
            memcpy(&word, text + pos, 8);
            if (word & 0x8080808080808080ULL)
                break;
            pos += 8;
        }
        if (pos >= len)
            break;
        if (text[pos] < 0x80) {
            pos++;
            continue;
        }
        size_t bad = 0;
        size_t got = sequence(text + pos, len - pos, &bad);
        if (got == 0)
            return pos;
        pos += got;
    }
    return len;
}

size_t pcs_utf8_repair(const uint8_t *text, size_t len, uint8_t *out)
{
    size_t pos = 0;
    size_t written = 0;
    while (pos < len) {
        size_t good = pcs_utf8_valid_prefix(text + pos, len - pos);
        memcpy(out + written, text + pos, good);
        written += good;
        pos += good;
        if (pos >= len)
            break;
        size_t bad = 0;
        (void)sequence(text + pos, len - pos, &bad);
        out[written] = 0xEF;
        out[written + 1] = 0xBF;
        out[written + 2] = 0xBD;
        written += 3;
        pos += bad;
    }
    return written;
}
