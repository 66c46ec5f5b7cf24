"""The targets, and the results as JSON and as a Markdown table with a ✓/✗ per target.

The targets are stated at a million partnerships (PostgreSQL, in process, median); each is
judged at the largest size of the run, and growth from the smallest size to the largest.
A quick run (smaller sizes) shows the same table: its ✓/✗ say only how that run went.
"""

import json
import re
from datetime import datetime
from pathlib import Path

from bench.databases import size_label

RESULTS = Path(__file__).resolve().parent / "results"

#: Per probe group: median ms at the largest size, growth (largest ÷ smallest), page size KB.
TARGETS: dict[str, dict[str, float]] = {
    "stats": {"max_ms": 50, "max_growth": 2},
    "dashboard": {"max_ms": 250, "max_growth": 2},
    "api": {"max_ms": 60, "max_growth": 2},
    "html-list": {"max_ms": 60, "max_growth": 2, "max_kb": 150},
    "html-page": {"max_kb": 150},
    "front": {},
}
#: The API's first page: at most this many times the raw-SQL floor, at least this many times
#: faster than the naive viewset.
FIRST_PAGE = {"max_floor_ratio": 3, "min_naive_speedup": 5}
#: The CSV export of every row: peak resident-set growth below this many MB.
EXPORT_MAX_GROWTH_MB = 100

OK, FAIL = "✓", "✗"


def target_text(target: dict) -> str:
    parts = []
    if "max_ms" in target:
        parts.append(f"≤ {target['max_ms']:g} ms")
    if "max_growth" in target:
        parts.append(f"growth ≤ {target['max_growth']:g}×")
    if "max_kb" in target:
        parts.append(f"< {target['max_kb']:g} KB")
    return ", ".join(parts) or "—"


def _growth(small: dict | None, large: dict | None) -> float | None:
    if not small or not large or not small["median_ms"]:
        return None
    return round(large["median_ms"] / small["median_ms"], 2)


def judge_request(by_size: dict[str, dict], labels: list[str], target: dict) -> dict:
    """The verdicts of one request (measurements by size label, smallest first)."""
    small, large = by_size.get(labels[0]), by_size.get(labels[-1])
    growth = _growth(small, large) if len(labels) > 1 else None
    failed = []
    if any(m["problems"] for m in by_size.values()):
        failed.append("answer")
    if large and "max_ms" in target and large["median_ms"] > target["max_ms"]:
        failed.append("time")
    if growth is not None and "max_growth" in target and growth > target["max_growth"]:
        failed.append("growth")
    if large and "max_kb" in target and not large["kb"] < target["max_kb"]:
        failed.append("size")
    return {"growth": growth, "failed": failed, "ok": not failed}


def evaluate(run: dict) -> dict:
    """Rows of the table (one per request) and the other verdicts, from the run's results."""
    labels = [size_label(size) for size in run["sizes"]]
    measured = {label: run["inprocess"][label] for label in labels if label in run["inprocess"]}
    labels = [label for label in labels if label in measured]
    rows = []
    names: list[str] = []
    for label in labels:
        for request in measured[label]["requests"]:
            if request["name"] not in names:
                names.append(request["name"])
    for name in names:
        by_size = {
            label: request
            for label in labels
            for request in measured[label]["requests"]
            if request["name"] == name
        }
        any_request = next(iter(by_size.values()))
        target = TARGETS.get(any_request["group"], {})
        rows.append(
            {
                "name": name,
                "group": any_request["group"],
                "url": any_request["url"],
                "client": any_request["client"],
                "html": any_request["html"],
                "target": target,
                "by_size": by_size,
                **judge_request(by_size, labels, target),
            }
        )
    first_page = {}
    if labels:
        comparison = measured[labels[-1]]["first_page"]
        failed = []
        if comparison["floor_ratio"] > FIRST_PAGE["max_floor_ratio"]:
            failed.append("floor ratio")
        if comparison["naive_speedup"] < FIRST_PAGE["min_naive_speedup"]:
            failed.append("naive speedup")
        if comparison["floor"]["problems"] or comparison["naive"]["problems"]:
            failed.append("answer")
        first_page = {"size": labels[-1], "failed": failed, "ok": not failed}
    export = run.get("export")
    export_verdict = None
    if export:
        growth = export.get("peak_growth_mb")
        failed = []
        if not export.get("completed"):
            failed.append("did not complete")
        if growth is None or growth >= EXPORT_MAX_GROWTH_MB:
            failed.append("memory")
        if export.get("completed") and export.get("rows") != export.get("expected_rows"):
            failed.append("rows")
        export_verdict = {"failed": failed, "ok": not failed}
    passed = sum(row["ok"] for row in rows) + bool(first_page.get("ok"))
    passed += bool(export_verdict and export_verdict["ok"])
    total = len(rows) + bool(first_page) + bool(export_verdict)
    return {
        "labels": labels,
        "rows": rows,
        "first_page": first_page,
        "export": export_verdict,
        "passed": passed,
        "total": total,
    }


