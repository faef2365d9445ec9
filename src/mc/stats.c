/* src/mc/stats.c: being written. */
