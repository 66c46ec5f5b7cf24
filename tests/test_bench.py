"""The benchmark's harness (bench/) on a tiny data set, so that it cannot rot unnoticed:
every probe still answers, its checks still hold, the raw-SQL floor still gives the API's
answer, the export is still read through, and the report still judges the targets.
(No wrk, no gunicorn, no large seed: ``make bench`` does those.)"""

import json
import sys
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from bench import export_memory, inprocess, probes, report, throughput
from bench.databases import database_url, size_label

TINY = 60


@pytest.fixture
def tiny(db, settings):
    from demo.generator import seed_demo
    from municipalities.services import load_reference_data

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/s"
        ),
    }
    load_reference_data()
    seed_demo(partnerships=TINY)


def test_the_harness_measures_a_tiny_data_set(tiny, tmp_path):
    """One run of every in-process measurement (seeding is the slow part: done once)."""
    from dashboards.api import urls as stats_urls
    from partnerships.api.views import PartnershipViewSet
    from partnerships.models import Partnership

    result = inprocess.run(repeat=1, warmup=0, say=lambda line: None)
    by_name = {r["name"]: r for r in result["requests"]}

    assert result["partnerships"] >= TINY
    for request in result["requests"]:
        assert request["status"] == 200, request
        assert request["problems"] == [], request
        assert request["samples"] == 1
        assert request["median_ms"] > 0
        assert request["queries"] > 0, request["name"]
    # The catalogue follows the code: every stats endpoint, every API ordering both ways,
    # the second page of ?ordering=title, every sortable column of the HTML list.
    stats = [r for r in result["requests"] if r["group"] == "stats"]
    assert len(stats) == len(stats_urls.urlpatterns)
    assert "years=5" in by_name["stats fields"]["url"]
    for name in PartnershipViewSet.ordering_fields:
        assert f"api list, ordering={name}" in by_name
        assert f"api list, ordering=-{name}" in by_name
    assert "cursor=" in by_name["api list, ordering=title, page 2"]["url"]
    assert "partnerships page, sort=-title" in by_name
    assert by_name["partnerships page"]["kb"] > 1
    assert by_name["api list, first page (analyst)"]["client"] == probes.ANALYST

    # The floor is an honest floor: the same partnerships with the same values, one query.
    first_page = result["first_page"]
    assert first_page["floor"]["problems"] == []
    assert first_page["floor"]["queries"] == 1
    assert first_page["naive"]["status"] == 200
    assert first_page["naive"]["problems"] == []
    # The naive viewset asks once per row and relation (and counts): more than the API.
    assert first_page["naive"]["queries"] > first_page["api"]["queries"]
    assert first_page["floor_ratio"] > 0
    assert first_page["naive_speedup"] > 0

    # The export is read to its end, as an analyst: every partnership the analyst sees.
    analyst = inprocess.clients()[probes.ANALYST]
    user = get_user_model().objects.get(username=inprocess.ANALYST_USERNAME)
    export = export_memory.measure_export(analyst)
    assert export["status"] == 200
    assert export["content_type"].startswith("text/csv")
    assert export["rows"] == Partnership.objects.visible_to(user).count()
    assert export["peak_growth_mb"] >= 0
    assert export["baseline_rss_mb"] > 0

    # The report: a row per request, growth between the sizes, every verdict counted.
    run = {
        "started_at": "2025-01-02T03:04:05+00:00",
        "sizes": [TINY, 2 * TINY],
        "machine": {"cpu": "test", "cores": 2, "ram_gb": 1.0, "postgresql": None},
        "databases": {
            size_label(size): {"database": "x", "partnerships": size, "reused": True}
            for size in (TINY, 2 * TINY)
        },
        "inprocess": {size_label(TINY): result, size_label(2 * TINY): result},
        "timing": result["timing"],
        "export_size": 2 * TINY,
        "export": {"completed": False, "reason": "stopped after 1 s", "peak_growth_mb": 500.0},
    }
    run["machine"] |= {"python": "3", "django": "5", "os": "Linux", "load_average": [0, 0, 0]}
    verdicts = report.evaluate(run)
    path = report.write(run, verdicts, directory=tmp_path)

    assert len(verdicts["rows"]) == len(result["requests"])
    assert all(row["growth"] == 1.0 for row in verdicts["rows"])
    assert verdicts["export"]["failed"] == ["did not complete", "memory"]
    assert verdicts["total"] == len(result["requests"]) + 2
    written = json.loads((tmp_path / "latest.json").read_text())
    assert written["verdicts"]["total"] == verdicts["total"]
    assert path.name == "20250102-030405.json"
    table = (tmp_path / "latest.md").read_text()
    for request in result["requests"]:
        assert request["name"] in table
    assert "≥ 500.0 MB" in table


