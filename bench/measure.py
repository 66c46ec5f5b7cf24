"""Timing in process: the median of ``repeat`` runs after a warm-up, and the queries of one
more run counted with ``CaptureQueriesContext`` (not timed: capturing adds its own cost).

A request whose warm-up takes longer than ``slow_after_s`` is timed ``slow_repeat`` times
instead of ``repeat``, so that a page taking a minute at a million rows does not hold the
run for ten; the number of samples is kept with each result.
"""

import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings


def _summary(samples: list[float]) -> dict:
    return {
        "median_ms": round(1000 * statistics.median(samples), 2),
        "min_ms": round(1000 * min(samples), 2),
        "max_ms": round(1000 * max(samples), 2),
        "samples": len(samples),
    }


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def timed(
    fn: Callable[[], object], *, repeat: int, warmup: int, slow_after_s: float, slow_repeat: int
) -> tuple[list[float], object]:
    """Run ``fn`` ``warmup`` times, then time ``repeat`` runs; returns the seconds of each
    timed run and the last result."""
    result = None
    slow = False
    for _ in range(warmup):
        started = time.perf_counter()
        result = fn()
        slow = slow or time.perf_counter() - started > slow_after_s
    samples = []
    for _ in range(min(repeat, slow_repeat) if slow else repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def measure_request(
    client,
    url: str,
    *,
    repeat: int = 10,
    warmup: int = 1,
    slow_after_s: float = 2.0,
    slow_repeat: int = 3,
    urlconf: str | None = None,
) -> tuple[dict, object]:
    """Time ``client.get(url)``; returns the measurement and the response of the counted run
    (its body read, for the probe's checks)."""
    settings = override_settings(ROOT_URLCONF=urlconf) if urlconf else nullcontext()
    with settings:
        samples, _ = timed(
            lambda: _body(client.get(url)),
            repeat=repeat,
            warmup=warmup,
            slow_after_s=slow_after_s,
            slow_repeat=slow_repeat,
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = _body(response)
    result = {
        **_summary(samples),
        "status": response.status_code,
        "queries": len(queries),
        "bytes": len(body),
        "kb": round(len(body) / 1024, 1),
        "content_type": response.get("Content-Type", ""),
    }
    response.bench_body = body
    return result, response


def measure_callable(
    fn: Callable[[], object],
    *,
    repeat: int = 10,
    warmup: int = 1,
    slow_after_s: float = 2.0,
    slow_repeat: int = 3,
) -> tuple[dict, object]:
    """Time ``fn()`` like ``measure_request``; returns the measurement and ``fn``'s result."""
    samples, _ = timed(
        fn, repeat=repeat, warmup=warmup, slow_after_s=slow_after_s, slow_repeat=slow_repeat
    )
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return {**_summary(samples), "queries": len(queries)}, result
