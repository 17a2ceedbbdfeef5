"""What every benchmark needs: a throwaway database, timers, a table printer, the machine.

A benchmark script calls ``run(bench, description)``. With ``--db both`` (the default) the
script runs itself once per backend in a fresh process, so settings, caches and peak RSS never
leak from one run into the other. Each run gets its own temporary RENDA_VAR_DIR (SQLite file,
keys, private files) and, for PostgreSQL, its own database ``renda_bench_<pid>``, dropped at
the end. Only the loopback server is used; nothing in ./var is touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BACKENDS = ("sqlite", "postgres")
# The loopback PostgreSQL server the brief allows; override for another local cluster.
PG_SERVER = os.environ.get("RENDA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def parse_args(
    description: str, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=[*BACKENDS, "both"], default="both")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def run(bench: Callable[[str, argparse.Namespace], None], args: argparse.Namespace) -> None:
    if args.db == "both":
        for backend in BACKENDS:
            command = [sys.executable, sys.argv[0], *_without_db(sys.argv[1:]), "--db", backend]
            subprocess.run(command, check=True)  # noqa: S603 — this same script again
        return
    with throwaway_database(args.db):
        import django
        from django.core.management import call_command

        django.setup()
        print_machine(args.db)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - started:.1f} s\n")
        bench(args.db, args)


def _without_db(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip or arg.startswith("--db="):
            skip = False
            continue
        if arg == "--db":
            skip = True
            continue
        kept.append(arg)
    return kept


@contextmanager
def throwaway_database(backend: str) -> Iterator[None]:
    var_dir = tempfile.mkdtemp(prefix=f"renda-bench-{backend}-")
    os.environ["RENDA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("DATABASE_URL", None)
    name = f"renda_bench_{os.getpid()}"
    if backend == "postgres":
        _pg_admin(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    try:
        yield
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if backend == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def print_machine(backend: str) -> None:
    from django import get_version
    from django.db import connection

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    if backend == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        engine = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    print(f"=== {Path(sys.argv[0]).name} on {backend} ===")
    print(
        f"machine: {cpu}, {os.cpu_count()} logical CPUs, {mem_kib / 2**20:.1f} GiB RAM, "
        f"Linux {platform.release()}"
    )
    print(f"software: Python {platform.python_version()}, Django {get_version()}, {engine}")
    print(f"at start: {load_average()}")


def peak_rss_mib() -> float:
    """This process's resident high-water mark: VmHWM, which ``reset_peak_rss`` resets.

    Not getrusage's ru_maxrss: Linux carries it across fork and exec (execve stores the old
    address space's high-water mark in the process's signal struct), so a child started by a
    benchmark that holds gigabytes of generated data would report the parent's size, and
    clear_refs does not reset it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def reset_peak_rss() -> bool:
    """Start a new high-water mark (Linux ≥ 4.0), so a later peak belongs to what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Lap:
    wall: float = 0.0
    cpu: float = 0.0  # this process, all its threads; a database server's CPU is not in it


@contextmanager
def stopwatch() -> Iterator[Lap]:
    """``with stopwatch() as lap: ...`` then ``lap.wall`` and ``lap.cpu`` are seconds."""
    lap = Lap()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield lap
    finally:
        lap.wall = time.perf_counter() - wall
        lap.cpu = time.process_time() - cpu


def load_average() -> str:
    """Other work on the machine skews wall-clock figures; print it beside them."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append(cells)

    def print(self) -> None:
        """A Markdown table, so a run can be pasted into docs/performance.md as is."""
        print(f"\n{self.title}\n")
        cells = [[_fmt(c) for c in row] for row in self.rows]
        widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(self.headers)]
        print(
            "| " + " | ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True)) + " |"
        )
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in cells:
            print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


TABLE_RE = re.compile(r'\b(?:INTO|FROM|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


class SqlClock:
    """Time spent inside the database driver, by statement verb and table.

    Installed with ``connection.execute_wrapper``; it only observes.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            match = TABLE_RE.search(sql)
            key = f"{sql.split(None, 1)[0].upper()} {match.group(1) if match else ''}".strip()
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started
            self.calls[key] = self.calls.get(key, 0) + 1

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def table(self, title: str, top: int = 8) -> Table:
        table = Table(title, ["statement", "calls", "seconds"])
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            table.add(key, self.calls[key], seconds)
        table.add("all SQL", sum(self.calls.values()), self.total)
        return table
