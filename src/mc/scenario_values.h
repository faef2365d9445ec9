/* The scenario loader's state and its readers of checked values: field
 * paths for messages, numbers, strings and distributions (empirical ones
 * from a trace). Shared by src/mc/scenario.c (the scenario's structure and
 * sweeps) and src/mc/scenario_values.c. Internal to the library. */
#ifndef PCSIM_MC_SCENARIO_VALUES_H
#define PCSIM_MC_SCENARIO_VALUES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "pcsim/scenario.h"

/* The values of an empirical distribution, read from a trace or listed
 * inline, kept once per set: the points of a sweep read each trace once and
 * share equal lists. */
struct value_list {
    struct value_list *next;
    const char *path; /* the trace as opened; NULL for a list given inline */
    int output;       /* traces: 1 for output_tokens, 0 for input_tokens */
    size_t count;
    const double *values;
};

/* A trace workload's requests, read once per set: points whose workload
 * reads the same files the same way share them. */
struct loaded_trace {
    struct loaded_trace *next;
    const char *key;                     /* the paths, format, default model and task mode, as one string */
    struct pcs_trace_requests *requests; /* owned (pcs_trace_requests_free) */
};

struct pcs_scenario_set {
    struct arena arena; /* every string and array of the set */
    size_t point_count;
    struct pcs_scenario_point *points;
    struct value_list *value_lists;
    struct loaded_trace *traces;
};

/* The loader's state: where errors go and the path of the current field. */
struct loader {
    pcs_scenario_set *set;
    const pcs_catalog *catalog;
    const char *name;     /* for messages: the file, and the sweep point */
    const char *file;     /* the file, for the default scenario name */
    const char *base_dir; /* relative trace paths start here; NULL: the current directory */
    struct pcs_error *err;
    char path[256];
    size_t path_len;
};

/* The range of a quantity that may be a distribution: constants, empirical
 * values and uniform bounds must lie in [min, max] ((min, max] for a
 * positive constant), and an unbounded distribution's centre (mean or
 * median) at most max. The engine clamps other draws. */
struct quantity {
    double min, max;
    int whole;          /* constants and empirical values must be whole numbers */
    int positive;       /* a constant must be > min, not just >= min */
    int constants_only; /* only constants are checked (probabilities: the engine clamps draws) */
};

/* Appends ".key" ("key" at the root) or "[index]" to the path; returns the
 * old length for pcs_loader_pop. Paths too long for the buffer are cut. */
size_t pcs_loader_push_key(struct loader *loader, const char *key);
size_t pcs_loader_push_index(struct loader *loader, size_t index);
void pcs_loader_pop(struct loader *loader, size_t old);

/* Fills the error with "FILE: path: what" and returns status. */
enum pcs_status pcs_loader_fail(struct loader *loader, enum pcs_status status, const char *what);
enum pcs_status pcs_loader_failf(struct loader *loader, enum pcs_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The same with key appended to the path for this message. */
enum pcs_status pcs_loader_fail_at(struct loader *loader, const char *key, enum pcs_status status, const char *what);
enum pcs_status pcs_loader_nomem(struct loader *loader);

/* 1 for a "$comment" member, which every object may have. */
int pcs_loader_is_comment(const cJSON *member);
static inline const cJSON *loader_member(const cJSON *object, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(object, key);
}

/* Rejects members not in allowed (NULL-terminated). The document's keys
 * are unique already (json_doc). */
enum pcs_status pcs_loader_check_members(struct loader *loader, const cJSON *object, const char *const *allowed);

/* The value itself, at the current path. Strings are copied to the set's
 * arena. Numbers: finite, in [min, max] ((min, max] when above_min); -0
 * reads as 0. */
enum pcs_status pcs_loader_read_string(struct loader *loader, const cJSON *value, const char **out);
enum pcs_status pcs_loader_read_number(struct loader *loader, const cJSON *value, double min, double max, int above_min,
                                       double *out);
/* A number (a constant) or {"dist": KIND, ...}; see docs/scenario.md. */
enum pcs_status pcs_loader_read_dist(struct loader *loader, const cJSON *json, const struct quantity *quantity,
                                     struct pcs_dist *dist);

/* Joins base_dir (NULL: none) and file unless file is absolute; free() the
 * result (NULL: no memory). */
char *pcs_loader_join_path(const char *base_dir, const char *file);

/* workload.trace and its fields (src/mc/scenario_trace.c): the requests
 * read (or shared with an earlier point), into *out in the set's arena. */
enum pcs_status pcs_loader_trace_workload(struct loader *loader, const cJSON *json,
                                          const struct pcs_trace_workload **out);

/* A strategy's model_map (json: object of trace model name -> model name)
 * checked against the trace's models and the catalog. */
enum pcs_status pcs_loader_model_map(struct loader *loader, const cJSON *json, const struct pcs_trace_workload *trace,
                                     struct pcs_strategy *strategy);

/* object.key read into *out, which keeps its default when the field is
 * absent (an error "missing" when required). */
enum pcs_status pcs_loader_field_missing(struct loader *loader, const char *key);
enum pcs_status pcs_loader_field_string(struct loader *loader, const cJSON *object, const char *key, int required,
                                        const char **out);
enum pcs_status pcs_loader_field_number(struct loader *loader, const cJSON *object, const char *key, int required,
                                        double min, double max, int above_min, double *out);
enum pcs_status pcs_loader_field_whole(struct loader *loader, const cJSON *object, const char *key, double min,
                                       double max, uint64_t *out);
enum pcs_status pcs_loader_field_bool(struct loader *loader, const cJSON *object, const char *key, int *out);
enum pcs_status pcs_loader_field_dist(struct loader *loader, const cJSON *object, const char *key, int required,
                                      const struct quantity *quantity, struct pcs_dist *out);

#endif
