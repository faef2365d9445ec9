/* A thread started on another CPU than its caller's; see thread_apart.h. */
#define _GNU_SOURCE /* CPU sets, sched_getcpu, pthread affinity */
#include "thread_apart.h"

#include <sched.h>
#include <stdlib.h>

struct apart_start {
    void *(*run)(void *);
    void *arg;
#if defined(__linux__) && defined(CPU_SETSIZE)
    cpu_set_t allowed; /* the caller's CPUs, given back once running */
#endif
    int placed;        /* started on a restricted set */
};

static void *apart_main(void *p)
{
    struct apart_start start = *(struct apart_start *)p;
    free(p);
#if defined(__linux__) && defined(CPU_SETSIZE)
    if (start.placed)
        (void)pthread_setaffinity_np(pthread_self(), sizeof start.allowed, &start.allowed);
#endif
    return start.run(start.arg);
}

int pcs_thread_start_apart(pthread_t *thread, void *(*run)(void *), void *arg)
{
    struct apart_start *start = malloc(sizeof *start);
    if (!start)
        return pthread_create(thread, NULL, run, arg);
    start->run = run;
    start->arg = arg;
    start->placed = 0;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        free(start);
        return pthread_create(thread, NULL, run, arg);
    }
#if defined(__linux__) && defined(CPU_SETSIZE)
    int cpu = sched_getcpu();
    if (cpu >= 0 && sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0 &&
        CPU_ISSET(cpu, &start->allowed)) {
        cpu_set_t others = start->allowed;
        CPU_CLR(cpu, &others);
        if (CPU_COUNT(&others) > 0 && pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0)
            start->placed = 1;
    }
#endif
    int result = pthread_create(thread, &attr, apart_main, start);
    pthread_attr_destroy(&attr);
    if (result != 0)
        free(start);
    return result;
}
