/* A trace read in parts (pcsim/trace.h, "Parts"; a sharded replay's
 * reading, docs/design.md §11): over any number of parts, every record is
 * read by exactly one part, exactly as the whole trace reads it (file,
 * line, time, namespace, model, prompt), each part in time order; request
 * logs are part 0's and whole documents are dealt whole.
 *
 * The line files are made here with lines of many lengths and blank lines,
 * so that the parts' byte ranges fall inside lines, between them and on
 * blank ones. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/trace.h"

static char dir[] = "/tmp/pcsim_test_trace_parts_XXXXXX";

/* What identifies a record as read: enough to tell any two apart and any
 * misreading (a wrong line, namespace or prompt). */
struct seen {
    uint32_t file;
    uint32_t sub;
    uint64_t line;
    int64_t t_ms;
    uint32_t namespace_id;
    uint64_t input;
    uint64_t bounds;
    uint64_t last_key; /* a hash of the bounds' units and ends, 0 when none */
    char model[32];
    unsigned part;
};

struct seen_list {
    struct seen *items;
    size_t count;
    size_t cap;
};

static void push(struct seen_list *list, const struct seen *item)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 256;
        list->items = realloc(list->items, list->cap * sizeof *list->items);
        if (!list->items) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    list->items[list->count++] = *item;
}

static int compare_seen(const void *a, const void *b)
{
    const struct seen *x = a;
    const struct seen *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->sub != y->sub)
        return x->sub < y->sub ? -1 : 1;
    return 0;
}

/* Reads part `part` of `parts` of paths into list; 1 if each request came
 * in time order. */
static int read_part(const char *const *paths, size_t count, unsigned part, unsigned parts, struct seen_list *list)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.part = part;
    config.parts = parts;
    struct pcs_error err = {0};
    pcs_trace *trace = pcs_trace_open(paths, count, &config, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "  part %u of %u: %s\n", part, parts, err.message);
        return 0;
    }
    struct pcs_request req;
    enum pcs_status status;
    int ordered = 1;
    int64_t last_t = INT64_MIN;
    while ((status = pcs_trace_next(trace, &req, &err)) == PCS_OK) {
        struct seen item;
        memset(&item, 0, sizeof item);
        item.file = req.source_file;
        item.sub = req.source_sub;
        item.line = req.source_line;
        item.t_ms = req.t_ms;
        item.namespace_id = req.namespace_id;
        item.input = req.input_tokens;
        item.bounds = req.bound_count;
        for (size_t b = 0; b < req.bound_count; b++) /* the prompt, whatever the part's model ids */
            item.last_key = item.last_key * 1000003u + req.units[b] + req.ends[b];
        snprintf(item.model, sizeof item.model, "%s", pcs_trace_model_name(trace, req.model));
        item.part = part;
        ordered &= req.t_ms >= last_t;
        last_t = req.t_ms;
        push(list, &item);
    }
    CHECK(status == PCS_END);
    if (status != PCS_END)
        fprintf(stderr, "  part %u of %u: %s\n", part, parts, err.message);
    pcs_trace_free(trace);
    return ordered;
}

static int same_record(const struct seen *a, const struct seen *b)
{
    return a->file == b->file && a->line == b->line && a->sub == b->sub && a->t_ms == b->t_ms &&
           a->namespace_id == b->namespace_id && a->input == b->input && a->bounds == b->bounds &&
           a->last_key == b->last_key && strcmp(a->model, b->model) == 0;
}

static const char *write_text(const char *name, const char *text)
{
    static char paths[8][300];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    return path;
}

/* A native trace of n requests whose lines differ in length (1 to 40
 * segments), with a blank line now and then, sessions and two models. */
static const char *native_file(const char *name, int n, int seed)
{
    size_t cap = (size_t)n * 1400 + 64;
    char *text = malloc(cap);
    size_t used = 0;
    unsigned state = (unsigned)seed;
    for (int i = 0; i < n; i++) {
        state = state * 1103515245u + 12345u;
        int segments = 1 + (int)((state >> 16) % 40);
        used += (size_t)snprintf(text + used, cap - used,
                                 "{\"t\": %d.%03d, \"model\": \"%s\", \"session\": \"s%u\", \"segments\": [", i / 3,
                                 (i * 7) % 1000, (state >> 8) % 2 ? "gpt-4o" : "claude-sonnet-4", (state >> 4) % 5);
        for (int s = 0; s < segments; s++)
            used += (size_t)snprintf(text + used, cap - used, "%s{\"id\": \"%x\", \"tokens\": %d}", s ? ", " : "",
                                     (unsigned)(s < 3 ? s + 1 : (int)(state >> 3) % 9 + s), 64 + s % 7);
        used += (size_t)snprintf(text + used, cap - used, "], \"output_tokens\": %d}\n", 10 + i % 13);
        if (i % 17 == 5)
            used += (size_t)snprintf(text + used, cap - used, "\n");
    }
    const char *path = write_text(name, text);
    free(text);
    return path;
}

static void test_parts_partition_the_trace(const char *data)
{
    char claude[512];
    char azure[512];
    char log[512];
    char mooncake[512];
    snprintf(claude, sizeof claude, "%s/claude_code_tiny.json", data);
    snprintf(azure, sizeof azure, "%s/azure_tiny.csv", data);
    snprintf(log, sizeof log, "%s/logs/openai_chat.jsonl", data);
    snprintf(mooncake, sizeof mooncake, "%s/mooncake_tiny.jsonl", data);
    const char *paths[] = {native_file("a.jsonl", 400, 1), claude, log, native_file("b.jsonl", 90, 2), mooncake, azure};
    const size_t count = sizeof paths / sizeof paths[0];

    struct seen_list whole = {NULL, 0, 0};
    CHECK(read_part(paths, count, 0, 1, &whole));
    CHECK(whole.count > 500);
    qsort(whole.items, whole.count, sizeof *whole.items, compare_seen);

    for (unsigned parts = 2; parts <= 7; parts++) {
        struct seen_list all = {NULL, 0, 0};
        int ordered = 1;
        for (unsigned part = 0; part < parts; part++)
            ordered &= read_part(paths, count, part, parts, &all);
        CHECK(ordered);
        CHECK_U64(all.count, whole.count);
        qsort(all.items, all.count, sizeof *all.items, compare_seen);
        size_t same = 0;
        int logs_first = 1;
        int claude_whole = 1;
        for (size_t i = 0; i < all.count && i < whole.count; i++) {
            same += same_record(&all.items[i], &whole.items[i]);
            if (all.items[i].file == 2)
                logs_first &= all.items[i].part == 0; /* a request log: part 0's */
            if (all.items[i].file == 1)
                claude_whole &= all.items[i].part == 0; /* the first file dealt whole: part 0 mod parts */
            if (all.items[i].file == 5)
                claude_whole &= all.items[i].part == 1 % parts; /* the second */
        }
        CHECK_U64(same, whole.count);
        CHECK(logs_first);
        CHECK(claude_whole);
        /* The cut files' lines are spread over every part. */
        int used[8] = {0};
        for (size_t i = 0; i < all.count; i++)
            if (all.items[i].file == 0 || all.items[i].file == 3 || all.items[i].file == 4)
                used[all.items[i].part] = 1;
        int every = 1;
        for (unsigned part = 0; part < parts; part++)
            every &= used[part];
        CHECK(every);
        free(all.items);
    }
    free(whole.items);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_trace_parts DATA_DIR\n");
        return 2;
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_parts_partition_the_trace(argv[1]);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
