/* The inputs a user names; see pcsim/input.h. Each file is made readable
 * by input_source.c; here directories are expanded and "-" is kept to
 * one. */
#include "pcsim/input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/grow.h"
#include "input_source.h"

struct pcs_inputs {
    struct input_source *items;
    size_t count;
    size_t cap;
    const char **names; /* items[i].name, for pcs_inputs_names */
    char **notes;
    size_t note_count;
    size_t note_cap;
};

static enum pcs_status add_file(pcs_inputs *inputs, const char *path, struct pcs_error *err)
{
    if (inputs->count == inputs->cap) {
        size_t cap = grow_capacity(inputs->cap, inputs->count + 1, 8, sizeof *inputs->items);
        struct input_source *items = cap ? realloc(inputs->items, cap * sizeof *items) : NULL;
        if (!items)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", path);
        inputs->items = items;
        inputs->cap = cap;
    }
    enum pcs_status status = pcs_input_source_open(path, &inputs->items[inputs->count], err);
    if (status == PCS_OK)
        inputs->count++;
    return status;
}

static enum pcs_status add_note(pcs_inputs *inputs, const char *path, const char *what, struct pcs_error *err)
{
    if (inputs->note_count == inputs->note_cap) {
        size_t cap = grow_capacity(inputs->note_cap, inputs->note_count + 1, 8, sizeof *inputs->notes);
        char **notes = cap ? realloc(inputs->notes, cap * sizeof *notes) : NULL;
        if (!notes)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", path);
        inputs->notes = notes;
        inputs->note_cap = cap;
    }
    size_t size = strlen(path) + strlen(what) + 16;
    char *note = malloc(size);
    if (!note)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", path);
    snprintf(note, size, "%s: skipped: %s", path, what);
    inputs->notes[inputs->note_count++] = note;
    return PCS_OK;
}

