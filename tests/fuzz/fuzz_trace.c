/* libFuzzer harness for the trace readers (pcsim/trace.h): one harness for
 * every format, which the input's first byte chooses.
 *
 * Input: a selector byte, then the trace's bytes.
 *   selector & 0x07, with bit 0x10 as its fourth bit, mod PCS_FORMAT_COUNT:
 *                            the format: 0 auto-detect, 1 mooncake, 2 claude-code,
 *                            3 native, 4 azure, 5 claude-code-log, 6 openai-log,
 *                            7 anthropic-log, 8 litellm, ... (the order of
 *                            enum pcs_trace_format)
 *   selector & 0x08          two files: the bytes up to the first form feed (0x0C)
 *                            are the first, the rest the second (merged by time)
 * Seeds in tests/fuzz/corpus/trace/ carry the byte; tools/fuzz runs this.
 *
 * Each input is read to the end twice, strict and lenient. Whatever the
 * bytes, a run must either fail with a message naming a file or yield
 * requests that keep pcsim/request.h's contract (times in order, ends
 * strictly increasing and within input_tokens, known models and flags); a
 * strict run succeeds exactly when the lenient one skips nothing, and then
 * both yield the same requests. The lenient run's requests are also played
 * through a ttl, a breakpoint and an lru cache, whose usage must add up.
 *
 * The files are memfds opened by their /proc/self/fd path: nothing is
 * written to disk. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "pcsim/cache.h"
#include "pcsim/trace.h"
#include "trace/one_pass_internal.h"

#define SELECT_FORMAT 0x07
#define SELECT_FORMAT_HIGH 0x10 /* the format number's bit 3 */
#define SELECT_TWO_FILES 0x08
#define FILE_SEPARATOR '\f'
#define LRU_CAPACITY_TOKENS 4096

struct fuzz_file {
    int fd;
    char path[64];
};

static struct fuzz_file files[2];
static FILE *dev_null;

/* The cache policies each lenient run is replayed through. */
enum { REPLAY_TTL, REPLAY_BREAKPOINT, REPLAY_LRU, REPLAY_COUNT };

/* What one run (open, then next to the end) gave. */
struct run_result {
    int ok;            /* opened and read to PCS_END */
    int out_of_order;  /* read in one pass, it ended with PCS_ERR_ORDER */
    uint64_t requests; /* yielded */
    uint64_t skipped;
    uint64_t digest;       /* of every yielded request */
    uint64_t skips_digest; /* of the skip messages printed */
    enum pcs_status status;
    char message[PCS_ERROR_MAX]; /* the error, when not ok */
};

static void fail_setup(const char *what)
{
    perror(what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < 2; i++) {
        files[i].fd = memfd_create("pcsim-fuzz-trace", MFD_CLOEXEC);
        if (files[i].fd < 0)
            fail_setup("memfd_create");
        snprintf(files[i].path, sizeof files[i].path, "/proc/self/fd/%d", files[i].fd);
    }
    dev_null = fopen("/dev/null", "w");
    if (!dev_null)
        fail_setup("/dev/null");
    return 0;
}

static void write_file(const struct fuzz_file *file, const uint8_t *data, size_t size)
{
    if (ftruncate(file->fd, 0) != 0)
        fail_setup("ftruncate");
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(file->fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            fail_setup("pwrite");
        done += (size_t)n;
    }
}

static uint64_t mix(uint64_t digest, uint64_t value)
{
    for (int i = 0; i < 8; i++) {
        digest ^= (value >> (8 * i)) & 0xff;
        digest *= 0x100000001b3ull; /* FNV-1a */
    }
    return digest;
}

static uint64_t digest_request(uint64_t digest, const struct pcs_request *req)
{
    digest = mix(digest, (uint64_t)req->t_ms);
    digest = mix(digest, req->model);
    digest = mix(digest, req->namespace_id);
    digest = mix(digest, req->input_tokens);
    digest = mix(digest, req->output_tokens);
    digest = mix(digest, req->task);
    digest = mix(digest, req->attempt);
    digest = mix(digest, (uint64_t)req->has_task << 16 | (uint64_t)req->ok << 8 | req->tier);
    digest = mix(digest, req->bound_count);
    for (size_t i = 0; i < req->bound_count; i++) {
        digest = mix(digest, req->units[i]);
        digest = mix(digest, req->ends[i]);
        digest = mix(digest, req->flags ? req->flags[i] : 0);
    }
    return digest;
}

