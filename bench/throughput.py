"""Throughput under load: gunicorn with two workers, as production runs the app, driven by
``wrk`` (requests per second, latency p50 and p99) on a few URLs.

gunicorn runs ``registry.wsgi`` with the benchmark's settings (``bench.settings``:
production's, ``DEBUG`` off, served over plain HTTP, static files collected under
``bench/.staticfiles``) on a free port of 127.0.0.1. Each URL is first asked once (its
status is recorded: wrk counts a redirect as a success), then warmed up (a few concurrent
requests, which both workers answer, then a short wrk run), then measured.
"""

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * _UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    """Requests/s, latency percentiles (ms), errors and non-2xx/3xx answers from the output
    of ``wrk --latency``."""
    result: dict = {"requests_per_s": None, "latency_ms": {}}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["requests_per_s"] = float(match.group(1))
    for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)\s*$", output, re.M):
        result["latency_ms"][f"p{percent}"] = _ms(value)
    if match := re.search(r"(\d+) requests in ([\d.]+\w+)", output):
        result["requests"] = int(match.group(1))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result["non_2xx_3xx"] = int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result["socket_errors"] = dict(
            zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True)
        )
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 120) -> tuple[int, int]:
    """(status, bytes) of a GET that follows no redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


class Gunicorn:
    """``gunicorn registry.wsgi -w <workers> -b 127.0.0.1:<port>`` for a ``with`` block."""

    def __init__(self, env: dict, *, workers: int = 2, port: int | None = None):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in __exit__)
            "w+", prefix="bench-gunicorn-", suffix=".log"
        )

    def __enter__(self) -> "Gunicorn":
        gunicorn = Path(ROOT / ".venv" / "bin" / "gunicorn")
        command = [str(gunicorn) if gunicorn.exists() else "gunicorn", "registry.wsgi"]
        command += ["-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "300"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                if _get(f"{self.base}/healthz", timeout=5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])


def wrk(url: str, *, duration: str = "10s", threads: int = 2, connections: int = 8) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}",
        "--latency",
        "--timeout",
        "60s",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {**parse_wrk(output), "command": " ".join(command[:-1])}


def run(
    env: dict,
    paths: dict[str, str],
    *,
    duration: str = "10s",
    warmup: str = "2s",
    threads: int = 2,
    connections: int = 8,
    workers: int = 2,
    say=print,
) -> dict:
    """wrk on each of ``paths`` (name → path) against gunicorn with environment ``env``."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    results = []
    with Gunicorn(env, workers=workers) as server:
        for name, path in paths.items():
            url = f"{server.base}{path}"
            status, size = _get(url)
            # Each worker loads its views and templates on its first requests: not measured.
            with ThreadPoolExecutor(2 * workers) as pool:
                list(pool.map(_get, [url] * (4 * workers)))
            if warmup:
                wrk(url, duration=warmup, threads=threads, connections=connections)
            measured = wrk(url, duration=duration, threads=threads, connections=connections)
            result = {"name": name, "path": path, "status": status, "bytes": size, **measured}
            results.append(result)
            latency = measured["latency_ms"]
            say(
                f"  {name:<40} {measured['requests_per_s'] or 0:>8.1f} req/s  "
                f"p50 {latency.get('p50', float('nan')):>8.1f} ms  "
                f"p99 {latency.get('p99', float('nan')):>8.1f} ms  (HTTP {status})"
            )
    return {
        "workers": workers,
        "threads": threads,
        "connections": connections,
        "duration": duration,
        "results": results,
    }
