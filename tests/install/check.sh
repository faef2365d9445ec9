#!/usr/bin/env bash
# Installs the build into a temporary DESTDIR and checks the tree: the binary runs, the headers
# and the library are there, `pkg-config --cflags --libs pcsim` works and a small C program links
# against the installed library, and the man page renders.
# Usage: check.sh BUILD_DIR
set -euo pipefail
build=$1
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/dest
prefix=/usr/local
# cmake --install honours DESTDIR from the environment.
DESTDIR=$dest cmake --install "$build" --prefix "$prefix" >/dev/null
root=$dest$prefix
libdir=$(find "$root" -name libpcsim.a -printf '%h\n' | head -1)
fail() {
    echo "install: $*" >&2
    exit 1
}
[ -n "$libdir" ] || fail "no libpcsim.a under $root"
for file in "$root/bin/pcsim" "$root/include/pcsim/status.h" "$root/include/pcsim/pricing.h" \
    "$libdir/pkgconfig/pcsim.pc" "$root/share/man/man1/pcsim.1"; do
    [ -f "$file" ] || fail "missing $file"
done
"$root/bin/pcsim" --version | grep -q '^pcsim ' || fail "the installed pcsim does not say its version"

# pkg-config: the .pc names /usr/local; the sysroot maps it into DESTDIR.
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs pcsim) || fail "pkg-config --cflags --libs pcsim failed"
cat >"$work/use.c" <<'C'
#include <pcsim/pricing.h>
#include <pcsim/status.h>
#include <pcsim/version.h>
#include <stdio.h>

int main(void)
{
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    if (!catalog) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    pcs_catalog_free(catalog);
    printf("%s %s\n", PCS_VERSION, pcs_strerror(PCS_OK));
    return 0;
}
C
# shellcheck disable=SC2086 # the flags are words (CFLAGS: the sanitizer build passes -fsanitize)
"$cc" -std=c11 ${CFLAGS:-} -o "$work/use" "$work/use.c" $flags || fail "a program does not link with: $flags"
"$work/use" >/dev/null || fail "the linked program failed"

# The man page renders without warnings.
page=$root/share/man/man1/pcsim.1
grep -q 'replay' "$page" || fail "pcsim.1 does not list the commands"
rendered=$(LC_ALL=C MANWIDTH=80 man -l "$page" 2>"$work/man.err" | col -b) || fail "man -l failed"
[ ! -s "$work/man.err" ] || fail "man -l warned: $(cat "$work/man.err")"
grep -q 'prompt-cache simulator' <<<"$rendered" || fail "the rendered page lacks the description"
echo "install: ok ($(find "$root" -type f | wc -l) files)"