/* dir + "/" + name (one slash), or NULL when out of memory; free() it. */
static char *join(const char *dir, const char *name)
{
    size_t dir_len = strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    int slash = dir[dir_len - 1] != '/';
    size_t size = dir_len + (size_t)slash + strlen(name) + 1;
    char *path = malloc(size);
    if (path)
        snprintf(path, size, "%.*s%s%s", (int)dir_len, dir, slash ? "/" : "", name);
    return path;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The entries of dir, sorted by name, without "." and ".."; free each and
 * the array. */
static enum pcs_status list_directory(const char *dir, char ***names, size_t *count, struct pcs_error *err)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return pcs_error_set(err, PCS_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    size_t cap = 0;
    enum pcs_status status = PCS_OK;
    for (;;) {
        errno = 0;
        struct dirent *entry = readdir(d);
        if (!entry) {
            if (errno != 0)
                status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot read the directory: %s", dir, strerror(errno));
            break;
        }
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        if (*count == cap) {
            size_t grown_cap = grow_capacity(cap, *count + 1, 16, sizeof **names);
            char **grown = grown_cap ? realloc(*names, grown_cap * sizeof *grown) : NULL;
            if (!grown) {
                status = PCS_ERR_NOMEM;
                break;
            }
            *names = grown;
            cap = grown_cap;
        }
        char *copy = strdup(entry->d_name);
        if (!copy) {
            status = PCS_ERR_NOMEM;
            break;
        }
        (*names)[(*count)++] = copy;
    }
    closedir(d);
    if (status == PCS_ERR_NOMEM)
        pcs_error_set(err, status, "%s: out of memory", dir);
    if (*count > 1)
        qsort(*names, *count, sizeof **names, by_name);
    return status;
}

/* Why the entry name of a directory is what Claude Code keeps beside its
 * transcripts in ~/.claude/projects (docs/formats.md), not a trace, or
 * NULL: a session's tool-results/ directory (tool outputs too large for
 * the transcript), a project's memory/ directory (auto memory, Markdown)
 * and sessions-index.json (the resume list), and a subagent's
 * agent-<id>.meta.json. */
static const char *companion_file(const char *name)
{
    static const char meta[] = ".meta.json";
    size_t len = strlen(name);
    if (strcmp(name, "tool-results") == 0)
        return "a Claude Code session's tool outputs, not a trace";
    if (strcmp(name, "memory") == 0)
        return "a Claude Code project's memory notes, not a trace";
    if (strcmp(name, "sessions-index.json") == 0)
        return "a Claude Code project's session index, not a trace";
    if (len > sizeof meta - 1 && strcmp(name + len - (sizeof meta - 1), meta) == 0)
        return "a Claude Code subagent's metadata, not a trace";
    return NULL;
}

/* Adds the files under dir, in name order; *added counts them. */
static enum pcs_status add_directory(pcs_inputs *inputs, const char *dir, size_t *added, struct pcs_error *err)
{
    char **names;
    size_t count;
    enum pcs_status status = list_directory(dir, &names, &count, err);
    for (size_t i = 0; i < count && status == PCS_OK; i++) {
        char *path = join(dir, names[i]);
        if (!path) {
            status = pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", dir);
            break;
        }
        struct stat link_st;
        struct stat st;
        const char *skip = NULL;
        int is_directory = 0;
        if (names[i][0] == '.')
            skip = "a hidden entry";
        else if ((skip = companion_file(names[i])) != NULL)
            ; /* said why */
        else if (lstat(path, &link_st) != 0)
            status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        else if (S_ISDIR(link_st.st_mode))
            is_directory = 1;
        else if (!S_ISLNK(link_st.st_mode) && !S_ISREG(link_st.st_mode))
            skip = "not a regular file (a FIFO, socket or device)";
        else if (S_ISLNK(link_st.st_mode) && stat(path, &st) != 0)
            skip = "a broken symbolic link";
        else if (S_ISLNK(link_st.st_mode) && S_ISDIR(st.st_mode))
            skip = "a symbolic link to a directory";
        else if (S_ISLNK(link_st.st_mode) && !S_ISREG(st.st_mode))
            skip = "a symbolic link to something not a regular file";
        if (status != PCS_OK) {
            /* said why */
        } else if (skip) {
            status = add_note(inputs, path, skip, err);
        } else if (is_directory) {
            status = add_directory(inputs, path, added, err);
        } else {
            status = add_file(inputs, path, err);
            *added += status == PCS_OK;
        }
        free(path);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return status;
}

pcs_inputs *pcs_inputs_open(const char *const *names, size_t count, struct pcs_error *err)
{
    pcs_inputs *inputs = calloc(1, sizeof *inputs);
    if (!inputs) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    enum pcs_status st = PCS_OK;
    int saw_stdin = 0;
    for (size_t i = 0; i < count && st == PCS_OK; i++) {
        struct stat info;
        if (strcmp(names[i], "-") == 0) {
            if (saw_stdin)
                st = pcs_error_set(err, PCS_ERR_ARG, "'-' (standard input) is given twice: it can be read once");
            else
                st = add_file(inputs, names[i], err);
            saw_stdin = 1;
        } else if (stat(names[i], &info) == 0 && S_ISDIR(info.st_mode)) {
            size_t added = 0;
            st = add_directory(inputs, names[i], &added, err);
            if (st == PCS_OK && added == 0)
                st = pcs_error_set(err, PCS_ERR_PARSE, "%s: no files in the directory%s", names[i],
                                   inputs->note_count ? " (entries skipped)" : "");
        } else {
            st = add_file(inputs, names[i], err); /* its errors name it */
        }
    }
    if (st == PCS_OK && inputs->count > 0) {
        inputs->names = malloc(inputs->count * sizeof *inputs->names);
        if (!inputs->names)
            st = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == PCS_OK && i < inputs->count; i++)
            inputs->names[i] = inputs->items[i].name;
    }
    if (st != PCS_OK) {
        pcs_inputs_free(inputs);
        if (err)
            err->status = st;
        return NULL;
    }
    return inputs;
}

size_t pcs_inputs_count(const pcs_inputs *inputs)
{
    return inputs->count;
}

const char *const *pcs_inputs_names(const pcs_inputs *inputs)
{
    return inputs->names;
}

int pcs_inputs_fd(const pcs_inputs *inputs, size_t i)
{
    return inputs->items[i].fd;
}

size_t pcs_inputs_note_count(const pcs_inputs *inputs)
{
    return inputs->note_count;
}

const char *pcs_inputs_note(const pcs_inputs *inputs, size_t i)
{
    return inputs->notes[i];
}

void pcs_inputs_free(pcs_inputs *inputs)
{
    if (!inputs)
        return;
    for (size_t i = 0; i < inputs->count; i++)
        pcs_input_source_close(&inputs->items[i]);
    free(inputs->items);
    free(inputs->names);
    for (size_t i = 0; i < inputs->note_count; i++)
        free(inputs->notes[i]);
    free(inputs->notes);
    free(inputs);
}
