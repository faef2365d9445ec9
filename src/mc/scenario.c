/* src/mc/scenario.c: being written. */
