/* Shared building blocks (src/common): the append region, threads
 * started apart. */
#define _GNU_SOURCE /* CPU sets */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/append_region.h"
#include "common/thread_apart.h"

/* Arrays go one after another, 64-byte aligned; the open one grows in
 * place, mapped a step at a time; what was written stays. */
static void test_append_region_arrays(void)
{
    struct append_region region;
    memset(&region, 0, sizeof region);
    size_t room = 1;
    char *first = append_region_open(&region, &room);
    if (!first) {
        printf("append region: no mapping here, skipped\n");
        return;
    }
    CHECK_U64((uintptr_t)first % 64, 0);
    CHECK_U64(room, 0); /* nothing mapped yet */
    CHECK(append_region_grow(&region, first, 100, &room) == 0);
    CHECK_U64(room, APPEND_REGION_STEP);
    memset(first, 'a', 100);
    CHECK(append_region_grow(&region, first, APPEND_REGION_STEP + 1, &room) == 0);
    CHECK_U64(room, 2 * APPEND_REGION_STEP);
    memset(first + 100, 'b', APPEND_REGION_STEP + 1 - 100);
    CHECK(first[99] == 'a' && first[100] == 'b' && first[APPEND_REGION_STEP] == 'b');
    append_region_close(&region, first, 100);

    char *second = append_region_open(&region, &room);
    CHECK(second == first + 128); /* after the first's 100 bytes, aligned */
    CHECK_U64(room, 2 * APPEND_REGION_STEP - 128);
    memset(second, 'c', 10);
    append_region_close(&region, second, 10);
    CHECK(first[99] == 'a'); /* the first array is untouched */

    char *third = append_region_open(&region, &room);
    CHECK(third != NULL);
    CHECK(third == second + 64);
    append_region_close(&region, third, 0);
    char *again = append_region_open(&region, &room);
    CHECK(again == third); /* an array closed empty leaves no gap */
    append_region_close(&region, again, 0);

    /* Emptied, it opens at its start on the pages it has mapped. */
    append_region_empty(&region);
    char *reused = append_region_open(&region, &room);
    CHECK(reused == first);
    CHECK_U64(room, 2 * APPEND_REGION_STEP);
    if (reused) {
        reused[0] = 'x';
        append_region_close(&region, reused, 1);
    }
    append_region_free(&region);
    CHECK(region.base == NULL && region.used == 0 && region.mapped == 0);
}

/* The reservation bounds the arrays: growing past it fails and leaves the
 * array as it was; a full region opens no more. */
static void test_append_region_limit(void)
{
    struct append_region region;
    memset(&region, 0, sizeof region);
    region.reserve = 2 * APPEND_REGION_STEP;
    size_t room;
    char *p = append_region_open(&region, &room);
    if (!p) {
        printf("append region: no mapping here, skipped\n");
        return;
    }
    CHECK(append_region_grow(&region, p, 2 * APPEND_REGION_STEP, &room) == 0);
    CHECK_U64(room, 2 * APPEND_REGION_STEP);
    p[2 * APPEND_REGION_STEP - 1] = 'z';
    CHECK(append_region_grow(&region, p, 2 * APPEND_REGION_STEP + 1, &room) == -1);
    CHECK_U64(room, 2 * APPEND_REGION_STEP);
    CHECK(p[2 * APPEND_REGION_STEP - 1] == 'z');
    append_region_close(&region, p, 2 * APPEND_REGION_STEP);
    CHECK(append_region_open(&region, &room) == NULL);
    append_region_free(&region);
    CHECK_U64(region.reserve, 2 * APPEND_REGION_STEP); /* kept for reuse */

    /* Freed, it maps afresh. */
    p = append_region_open(&region, &room);
    CHECK(p != NULL);
    CHECK_U64(room, 0);
    if (p)
        append_region_close(&region, p, 0);
    append_region_free(&region);
}


/* An array grows in its region while the region can hold it, then moves
 * to the heap with everything it held; a heap array doubles. */
static void test_append_region_grow_array(void)
{
    struct append_region region;
    memset(&region, 0, sizeof region);
    region.reserve = 2 * APPEND_REGION_STEP;
    size_t room = 0;
    char *array = append_region_open(&region, &room);
    if (!array) {
        printf("append region: no mapping here, skipped\n");
        return;
    }
    int in_region = 1;
    char *grown = append_region_grow_array(&region, array, &room, APPEND_REGION_STEP + 5, &in_region);
    CHECK(grown == array && in_region == 1);
    CHECK_U64(room, 2 * APPEND_REGION_STEP);
    for (size_t i = 0; i < room; i++)
        grown[i] = (char)(i % 251);
    char *moved = append_region_grow_array(&region, grown, &room, 2 * APPEND_REGION_STEP + 1, &in_region);
    CHECK(moved != NULL && moved != grown && in_region == 0);
    CHECK(room >= 2 * APPEND_REGION_STEP + 1);
    size_t wrong = 0;
    for (size_t i = 0; moved && i < 2 * APPEND_REGION_STEP; i++)
        wrong += moved[i] != (char)(i % 251);
    CHECK_U64(wrong, 0);
    size_t next_room;
    CHECK(append_region_open(&region, &next_room) == array); /* closed at 0 bytes */
    append_region_close(&region, array, 0);
    size_t heap_room = room;
    char *doubled = append_region_grow_array(&region, moved, &room, heap_room + 1, &in_region);
    CHECK(doubled != NULL && in_region == 0);
    CHECK_U64(room, 2 * heap_room);
    CHECK(doubled && doubled[1000] == (char)(1000 % 251));
    free(doubled ? doubled : moved);
    append_region_free(&region);
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

/* A thread started apart runs its function with its argument, returns
 * its result, and once running may use every CPU its starter may. */
static void test_thread_start_apart(void)
{
    struct apart_probe probe;
    memset(&probe, 0, sizeof probe);
    pthread_t thread;
    CHECK(thread_start_apart(&thread, probe_thread, &probe) == 0);
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

int main(void)
{
    test_append_region_arrays();
    test_append_region_limit();
    test_append_region_grow_array();
    test_thread_start_apart();
    return check_summary();
}
