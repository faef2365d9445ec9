/* Inputs (src/common/input_*.c, decompress.c): directories in name order
 * with noted skips, gzip/zstd decoded or located errors, FIFOs read once,
 * "-" once, and the detection message. Files are made in a temporary
 * directory; argv[1] is tests/data. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "common/text_file.h"
#include "pcsim/input.h"
#include "pcsim/trace.h"

static char work[256];

static char *path_in(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", work, name);
    return path;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(data, 1, len, f) == len);
        fclose(f);
    }
}

/* The text of input i, read with pread from its fd. */
static size_t read_input(const pcs_inputs *inputs, size_t i, char *buf, size_t cap)
{
    int fd = pcs_inputs_fd(inputs, i);
    if (fd < 0)
        return (size_t)-1;
    ssize_t got = pread(fd, buf, cap, 0);
    return got < 0 ? (size_t)-1 : (size_t)got;
}

static const char TEXT[] = "line one\nline two\nline three\n";

/* gzip of text with zlib's gz* API, appended to path (several members). */
static void gzip_append(const char *path, const char *text)
{
    gzFile gz = gzopen(path, "ab");
    CHECK(gz != NULL);
    if (gz) {
        CHECK(gzwrite(gz, text, (unsigned)strlen(text)) == (int)strlen(text));
        gzclose(gz);
    }
}

static void test_directory_order_and_skips(void)
{
    mkdir(path_in("d"), 0755);
    mkdir(path_in("d/a"), 0755);
    write_file(path_in("d/a/z.jsonl"), "z", 1);
    write_file(path_in("d/a-b.jsonl"), "ab", 2);
    write_file(path_in("d/b.jsonl"), "b", 1);
    write_file(path_in("d/.hidden"), "h", 1);
    CHECK(symlink("b.jsonl", path_in("d/link")) == 0);
    CHECK(symlink("a", path_in("d/dirlink")) == 0);
    const char *names[] = {path_in("d")};
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open(names, 1, &err);
    CHECK(inputs != NULL);
    if (!inputs)
        return;
    /* Each directory sorted by name, a subdirectory in its place. */
    const char *want[] = {"d/a/z.jsonl", "d/a-b.jsonl", "d/b.jsonl", "d/link"};
    CHECK_U64(pcs_inputs_count(inputs), 4);
    for (size_t i = 0; i < 4 && i < pcs_inputs_count(inputs); i++) {
        CHECK(strcmp(pcs_inputs_names(inputs)[i], path_in(want[i])) == 0);
        CHECK(pcs_inputs_fd(inputs, i) == -1); /* regular: read in place */
    }
    CHECK_U64(pcs_inputs_note_count(inputs), 2);
    if (pcs_inputs_note_count(inputs) == 2) {
        CHECK_CONTAINS(pcs_inputs_note(inputs, 0), "d/.hidden: skipped: a hidden entry");
        CHECK_CONTAINS(pcs_inputs_note(inputs, 1), "d/dirlink: skipped: a symbolic link to a directory");
    }
    pcs_inputs_free(inputs);

    mkdir(path_in("empty"), 0755);
    const char *empty[] = {path_in("empty")};
    CHECK(pcs_inputs_open(empty, 1, &err) == NULL);
    CHECK(err.status == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "empty: no files in the directory");
}

static void test_gzip(void)
{
    /* Two members: one text. */
    const char *path = path_in("t.jsonl.gz");
    gzip_append(path, "line one\n");
    gzip_append(path, "line two\nline three\n");
    const char *names[] = {path};
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open(names, 1, &err);
    CHECK(inputs != NULL);
    if (inputs) {
        char buf[256];
        CHECK(pcs_inputs_fd(inputs, 0) >= 0);
        CHECK_U64(read_input(inputs, 0, buf, sizeof buf), strlen(TEXT));
        CHECK(memcmp(buf, TEXT, strlen(TEXT)) == 0);
        CHECK(strcmp(pcs_inputs_names(inputs)[0], path) == 0);
        pcs_inputs_free(inputs);
    }

    /* Cut short: every byte but the 8-byte trailer of the last member. */
    FILE *f = fopen(path, "rb");
    unsigned char whole[512];
    size_t len = f ? fread(whole, 1, sizeof whole, f) : 0;
    if (f)
        fclose(f);
    const char *cut = path_in("cut.gz");
    write_file(cut, whole, len - 8);
    names[0] = cut;
    CHECK(pcs_inputs_open(names, 1, &err) == NULL);
    CHECK(err.status == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "cut.gz:4: gzip data is truncated"); /* the 3 lines were decoded */

    /* Bytes after the end are not dropped in silence. */
    unsigned char trailing[520];
    memcpy(trailing, whole, len);
    memcpy(trailing + len, "junk", 4);
    const char *tail = path_in("tail.gz");
    write_file(tail, trailing, len + 4);
    names[0] = tail;
    CHECK(pcs_inputs_open(names, 1, &err) == NULL);
    CHECK_CONTAINS(err.message, "tail.gz:4: gzip data has trailing bytes");

    /* pcs_text_file_read (catalogs, scenarios) decodes too. */
    char *text = NULL;
    size_t size = 0;
    CHECK(pcs_text_file_read(path, &text, &size, &err) == PCS_OK);
    CHECK(text && size == strlen(TEXT) && strcmp(text, TEXT) == 0);
    free(text);
    CHECK(pcs_text_file_read(cut, &text, &size, &err) == PCS_ERR_PARSE);
    CHECK(text == NULL);
}

