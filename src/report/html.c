/* The HTML reports' shared frame, escaping and number formatting; see html.h. */
#include "html.h"

#include "report_util.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One style sheet for every report, inline so a report is one file. SVG
 * charts take their fonts and strokes from it too. No '<' or '&' in it:
 * the document stays well-formed XML. */
static const char style_sheet[] =
    "body{font-family:\"DejaVu Sans\",\"Segoe UI\",Helvetica,Arial,sans-serif;margin:20px auto;max-width:1160px;"
    "padding:0 16px;color:#1f2328;background:#fff;line-height:1.4}\n"
    "h1{font-size:1.45em;margin:0 0 .3em}\n"
    "h2{font-size:1.18em;margin:1.5em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}\n"
    "h3{font-size:1em;margin:1.1em 0 .2em}\n"
    "p{margin:.3em 0}\n"
    "p.meta{margin:.1em 0;color:#3d444d;font-size:.92em}\n"
    "p.note{margin:.1em 0 1.1em;color:#59636e;font-size:.88em}\n"
    "p.partial{background:#fff3cd;border:1px solid #d4a000;padding:.5em .8em;font-weight:bold}\n"
    ".wide{overflow-x:auto}\n"
    "table{border-collapse:collapse;font-size:.86em;margin:.4em 0 1em;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #e1e4e8;text-align:right;white-space:nowrap}\n"
    "th.text,td.text{text-align:left}\n"
    "thead th{background:#f6f8fa;border-bottom:2px solid #d0d7de}\n"
    "tr.total td{font-weight:bold}\n"
    "svg.chart{display:block;max-width:100%;height:auto;margin:.5em 0 .2em}\n"
    "svg.chart text{font-size:12px;fill:#1f2328}\n"
    "svg.chart .tick{fill:#4d5560}\n"
    "svg.chart .axis-title{font-size:13px;font-weight:bold}\n"
    "svg.chart .grid{stroke:#e6e9ed;stroke-width:1}\n"
    "svg.chart .axis{stroke:#6e7781;stroke-width:1}\n"
    "svg.chart .series{fill:none;stroke-width:2;stroke-linejoin:round}\n"
    "svg.chart .level{stroke-width:1.5;stroke-dasharray:7 4}\n"
    "svg.chart .marker{stroke:#8c959f;stroke-width:1;stroke-dasharray:3 3}\n"
    "svg.chart .marker-label{font-size:11px;fill:#57606a}\n"
    "svg.chart .leader{fill:none;stroke-width:1}\n"
    "svg.chart .whisker{stroke:#1f2328;stroke-width:1.5}\n"
    "svg.chart .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\n";

/* snprintf's decimal point follows LC_NUMERIC; the reports always use '.'. */
static void use_c_decimal_point(char *text)
{
    const char *point = localeconv()->decimal_point;
    if (!point || !point[0] || strcmp(point, ".") == 0)
        return;
    char *at = strstr(text, point);
    if (!at)
        return;
    size_t length = strlen(point);
    *at = '.';
    memmove(at + 1, at + length, strlen(at + length) + 1);
}

/* "-0.0" and the like read as zero. */
static void drop_negative_zero(char *text)
{
    if (text[0] != '-' || strspn(text + 1, "0.%") != strlen(text + 1))
        return;
    memmove(text, text + 1, strlen(text));
}

struct html_number pcs_html_px(double pixels)
{
    struct html_number number;
    /* Far outside any chart only when a value is far outside its axis. */
    snprintf(number.text, sizeof number.text, "%.1f", fmax(-1e6, fmin(1e6, pixels)));
    use_c_decimal_point(number.text);
    drop_negative_zero(number.text);
    return number;
}

struct html_number pcs_html_g(double value)
{
    struct html_number number;
    snprintf(number.text, sizeof number.text, "%.4g", value);
    use_c_decimal_point(number.text);
    drop_negative_zero(number.text);
    return number;
}

struct html_number pcs_html_exact(double value)
{
    struct html_number number;
    snprintf(number.text, sizeof number.text, "%.10g", value);
    use_c_decimal_point(number.text);
    return number;
}

struct html_number pcs_html_percent_value(double percent)
{
    struct html_number number;
    snprintf(number.text, sizeof number.text, "%.2f%%", percent);
    use_c_decimal_point(number.text);
    drop_negative_zero(number.text);
    return number;
}

struct html_number pcs_html_percent(double share)
{
    return pcs_html_percent_value(100.0 * share);
}

/* Length of the valid UTF-8 sequence at s that XML accepts as a character,
 * or 0. */
static size_t utf8_char_length(const unsigned char *s)
{
    uint32_t code;
    size_t length;
    if (s[0] < 0x80)
        return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ? 1 : 0;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        length = 2;
        code = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        length = 3;
        code = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        length = 4;
        code = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        code = code << 6 | (s[i] & 0x3fu);
    }
    static const uint32_t shortest[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < shortest[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code == 0xfffe ||
        code == 0xffff)
        return 0;
    return length;
}

