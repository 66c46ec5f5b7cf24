"""Peak memory growth of the partnership list's CSV export over every row.

The export runs in a child process (``python -m bench.export_memory``) that a parent
watches: the child warms up (an empty export, so code and templates are loaded), resets its
peak resident set (``/proc/self/clear_refs``), reports its resident set as the baseline, then
asks for the whole export as an analyst (every partnership but drafts) and reads the
response as a client would, a chunk at a time when it streams. Above
``EXPORT_BACKGROUND_ROWS`` the list is written by a background job (run eagerly, in this
process, as the embedded default does) and then read from its file: the peak then covers
the job's writing too. The growth is the peak
resident set minus the baseline.

The parent polls the child's ``/proc/<pid>/status`` and stops it after ``timeout_s`` or
once it has grown by ``max_growth_mb``, recording the growth reached so far: an export
that holds every row in memory at once can take many GB and many minutes at a million rows.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT_URL = "/partnerships/?_export=csv"
WARMUP_URL = "/partnerships/?_export=csv&q=zzzznotfound"


def _status_kb(pid: int | str, key: str) -> int | None:
    """``VmRSS``, ``VmHWM`` ... of process ``pid`` in KB (None once it has ended)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _reset_peak() -> bool:
    """Start counting the peak resident set again from now (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def measure_export(
    client, url: str = EXPORT_URL, warmup_url: str | None = WARMUP_URL, announce=None
) -> dict:
    """Run the export in this process and read it through; returns rows, bytes, seconds and
    the peak resident-set growth in MB. ``announce(baseline_kb)`` is called just before."""
    if warmup_url:
        response = client.get(warmup_url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    peak_reset = _reset_peak()
    baseline = _status_kb("self", "VmRSS")
    if announce:
        announce(baseline)
    started = time.perf_counter()
    response = client.get(url)
    background = response.status_code == 303 and "/downloads/" in response["Location"]
    if background:
        # A list over EXPORT_BACKGROUND_ROWS is written by a job (eager here: in this
        # process, before the redirect), then fetched from its file.
        response = client.get(response["Location"].rstrip("/") + "/file/")
    streaming = bool(getattr(response, "streaming", False))
    chunks = response.streaming_content if streaming else [response.content]
    size = lines = 0
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak = _status_kb("self", "VmHWM")
    return {
        "status": response.status_code,
        "content_type": response.get("Content-Type", ""),
        "streaming": streaming,
        "background": background,
        "rows": max(lines - 1, 0),  # the header line
        "mb": round(size / 2**20, 1),
        "seconds": round(seconds, 1),
        "baseline_rss_mb": round(baseline / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_growth_mb": round((peak - baseline) / 1024, 1),
        "peak_reset": peak_reset,
    }


def child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from bench.inprocess import ANALYST_USERNAME, clients
    from bench.probes import ANALYST
    from partnerships.models import Partnership

    client = clients()[ANALYST]
    analyst = get_user_model().objects.get(username=ANALYST_USERNAME)
    expected = Partnership.objects.visible_to(analyst).count()
    result = measure_export(
        client, announce=lambda kb: print(json.dumps({"baseline_kb": kb}), flush=True)
    )
    print(json.dumps({**result, "expected_rows": expected}), flush=True)


def run(
    env: dict,
    *,
    timeout_s: float = 900,
    max_growth_mb: float = 4096,
    poll_s: float = 0.2,
    command: list[str] | None = None,
) -> dict:
    """The export measured in a watched child process with environment ``env``.

    ``command`` is the child (default: this module's ``child()``); it prints one JSON line
    ``{"baseline_kb": ...}`` when it starts measuring and one with its result at the end."""
    process = subprocess.Popen(
        command or [sys.executable, "-m", "bench.export_memory"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[dict] = []

    def read() -> None:
        for line in process.stdout:
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.monotonic()
    highest = 0
    stopped = None
    while process.poll() is None:
        rss = _status_kb(process.pid, "VmRSS") or 0
        highest = max(highest, rss)
        baseline = lines[0]["baseline_kb"] if lines else None
        if baseline is not None:
            if (highest - baseline) / 1024 > max_growth_mb:
                stopped = f"stopped at {max_growth_mb:.0f} MB of growth"
            elif time.monotonic() - started > timeout_s:
                stopped = f"stopped after {timeout_s:.0f} s"
        elif time.monotonic() - started > timeout_s:
            stopped = f"did not start within {timeout_s:.0f} s"
        if stopped:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(poll_s)
    process.wait()
    reader.join(timeout=5)
    seconds = round(time.monotonic() - started, 1)
    if not stopped and len(lines) >= 2:
        return {"completed": True, **lines[-1], "wall_seconds": seconds}
    baseline = lines[0]["baseline_kb"] if lines else None
    return {
        "completed": False,
        "reason": stopped or f"the child ended with code {process.returncode}",
        "peak_growth_mb": round((highest - baseline) / 1024, 1) if baseline is not None else None,
        "peak_growth_is_lower_bound": True,
        "wall_seconds": seconds,
    }


if __name__ == "__main__":
    child()
