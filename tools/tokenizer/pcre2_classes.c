/* Lists the Unicode classes of the PCRE2 that pcsim builds with, for
 * tools/tokenizer/unicode.mjs: a first line "PCRE2 UNICODE_VERSION VERSION",
 * then "CODEPOINT MASK" (hex, decimal) for every code point in one of the
 * classes the split patterns use, MASK's bits in this order:
 * L N Lu Ll Lt Lm Lo M. Built and run by tools/update-tokenizer. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>

int main(void)
{
    static const char *const classes[] = {"L", "N", "Lu", "Ll", "Lt", "Lm", "Lo", "M"};
    enum { CLASS_COUNT = sizeof classes / sizeof classes[0] };
    pcre2_code *codes[CLASS_COUNT];
    for (int i = 0; i < CLASS_COUNT; i++) {
        char pattern[32];
        int error = 0;
        PCRE2_SIZE offset = 0;
        snprintf(pattern, sizeof pattern, "^\\p{%s}$", classes[i]);
        codes[i] = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &error, &offset,
                                 NULL);
        if (codes[i] == NULL)
            return 1;
    }
    char version[64];
    char unicode[64];
    pcre2_config(PCRE2_CONFIG_VERSION, version);
    pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, unicode);
    printf("PCRE2 %s %s\n", unicode, version);
    pcre2_match_data *match = pcre2_match_data_create(1, NULL);
    for (unsigned cp = 0; cp < 0x110000; cp++) {
        if (cp >= 0xD800 && cp < 0xE000)
            continue;
        unsigned char utf8[4];
        size_t len;
        if (cp < 0x80) {
            utf8[0] = (unsigned char)cp;
            len = 1;
        } else if (cp < 0x800) {
            utf8[0] = (unsigned char)(0xC0 | cp >> 6);
            utf8[1] = (unsigned char)(0x80 | (cp & 63));
            len = 2;
        } else if (cp < 0x10000) {
            utf8[0] = (unsigned char)(0xE0 | cp >> 12);
            utf8[1] = (unsigned char)(0x80 | ((cp >> 6) & 63));
            utf8[2] = (unsigned char)(0x80 | (cp & 63));
            len = 3;
        } else {
            utf8[0] = (unsigned char)(0xF0 | cp >> 18);
            utf8[1] = (unsigned char)(0x80 | ((cp >> 12) & 63));
            utf8[2] = (unsigned char)(0x80 | ((cp >> 6) & 63));
            utf8[3] = (unsigned char)(0x80 | (cp & 63));
            len = 4;
        }
        unsigned mask = 0;
        for (int i = 0; i < CLASS_COUNT; i++)
            if (pcre2_match(codes[i], utf8, len, 0, 0, match, NULL) >= 0)
                mask |= 1u << i;
        if (mask != 0)
            printf("%x %u\n", cp, mask);
    }
    pcre2_match_data_free(match);
    for (int i = 0; i < CLASS_COUNT; i++)
        pcre2_code_free(codes[i]);
    return 0;
}
