/* Shared building blocks (src/common): the machine seam (its plain
 * meaning, which both builds keep), the JSON document loader. */
#define _GNU_SOURCE /* CPU sets */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "common/json_doc.h"
#include "common/memory.h"

/* Blocks are ordinary heap blocks: what was written survives growth,
 * realloc and free take them, and a whole block may be written whole. */
static void test_memory_blocks(void)
{
    const size_t sizes[] = {1, 100, 4096, PCS_MEMORY_LARGE - 1, PCS_MEMORY_LARGE, 3 * PCS_MEMORY_LARGE + 17};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        unsigned char *whole = pcs_memory_alloc_whole(sizes[k]);
        CHECK(whole != NULL);
        if (!whole)
            continue;
        memset(whole, 0xA5, sizes[k]);
        unsigned char *grown = realloc(whole, sizes[k] + 1);
        CHECK(grown != NULL && grown[0] == 0xA5 && grown[sizes[k] - 1] == 0xA5);
        free(grown ? grown : whole);
    }
    unsigned char *array = NULL;
    size_t filled = 0;
    uint64_t wrong = 0;
    for (size_t bytes = 64; bytes <= 4 * PCS_MEMORY_LARGE; bytes *= 2) {
        unsigned char *grown = pcs_memory_grow(array, bytes);
        CHECK(grown != NULL);
        if (!grown)
            break;
        array = grown;
        for (size_t i = 0; i < filled; i++)
            wrong += array[i] != (unsigned char)(i * 7);
        for (; filled < bytes; filled++)
            array[filled] = (unsigned char)(filled * 7);
    }
    CHECK_U64(wrong, 0);
    free(array);
    CHECK(pcs_memory_alloc_whole(SIZE_MAX) == NULL);
    pcs_memory_prefer_reuse(); /* nothing to see: the process's heap only keeps more */
}

struct apart_probe {
    int ran;
#if defined(__linux__) && defined(CPU_SETSIZE)
    int read_cpus;
    cpu_set_t cpus; /* where the thread may run, once running */
#endif
};

static void *probe_thread(void *arg)
{
    struct apart_probe *probe = arg;
    probe->ran = 1;
#if defined(__linux__) && defined(CPU_SETSIZE)
    probe->read_cpus = sched_getaffinity(0, sizeof probe->cpus, &probe->cpus) == 0;
#endif
    return probe;
}

/* A helper thread runs its function with its argument, returns its
 * result, and once running may use every CPU its starter may. */
static void test_memory_thread_start(void)
{
    struct apart_probe probe;
    memset(&probe, 0, sizeof probe);
    pthread_t thread;
    CHECK(pcs_memory_thread_start(&thread, probe_thread, &probe) == 0);
    void *result = NULL;
    CHECK(pthread_join(thread, &result) == 0);
    CHECK(result == &probe);
    CHECK(probe.ran == 1);
#if defined(__linux__) && defined(CPU_SETSIZE)
    cpu_set_t mine;
    CHECK(probe.read_cpus);
    CHECK(sched_getaffinity(0, sizeof mine, &mine) == 0);
    CHECK(CPU_EQUAL(&mine, &probe.cpus));
#endif
}

/* pcs_json_doc_parse on text: the status, and the message (empty on success). */
static enum pcs_status parse_doc(const char *text, struct pcs_error *err)
{
    cJSON *root = NULL;
    err->message[0] = '\0';
    enum pcs_status status = pcs_json_doc_parse(text, strlen(text), "doc.json", "a thing (schema t.v1)", &root, err);
    CHECK((status == PCS_OK) == (root != NULL));
    cJSON_Delete(root);
    return status;
}

