"""Every in-process measurement against one database (Django's test client, no server).

Run by ``bench/run.py`` once per size, in its own process with ``DATABASE_URL`` set::

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://... \\
        python -m bench.inprocess --out result.json

``run()`` is the whole measurement; ``tests/test_bench.py`` calls it on a tiny data set.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ANALYST_USERNAME = "bench-analyst"


def clients() -> dict:
    """An anonymous client and one signed in as an analyst (made in the database if needed)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.probes import ANALYST, ANONYMOUS

    user, _ = get_user_model().objects.get_or_create(
        username=ANALYST_USERNAME,
        defaults={"is_analyst": True, "email": f"{ANALYST_USERNAME}@example.org"},
    )
    analyst = Client()
    analyst.force_login(user)
    return {ANONYMOUS: Client(), ANALYST: analyst}


def _line(result: dict) -> str:
    problems = f"  !! {'; '.join(result['problems'])}" if result["problems"] else ""
    return (
        f"  {result['name']:<52} {result['median_ms']:>9.1f} ms  {result['queries']:>4} q"
        f"  {result['kb']:>8.1f} KB{problems}"
    )


def compare_first_page(client, api: dict, api_response, timing: dict) -> dict:
    """The API's first page beside the raw-SQL floor and the naive viewset."""
    from bench.baselines import NAIVE_URL, floor_differences, floor_page
    from bench.measure import measure_callable, measure_request

    floor, floor_body = measure_callable(floor_page, **timing)
    naive, naive_response = measure_request(client, NAIVE_URL, urlconf="bench.urls", **timing)
    api_results = json.loads(api_response.bench_body)["results"]
    floor_results = json.loads(floor_body)["results"]
    naive_problems = []
    if naive["status"] != 200:
        naive_problems.append(f"HTTP {naive['status']}")
    else:
        naive_ids = [r["id"] for r in json.loads(naive_response.bench_body)["results"]]
        if naive_ids != [r["id"] for r in api_results]:
            naive_problems.append("not the API's partnerships")
    return {
        "api": {key: api[key] for key in ("median_ms", "min_ms", "max_ms", "samples", "queries")},
        "floor": {
            **floor,
            "bytes": len(floor_body),
            "problems": floor_differences(floor_results, api_results),
        },
        "naive": {**naive, "problems": naive_problems},
        "floor_ratio": round(api["median_ms"] / floor["median_ms"], 2),
        "naive_speedup": round(naive["median_ms"] / api["median_ms"], 2),
    }


def run(
    *,
    repeat: int = 10,
    warmup: int = 1,
    slow_after_s: float = 2.0,
    slow_repeat: int = 3,
    search_word: str | None = None,
    say=print,
) -> dict:
    """Measure every probe on the current database; returns the JSON-ready results."""
    from bench import probes as catalogue
    from bench.measure import measure_request
    from partnerships.models import Partnership

    timing = {
        "repeat": repeat,
        "warmup": warmup,
        "slow_after_s": slow_after_s,
        "slow_repeat": slow_repeat,
    }
    by_role = clients()
    world = catalogue.world(search_word or catalogue.DEFAULT_WORD)
    probes = catalogue.catalogue(world)
    title_first = next(p for p in probes if p.name == "api list, ordering=title")
    probes.insert(
        probes.index(title_first) + 1,
        catalogue.next_page_probe(by_role[catalogue.ANONYMOUS], title_first.url),
    )
    results = []
    responses = {}
    for probe in probes:
        measured, response = measure_request(
            by_role[probe.client], probe.url, urlconf=probe.urlconf, **timing
        )
        result = {
            "name": probe.name,
            "group": probe.group,
            "url": probe.url,
            "client": probe.client,
            "html": probe.html,
            **measured,
            "problems": probe.problems(response),
        }
        results.append(result)
        responses[probe.name] = (result, response)
        say(_line(result))
    api, api_response = responses["api list, first page"]
    comparison = compare_first_page(by_role[catalogue.ANONYMOUS], api, api_response, timing)
    say(
        f"  first API page: {comparison['floor_ratio']}× the raw-SQL floor "
        f"({comparison['floor']['median_ms']} ms), {comparison['naive_speedup']}× faster than "
        f"the naive viewset ({comparison['naive']['median_ms']} ms)"
    )
    for name in ("floor", "naive"):
        if comparison[name]["problems"]:
            say(f"  !! {name}: {'; '.join(comparison[name]['problems'][:5])}")
    return {
        "partnerships": Partnership.objects.count(),
        "timing": timing,
        "search_word": world.search_word,
        "requests": results,
        "first_page": comparison,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = run(
        repeat=int(os.environ.get("BENCH_REPEAT", "10")),
        warmup=int(os.environ.get("BENCH_WARMUP", "1")),
        slow_after_s=float(os.environ.get("BENCH_SLOW_AFTER_S", "2")),
        slow_repeat=int(os.environ.get("BENCH_SLOW_REPEAT", "3")),
        search_word=os.environ.get("BENCH_SEARCH_WORD"),
        say=lambda line: print(line, flush=True),
    )
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
