#!/usr/bin/env python3
"""Checks the HTML reports that html_samples wrote into DIR.

Every *.html file: starts with <!DOCTYPE html>, the rest parses as XML
(xml.etree.ElementTree), no <script>, no http(s) src/href or url(), every
chart an <svg xmlns="http://www.w3.org/2000/svg"> with axis titles, tick
labels and an explanation line under it, no NaN or infinity in its
coordinates. Then, per sample, that the plotted values are the tables'
(a point's cached ratio, the ideal ceiling, a strategy's mean, ...).

usage: check_html.py DIR
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def local(tag):
    return tag.rsplit("}", 1)[-1]


def text_of(element):
    return "".join(element.itertext())


def classes(element):
    return element.get("class", "").split()


def parse(path):
    raw = path.read_bytes().decode("utf-8")
    first, _, rest = raw.partition("\n")
    check(first == "<!DOCTYPE html>", f"{path.name}: first line is {first!r}, not <!DOCTYPE html>")
    try:
        return raw, ET.fromstring(rest)
    except ET.ParseError as error:
        failures.append(f"{path.name}: not well-formed: {error}")
        return raw, None


# ------------------------------------------------------------ every report

def check_no_script_or_links(name, raw, root):
    check(not re.search(r"<\s*script", raw, re.I), f"{name}: has a <script>")
    check(not any(local(e.tag) == "script" for e in root.iter()), f"{name}: has a script element")
    for element in root.iter():
        for attribute, value in element.attrib.items():
            if local(attribute) in ("src", "href"):
                check(not re.match(r"\s*(https?:)?//", value, re.I), f"{name}: external {attribute}={value!r}")
    check(not re.search(r"url\(\s*['\"]?\s*(https?:)?//", raw, re.I), f"{name}: external url() in the style")


def check_chart(name, svg, note):
    label = svg.get("aria-label", "?")
    where = f"{name}: chart {label!r}"
    titles = [t for t in svg.iter(SVG + "text") if "axis-title" in classes(t) and text_of(t).strip()]
    wanted = 2 if "line-chart" in classes(svg) else 1
    check(len(titles) >= wanted, f"{where}: {len(titles)} axis titles, expected {wanted}")
    # A swept field has its own unit, the scenario's: the run's sweep summary says so.
    units = ("%", "USD", "hours", "minutes", "seconds", "log scale", "tokens", "as in the scenario", "sweep values",
             "sweep point")
    for title in titles:
        check(any(u in text_of(title) for u in units), f"{where}: axis title {text_of(title)!r} has no unit")
    ticks = [t for t in svg.iter(SVG + "text") if "tick" in classes(t)]
    check(len(ticks) >= 3, f"{where}: {len(ticks)} tick labels")
    check(note is not None and local(note.tag) == "p" and "note" in classes(note) and text_of(note).strip(),
          f"{where}: no explanation line under it")
    for element in svg.iter():
        for attribute, value in element.attrib.items():
            if attribute in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "d", "transform"):
                check(not re.search(r"nan|inf", value, re.I), f"{where}: {attribute}={value!r}")


CHAR_WIDTH = 7.2  # svg_chart.c's estimate of a character of the 12 px font


def label_boxes(svg):
    """(text, (left, top, right, bottom)) of the labels placed beside lines:
    end labels (series and levels, right margin) and marker labels."""
    boxes = []
    for element in svg.iter(SVG + "text"):
        if not {"end-label", "marker-label", "halo"} & set(classes(element)):
            continue
        text = text_of(element)
        width = CHAR_WIDTH * len(text)
        turned = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\) rotate\(-90\)", element.get("transform", ""))
        if turned:  # reads upwards from its anchor
            x, y = float(turned.group(1)), float(turned.group(2))
            boxes.append((text, (x - 10, y - width, x + 3, y)))
            continue
        x, baseline = float(element.get("x")), float(element.get("y"))
        left = {"start": x, "middle": x - width / 2, "end": x - width}[element.get("text-anchor", "start")]
        boxes.append((text, (left, baseline - 10, left + width, baseline + 3)))
    return boxes


def path_points(d):
    """The vertices of an SVG path of M, L, H and V commands."""
    points, x, y = [], 0.0, 0.0
    for command, numbers in re.findall(r"([MLHV])([^MLHV]*)", d):
        values = [float(v) for v in numbers.split()]
        if command in "ML":
            x, y = values[0], values[1]
        elif command == "H":
            x = values[0]
        else:
            y = values[0]
        points.append((x, y))
    return points


def check_labels_clear(name, svg):
    """No two labels overlap, and no plotted point lies under a label."""
    where = f"{name}: chart {svg.get('aria-label', '?')!r}"
    boxes = label_boxes(svg)
    for i, (a, (l1, t1, r1, b1)) in enumerate(boxes):
        for b, (l2, t2, r2, b2) in boxes[i + 1:]:
            check(r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, f"{where}: labels {a!r} and {b!r} overlap")
    points = [p for path in svg.iter(SVG + "path") if "series" in classes(path) for p in path_points(path.get("d"))]
    points += [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(SVG + "circle")]
    for text, (left, top, right, bottom) in boxes:
        inside = [p for p in points if left <= p[0] <= right and top <= p[1] <= bottom]
        check(not inside, f"{where}: label {text!r} lies on the plotted point {inside[:1]}")


def check_series_distinct(name, svg):
    """Series drawn with the same path differ in dash pattern: the one drawn
    last would hide the other whatever its colour."""
    seen = {}
    for path in svg.iter(SVG + "path"):
        if "series" not in classes(path):
            continue
        look = path.get("stroke-dasharray")
        check(look not in seen.get(path.get("d"), []),
              f"{name}: chart {svg.get('aria-label', '?')!r}: two series with the same line and look {look}")
        seen.setdefault(path.get("d"), []).append(look)


def charts(name, root):
    """The svg charts in document order, each checked, with their explanation
    lines: in the body, and in its <details> (a run's sweep points)."""
    body = next(e for e in root if local(e.tag) == "body")
    found = []

    def walk(parent):
        children = list(parent)
        for i, element in enumerate(children):
            if element.tag == SVG + "svg":
                check_chart(name, element, children[i + 1] if i + 1 < len(children) else None)
                check_labels_clear(name, element)
                check_series_distinct(name, element)
                found.append(element)
            elif local(element.tag) == "svg":
                failures.append(f"{name}: an svg outside the SVG namespace")
            elif local(element.tag) == "details":
                check(local(element[0].tag) == "summary" and text_of(element[0]).strip(),
                      f"{name}: a <details> without a <summary> first")
                walk(element)

    walk(body)
    return found


def check_document(path):
    raw, root = parse(path)
    if root is None:
        return None, []
    name = path.name
    check_no_script_or_links(name, raw, root)
    check(any(local(e.tag) == "title" and text_of(e).strip() for e in root.iter()), f"{name}: no <title>")
    check(any(local(e.tag) == "h1" for e in root.iter()), f"{name}: no <h1>")
    check('charset="utf-8"' in raw, f"{name}: no UTF-8 charset")
    check_money_columns(name, root)
    return root, charts(name, root)


# ------------------------------------------------------------ the samples

def table(root, class_name):
    """(headers, rows) of the first table with that class."""
    for element in root.iter():
        if local(element.tag) == "table" and class_name in classes(element):
            headers = [text_of(c) for c in element.iter() if local(c.tag) == "th"]
            rows = [[text_of(c) for c in tr if local(c.tag) == "td"]
                    for tr in element.iter() if local(tr.tag) == "tr"]
            return headers, [r for r in rows if r]
    failures.append(f"no table of class {class_name}")
    return [], []


def tables(root, class_name):
    return [t for t in root.iter() if local(t.tag) == "table" and class_name in classes(t)]


def svg_texts(svg):
    """Every text, title and tooltip in the chart."""
    return [text_of(e) for e in svg.iter() if local(e.tag) in ("text", "title")]


def contains(svg, part):
    return any(part in text for text in svg_texts(svg))


def column(headers, rows, header):
    index = headers.index(header)
    return [row[index] for row in rows]


# Money columns (headers as the tables print them) of each table class: every
# amount in one of them carries the same number of decimals.
MONEY_COLUMNS = {
    "cost": ["with cache", "without cache", "ideal cache", "savings"],
    "points": ["cost (USD)", "savings (USD)"],
    "run-cost": ["mean", "95% CI of the mean", "sd", "p5", "p50", "p95", "p99"],
    "run-tasks": ["vs first (USD)", "95% CI"],
    "run-sweep": ["mean", "95% CI of the mean"],
    "reconcile": ["USD obs", "USD sim"],
}
AMOUNT = re.compile(r"[<>]?-?\$?(\d+)(?:\.(\d+))?")


def decimals(amount):
    """Decimals of "3.25", "-$0.0500", "<0.0001"; None for "-" or "n/a"."""
    match = AMOUNT.fullmatch(amount.strip())
    return len(match.group(2) or "") if match else None


def amounts(cell):
    """The amounts of a cell: one, or the two bounds of "[low, high]"."""
    return [a for a in cell.strip("[]").split(", ") if decimals(a) is not None]


def check_money_columns(name, root):
    for class_name, money in MONEY_COLUMNS.items():
        for element in tables(root, class_name):
            headers = [text_of(c) for c in element.iter() if local(c.tag) == "th"]
            rows = [[text_of(c) for c in tr if local(c.tag) == "td"] for tr in element.iter() if local(tr.tag) == "tr"]
            for header in (h for h in money if h in headers):
                found = {decimals(a) for row in rows if row for a in amounts(row[headers.index(header)])}
                check(len(found) <= 1, f"{name}: table {class_name}, column {header!r}: decimals {sorted(found)}")
    for text in (text_of(e) for e in root.iter() if local(e.tag) == "text"):
        if "\u00b1" in text:
            mean, half = (decimals(part) for part in text.split(" \u00b1 "))
            check(mean is not None and mean == half, f"{name}: {text!r}: the \u00b1 half-width not at its mean's precision")


def check_sweep_ttl(root, svgs):
    if not check(len(svgs) == 2, f"sweep_ttl.html: {len(svgs)} charts, expected 2 (ratio, cost)"):
        return
    ratio, cost = svgs
    headers, rows = table(root, "points")
    for label, value in zip(column(headers, rows, "idle TTL"), column(headers, rows, "cached ratio")):
        if label != "ideal":
            check(contains(ratio, f", {value}"), f"sweep_ttl.html: point {label} ({value}) not plotted")
    check(rows and rows[-1][0] == "ideal" and column(headers, rows, "cached ratio")[-1] == "78.50%",
          "sweep_ttl.html: the ideal row is not last or not 78.50%")
    check(contains(ratio, "ideal cache: 78.50%"), "sweep_ttl.html: no ideal ceiling at 78.50%")
    for marker in ("OpenAI / Anthropic 5m", "OpenAI GPT-5.6", "Anthropic 1h", "DeepSeek (assumed)", "OpenAI 24h"):
        check(contains(ratio, marker) and contains(cost, marker), f"sweep_ttl.html: no marker {marker!r}")
    ticks = {text_of(t) for t in ratio.iter(SVG + "text") if "tick" in classes(t)}
    for tick in ("1 min", "5 min", "1 h", "24 h", "0%", "100%"):
        check(tick in ticks, f"sweep_ttl.html: no tick {tick!r} (ticks: {sorted(ticks)})")
    for label, value in zip(column(headers, rows, "idle TTL")[:-1], column(headers, rows, "cost (USD)")[:-1]):
        check(contains(cost, f", ${value}"), f"sweep_ttl.html: cost {value} of {label} not plotted")
    check(contains(cost, "without a cache: $150.00"), "sweep_ttl.html: no without-cache line at $150.00")


def check_sweep_capacity(root, svgs):
    if not check(len(svgs) == 1, f"sweep_capacity.html: {len(svgs)} charts, expected 1"):
        return
    headers, rows = table(root, "points")
    check("cost (USD)" not in headers, "sweep_capacity.html: an unpriced sweep shows costs")
    for value in column(headers, rows, "cached ratio")[:-1]:
        check(contains(svgs[0], f", {value}"), f"sweep_capacity.html: {value} not plotted")
    check(contains(svgs[0], "ideal cache: 62.00%"), "sweep_capacity.html: no ideal ceiling at 62.00%")
    check(not contains(svgs[0], "Anthropic 1h"), "sweep_capacity.html: TTL markers on a capacity curve")
    ticks = {text_of(t) for t in svgs[0].iter(SVG + "text") if "tick" in classes(t)}
    check("1M" in ticks and "100k" in ticks, f"sweep_capacity.html: ticks {sorted(ticks)}")


def check_replay(root, svgs):
    if not check(len(svgs) == 4, f"replay.html: {len(svgs)} charts, expected 4"):
        return
    timeline, by_model, cost, parts = svgs
    headers, rows = table(root, "usage")
    ratios = dict(zip(column(headers, rows, ""), column(headers, rows, "cached ratio")))
    check(contains(timeline, f"whole trace: {ratios['total']}"), "replay.html: timeline without the overall ratio")
    check("hours" in " ".join(svg_texts(timeline)), "replay.html: timeline x axis not in hours")
    for model, value in ratios.items():
        if model != "total":
            check(contains(by_model, value) and contains(by_model, model),
                  f"replay.html: {model} at {value} not in the by-model chart")
    headers, rows = table(root, "cost")
    for model, with_cache, without in zip(column(headers, rows, ""), column(headers, rows, "with cache"),
                                          column(headers, rows, "without cache")):
        if model != "total":
            check(contains(cost, f"${with_cache}") and contains(cost, f"${without}"),
                  f"replay.html: {model}'s cost {with_cache} / {without} not plotted")
            check(contains(parts, f"${with_cache}"), f"replay.html: {model}'s total not on its stacked bar")
    for part in ("input (uncached)", "cache_read", "cache_write (5 min)", "cache_write_1h", "output"):
        check(contains(parts, part), f"replay.html: no part {part!r} in the stacked chart")
    text = text_of(root)
    check("traces/day-1 & <night>.jsonl" in text, "replay.html: the escaped path does not read back")
    check("2026-01-01T00:00:00Z" in text and "@pydantic/genai-prices" in text,
          "replay.html: no price time or catalog")


def check_replay_reconciled(root, svgs):
    """The replay sample with a reconciliation: the replay's own four charts, then the totals
    chart plotting the table's total row; the worst list with its places."""
    if not check(len(svgs) == 5, f"replay_reconciled.html: {len(svgs)} charts, expected 5"):
        return
    chart = svgs[4]
    headers, rows = table(root, "reconcile")
    total = dict(zip(headers, rows[0]))
    check(rows[0][0] == "total" and len(rows) == 4, f"replay_reconciled.html: rows {[r[0] for r in rows]}")
    bars = [e for e in chart.iter() if local(e.tag) == "title"]
    for header in ("read obs", "read sim", "write obs", "write sim"):
        check(any(text_of(b).endswith(": " + total[header]) for b in bars),
              f"replay_reconciled.html: {header} {total[header]} not plotted")
    check(contains(chart, "observed") and contains(chart, "simulated"), "replay_reconciled.html: no legend")
    headers, rows = table(root, "reconcile-worst")
    check([r[0] for r in rows] == ["traces/day-1 & <night>.jsonl:12 (claude-sonnet-4-5)",
                                       "traces/day-2.jsonl:7 (gpt-5-mini)"],
          f"replay_reconciled.html: worst list {[r[0] for r in rows]}")
    text = text_of(root)
    check("of 17" not in text and "the 17 without it are left out" in text,
          "replay_reconciled.html: the requests without observed usage are not said")


def check_replay_unpriced(root, svgs):
    check(len(svgs) == 1, f"replay_unpriced.html: {len(svgs)} charts, expected 1 (no timeline, no cost)")
    check("Cost (USD)" not in text_of(root), "replay_unpriced.html: shows a cost")


def check_sweep_summary(root, svgs, name, points):
    """A sweep's summary comes first: one chart whose dots are each point's
    means (data-x the swept value, data-y the mean of the point's table),
    and a table with a row per point and strategy."""
    summary, details = svgs[0], [e for e in root.iter() if local(e.tag) == "details"]
    body = next(e for e in root if local(e.tag) == "body")
    order = [local(e.tag) for e in body if local(e.tag) in ("svg", "details")]
    check(order[0] == "svg" and order[1:] == ["details"] * points,
          f"{name}: not the summary chart first, then {points} folded points: {order}")
    check(len(details) == points, f"{name}: {len(details)} <details>, expected {points}")
    dots = [c for c in summary.iter(SVG + "circle")]
    sweep_rows = table(root, "run-sweep")[1]
    strategies = len(tables(root, "run-cost")[0].findall(".//{*}tbody/{*}tr")) if tables(root, "run-cost") else 0
    check(len(sweep_rows) == points * strategies, f"{name}: {len(sweep_rows)} summary rows")
    check(len(dots) == points * strategies, f"{name}: {len(dots)} dots on the summary chart")
    for p, element in enumerate(tables(root, "run-cost")):
        swept = details[p].find("{*}summary").text.rsplit("=", 1)[1]
        headers = [text_of(c) for c in element.iter() if local(c.tag) == "th"]
        rows = [[text_of(c) for c in tr if local(c.tag) == "td"] for tr in element.iter() if local(tr.tag) == "tr"]
        for row in (r for r in rows if r):
            strategy, mean = row[0], float(row[headers.index("mean")])
            mine = [c for c in dots if c.get("data-x") == swept and text_of(c).startswith(strategy + ":")]
            check(len(mine) == 1 and abs(float(mine[0].get("data-y")) - mean) <= 1e-4 * abs(mean) + 5e-5,
                  f"{name}: {strategy} at {swept}: no dot at its mean {mean}")


def check_run(root, svgs, name, points, partial):
    charts_expected = 2 * points + (1 if points > 1 else 0)
    if not check(len(svgs) == charts_expected, f"{name}: {len(svgs)} charts, expected {charts_expected}"):
        return
    if points > 1:
        check_sweep_summary(root, svgs, name, points)
        svgs = svgs[1:]
    cost_tables = tables(root, "run-cost")
    check(len(cost_tables) == points, f"{name}: {len(cost_tables)} cost tables")
    for p, element in enumerate(cost_tables):
        cdf, means = svgs[2 * p], svgs[2 * p + 1]
        headers = [text_of(c) for c in element.iter() if local(c.tag) == "th"]
        rows = [[text_of(c) for c in tr if local(c.tag) == "td"] for tr in element.iter() if local(tr.tag) == "tr"]
        for row in (r for r in rows if r):
            strategy, mean = row[0], row[headers.index("mean")]
            check(contains(means, f"${mean} \u00b1"), f"{name}: {strategy}'s mean {mean} not on its bar")
            check(contains(cdf, strategy), f"{name}: no CDF line for {strategy}")
    first = [[text_of(c) for c in tr if local(c.tag) == "td"] for tr in cost_tables[0].iter() if local(tr.tag) == "tr"]
    check(["mini-only", "40", "0.0500"] == [c for c in first if c][0][:3], f"{name}: mini-only's mean is not 0.0500")
    check(contains(svgs[1], "$0.0500 \u00b1"), f"{name}: mini-only's bar is not at $0.0500")
    banners = [e for e in root.iter() if "partial" in classes(e)]
    check(bool(banners) == partial and (not partial or "PARTIAL" in text_of(banners[0])),
          f"{name}: PARTIAL banner {'missing' if partial else 'shown'}")


def check_run_twins(root, svgs):
    check_run(root, svgs, "run_twins.html", 1, False)
    if not svgs:
        return
    paths = [p for p in svgs[0].iter(SVG + "path") if "series" in classes(p)]
    check(len(paths) == 3 and paths[0].get("d") == paths[1].get("d"),
          "run_twins.html: the two equal strategies do not draw the same CDF")
    labels = [t for t, _ in label_boxes(svgs[0])]
    check(labels.count("mini-only") == 1 and labels.count("mini-only, again") == 1,
          f"run_twins.html: end labels {labels}")


def check_edge_replay(root, svgs):
    text = text_of(root)
    check(len(svgs) == 0, f"edge_replay.html: {len(svgs)} charts of nothing")
    check("bad \ufffd\ufffd name <x> & \ufffd.jsonl" in text, "edge_replay.html: bad bytes not replaced by U+FFFD")


def check_edge_run(root, svgs):
    check(len(svgs) == 2, f"edge_run.html: {len(svgs)} charts, expected 2")
    check("<b>&amp; \ufffd" in text_of(root), "edge_run.html: the strategy name does not read back")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    directory = pathlib.Path(sys.argv[1])
    documents = {}
    for path in sorted(directory.glob("*.html")):
        root, svgs = check_document(path)
        if root is not None:
            documents[path.name] = (root, svgs)
    expected = ["edge_replay.html", "edge_run.html", "edge_sweep.html", "replay.html", "replay_reconciled.html",
                "replay_unpriced.html", "run.html", "run_partial.html", "run_twins.html", "sweep_capacity.html",
                "sweep_ttl.html"]
    check(sorted(documents) == expected, f"documents {sorted(documents)}, expected {expected}")
    specific = {
        "sweep_ttl.html": check_sweep_ttl,
        "sweep_capacity.html": check_sweep_capacity,
        "replay.html": check_replay,
        "replay_reconciled.html": check_replay_reconciled,
        "replay_unpriced.html": check_replay_unpriced,
        "run.html": lambda root, svgs: check_run(root, svgs, "run.html", 2, False),
        "run_partial.html": lambda root, svgs: check_run(root, svgs, "run_partial.html", 1, True),
        "run_twins.html": check_run_twins,
        "edge_replay.html": check_edge_replay,
        "edge_sweep.html": lambda root, svgs: check(len(svgs) == 1, "edge_sweep.html: no chart of one point"),
        "edge_run.html": check_edge_run,
    }
    for name, (root, svgs) in documents.items():
        specific[name](root, svgs)
    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(documents)} documents checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
