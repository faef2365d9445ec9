/* src/mc/dist.c: being written. */
