"""Benchmarks of the registry on PostgreSQL at 10,000 and 1,000,000 partnerships (``make bench``).

For each size, a database of its own (``registry_bench_10k``, ``registry_bench_1m``) is seeded
once with ``seed_demo`` and reused by later runs (``bench/databases.py``). Then:

- in process (Django's test client), at every size: the dashboards, every statistics
  endpoint, the API's partnership list (first page, filters, searches, every ordering, the
  second page), the HTML lists with each sort and a deep page, the front page: median ms,
  queries, response size; the API's first page beside a raw-SQL floor and a naive viewset;
- at the largest size: the CSV export's peak memory growth (in a subprocess), and the
  throughput of gunicorn with two workers under ``wrk``.

The results go to ``bench/results/<timestamp>.json``, ``latest.json`` and ``latest.md`` (the
table with the targets, ✓/✗, and the machine). Wall-clock numbers: compare runs made on the
same, quiet machine.

Settings, from the environment:

    BENCH_SIZES=10000,1000000      sizes (quick: BENCH_SIZES=2000,20000 make bench)
    BENCH_DATABASE_URL_BASE=postgres://postgres@127.0.0.1:5432/registry_bench
                                   databases are <base>_10k, <base>_1m, ...
    BENCH_REPEAT=10 BENCH_WARMUP=1 timed runs per request, after warm-up runs
    BENCH_SLOW_AFTER_S=2 BENCH_SLOW_REPEAT=3
                                   a request slower than that (warm-up) is timed fewer times
    BENCH_RESEED=1                 seed again even where a finished seed is there
    BENCH_SEARCH_WORD=leksehjelp   the word of the ?q= search that finds something
    BENCH_EXPORT=0                 skip the CSV export's memory
    BENCH_EXPORT_TIMEOUT=1200 BENCH_EXPORT_MAX_MB=4096
                                   stop the export after that many seconds or MB of growth
    BENCH_WRK=0                    skip the throughput (gunicorn + wrk)
    BENCH_WRK_DURATION=10s BENCH_WRK_CONNECTIONS=8
"""

import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import export_memory, report, throughput  # noqa: E402
from bench.databases import database_url as url_for  # noqa: E402
from bench.databases import django_env, ensure_database, manage, size_label  # noqa: E402
from bench.machine import describe  # noqa: E402

#: What ``wrk`` drives: the API list, a statistics endpoint and the national dashboard.
THROUGHPUT_PATHS = {
    "api list, first page": "/api/v1/partnerships/",
    "stats fields (NO, 5 years)": "/api/v1/stats/fields/?country=NO&years=5",
    "dashboard, national (NO)": "/dashboard/",
}


def _sizes() -> list[int]:
    text = os.environ.get("BENCH_SIZES", "10000,1000000")
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] <= 0:
        raise SystemExit("BENCH_SIZES: one or more sizes above zero, e.g. 10000,1000000")
    return sizes


def _enabled(name: str) -> bool:
    return os.environ.get(name, "1").strip().lower() not in ("0", "no", "false", "off")


def measure_in_process(size: int, url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        out = Path(directory) / "result.json"
        subprocess.run(
            [sys.executable, "-m", "bench.inprocess", "--out", str(out)],
            cwd=ROOT,
            env=django_env(url),
            check=True,
        )
        return json.loads(out.read_text())


def main() -> None:
    sizes = _sizes()
    urls = {size: url_for(size) for size in sizes}
    largest = sizes[-1]
    run: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes,
        "machine": describe(urls[largest]),
        "databases": {},
        "inprocess": {},
    }
    print("collecting static files into bench/.staticfiles", flush=True)
    manage(urls[largest], "collectstatic", "--noinput", "-v0")
    for size in sizes:
        label = size_label(size)
        run["databases"][label] = ensure_database(size, urls[size]).as_dict()
        print(f"[{label}] in process", flush=True)
        run["inprocess"][label] = measure_in_process(size, urls[size])
    run["timing"] = run["inprocess"][size_label(largest)]["timing"]

    if _enabled("BENCH_EXPORT"):
        print(f"[{size_label(largest)}] CSV export's peak memory", flush=True)
        run["export_size"] = largest
        run["export"] = export_memory.run(
            django_env(urls[largest]),
            timeout_s=float(os.environ.get("BENCH_EXPORT_TIMEOUT", "1200")),
            max_growth_mb=float(os.environ.get("BENCH_EXPORT_MAX_MB", "4096")),
        )
        print(f"  {run['export']}", flush=True)
    if _enabled("BENCH_WRK"):
        print(f"[{size_label(largest)}] throughput (gunicorn -w 2, wrk)", flush=True)
        run["throughput_size"] = largest
        run["throughput"] = throughput.run(
            django_env(urls[largest]),
            THROUGHPUT_PATHS,
            duration=os.environ.get("BENCH_WRK_DURATION", "10s"),
            connections=int(os.environ.get("BENCH_WRK_CONNECTIONS", "8")),
        )
    run["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    run["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    verdicts = report.evaluate(run)
    print()
    print(report.console(verdicts))
    path = report.write(run, verdicts)
    print(f"\nwritten: {path}, {path.parent / 'latest.json'}, {path.parent / 'latest.md'}")


if __name__ == "__main__":
    main()