/* pcsim/request.h's contract for one request; prev_t_ms is the time of the
 * one before (requests come in time order). */
static void check_request(const pcs_trace *trace, const struct pcs_request *req, int64_t prev_t_ms, int azure)
{
    FUZZ_CHECK(req->t_ms >= 0 && req->t_ms <= PCS_MAX_TIME_MS);
    FUZZ_CHECK(req->t_ms >= prev_t_ms);
    FUZZ_CHECK(req->input_tokens <= PCS_MAX_REQUEST_TOKENS);
    FUZZ_CHECK(req->output_tokens <= PCS_MAX_REQUEST_TOKENS);
    FUZZ_CHECK(req->model < pcs_trace_model_count(trace));
    const char *model = pcs_trace_model_name(trace, req->model);
    FUZZ_CHECK(model != NULL && model[0] != '\0');
    FUZZ_CHECK(req->tier <= PCS_TIER_PRIORITY);
    FUZZ_CHECK(req->ok <= 1 && req->has_task <= 1);
    if (azure)
        FUZZ_CHECK(req->bound_count == 0); /* Azure rows have no prefix identity */
    if (req->bound_count == 0)
        return;
    FUZZ_CHECK(req->units != NULL && req->ends != NULL);
    uint64_t prev_end = 0;
    for (size_t i = 0; i < req->bound_count; i++) {
        FUZZ_CHECK(req->ends[i] > prev_end); /* strictly increasing from 0: no empty bound */
        prev_end = req->ends[i];
        if (req->flags) {
            uint8_t flags = req->flags[i];
            FUZZ_CHECK((flags & ~(PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H | PCS_BOUND_TTL_5M)) == 0);
            if (flags & (PCS_BOUND_TTL_1H | PCS_BOUND_TTL_5M))
                FUZZ_CHECK(flags & PCS_BOUND_BREAKPOINT);
            FUZZ_CHECK((flags & (PCS_BOUND_TTL_1H | PCS_BOUND_TTL_5M)) != (PCS_BOUND_TTL_1H | PCS_BOUND_TTL_5M));
        }
    }
    FUZZ_CHECK(prev_end <= req->input_tokens);
}

/* One request through a cache: time order holds, so access must succeed,
 * and its usage must be consistent with the request. */
static void replay_request(pcs_cache *cache, enum pcs_policy policy, const struct pcs_request *req)
{
    struct pcs_usage usage;
    FUZZ_CHECK(pcs_cache_access(cache, req, &usage) == PCS_OK);
    FUZZ_CHECK(usage.requests == 1);
    FUZZ_CHECK(usage.input == req->input_tokens && usage.output == req->output_tokens);
    FUZZ_CHECK(usage.cache_read <= usage.input);
    FUZZ_CHECK(usage.cache_write <= usage.input - usage.cache_read);
    FUZZ_CHECK(usage.cache_write_1h <= usage.cache_write);
    if (req->bound_count > 0)
        FUZZ_CHECK(usage.cache_read + usage.cache_write <= req->ends[req->bound_count - 1]);
    if (policy == PCS_POLICY_LRU)
        FUZZ_CHECK(pcs_cache_cached_tokens(cache) <= LRU_CAPACITY_TOKENS);
}

static pcs_cache *new_cache(const char *preset)
{
    struct pcs_cache_config config;
    FUZZ_CHECK(pcs_cache_preset(preset, &config) == PCS_OK);
    if (config.policy == PCS_POLICY_LRU)
        config.capacity_tokens = LRU_CAPACITY_TOKENS;
    pcs_cache *cache = pcs_cache_new(&config, NULL);
    FUZZ_CHECK(cache != NULL);
    return cache;
}

