/* src/mc/stream.c: being written. */
