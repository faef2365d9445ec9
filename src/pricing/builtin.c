/* The shipped catalog (scenarios/prices.json), built into the binary so
 * pcsim prices offline and wherever it is installed. The assembler copies
 * the file in (.incbin) at build time; CMake passes its path and rebuilds
 * this file when the catalog changes. */
#include "pricing_internal.h"

#ifndef PCSIM_BUILTIN_CATALOG
#error "PCSIM_BUILTIN_CATALOG must name the catalog file (set by CMake)"
#endif

/* The catalog's bytes, then a NUL (the parser requires one after the text). */
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl pcs_builtin_catalog_start\n"
        ".hidden pcs_builtin_catalog_start\n"
        "pcs_builtin_catalog_start:\n"
        ".incbin \"" PCSIM_BUILTIN_CATALOG "\"\n"
        ".globl pcs_builtin_catalog_end\n"
        ".hidden pcs_builtin_catalog_end\n"
        "pcs_builtin_catalog_end:\n"
        ".byte 0\n"
        ".previous\n");

extern const char pcs_builtin_catalog_start[] __attribute__((visibility("hidden")));
extern const char pcs_builtin_catalog_end[] __attribute__((visibility("hidden")));

pcs_catalog *pcs_catalog_load_builtin(struct pcs_error *err)
{
    size_t size = (size_t)(pcs_builtin_catalog_end - pcs_builtin_catalog_start);
    return pcs_catalog_parse(pcs_builtin_catalog_start, size, "built-in prices.json", err);
}
