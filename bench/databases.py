"""The benchmark's PostgreSQL databases: one per size, seeded once and reused.

A database is reused when it exists, ``migrate`` brings it to the current migrations (cheap
when nothing changed), and it holds the partnerships recorded when it was seeded: the seed's
parameters and the resulting count are written as the database's comment once seeding has
finished, so an interrupted seed is never mistaken for a finished one. Otherwise the
database is dropped, created again, migrated and seeded with
``manage.py seed_demo --partnerships N --reset``.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL_BASE = "postgres://postgres@127.0.0.1:5432/registry_bench"
SEED = 2017


def size_label(size: int) -> str:
    """10000 → "10k", 1000000 → "1m", 2500 → "2500"."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def database_url(size: int, base: str | None = None) -> str:
    """The URL of the database for ``size``: the base URL's database name + ``_<label>``."""
    base = base or os.environ.get("BENCH_DATABASE_URL_BASE") or DEFAULT_URL_BASE
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "registry_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{size_label(size)}"))


def _conninfo(url: str, dbname: str | None = None) -> str:
    """A libpq URL for ``url`` (Django's ``postgres://`` scheme works as it is); with
    ``dbname``, for that database on the same server."""
    parts = urlsplit(url)
    if dbname is not None:
        parts = parts._replace(path=f"/{dbname}")
    return urlunsplit(parts._replace(scheme="postgresql", query=""))


def dbname_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def django_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a Django process of the benchmark on database ``url``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def manage(url: str, *args: str) -> None:
    """``manage.py args`` on database ``url`` with the benchmark's settings; output shown."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=django_env(url), check=True)


def _admin(url: str):
    return psycopg.connect(_conninfo(url, "postgres"), autocommit=True)


def _exists(url: str) -> bool:
    with _admin(url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [dbname_of(url)]
        ).fetchone()
    return row is not None


def _create(url: str, *, drop: bool) -> None:
    name = sql.Identifier(dbname_of(url))
    with _admin(url) as conn:
        if drop:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _comment(url: str) -> str | None:
    with _admin(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [dbname_of(url)],
        ).fetchone()
    return row[0] if row else None


def _set_comment(url: str, text: str) -> None:
    with _admin(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(dbname_of(url)), sql.Literal(text)
            )
        )


def partnership_count(url: str) -> int:
    with psycopg.connect(_conninfo(url)) as conn:
        return conn.execute("SELECT count(*) FROM partnerships_partnership").fetchone()[0]


def analyze(url: str) -> None:
    """Fresh planner statistics, as autovacuum keeps them on a database in service."""
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def marker(size: int, count: int) -> str:
    return f"bench: seed_demo --partnerships {size} --seed {SEED}; partnerships={count}"


@dataclass
class Prepared:
    size: int
    url: str
    reused: bool
    partnerships: int
    seed_seconds: float | None
    migrate_seconds: float

    def as_dict(self) -> dict:
        return {
            "size": self.size,
            "database": dbname_of(self.url),
            "reused": self.reused,
            "partnerships": self.partnerships,
            "seed_seconds": self.seed_seconds,
            "migrate_seconds": round(self.migrate_seconds, 1),
        }


def ensure_database(size: int, url: str, *, say=print) -> Prepared:
    """The database ``url`` migrated and holding ``size`` seeded partnerships."""
    existed = _exists(url)
    if not existed:
        say(f"[{size_label(size)}] creating {dbname_of(url)}")
        _create(url, drop=False)
    started = time.monotonic()
    manage(url, "migrate", "--noinput", "-v0")
    migrate_seconds = time.monotonic() - started
    if existed:
        count = partnership_count(url)
        reseed = os.environ.get("BENCH_RESEED", "0") not in ("", "0")
        if _comment(url) == marker(size, count) and not reseed:
            say(f"[{size_label(size)}] reusing {dbname_of(url)} ({count:,} partnerships)")
            analyze(url)
            return Prepared(size, url, True, count, None, migrate_seconds)
        say(f"[{size_label(size)}] {dbname_of(url)} is not a finished seed: recreating it")
        _create(url, drop=True)
        started = time.monotonic()
        manage(url, "migrate", "--noinput", "-v0")
        migrate_seconds = time.monotonic() - started
    say(f"[{size_label(size)}] seeding {size:,} partnerships into {dbname_of(url)}")
    started = time.monotonic()
    manage(url, "seed_demo", "--partnerships", str(size), "--seed", str(SEED), "--reset")
    seed_seconds = time.monotonic() - started
    analyze(url)
    count = partnership_count(url)
    _set_comment(url, marker(size, count))
    say(f"[{size_label(size)}] seeded {count:,} partnerships in {seed_seconds:.0f} s")
    return Prepared(size, url, False, count, round(seed_seconds, 1), migrate_seconds)
