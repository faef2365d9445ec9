/* Encoding names and the model -> encoding map (docs/tokens.md cites the
 * sources: gpt-tokenizer 4.0.0's src/modelsMap.ts and tiktoken's model.py). */
#include <string.h>

#include "pcsim/tokens.h"

static const char *const encoding_names[PCS_ENCODING_COUNT] = {"o200k_base", "cl100k_base"};

const char *pcs_encoding_name(enum pcs_encoding encoding)
{
    return (unsigned)encoding < PCS_ENCODING_COUNT ? encoding_names[encoding] : "unknown";
}

int pcs_encoding_parse(const char *name)
{
    for (int i = 0; name != NULL && i < PCS_ENCODING_COUNT; i++)
        if (strcmp(name, encoding_names[i]) == 0)
            return i;
    return -1;
}

static int starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

enum pcs_encoding pcs_encoding_for_model(const char *model)
{
    if (model == NULL)
        return PCS_ENCODING_O200K_BASE;
    /* "openai/gpt-4", "azure/gpt-35-turbo": the name after the provider. */
    const char *slash = strrchr(model, '/');
    const char *name = slash != NULL ? slash + 1 : model;
    /* gpt-tokenizer lists every cl100k_base model by name; its names are
     * gpt-3.5, gpt-3.5-*, gpt-4, gpt-4-*, the three embedding models and
     * babbage-002 / davinci-002, which these rules cover, dated snapshots to
     * come included. gpt-4o, gpt-4.1 and gpt-4.5 are o200k_base: they do not
     * start with "gpt-4-". gpt-35-turbo is Azure's spelling (tiktoken's
     * MODEL_PREFIX_TO_ENCODING). */
    static const char *const exact[] = {"gpt-4",       "gpt-3.5",    "gpt-35-turbo", "text-embedding-ada-002",
                                        "babbage-002", "davinci-002"};
    static const char *const prefixes[] = {"gpt-4-", "gpt-3.5-", "gpt-35-turbo-", "text-embedding-3-"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(name, exact[i]) == 0)
            return PCS_ENCODING_CL100K_BASE;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (starts_with(name, prefixes[i]))
            return PCS_ENCODING_CL100K_BASE;
    return PCS_ENCODING_O200K_BASE;
}