void pcs_html_escaped(FILE *out, const char *text)
{
    if (!text)
        return;
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        size_t length = utf8_char_length(s);
        switch (length ? *s : 0) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case 0: fputs("\xef\xbf\xbd", out); break;
        default: fwrite(s, 1, length, out); break;
        }
        s += length ? length : 1;
    }
}

/* Formats into a buffer that grows when the text is long. */
static void escaped_v(FILE *out, const char *format, va_list args) HTML_PRINTF(2, 0);
static void escaped_v(FILE *out, const char *format, va_list args)
{
    char small[512];
    va_list copy;
    va_copy(copy, args);
    int needed = vsnprintf(small, sizeof small, format, args);
    if (needed < 0) {
        va_end(copy);
        return;
    }
    if ((size_t)needed < sizeof small) {
        pcs_html_escaped(out, small);
        va_end(copy);
        return;
    }
    char *large = malloc((size_t)needed + 1);
    if (large) {
        vsnprintf(large, (size_t)needed + 1, format, copy);
        pcs_html_escaped(out, large);
    } else {
        pcs_html_escaped(out, small);
    }
    free(large);
    va_end(copy);
}

void pcs_html_escapedf(FILE *out, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    escaped_v(out, format, args);
    va_end(args);
}

static void open_tag(FILE *out, const char *tag, const char *class_name)
{
    fprintf(out, "<%s", tag);
    if (class_name)
        fprintf(out, " class=\"%s\"", class_name);
    fputc('>', out);
}

void pcs_html_element(FILE *out, const char *tag, const char *class_name, const char *text)
{
    open_tag(out, tag, class_name);
    pcs_html_escaped(out, text);
    fprintf(out, "</%s>\n", tag);
}

void pcs_html_elementf(FILE *out, const char *tag, const char *class_name, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    open_tag(out, tag, class_name);
    escaped_v(out, format, args);
    fprintf(out, "</%s>\n", tag);
    va_end(args);
}

void pcs_html_begin(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n",
          out);
    pcs_html_element(out, "title", NULL, title);
    fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n", style_sheet);
    pcs_html_element(out, "h1", NULL, title);
}

void pcs_html_end(FILE *out)
{
    fputs("</body>\n</html>\n", out);
}

/* A cell: the first text_columns are text (left-aligned), the others numbers. */
static void table_cell(FILE *out, const char *tag, const char *text, int is_text)
{
    fprintf(out, "<%s%s>", tag, is_text ? " class=\"text\"" : "");
    pcs_html_escaped(out, text);
    fprintf(out, "</%s>", tag);
}

void pcs_html_table_begin(FILE *out, const char *class_name, const char *const *headers, size_t count,
                          size_t text_columns)
{
    fputs("<div class=\"wide\">", out);
    open_tag(out, "table", class_name);
    fputs("\n<thead><tr>", out);
    for (size_t i = 0; i < count; i++)
        table_cell(out, "th", headers[i], i < text_columns);
    fputs("</tr></thead>\n<tbody>\n", out);
}

void pcs_html_table_row(FILE *out, const char *const *cells, size_t count, size_t text_columns)
{
    fputs("<tr>", out);
    for (size_t i = 0; i < count; i++)
        table_cell(out, "td", cells[i], i < text_columns);
    fputs("</tr>\n", out);
}

void pcs_html_table_end(FILE *out)
{
    fputs("</tbody>\n</table></div>\n", out);
}

size_t pcs_html_char_count(const char *text)
{
    size_t count = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++)
        count += (*s & 0xc0) != 0x80;
    return count;
}

const char *pcs_html_shortened(const char *text, size_t max_chars, char *buf, size_t cap)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    size_t chars = 0, at = 0;
    const unsigned char *s = (const unsigned char *)text;
    if (pcs_html_char_count(text) <= max_chars || max_chars < 2) {
        snprintf(buf, cap, "%s", text);
        return buf;
    }
    /* Keep whole characters: stop before the lead byte of the one too many. */
    while (s[at] && at + sizeof ellipsis < cap) {
        if ((s[at] & 0xc0) != 0x80 && ++chars == max_chars)
            break;
        at++;
    }
    while (at > 0 && (s[at] & 0xc0) == 0x80)
        at--;
    memcpy(buf, text, at);
    memcpy(buf + at, ellipsis, sizeof ellipsis);
    return buf;
}

const char *pcs_html_format_usd(double usd, char *buf, size_t cap)
{
    struct report_money money = pcs_report_money_of(&usd, 1);
    return pcs_report_money_dollars(&money, usd, buf, cap);
}

enum pcs_status pcs_html_labels_new(struct html_labels *labels, size_t count)
{
    labels->count = count;
    labels->text = calloc(count ? count : 1, sizeof *labels->text);
    labels->list = calloc(count ? count : 1, sizeof *labels->list);
    if (!labels->text || !labels->list) {
        pcs_html_labels_free(labels);
        return PCS_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++)
        labels->list[i] = labels->text[i];
    return PCS_OK;
}

void pcs_html_labels_free(struct html_labels *labels)
{
    free(labels->text);
    free(labels->list);
    labels->text = NULL;
    labels->list = NULL;
    labels->count = 0;
}
