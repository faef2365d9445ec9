/* Starting a thread that works beside its caller. Internal to the library.
 *
 * A new thread may start on its caller's CPU, the other CPUs idle, and
 * move only when the kernel next balances its run queues: up to a timer
 * tick (4 ms at HZ=250) with both threads sharing one CPU. On the 2-CPU
 * development machine that happened in about half the replays of the
 * Claude-Code sessions, whose pass one takes 7 ms. */
#ifndef PCSIM_COMMON_THREAD_APART_H
#define PCSIM_COMMON_THREAD_APART_H

#include <pthread.h>

/* pthread_create(thread, NULL, run, arg), except that the thread starts
 * on a CPU other than the caller's when the caller may run on others; once
 * running it may run on any CPU the caller may. Returns pthread_create's
 * result. */
int pcs_thread_start_apart(pthread_t *thread, void *(*run)(void *), void *arg);

#endif