static void test_zstd(const char *data_dir)
{
    char zst[512];
    char plain[512];
    snprintf(zst, sizeof zst, "%s/mooncake_tiny.jsonl.zst", data_dir);
    snprintf(plain, sizeof plain, "%s/mooncake_tiny.jsonl", data_dir);
    char *want = NULL;
    size_t want_len = 0;
    struct pcs_error err = {0};
    CHECK(pcs_text_file_read(plain, &want, &want_len, &err) == PCS_OK);
    const char *names[] = {zst};
    pcs_inputs *inputs = pcs_inputs_open(names, 1, &err);
    CHECK(inputs != NULL);
    if (inputs && want) {
        char buf[4096];
        CHECK_U64(read_input(inputs, 0, buf, sizeof buf), want_len);
        CHECK(memcmp(buf, want, want_len) == 0);
    }
    pcs_inputs_free(inputs);
    free(want);
}

static void test_fifo_and_stdin_once(void)
{
    const char *fifo = path_in("fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t child = fork();
    if (child == 0) {
        int fd = open(fifo, O_WRONLY);
        ssize_t n = fd >= 0 ? write(fd, TEXT, strlen(TEXT)) : -1;
        _exit(n == (ssize_t)strlen(TEXT) ? 0 : 1);
    }
    const char *names[] = {fifo};
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open(names, 1, &err);
    int child_status = 0;
    waitpid(child, &child_status, 0);
    CHECK(inputs != NULL);
    if (inputs) {
        char buf[256];
        /* Read once into the list: read it again, and again. */
        CHECK_U64(read_input(inputs, 0, buf, sizeof buf), strlen(TEXT));
        CHECK_U64(read_input(inputs, 0, buf, sizeof buf), strlen(TEXT));
        CHECK(memcmp(buf, TEXT, strlen(TEXT)) == 0);
        pcs_inputs_free(inputs);
    }

    const char *twice[] = {"-", "-"};
    CHECK(pcs_inputs_open(twice, 2, &err) == NULL);
    CHECK(err.status == PCS_ERR_ARG);
    CHECK_CONTAINS(err.message, "given twice");
}

/* Every format pcs_trace_format_name knows is in the message, and the
 * first record's keys. */
static void test_detect_failure_lists_formats(void)
{
    const char *path = path_in("unknown.jsonl");
    const char *record = "{\"prompt\": \"hi\", \"n\": 3}\n";
    write_file(path, record, strlen(record));
    struct pcs_trace_config config = pcs_trace_config_default();
    struct pcs_error err = {0};
    const char *paths[] = {path};
    CHECK(pcs_trace_open(paths, 1, &config, &err) == NULL);
    CHECK(err.status == PCS_ERR_FORMAT);
    for (int f = PCS_FORMAT_AUTO + 1; f < PCS_FORMAT_COUNT; f++) {
        char named[32];
        snprintf(named, sizeof named, "%s (", pcs_trace_format_name((enum pcs_trace_format)f));
        CHECK_CONTAINS(err.message, named);
    }
    CHECK_CONTAINS(err.message, "unknown.jsonl:1: cannot tell the trace format");
    CHECK_CONTAINS(err.message, "(\"prompt\", \"n\") are none of these");
    CHECK(pcs_trace_open(paths, 1, &config, NULL) == NULL); /* err may be NULL */
}

int main(int argc, char **argv)
{
    const char *data_dir = argc > 1 ? argv[1] : "tests/data";
    const char *tmp = getenv("TMPDIR");
    snprintf(work, sizeof work, "%s/pcsim-input.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 1;
    }
    test_directory_order_and_skips();
    test_gzip();
    test_zstd(data_dir);
    test_fifo_and_stdin_once();
    test_detect_failure_lists_formats();
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", work);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", work);
    return check_summary();
}
