#!/usr/bin/env bash
# Every symbol the library defines for other object files to see carries the
# pcs_ prefix (STYLE: "every exported symbol pcs_ / PCS_; everything else
# static"), so linking libpcsim into a program never clashes with its names.
# A function shared by two of the library's files is pcs_ too, as sqlite's are
# sqlite3; one used by one file alone is static.
# usage: check.sh LIBRARY.a
set -u
lib=${1:?usage: check.sh LIBRARY.a}
command -v nm >/dev/null || { echo "symbols: nm is not installed"; exit 77; }
symbols=$(nm -g --defined-only "$lib") || { echo "symbols: nm cannot read $lib"; exit 1; }
# Lines are "address type name"; file headers ("x.o:") and blank lines have fewer fields. The
# sanitizer build adds symbols of its own (__odr_asan.NAME, __asan_*): the compiler's, not ours.
bad=$(printf '%s\n' "$symbols" | awk 'NF == 3 && $3 !~ /^pcs_/ && $3 !~ /^__(odr_asan|asan_|ubsan_|sancov)/ { print $3 }' |
    sort -u)
total=$(printf '%s\n' "$symbols" | awk 'NF == 3' | wc -l)
if [ -n "$bad" ]; then
    echo "symbols: $(printf '%s\n' "$bad" | wc -l) global symbols lack the pcs_ prefix (make them static or pcs_):"
    printf '%s\n' "$bad" | sed 's/^/  /'
    echo "0 passed, 1 failed"
    exit 1
fi
echo "symbols: all $total global symbols of $(basename "$lib") start with pcs_"
echo "1 passed, 0 failed"