def _answer(results: list[dict], status: int = 200):
    """A response as the probes' checks read it."""
    return SimpleNamespace(status_code=status, bench_body=json.dumps({"results": results}))


def test_the_checks_report_wrong_answers():
    rows = [
        {"id": 2, "title": "B", "description": "", "fields": ["sport"], "municipalities": [9]},
        {"id": 1, "title": "A leksehjelp", "description": "", "fields": [], "municipalities": []},
    ]

    assert probes.some_results(_answer([])) == ["no results"]
    assert probes.no_results(_answer(rows)) == ["2 results, expected none"]
    assert probes.sorted_by("title", True)(_answer(rows)) == []
    assert probes.sorted_by("title", False)(_answer(rows)) == ["not sorted by title"]
    assert probes.all_in_field("sport")(_answer(rows)) == ["not in field sport: [1]"]
    assert probes.all_in_municipalities({9}, "NO")(_answer(rows)) == ["not in NO: [1]"]
    assert probes.all_contain("leksehjelp")(_answer(rows)) == ["without “leksehjelp”: [2]"]
    assert probes.after(rows[1:], "title")(_answer(rows)) == [
        "repeats rows of the first page",
        "not sorted by title",
    ]
    probe = probes.Probe("x", "api", "/x/", checks=[probes.json_body, probes.some_results])
    assert probe.problems(_answer(rows, status=500)) == ["HTTP 500"]
    assert probe.problems(SimpleNamespace(status_code=200, bench_body="<html>"))[0].startswith(
        "json_body: JSONDecodeError"
    )


def test_the_export_watchdog_stops_a_child_that_keeps_growing():
    grow = (
        "import json, time; print(json.dumps({'baseline_kb': 0}), flush=True); "
        "blocks = []\n"
        "while True:\n"
        "    blocks.append(bytearray(20 * 2**20)); time.sleep(0.05)\n"
    )
    child = [sys.executable, "-c", grow]

    result = export_memory.run({}, command=child, max_growth_mb=150, timeout_s=60, poll_s=0.05)

    assert result["completed"] is False
    assert result["reason"] == "stopped at 150 MB of growth"
    assert result["peak_growth_mb"] > 150


def test_the_report_judges_each_target():
    fast = {"median_ms": 10.0, "problems": [], "kb": 20.0}
    slow = {"median_ms": 70.0, "problems": [], "kb": 200.0}
    target = report.TARGETS["html-list"]

    assert report.judge_request({"10k": fast, "1m": fast}, ["10k", "1m"], target)["ok"]
    verdict = report.judge_request({"10k": fast, "1m": slow}, ["10k", "1m"], target)
    assert verdict["growth"] == 7.0
    assert verdict["failed"] == ["time", "growth", "size"]
    broken = {**fast, "problems": ["HTTP 500"]}
    assert report.judge_request({"10k": fast, "1m": broken}, ["10k", "1m"], target)["failed"] == [
        "answer"
    ]


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/api/v1/partnerships/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.53ms    5.10ms  80.20ms   85.00%
    Req/Sec   186.40     20.11   230.00     70.00%
  Latency Distribution
     50%   20.10ms
     75%   23.40ms
     90%   27.00ms
     99%    1.20s
  3716 requests in 10.01s, 198.52MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    371.25
Transfer/sec:     19.83MB
"""


def test_wrk_output_is_read():
    result = throughput.parse_wrk(WRK_OUTPUT)

    assert result["requests_per_s"] == 371.25
    assert result["latency_ms"] == {"p50": 20.1, "p75": 23.4, "p90": 27.0, "p99": 1200.0}
    assert result["requests"] == 3716
    assert result["non_2xx_3xx"] == 3
    assert result["socket_errors"]["timeout"] == 2


def test_each_size_has_its_own_database(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL_BASE", raising=False)
    assert database_url(10_000) == "postgres://postgres@127.0.0.1:5432/registry_bench_10k"
    assert database_url(1_000_000).endswith("/registry_bench_1m")
    monkeypatch.setenv("BENCH_DATABASE_URL_BASE", "postgres://u@db:5433/perf")
    assert database_url(2_500) == "postgres://u@db:5433/perf_2500"


@pytest.mark.django_db(transaction=True)
def test_the_export_measurement_follows_a_background_job(client, settings):
    """At a national scale the list is written by a job; the benchmark measures that path
    (the job runs eagerly in the measuring process) and reads the file it wrote."""
    from tests.factories import PartnershipFactory, analyst

    settings.EXPORT_BACKGROUND_ROWS = 2
    PartnershipFactory.create_batch(4)
    client.force_login(analyst())
    export = export_memory.measure_export(client, warmup_url=None)
    assert export["background"] is True
    assert export["status"] == 200
    assert export["content_type"].startswith("text/csv")
    assert export["rows"] == 4
