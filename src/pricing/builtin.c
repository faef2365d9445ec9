/* The shipped catalog (scenarios/prices.json), built into the binary so
 * pcsim prices offline and wherever it is installed. The assembler copies
 * the file in (.incbin) at build time; CMake passes its path and rebuilds
 * this file when the catalog changes. */
#include "pricing_internal.h"

#include <stdint.h>

#ifndef PCSIM_BUILTIN_CATALOG
#error "PCSIM_BUILTIN_CATALOG must name the catalog file (set by CMake)"
#endif

/* The catalog's bytes, then a NUL (the parser requires one after the text),
 * then their count. The assembler measures the count between two labels of
 * its own, so C never subtracts pointers to different objects. */
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl pcs_builtin_catalog\n"
        ".hidden pcs_builtin_catalog\n"
        "pcs_builtin_catalog:\n"
        ".incbin \"" PCSIM_BUILTIN_CATALOG "\"\n"
        ".Lpcs_builtin_catalog_end:\n"
        ".byte 0\n"
        ".balign 8\n"
        ".globl pcs_builtin_catalog_size\n"
        ".hidden pcs_builtin_catalog_size\n"
        "pcs_builtin_catalog_size:\n"
        ".quad .Lpcs_builtin_catalog_end - pcs_builtin_catalog\n"
        ".previous\n");

extern const char pcs_builtin_catalog[] __attribute__((visibility("hidden")));
extern const uint64_t pcs_builtin_catalog_size __attribute__((visibility("hidden")));

pcs_catalog *pcs_catalog_load_builtin(struct pcs_error *err)
{
    return pcs_catalog_parse(pcs_builtin_catalog, (size_t)pcs_builtin_catalog_size, "built-in prices.json", err);
}
