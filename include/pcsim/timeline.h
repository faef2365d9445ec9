/* pcsim: usage over time, for pictures (cached ratio over a replay).
 *
 * Requests are summed into equal time buckets from the first request's
 * time. The bucket width starts at one second and doubles (merging pairs)
 * whenever more than PCS_TIMELINE_MAX_BUCKETS would be needed, so a
 * timeline of any trace has at most that many buckets and the result does
 * not depend on anything but the requests.
 *
 * A timeline is a value in the caller's storage (see "Values in place" in
 * pcsim/status.h): it allocates nothing and has no free; one thread fills
 * it at a time. */
#ifndef PCSIM_TIMELINE_H
#define PCSIM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/cache.h"

#define PCS_TIMELINE_MAX_BUCKETS 240

struct pcs_timeline {
    int started;       /* a request was added */
    int64_t start_ms;  /* the first request's time, ms on the trace's clock */
    int64_t bucket_ms; /* width of a bucket, ms */
    size_t count;      /* buckets in use */
    struct pcs_usage buckets[PCS_TIMELINE_MAX_BUCKETS];
};

/* Sets *timeline up empty (cannot fail). */
void pcs_timeline_init(struct pcs_timeline *timeline);

/* Adds a request's usage at t_ms (non-decreasing). */
void pcs_timeline_add(struct pcs_timeline *timeline, int64_t t_ms, const struct pcs_usage *usage);

#endif
