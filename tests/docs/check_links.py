#!/usr/bin/env python3
"""Every relative link of the README and docs/*.md resolves.

    check_links.py SOURCE_DIR

A link [text](target) or ![alt](target) whose target is not a URL must name a
file or directory of the source tree (relative to the page), and its #anchor,
when it has one and names a Markdown page, one of that page's headings as
GitHub spells anchors (lowercase, punctuation dropped, spaces to hyphens, a
repeated heading numbered -1, -2, ...). Links inside code spans and fenced
blocks are not links. Prints each broken link with its page and line, then
`N passed, M failed`.
"""
import pathlib
import re
import sys

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^()\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose_lines(text):
    """(line number, line) of the lines outside fenced blocks, code spans blanked."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r"`[^`]*`", "``", line)


def slug(heading):
    """A heading's anchor as GitHub makes it."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text stays
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page, cache={}):
    if page not in cache:
        found, seen = set(), {}
        text = page.read_text(encoding="utf-8")
        fenced = False
        for line in text.splitlines():
            if FENCE.match(line):
                fenced = not fenced
                continue
            match = None if fenced else HEADING.match(line)
            if match:
                base = slug(match.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f"{base}-{count}")
        cache[page] = found
    return cache[page]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_links.py SOURCE_DIR")
    root = pathlib.Path(sys.argv[1]).resolve()
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    passed = failed = 0
    for page in pages:
        for number, line in prose_lines(page.read_text(encoding="utf-8")):
            for match in LINK.finditer(line):
                target = match.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                    continue
                path, _, anchor = target.partition("#")
                where = (page.parent / path).resolve() if path else page
                problem = None
                if not where.exists():
                    problem = "no such file"
                elif root not in where.parents and where != root:
                    problem = "outside the source tree"
                elif anchor and where.suffix == ".md" and anchor not in anchors(where):
                    problem = f"no heading with anchor #{anchor}"
                if problem:
                    failed += 1
                    print(f"{page.relative_to(root)}:{number}: {target}: {problem}")
                else:
                    passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
