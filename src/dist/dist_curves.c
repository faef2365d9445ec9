/* The points of a curve (pcs_sweep_*) and of a calibration gathered to
 * rank 0 (src/dist/dist.h). The same code in every build: in one process
 * there is nothing to gather. */
#include <stdlib.h>
#include <string.h>

#include "dist/dist.h"
#include "pcsim/calibrate.h"
#include "pcsim/sweep.h"

/* A point's record: its fixed fields, then its usage per model. */
struct point_record {
    int64_t ttl_ms;
    uint64_t capacity_tokens;
    struct pcs_usage total;
    uint64_t priced;
    struct pcs_cost cost;
};

static size_t record_size(size_t model_count)
{
    return sizeof(struct point_record) + model_count * sizeof(struct pcs_usage);
}

static void point_pack(unsigned char *at, const struct pcs_sweep_point *point, size_t model_count)
{
    struct point_record record;
    memset(&record, 0, sizeof record);
    record.ttl_ms = point->ttl_ms;
    record.capacity_tokens = point->capacity_tokens;
    record.total = point->total;
    record.priced = (uint64_t)point->priced;
    record.cost = point->cost;
    memcpy(at, &record, sizeof record);
    if (model_count)
        memcpy(at + sizeof record, point->by_model, model_count * sizeof(struct pcs_usage));
}

static enum pcs_status point_unpack(struct pcs_sweep_point *point, const unsigned char *at, size_t model_count)
{
    struct point_record record;
    memcpy(&record, at, sizeof record);
    point->ttl_ms = record.ttl_ms;
    point->capacity_tokens = record.capacity_tokens;
    point->total = record.total;
    point->priced = (int)record.priced;
    point->cost = record.cost;
    point->by_model = calloc(model_count ? model_count : 1, sizeof *point->by_model);
    if (!point->by_model)
        return PCS_ERR_NOMEM;
    if (model_count)
        memcpy(point->by_model, at + sizeof record, model_count * sizeof(struct pcs_usage));
    return PCS_OK;
}

enum pcs_status pcs_dist_gather_sweep(struct pcs_sweep_result *result, size_t count, struct pcs_error *err)
{
    if (pcs_dist_size() == 1)
        return PCS_OK;
    size_t size = record_size(result->model_count);
    unsigned char *records = calloc(count ? count : 1, size);
    int short_of_memory = records == NULL;
    for (size_t i = 0, k = 0; records && i < count; i++)
        if (pcs_dist_owns(i) && k < result->point_count)
            point_pack(records + i * size, &result->points[k++], result->model_count);
    if (pcs_dist_any(short_of_memory)) {
        free(records);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering %zu curve points", count);
    }
    enum pcs_status status = pcs_dist_gather(records, count, size, err);
    if (status != PCS_OK || !pcs_dist_is_root()) {
        free(records);
        return status;
    }
    struct pcs_sweep_point *points = calloc(count ? count : 1, sizeof *points);
    for (size_t i = 0; points && i < count && status == PCS_OK; i++)
        status = point_unpack(&points[i], records + i * size, result->model_count);
    free(records);
    if (!points || status != PCS_OK) {
        for (size_t i = 0; points && i < count; i++)
            free(points[i].by_model);
        free(points);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering %zu curve points", count);
    }
    for (size_t i = 0; i < result->point_count; i++)
        free(result->points[i].by_model);
    free(result->points);
    result->points = points;
    result->point_count = count;
    return PCS_OK;
}

static enum pcs_status gather_calibrate_points(void *context, struct pcs_calibrate_point *points, size_t count,
                                               struct pcs_error *err)
{
    (void)context;
    return pcs_dist_gather(points, count, sizeof *points, err);
}

const struct pcs_calibrate_share *pcs_dist_calibrate_share(struct pcs_calibrate_share *share)
{
    if (pcs_dist_size() == 1)
        return NULL;
    memset(share, 0, sizeof *share);
    share->index = pcs_dist_rank();
    share->count = pcs_dist_size();
    share->gather = gather_calibrate_points;
    return share;
}