static void test_json_doc_duplicates(void)
{
    struct pcs_error err;
    CHECK(parse_doc("{\"a\": 1, \"b\": {\"a\": 2}, \"c\": [{\"a\": 3}, {\"a\": 4}]}", &err) == PCS_OK);
    CHECK(parse_doc("{\"a\": 1, \"b\": 2, \"a\": 3}", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: a: given twice");
    /* Deep inside arrays and objects, with the path the loaders use. */
    CHECK(parse_doc("{\"p\": [{}, {\"m\": [0, 1, {\"x\": {\"k\": 1, \"q\": 0, \"k\": 2}}]}]}", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: p[1].m[2].x.k: given twice");
    /* The first in the text: the inner pair comes before the outer one. */
    CHECK(parse_doc("{\"o\": {\"i\": 1, \"i\": 2}, \"o\": 3}", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: o.i: given twice");
    /* Keys that are not plain names are quoted. */
    CHECK(parse_doc("{\"sweep\": {\"a.b\": [1], \"a.b\": [2]}}", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: sweep.\"a.b\": given twice");
    CHECK(parse_doc("{\"\": 1, \"\": 2}", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: \"\": given twice");
    /* Objects too big to compare each key with all before it: the first
     * repeated key in the text, not the first in sorted order. */
    char big[2048];
    size_t used = (size_t)snprintf(big, sizeof big, "{");
    for (int i = 0; i < 40; i++)
        used += (size_t)snprintf(big + used, sizeof big - used, "%s\"k%02d\": %d", i ? ", " : "",
                                 i == 30   ? 7
                                 : i == 35 ? 2
                                           : i,
                                 i);
    snprintf(big + used, sizeof big - used, "}");
    CHECK(parse_doc(big, &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: k07: given twice");
}

static void test_json_doc_malformed(void)
{
    struct pcs_error err;
    CHECK(parse_doc("{\n  \"a\": [1,\n  }", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json:3:3: malformed JSON: expected a value");
    CHECK(parse_doc("{\"a\": 1 \"b\": 2}", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json:1:9: malformed JSON: expected ',' or '}'");
    CHECK(parse_doc("{} x", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json:1:4: malformed JSON: unexpected text after the document");
    CHECK(parse_doc("[\"abc", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json:1:6: malformed JSON: unterminated string");
    /* Well-formed JSON cJSON refuses is malformed here, never "out of
     * memory": an unpaired surrogate, nesting deeper than cJSON's limit. */
    CHECK(parse_doc("[\"\\ud800x\"]", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json:1:3: malformed JSON: unpaired UTF-16 surrogate");
    CHECK(parse_doc("[\"\\ud83d\\ude00\"]", &err) == PCS_OK);
    static char deep[2 * CJSON_NESTING_LIMIT + 3];
    memset(deep, '[', CJSON_NESTING_LIMIT);
    memset(deep + CJSON_NESTING_LIMIT, ']', CJSON_NESTING_LIMIT);
    CHECK(parse_doc(deep, &err) == PCS_OK);
    memset(deep, '[', CJSON_NESTING_LIMIT + 1);
    memset(deep + CJSON_NESTING_LIMIT + 1, ']', CJSON_NESTING_LIMIT + 1);
    CHECK(parse_doc(deep, &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json:1:1001: malformed JSON: nested too deeply");
}

static void test_json_doc_empty(void)
{
    struct pcs_error err;
    CHECK(parse_doc("", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: the file is empty; expected a thing (schema t.v1)");
    CHECK(parse_doc(" \n\t\r\n", &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "doc.json: the file is empty; expected a thing (schema t.v1)");
    cJSON *root = (cJSON *)&err; /* must come back NULL */
    CHECK(pcs_json_doc_load("/nonexistent/doc.json", "a thing", &root, &err) == PCS_ERR_IO);
    CHECK(root == NULL);
    CHECK_CONTAINS(err.message, "/nonexistent/doc.json");
}

/* Well-formed JSON that cJSON cannot hold in the memory left is out of
 * memory, not malformed. Checked in a child under RLIMIT_DATA; sanitizer
 * builds reserve their own memory and skip it. */
static void test_json_doc_out_of_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return;
#endif
#endif
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        size_t values = 1000000; /* 2 MB of text, some 64 MB of cJSON nodes */
        char *text = malloc(2 * values + 2);
        if (!text)
            _exit(2);
        text[0] = '[';
        for (size_t i = 0; i < values; i++) {
            text[1 + 2 * i] = '0';
            text[2 + 2 * i] = i + 1 < values ? ',' : ']';
        }
        text[2 * values + 1] = '\0';
        struct rlimit limit = {32u << 20, 32u << 20};
        if (setrlimit(RLIMIT_DATA, &limit) != 0)
            _exit(2);
        cJSON *root = NULL;
        struct pcs_error err = {0};
        enum pcs_status status = pcs_json_doc_parse(text, 2 * values + 1, "big.json", "a thing", &root, &err);
        if (status != PCS_ERR_NOMEM || root || !strstr(err.message, "big.json: out of memory parsing the JSON")) {
            fprintf(stderr, "out of memory: status %d: %s\n", (int)status, err.message);
            _exit(1);
        }
        _exit(0);
    }
    int wait_status = 0;
    CHECK(child > 0 && waitpid(child, &wait_status, 0) == child);
    CHECK(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
}

int main(void)
{
    test_memory_blocks();
    test_memory_thread_start();
    test_json_doc_duplicates();
    test_json_doc_malformed();
    test_json_doc_empty();
    test_json_doc_out_of_memory();
    return check_summary();
}
