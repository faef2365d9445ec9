/* The one loader of the JSON documents pcsim reads whole (price catalogs,
 * scenarios): the file read, parsed with cJSON, and checked for what cJSON
 * lets pass (a key given twice in an object, of which cJSON would let the
 * loaders see only the first). Every error names the document. Internal to
 * the library. */
#ifndef PCSIM_COMMON_JSON_DOC_H
#define PCSIM_COMMON_JSON_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "pcsim/status.h"

/* Parses text[0..size) as one JSON document; text[size] must be '\0'.
 * name names the document in messages (a file path); expected says what an
 * empty document should have held ("a catalog (schema pcsim.catalog.v1)").
 * On PCS_OK *root is the tree, owned by the caller (cJSON_Delete). On an
 * error *root is NULL and err says, for the first problem in the text:
 *   PCS_ERR_PARSE  "NAME: the file is empty; expected EXPECTED" (nothing but
 *                  white space),
 *   PCS_ERR_PARSE  "NAME:LINE:COLUMN: malformed JSON: REASON" (1-based;
 *                  nesting deeper than CJSON_NESTING_LIMIT and an unpaired
 *                  UTF-16 surrogate are malformed here too),
 *   PCS_ERR_PARSE  "NAME: PATH: given twice" for the second of two equal
 *                  keys of one object, PATH as the loaders name fields:
 *                  providers[0].models[3].prices.input_mtok; a key that
 *                  is not a plain name (letters, digits, '_', '-', '$') is
 *                  quoted: sweep."workload.tasks_per_hour",
 *   PCS_ERR_NOMEM  "NAME: out of memory parsing the JSON" (cJSON failed on
 *                  text that is well-formed).
 * Thread safety: reentrant (cJSON's global error pointer is not used). */
enum pcs_status pcs_json_doc_parse(const char *text, size_t size, const char *name, const char *expected, cJSON **root,
                                   struct pcs_error *err);

/* Reads the file at path (pcs_text_file_read) and parses it as
 * pcs_json_doc_parse does, with the path as the name. Errors: those of
 * pcs_text_file_read (PCS_ERR_IO, PCS_ERR_NOMEM) and pcs_json_doc_parse. */
enum pcs_status pcs_json_doc_load(const char *path, const char *expected, cJSON **root, struct pcs_error *err);

#endif
