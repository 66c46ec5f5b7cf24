"""A description of the machine the numbers come from."""

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _postgresql(url: str | None) -> str | None:
    if not url:
        return None
    import psycopg

    from bench.databases import _conninfo

    try:
        with psycopg.connect(_conninfo(url, "postgres")) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as error:
        return f"unknown ({error.__class__.__name__})"


def describe(database_url: str | None = None) -> dict:
    import django

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "postgresql": _postgresql(database_url),
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def summary(machine: dict) -> str:
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM; "
        f"PostgreSQL {machine['postgresql']}; Python {machine['python']}, "
        f"Django {machine['django']}; {machine['os']}; load average at start "
        f"{', '.join(map(str, machine['load_average']))}"
    )