/* An error names one of the files (out of memory need not). */
static void check_trace_error(enum pcs_status status, const struct pcs_error *err, const char *const *paths,
                              size_t path_count)
{
    FUZZ_CHECK(status != PCS_OK && status != PCS_END);
    fuzz_check_error(err, NULL);
    if (status == PCS_ERR_NOMEM)
        return;
    int named = 0;
    for (size_t i = 0; i < path_count; i++)
        named |= strstr(err->message, paths[i]) != NULL;
    if (!named)
        fprintf(stderr, "message: %s\n", err->message);
    FUZZ_CHECK(named);
}

/* The digest of what pcs_trace_print_skips prints. */
static uint64_t digest_skips(const pcs_trace *trace)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    FUZZ_CHECK(out != NULL);
    pcs_trace_print_skips(trace, out, 20);
    FUZZ_CHECK(fclose(out) == 0);
    uint64_t digest = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        digest = mix(digest, (unsigned char)text[i]);
    free(text);
    return digest;
}

static void run(const char *const *paths, size_t path_count, enum pcs_trace_format format, int lenient, int replay,
                unsigned threads, int stream, struct run_result *result)
{
    static const struct pcs_model_alias aliases[] = {{"claude-sonnet-4", "sonnet"}, {"gpt-4.1", "gpt-4.1-renamed"}};
    struct pcs_trace_config config = pcs_trace_config_default();
    config.format = format;
    config.lenient = lenient;
    config.aliases = aliases;
    config.alias_count = sizeof aliases / sizeof aliases[0];
    config.threads = threads;
    struct pcs_error err;
    enum pcs_status status = PCS_ERR_ARG;
    memset(result, 0, sizeof *result);
    err.message[0] = '\0';

    pcs_trace *trace = stream ? pcs_trace_open_paths_one_pass(paths, path_count, &config, 0, &err)
                              : pcs_trace_open(paths, path_count, &config, &err);
    status = trace ? PCS_OK : err.status;
    if (!trace) {
        check_trace_error(status, &err, paths, path_count);
        result->status = status;
        memcpy(result->message, err.message, sizeof err.message);
        return;
    }
    FUZZ_CHECK(status == PCS_OK);
    int streams = pcs_trace_streams(trace);
    enum pcs_trace_format first_format = pcs_trace_file_format(trace, 0);
    int whole_document = first_format == PCS_FORMAT_CLAUDE_CODE || first_format == PCS_FORMAT_CLAUDE_CODE_LOG;
    FUZZ_CHECK(streams == (stream && path_count == 1 && !whole_document));
    FUZZ_CHECK(streams || pcs_trace_request_count(trace) > 0);
    size_t azure_files = 0;
    for (size_t i = 0; i < path_count; i++) {
        enum pcs_trace_format detected = pcs_trace_file_format(trace, i);
        FUZZ_CHECK(detected != PCS_FORMAT_AUTO && pcs_trace_format_parse(pcs_trace_format_name(detected)) >= 0);
        if (format != PCS_FORMAT_AUTO)
            FUZZ_CHECK(detected == format);
        azure_files += detected == PCS_FORMAT_AZURE;
    }
    FUZZ_CHECK(pcs_trace_lacks_prefixes(trace) == (azure_files > 0));
    int only_azure = azure_files == path_count; /* then no request has bounds */
    uint64_t skipped_at_open = pcs_trace_skipped_count(trace);
    if (!lenient)
        FUZZ_CHECK(skipped_at_open == 0);

    static const char *const presets[REPLAY_COUNT] = {"ttl", "breakpoint", "lru"};
    static const enum pcs_policy policies[REPLAY_COUNT] = {PCS_POLICY_TTL, PCS_POLICY_BREAKPOINT, PCS_POLICY_LRU};
    pcs_cache *caches[REPLAY_COUNT] = {NULL};
    for (int i = 0; i < REPLAY_COUNT && replay; i++)
        caches[i] = new_cache(presets[i]);
    uint64_t *keys = NULL;
    size_t key_cap = 0;

    struct pcs_request req;
    int64_t prev_t_ms = 0;
    uint64_t digest = 0xcbf29ce484222325ull;
    for (;;) {
        status = pcs_trace_next(trace, &req, &err);
        if (status != PCS_OK)
            break;
        check_request(trace, &req, prev_t_ms, only_azure);
        prev_t_ms = req.t_ms;
        digest = digest_request(digest, &req);
        result->requests++;
        if (!replay)
            continue;
        for (int i = 0; i < REPLAY_COUNT; i++)
            replay_request(caches[i], policies[i], &req);
        if (req.bound_count > key_cap) {
            free(keys);
            key_cap = req.bound_count;
            keys = malloc(key_cap * sizeof *keys);
            FUZZ_CHECK(keys != NULL);
        }
        if (req.bound_count > 0)
            pcs_request_keys(&req, keys);
    }
    uint64_t skipped = pcs_trace_skipped_count(trace);
    if (status == PCS_END) {
        /* Every indexed record was yielded or (lenient) skipped in pass two. */
        if (!streams)
            FUZZ_CHECK(pcs_trace_request_count(trace) == result->requests + (skipped - skipped_at_open));
        FUZZ_CHECK(!streams || pcs_trace_request_count(trace) >= result->requests);
        result->ok = 1;
    } else {
        check_trace_error(status, &err, paths, path_count);
        FUZZ_CHECK(streams || status != PCS_ERR_ORDER);
        result->out_of_order = status == PCS_ERR_ORDER;
        /* In one pass, a file without a valid record ends so, lenient or not. */
        FUZZ_CHECK(!lenient || status == PCS_ERR_NOMEM || status == PCS_ERR_IO || streams);
        result->status = status;
        memcpy(result->message, err.message, sizeof err.message);
    }
    if (!lenient)
        FUZZ_CHECK(skipped == 0);
    pcs_trace_print_skips(trace, dev_null, 5);
    result->skips_digest = digest_skips(trace);
    result->skipped = skipped;
    result->digest = digest;
    free(keys);
    for (int i = 0; i < REPLAY_COUNT; i++)
        pcs_cache_free(caches[i]);
    pcs_trace_free(trace);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned format_number = (data[0] & SELECT_FORMAT) | (data[0] & SELECT_FORMAT_HIGH) >> 1;
    enum pcs_trace_format format = (enum pcs_trace_format)(format_number % PCS_FORMAT_COUNT);
    const uint8_t *bytes = data + 1;
    size_t length = size - 1;
    size_t path_count = 1;
    const char *paths[2] = {files[0].path, files[1].path};
    const uint8_t *separator = (data[0] & SELECT_TWO_FILES) ? memchr(bytes, FILE_SEPARATOR, length) : NULL;
    if (separator) {
        size_t first = (size_t)(separator - bytes);
        write_file(&files[0], bytes, first);
        write_file(&files[1], separator + 1, length - first - 1);
        path_count = 2;
    } else {
        write_file(&files[0], bytes, length);
    }

    struct run_result strict;
    struct run_result lenient;
    struct run_result threaded;
    run(paths, path_count, format, 0, 0, 1, 0, &strict);
    run(paths, path_count, format, 1, 1, 1, 0, &lenient);
    FUZZ_CHECK(strict.ok == (lenient.ok && lenient.skipped == 0));
    if (strict.ok) {
        FUZZ_CHECK(strict.requests == lenient.requests);
        FUZZ_CHECK(strict.digest == lenient.digest);
    }
    /* Indexing the files on two threads changes nothing. */
    run(paths, path_count, format, 1, 0, 2, 0, &threaded);
    FUZZ_CHECK(threaded.ok == lenient.ok && threaded.requests == lenient.requests &&
               threaded.skipped == lenient.skipped && threaded.digest == lenient.digest);
    /* Read in one pass, a file gives what two passes give, unless a time
     * goes back (then the caller starts over with two passes). */
    if (path_count == 1) {
        const struct run_result *two[2] = {&strict, &lenient};
        for (int lenient_mode = 0; lenient_mode < 2; lenient_mode++) {
            struct run_result one;
            run(paths, path_count, format, lenient_mode, 0, 1, 1, &one);
            const struct run_result *ref = two[lenient_mode];
            if (one.out_of_order)
                continue;
            FUZZ_CHECK(one.ok == ref->ok);
            if (one.ok)
                FUZZ_CHECK(one.requests == ref->requests && one.digest == ref->digest && one.skipped == ref->skipped &&
                           one.skips_digest == ref->skips_digest);
            else
                FUZZ_CHECK(one.status == ref->status && strcmp(one.message, ref->message) == 0);
        }
    }
    return 0;
}
