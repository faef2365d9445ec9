/* What the HTML reports share (internal to src/report): the document frame
 * with its inline style, text escaped for HTML and XML (the reports are
 * XHTML-compatible: every tag closed, attributes quoted, no named entity
 * but the XML ones), tables, and numbers formatted the same way in every
 * locale. */
#ifndef PCSIM_REPORT_HTML_H
#define PCSIM_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "pcsim/status.h"

#if defined(__GNUC__)
#define HTML_PRINTF(format_index, first_arg) __attribute__((format(printf, format_index, first_arg)))
#else
#define HTML_PRINTF(format_index, first_arg)
#endif

/* A formatted number, returned by value so it can go straight into a
 * printf argument list (the array lives until the end of the statement). */
struct html_number {
    char text[48];
};

/* Pixels in SVG: "%.1f", "-0.0" written "0.0". */
struct html_number pcs_html_px(double pixels);

/* A value in four significant digits ("%.4g"): "0.0125", "1.5e+06". */
struct html_number pcs_html_g(double value);

/* A value for machines in ten significant digits ("%.10g"), in an
 * attribute a test or a script reads back. */
struct html_number pcs_html_exact(double value);

/* A share as a percentage with two decimals: 0.12345 -> "12.35%"; the
 * same from the percentage itself (12.345 -> "12.35%"), equal for
 * percent = 100.0 * share. */
struct html_number pcs_html_percent(double share);
struct html_number pcs_html_percent_value(double percent);

/* text with & < > " ' escaped; bytes that are not valid UTF-8 and control
 * characters other than tab and newline become U+FFFD, so any input gives
 * well-formed XML. NULL writes nothing. */
void pcs_html_escaped(FILE *out, const char *text);

/* Formats, then writes the result escaped. */
void pcs_html_escapedf(FILE *out, const char *format, ...) HTML_PRINTF(2, 3);

/* <tag class="class_name">text</tag> with text escaped; class_name may be NULL. */
void pcs_html_element(FILE *out, const char *tag, const char *class_name, const char *text);

/* The same with formatted text. */
void pcs_html_elementf(FILE *out, const char *tag, const char *class_name, const char *format, ...) HTML_PRINTF(4, 5);

/* The doctype, <html>, <head> with the title and the style sheet, <body>
 * and the title as <h1>. */
void pcs_html_begin(FILE *out, const char *title);

/* Closes <body> and <html>. */
void pcs_html_end(FILE *out);

/* A table with a header row; class_name may be NULL. The first
 * text_columns columns are text (left-aligned), the others numbers. */
void pcs_html_table_begin(FILE *out, const char *class_name, const char *const *headers, size_t count,
                          size_t text_columns);
void pcs_html_table_row(FILE *out, const char *const *cells, size_t count, size_t text_columns);
void pcs_html_table_end(FILE *out);

/* Up to max_chars characters of text (UTF-8 aware), "…" appended when cut,
 * into buf. */
const char *pcs_html_shortened(const char *text, size_t max_chars, char *buf, size_t cap);

/* Characters (UTF-8 code points) in text. */
size_t pcs_html_char_count(const char *text);

/* One amount on its own in dollars: "$187.29", "-$0.000412", "<$0.000001"
 * (pcs_report_usd's digits, a column of one; see report_money in report_util.h
 * for a column of them). */
const char *pcs_html_format_usd(double usd, char *buf, size_t cap);

/* count labels of up to HTML_LABEL_CAP bytes (chart labels, category
 * names): list[i] points to text[i]. */
#define HTML_LABEL_CAP 96
struct html_labels {
    size_t count;
    char (*text)[HTML_LABEL_CAP];
    const char **list;
};

/* PCS_ERR_NOMEM, with labels left empty. */
enum pcs_status pcs_html_labels_new(struct html_labels *labels, size_t count);
void pcs_html_labels_free(struct html_labels *labels); /* safe on an empty or freed one */

#endif
