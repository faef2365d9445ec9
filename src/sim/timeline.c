/* Usage in time buckets; see pcsim/timeline.h. */
#include "pcsim/timeline.h"

#include <string.h>

void pcs_timeline_init(struct pcs_timeline *timeline)
{
    memset(timeline, 0, sizeof *timeline);
    timeline->bucket_ms = 1000;
}

/* Halves the number of buckets: bucket i takes 2i and 2i + 1. */
static void coarsen(struct pcs_timeline *timeline)
{
    size_t half = (timeline->count + 1) / 2;
    for (size_t i = 0; i < half; i++) {
        struct pcs_usage sum = timeline->buckets[2 * i];
        if (2 * i + 1 < timeline->count)
            pcs_usage_add(&sum, &timeline->buckets[2 * i + 1]);
        timeline->buckets[i] = sum;
    }
    memset(&timeline->buckets[half], 0, (timeline->count - half) * sizeof timeline->buckets[0]);
    timeline->count = half;
    timeline->bucket_ms *= 2;
}

void pcs_timeline_add(struct pcs_timeline *timeline, int64_t t_ms, const struct pcs_usage *usage)
{
    if (!timeline->started) {
        timeline->started = 1;
        timeline->start_ms = t_ms;
    }
    int64_t offset = t_ms > timeline->start_ms ? t_ms - timeline->start_ms : 0;
    while (offset / timeline->bucket_ms >= PCS_TIMELINE_MAX_BUCKETS)
        coarsen(timeline);
    size_t bucket = (size_t)(offset / timeline->bucket_ms);
    if (bucket >= timeline->count)
        timeline->count = bucket + 1;
    pcs_usage_add(&timeline->buckets[bucket], usage);
}
