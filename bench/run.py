"""Benchmarks: seeding at scale and the cost of the main reads.

Measures wall-clock time, so run it on a quiet machine and compare runs on the same one:

    make bench                                   # SQLite file bench/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench make bench
    BENCH_PARTNERSHIPS=100000 make bench         # the size the seed must handle in about a minute

The database named by DATABASE_URL is emptied (flushed) first. Results are printed and
written to bench/results/<backend>-<n>.json.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

N = int(os.environ.get("BENCH_PARTNERSHIPS", "20000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))

READS = {
    "api list, first page": "/api/v1/partnerships/",
    "api list, field+county filter": "/api/v1/partnerships/?field=culture&country=NO",
    "api list, text search": "/api/v1/partnerships/?q=leksehjelp",
    "stats fields (NO, 5 years)": "/api/v1/stats/fields/?country=NO&years=5",
    "stats co-creation": "/api/v1/stats/co-creation/?country=NO",
    "stats trend": "/api/v1/stats/trend/?country=NO",
    "front page": "/",
}


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    results: dict[str, float] = {}
    results["load_reference_data s"] = timed(lambda: call_command("load_reference_data",
                                                                  verbosity=0))  # fmt: skip
    results[f"seed_demo {N:,} partnerships s"] = timed(
        lambda: call_command("seed_demo", partnerships=N, verbosity=0)
    )
    client = Client()
    for name, url in READS.items():
        response = client.get(url)
        if response.status_code != 200:
            results[f"{name} (HTTP {response.status_code})"] = float("nan")
            continue
        samples = [timed(lambda url=url: client.get(url)) for _ in range(REPEAT)]
        results[f"{name} ms (median of {REPEAT})"] = 1000 * statistics.median(samples)
    width = max(map(len, results))
    print(f"backend: {connection.vendor}, partnerships: {N:,}")
    for name, value in results.items():
        print(f"  {name:<{width}}  {value:10.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{connection.vendor}-{N}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
