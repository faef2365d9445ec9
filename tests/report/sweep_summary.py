#!/usr/bin/env python3
"""The sweep summary of `pcsim run` (issue #17) against closed forms.

tests/report/scenarios/sweep_closed.json has no cache, no failures and
constant tokens, with the hand-written test catalog (tests/data/prices/
catalog.json): every task is 2 steps of (s input + 200 output) tokens, so
at step input s each trial's cost per completed task is exactly

    mini (acme-small, $0.15 / $0.60 per million): 2 (0.15 s + 0.60 x 200) / 1e6
    full (acme-large, $5 / $15 per million):       2 (5 s + 15 x 200) / 1e6

(halved at the batch tier), with a zero-width CI, every task completed and
nothing cached. Checked, for variants of that sweep:

1. the text summary comes before the points, a row per point (in the order
   written) and strategy: the swept value, n, the mean and CI at the
   printed precision, completed 100%, cached 0%;
2. the HTML summary chart comes before the points (each in a <details>),
   its dots sit at (swept value, closed form) by their data attributes,
   each strategy's line runs in x order, and a log axis puts 100, 1000 and
   10000 equally far apart while a linear one puts 100, 200 and 400 at
   distances 1 : 2;
3. two swept paths: a column per path, a line per strategy and value of
   the other path, batch at half the price;
4. strings (tiers) as categories, named on the axis;
5. a one-point sweep has no summary; JSON and CSV carry no summary;
6. sweep points share draws: with random traffic, a strategy the sweep
   does not touch gets byte-identical figures at every point;
7. the chart's note says the points share draws, unless the seed is swept;

and every page passes check_html.py's checks of every HTML report.

Usage: sweep_summary.py PCSIM SOURCE_DIR. Prints one line per check and
`N passed, M failed`; exits 1 on any failure.
"""
import copy
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PCSIM, SOURCE = sys.argv[1], sys.argv[2]
CATALOG = os.path.join(SOURCE, "tests/data/prices/catalog.json")
BASE = json.load(open(os.path.join(SOURCE, "tests/report/scenarios/sweep_closed.json"), encoding="utf-8"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_html  # noqa: E402  (the HTML checks every report passes)

SVG = "{http://www.w3.org/2000/svg}"
INPUT_PATH = "workload.task_types[0].step_input_tokens"
TIER_PATH = "strategies[1].tier"
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}: {detail}")
    return ok


def cost(strategy, step_input, tier="standard"):
    """The closed form: USD per completed task."""
    prices = {"mini": (0.15, 0.60), "full": (5.0, 15.0)}[strategy]
    factor = 0.5 if tier in ("batch", "flex") else 1.0
    return factor * 2 * (prices[0] * step_input + prices[1] * 200) / 1e6


def run(scenario, directory, *args):
    path = os.path.join(directory, "scenario.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(scenario, out)
    command = [PCSIM, "run", "--prices", CATALOG, "--price-date", "2026-11-23", "--threads", "2", *args, path]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def with_sweep(sweep):
    scenario = copy.deepcopy(BASE)
    scenario["sweep"] = sweep
    return scenario


def close(printed, expected):
    """printed (a money cell) is expected at the cell's precision."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(float(printed) - expected) <= 0.5 * 10 ** -decimals + 1e-12


def summary_rows(text, paths):
    """The text summary's rows: (values of paths, strategy, n, mean, ci, completed, cached),
    the values carried down from a point's first row."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("sweep summary"))
    header = next(i for i in range(start, len(lines)) if lines[i].split()[:len(paths)] == paths)
    rows, values = [], None
    for line in lines[header + 1:]:
        if not line.strip():
            break
        cells = line.split()
        # the strategy name is one word here; the CI is "[low, high]"
        if line[2] != " ":
            values, cells = cells[:len(paths)], cells[len(paths):]
        strategy, n, mean, low, high, completed, cached = cells
        rows.append((tuple(values), strategy, int(n), mean, low.strip("[,"), high.strip("]"), completed, cached))
    return rows, start


def html_chart(path):
    """The page's root and body, after check_html's checks of every report
    (well-formed, self-contained, charts with units, labels clear)."""
    del check_html.failures[:]
    check_html.check_document(pathlib.Path(path))
    check(f"HTML passes the checks of every report ({len(check_html.failures)} failures)", not check_html.failures,
          check_html.failures)
    raw = open(path, encoding="utf-8").read()
    root = ET.fromstring(raw.partition("\n")[2])
    body = next(e for e in root if e.tag.endswith("body"))
    return root, body, raw


def dots(svg):
    """(series name, x, y, low, high, cx) of each dot of the summary chart."""
    found = []
    for circle in svg.iter(SVG + "circle"):
        name = "".join(circle.itertext()).split(":")[0]
        found.append((name, float(circle.get("data-x")), float(circle.get("data-y")), float(circle.get("data-low")),
                      float(circle.get("data-high")), float(circle.get("cx"))))
    return found


def x_ticks(svg):
    return [t.text for t in svg.iter(SVG + "text") if t.get("class") == "tick" and t.get("text-anchor") == "middle"]


with tempfile.TemporaryDirectory() as work:
    html = os.path.join(work, "run.html")

    # 1-2: one path, written out of order, spanning two decades: a log axis.
    values = [1000, 100, 10000]
    text = run(with_sweep({INPUT_PATH: values}), work, "--html", html)
    rows, start = summary_rows(text, [INPUT_PATH])
    check("1: the summary comes before the first point", start < text.index("\n== "), text[:400])
    expected = [((str(v),), s) for v in values for s in ("mini", "full")]
    check("1: a row per point (in the order written) and strategy", [(r[0], r[1]) for r in rows] == expected,
          [(r[0], r[1]) for r in rows])
    for values_, strategy, n, mean, low, high, completed, cached in rows:
        c = cost(strategy, int(values_[0]))
        check(f"1: {strategy} at {values_[0]}: mean {mean} and CI [{low}, {high}] are {c:.9f}",
              n == 20 and close(mean, c) and close(low, c) and close(high, c), (n, mean, low, high))
        check(f"1: {strategy} at {values_[0]}: completed 100%, cached 0%",
              completed == "100.00%" and cached == "0.00%", (completed, cached))

    root, body, raw = html_chart(html)
    order = [e.tag.split("}")[-1] for e in body if e.tag.split("}")[-1] in ("svg", "details")]
    check("2: HTML: the summary chart, then the points folded", order == ["svg", "details", "details", "details"],
          order)
    summary = next(e for e in body if e.tag == SVG + "svg")
    titles = [t.text for t in summary.iter(SVG + "text") if t.get("class") == "axis-title"]
    check("2: HTML: the x axis is the swept path, on a log scale", f"{INPUT_PATH} (log scale)" in titles, titles)
    found = dots(summary)
    check("2: HTML: a dot per point and strategy", len(found) == 6, found)
    for name, x, y, low, high, _ in found:
        c = cost(name, x)
        check(f"2: HTML: {name}'s dot at {x:g} is the closed form {c:.9f}",
              abs(y - c) <= 1e-9 * c and abs(low - c) <= 1e-9 * c and abs(high - c) <= 1e-9 * c, (y, low, high))
    mini = sorted((x, cx) for name, x, _, _, _, cx in found if name == "mini")
    check("2: HTML: log axis: 100, 1000, 10000 equally apart",
          abs((mini[1][1] - mini[0][1]) - (mini[2][1] - mini[1][1])) <= 0.2 and mini[1][1] > mini[0][1], mini)
    line = next(p for p in summary.iter(SVG + "path") if p.get("class") == "series")
    xs = [float(v) for v in re.findall(r"[ML]([-\d.]+) ", line.get("d"))]
    check("2: HTML: each line runs in x order", xs == sorted(xs) and len(xs) == 3, line.get("d"))
    check("2: HTML: whole numbers in full on the axis", "10000" in x_ticks(summary), x_ticks(summary))
    check("2: HTML: the chart's note says the points share their draws", "common random numbers" in raw, "")

    # 2: less than a decade: a linear axis.
    run(with_sweep({INPUT_PATH: [100, 200, 400]}), work, "--html", html)
    root, body, raw = html_chart(html)
    summary = next(e for e in body if e.tag == SVG + "svg")
    titles = [t.text for t in summary.iter(SVG + "text") if t.get("class") == "axis-title"]
    check("2: HTML: 100..400 on a linear axis", not any("log scale" in t for t in titles), titles)
    mini = sorted((x, cx) for name, x, _, _, _, cx in dots(summary) if name == "mini")
    check("2: HTML: linear axis: 100, 200, 400 at distances 1 : 2",
          abs(2 * (mini[1][1] - mini[0][1]) - (mini[2][1] - mini[1][1])) <= 0.3, mini)

    # 3: two paths: a column each, a line per strategy and tier.
    text = run(with_sweep({INPUT_PATH: [100, 10000], TIER_PATH: ["standard", "batch"]}), work, "--html", html)
    rows, _ = summary_rows(text, [INPUT_PATH, TIER_PATH])
    check("3: two paths: 8 rows, a column per path", len(rows) == 8 and rows[2][0] == ("100", "batch"), rows)
    for values_, strategy, n, mean, low, high, _, _ in rows:
        tier = values_[1] if strategy == "full" else "standard"
        c = cost(strategy, int(values_[0]), tier)
        check(f"3: {strategy} at {values_}: mean {mean} is {c:.9f}", close(mean, c), mean)
    root, body, raw = html_chart(html)
    summary = next(e for e in body if e.tag == SVG + "svg")
    names = sorted({name for name, *_ in dots(summary)})
    check("3: HTML: a line per strategy and value of the other path",
          names == sorted([f"mini, {TIER_PATH}=standard", f"mini, {TIER_PATH}=batch", f"full, {TIER_PATH}=standard",
                           f"full, {TIER_PATH}=batch"]), names)
    for name, x, y, *_ in dots(summary):
        strategy, tier = name.split(", ")[0], name.split("=")[1]
        c = cost(strategy, x, tier if strategy == "full" else "standard")
        check(f"3: HTML: {name} at {x:g} is {c:.9f}", abs(y - c) <= 1e-9 * c, y)

    # 4: strings as categories.
    text = run(with_sweep({TIER_PATH: ["standard", "batch", "flex"]}), work, "--html", html)
    rows, _ = summary_rows(text, [TIER_PATH])
    full = [(r[0][0], r[3]) for r in rows if r[1] == "full"]
    check("4: tiers: full at batch and flex costs half",
          [t for t, _ in full] == ["standard", "batch", "flex"] and all(close(m, cost("full", 1000, t)) for t, m in full),
          full)
    root, body, raw = html_chart(html)
    summary = next(e for e in body if e.tag == SVG + "svg")
    check("4: HTML: the tiers name the x axis's ticks", x_ticks(summary) == ["standard", "batch", "flex"],
          x_ticks(summary))
    full = sorted((x, y) for name, x, y, *_ in dots(summary) if name == "full")
    check("4: HTML: categories at 0, 1, 2 with full's costs",
          [x for x, _ in full] == [0, 1, 2] and abs(full[1][1] - cost("full", 1000, "batch")) <= 1e-12, full)

    # 5: one point, and the machine formats.
    text = run(with_sweep({INPUT_PATH: [1000]}), work)
    check("5: a one-point sweep prints no summary", "sweep summary" not in text, text[:300])
    sweep = with_sweep({INPUT_PATH: [100, 1000]})
    for fmt in ("json", "csv"):
        out = run(sweep, work, "--format", fmt)
        check(f"5: {fmt} carries no summary", "sweep summary" not in out and "Sweep summary" not in out, out[:200])

    # 6: common random numbers across points: random traffic, tokens and
    # failures; the sweep changes only the second strategy's tier, so the
    # first strategy's figures are the same at every point, to the byte.
    scenario = with_sweep({TIER_PATH: ["standard", "batch"]})
    scenario["workload"]["tasks_per_hour"] = {"dist": "lognormal", "median": 30, "sigma": 0.5}
    scenario["workload"]["task_types"][0]["steps"] = {"dist": "geometric", "mean": 3}
    scenario["workload"]["task_types"][0]["step_input_tokens"] = {"dist": "lognormal", "median": 800, "sigma": 0.7}
    scenario["failure"] = {"p": {"mini": 0.2, "full": 0.1}}
    rows, _ = summary_rows(run(scenario, work), [TIER_PATH])
    mini = [r[2:] for r in rows if r[1] == "mini"]
    check("6: sweep points share draws: mini's figures are equal at both points", len(mini) == 2 and mini[0] == mini[1],
          mini)
    check("6: ... and they are random figures (a CI of non-zero width)", mini and mini[0][2] != mini[0][3], mini)

    # 7: a swept seed gives each point its own draws, and the note says so.
    run(with_sweep({"seed": [1, 2]}), work, "--html", html)
    root, body, raw = html_chart(html)
    check("7: a swept seed: the note says the points have their own draws",
          "different seeds" in raw and "common random numbers" not in raw, "")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