# --- Markdown ---------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _mark(ok: bool, failed: list[str]) -> str:
    return OK if ok else f"{FAIL} {', '.join(failed)}"


def markdown(run: dict, verdicts: dict) -> str:
    from bench.machine import summary

    labels = verdicts["labels"]
    largest = labels[-1] if labels else "—"
    lines = [
        f"# Benchmark {run['started_at']}",
        "",
        f"Machine: {summary(run['machine'])}"
        + (
            f", at the end {', '.join(map(str, run['load_average_at_end']))}."
            if run.get("load_average_at_end")
            else "."
        ),
        "",
        f"Sizes: {', '.join(f'{s:,}' for s in run['sizes'])} partnerships "
        f"({'; '.join(_database_text(d) for d in run['databases'].values())}). In process "
        f"(Django's test client, `bench.settings`: production's settings over HTTP), median of "
        f"{run['timing']['repeat']} after {run['timing']['warmup']} warm-up (requests slower "
        f"than {run['timing']['slow_after_s']:g} s: {run['timing']['slow_repeat']}); queries "
        f"counted on one more run. Targets are stated at 1M and judged at the largest size "
        f"here ({largest}); growth is {largest} ÷ {labels[0] if labels else '—'}.",
        "",
        f"**{verdicts['passed']} of {verdicts['total']} targets met.**",
        "",
    ]
    head = [
        "request",
        *(f"{label} ms" for label in labels),
        "growth",
        *(f"{label} queries" for label in labels),
        f"KB ({largest})",
        "target",
        "",
    ]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in verdicts["rows"]:
        by_size = row["by_size"]
        notes = [
            f"{label}: {'; '.join(by_size[label]['problems'])}"
            for label in labels
            if label in by_size and by_size[label]["problems"]
        ]
        repeat = run["timing"]["repeat"]
        samples = [m["samples"] for m in by_size.values() if m["samples"] != repeat]
        url = re.sub(r"cursor=[^&]*", "cursor=…", row["url"])
        name = f"{row['name']} `{url}`"
        cells = [
            name,
            *(_ms(by_size[label]["median_ms"]) if label in by_size else "—" for label in labels),
            f"{row['growth']:.2f}×" if row["growth"] is not None else "—",
            *(str(by_size[label]["queries"]) if label in by_size else "—" for label in labels),
            f"{by_size[largest]['kb']:.0f}" if row["html"] and largest in by_size else "",
            target_text(row["target"]),
            _mark(row["ok"], row["failed"])
            + (f" ({'; '.join(notes)})" if notes else "")
            + (f" (n={min(samples)})" if samples else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## The API's first page beside a raw-SQL floor and a naive viewset", ""]
    head = [
        "size",
        "API ms",
        "floor ms",
        "API ÷ floor",
        "naive ms",
        "naive ÷ API",
        "queries (API / floor / naive)",
        "same answer",
    ]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label in labels:
        c = run["inprocess"][label]["first_page"]
        problems = c["floor"]["problems"] + c["naive"]["problems"]
        cells = [
            label,
            _ms(c["api"]["median_ms"]),
            _ms(c["floor"]["median_ms"]),
            f"{c['floor_ratio']:.2f}×",
            _ms(c["naive"]["median_ms"]),
            f"{c['naive_speedup']:.2f}×",
            f"{c['api']['queries']} / {c['floor']['queries']} / {c['naive']['queries']}",
            "; ".join(problems[:3]) or "yes",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if verdicts["first_page"]:
        fp = verdicts["first_page"]
        lines += [
            "",
            f"Target at {fp['size']}: ≤ {FIRST_PAGE['max_floor_ratio']}× the floor and ≥ "
            f"{FIRST_PAGE['min_naive_speedup']}× faster than the naive viewset: "
            f"{_mark(fp['ok'], fp['failed'])}",
        ]
    lines += _export_section(run, verdicts)
    lines += _throughput_section(run)
    return "\n".join(lines) + "\n"


def _database_text(database: dict) -> str:
    how = "reused" if database["reused"] else f"seeded in {database['seed_seconds']:.0f} s"
    return f"{database['database']}: {database['partnerships']:,} partnerships, {how}"


def _export_section(run: dict, verdicts: dict) -> list[str]:
    export = run.get("export")
    if not export:
        return []
    size = f"{run['export_size']:,}"
    lines = ["", f"## CSV export of the partnership list at {size} partnerships (analyst)", ""]
    if export.get("skipped"):
        return [*lines, f"Skipped: {export['skipped']}."]
    target = f"target: growth < {EXPORT_MAX_GROWTH_MB} MB"
    mark = _mark(verdicts["export"]["ok"], verdicts["export"]["failed"])
    if export.get("completed"):
        lines.append(
            f"Peak memory growth **{export['peak_growth_mb']:,.1f} MB** ({target}) {mark}: "
            f"HTTP {export['status']}, "
            f"{'written by a background job, then ' if export.get('background') else ''}"
            f"{'streamed' if export['streaming'] else 'not streamed'}, "
            f"{export['rows']:,} rows of {export['expected_rows']:,} visible, "
            f"{export['mb']:,.1f} MB in {export['seconds']:,.1f} s."
        )
    else:
        growth = export.get("peak_growth_mb")
        lines.append(
            f"Did not complete: {export['reason']}; peak memory growth so far "
            f"**≥ {growth if growth is not None else '?'} MB** ({target}) {mark}."
        )
    return lines


def _throughput_section(run: dict) -> list[str]:
    throughput = run.get("throughput")
    if not throughput:
        return []
    size = f"{run['throughput_size']:,}"
    lines = ["", f"## Throughput at {size} partnerships", ""]
    if throughput.get("skipped"):
        return [*lines, f"Skipped: {throughput['skipped']}."]
    lines += [
        f"gunicorn, {throughput['workers']} workers (`bench.settings`, DEBUG off); "
        f"`wrk -t{throughput['threads']} -c{throughput['connections']} "
        f"-d{throughput['duration']}` after a warm-up. No targets.",
        "",
        "| URL | HTTP | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for r in throughput["results"]:
        errors = r.get("non_2xx_3xx", 0) + sum(r.get("socket_errors", {}).values())
        lines.append(
            f"| `{r['path']}` | {r['status']} | {r['requests_per_s'] or 0:,.1f} | "
            f"{_ms(r['latency_ms'].get('p50'))} | {_ms(r['latency_ms'].get('p99'))} | {errors} |"
        )
    return lines


# --- console ----------------------------------------------------------------------------------


def console(verdicts: dict) -> str:
    labels = verdicts["labels"]
    lines = [
        f"{'request':<52}"
        + "".join(f"{label + ' ms':>11}" for label in labels)
        + f"{'growth':>8}{'queries':>9}{'KB':>7}  target"
    ]
    for row in verdicts["rows"]:
        by_size = row["by_size"]
        largest = by_size.get(labels[-1])
        growth = f"{row['growth']:.2f}×" if row["growth"] is not None else "—"
        kb = f"{largest['kb']:.0f}" if row["html"] and largest else ""
        lines.append(
            f"{row['name'][:52]:<52}"
            + "".join(
                f"{_ms(by_size[label]['median_ms']) if label in by_size else '—':>11}"
                for label in labels
            )
            + f"{growth:>8}{largest['queries'] if largest else '—':>9}{kb:>7}  "
            + f"{target_text(row['target'])} {_mark(row['ok'], row['failed'])}"
        )
    lines.append(f"{verdicts['passed']} of {verdicts['total']} targets met.")
    return "\n".join(lines)


def write(run: dict, verdicts: dict, directory: Path = RESULTS) -> Path:
    """``<timestamp>.json``, ``latest.json`` and ``latest.md`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps({**run, "verdicts": verdicts}, indent=2, ensure_ascii=False)
    stamp = datetime.fromisoformat(run["started_at"]).strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stamp}.json"
    path.write_text(data)
    (directory / "latest.json").write_text(data)
    (directory / "latest.md").write_text(markdown(run, verdicts))
    return path
