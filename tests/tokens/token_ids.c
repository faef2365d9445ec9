/* The parity test's C side (tests/tokens/parity.mjs runs it): for each
 * request on stdin, the token ids pcsim gives. A request is a line
 * "ENCODING OFFSET LENGTH PATH": tokenise bytes [OFFSET, OFFSET + LENGTH) of
 * the file PATH (LENGTH -1: to its end). The answer is one line: the count,
 * then the ids, space-separated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcsim/tokens.h"
#include "tokens/tokenizer_ids.h"

static void print_ids(void *context, const uint32_t *ids, size_t count)
{
    FILE *out = context;
    for (size_t i = 0; i < count; i++)
        fprintf(out, " %u", ids[i]);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    size_t capacity = 1 << 16;
    size_t used = 0;
    char *data = malloc(capacity);
    while (data != NULL) {
        used += fread(data + used, 1, capacity - used, file);
        if (used < capacity)
            break;
        capacity *= 2;
        char *grown = realloc(data, capacity);
        if (grown == NULL)
            free(data);
        data = grown;
    }
    fclose(file);
    *len = used;
    return data;
}

int main(void)
{
    pcs_tokenizer *tokenizers[PCS_ENCODING_COUNT] = {0};
    char line[8192];
    while (fgets(line, sizeof line, stdin) != NULL) {
        char encoding_name[64];
        long long offset = 0;
        long long length = 0;
        char path[4096];
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%63s %lld %lld %4095[^\n]", encoding_name, &offset, &length, path) != 4) {
            fprintf(stderr, "token_ids: bad request: %s\n", line);
            return 2;
        }
        int encoding = pcs_encoding_parse(encoding_name);
        if (encoding < 0) {
            fprintf(stderr, "token_ids: unknown encoding %s\n", encoding_name);
            return 2;
        }
        struct pcs_error err;
        if (tokenizers[encoding] == NULL)
            tokenizers[encoding] = pcs_tokenizer_new((enum pcs_encoding)encoding, &err);
        if (tokenizers[encoding] == NULL) {
            fprintf(stderr, "token_ids: %s\n", err.message);
            return 1;
        }
        size_t size = 0;
        char *data = read_file(path, &size);
        if (data == NULL) {
            fprintf(stderr, "token_ids: cannot read %s\n", path);
            return 1;
        }
        size_t start = offset < 0 || (size_t)offset > size ? size : (size_t)offset;
        size_t len = length < 0 || (size_t)length > size - start ? size - start : (size_t)length;
        uint64_t count = 0;
        char *ids = NULL;
        size_t ids_size = 0;
        FILE *ids_out = open_memstream(&ids, &ids_size);
        enum pcs_status status =
            pcs_tokenizer_ids(tokenizers[encoding], data + start, len, print_ids, ids_out, &count, &err);
        fclose(ids_out);
        free(data);
        if (status != PCS_OK) {
            fprintf(stderr, "token_ids: %s\n", err.message);
            free(ids);
            return 1;
        }
        printf("%llu%s\n", (unsigned long long)count, ids);
        fflush(stdout);
        free(ids);
    }
    for (int i = 0; i < PCS_ENCODING_COUNT; i++)
        pcs_tokenizer_free(tokenizers[i]);
    return 0;
}
