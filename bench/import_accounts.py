"""Benchmark: the bulk account import, 45,000 accounts end to end through the real code path.

    python bench/import_accounts.py [--db sqlite|postgres|both] [--rows 45000] [--profile PATH]

Builds an .xlsx of registrars (one electoral district per township of Hubei, created here) and
township staff, loads the real divisions, and has a province staff member upload it through
``import_run_create`` and the worker's ``import_run_execute``. Phases are timed by wrapping the
importer's own functions (the code that runs is unchanged) and SQL time is observed with an
execute wrapper. Baselines from the same run: generating and light-hashing the same number of
initial passwords alone (one thread, and two like the importer; and, for comparison, with the
4 MiB they cost before), Django's default Argon2PasswordHasher on 200 passwords extrapolated,
and a raw executemany (and on PostgreSQL a COPY) of the same user rows into the real
accounts_user table. ``--profile PATH`` skips the baselines and writes a cProfile of
``import_run_execute`` (main thread) to PATH.<db>.
Target (issue): 45,000 accounts in under 2 minutes.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from _harness import (
    Lap,
    SqlClock,
    Table,
    load_average,
    parse_args,
    peak_rss_mib,
    reset_peak_rss,
    run,
    stopwatch,
)

if TYPE_CHECKING:
    from renda.accounts.models import User
    from renda.imports.models import ImportRun

ROWS = 45_000
PROVINCE = 420000000000  # 湖北省
TARGET_SECONDS = 120.0
DJANGO_SAMPLE = 200
HEADERS = ["用户名", "姓名", "手机号码", "角色", "区划代码"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万覃武戴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文辉玲建国红梅兰鹏飞斌宇浩凯欣怡晨雪琳"
USER_COLUMNS = (
    "password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
    "date_joined, real_name, phone, must_change_password, created_by_id, home_code"
)

SheetRow = tuple[str, str, str, str, str]


# --- setup -------------------------------------------------------------------------------------


def hubei_places() -> tuple[list[int], list[int]]:
    """Hubei's current townships, and one electoral district created on each."""
    from renda.regions.codes import Level, subtree_range
    from renda.regions.models import District, Region

    townships = list(
        Region.objects.filter(
            level=Level.TOWNSHIP,
            code__range=subtree_range(PROVINCE, Level.PROVINCE),
            valid_to__isnull=True,
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    District.objects.bulk_create(
        [District(code=t + 1, township_id=t, name="第一选区", seats=2) for t in townships]
    )
    return townships, [t + 1 for t in townships]


def province_staff() -> User:
    """The uploader, made the way renda/core/testing.py makes the cast."""
    from django.contrib.auth.hashers import make_password

    from renda.accounts.models import RoleAssignment, User
    from renda.accounts.roles import Role

    actor = User.objects.create(
        username="bench_province",
        real_name="省工作人员",
        password=make_password("Bench@Pass2026"),
        home_code=PROVINCE,
    )
    RoleAssignment.objects.create(user=actor, role=Role.PROVINCE_STAFF, region_id=PROVINCE)
    return actor


def sheet_rows(count: int, townships: list[int], districts: list[int]) -> list[SheetRow]:
    """One township staff member per township, then registrars spread over the districts."""
    rng = random.Random(2026)
    rows: list[SheetRow] = []
    for i in range(count):
        if i < len(townships):
            role, code = "乡级工作人员", f"{townships[i]:012d}"[:9]
        else:
            role, code = "选区登记员", f"{districts[i % len(districts)]:012d}"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        rows.append((f"hb{i:06d}", name, phone, role, code))
    return rows


def workbook(rows: list[SheetRow]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("账号")
    for col, title in enumerate(HEADERS):
        sheet.write_string(0, col, title)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(r, col, value)
    book.close()
    return buffer.getvalue()


# --- baselines ---------------------------------------------------------------------------------


def hash_all(
    passwords: list[str], *, threads: int, hash_one: Callable[[str], str] | None = None
) -> list[str]:
    from renda.accounts.passwords import initial_password_hash

    hash_one = hash_one or initial_password_hash
    if threads == 1:
        return [hash_one(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(hash_one, passwords))


def argon2_hash(memory_kib: int) -> Callable[[str], str]:
    """Initial-password hashing at another memory cost, for comparison."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=1, memory_cost=memory_kib, parallelism=1)
    return lambda password: "argon2" + hasher.hash(password)


def argon2_params(hasher: Any) -> str:
    """ "t=1 m=1 MiB p=1" for an argon2-cffi PasswordHasher or Django's Argon2PasswordHasher."""
    return f"t={hasher.time_cost} m={hasher.memory_cost / 1024:g} MiB p={hasher.parallelism}"


def django_default_hash(passwords: list[str]) -> str:
    from django.contrib.auth.hashers import get_hasher, make_password

    for password in passwords:
        make_password(password)
    hasher: Any = get_hasher()
    return f"{hasher.algorithm} {argon2_params(hasher)}"


def raw_user_insert(rows: list[SheetRow], hashes: list[str], actor_id: int, *, copy: bool) -> Lap:
    """The same user rows straight into accounts_user in one transaction; removed afterwards."""
    from django.db import connection, transaction
    from django.utils import timezone

    from renda.regions.codes import parse_code

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = [
        (h, False, u, "", "", "", False, True, now, name, phone, True, actor_id, parse_code(code))
        for (u, name, phone, _role, code), h in zip(rows, hashes, strict=True)
    ]
    with stopwatch() as lap, transaction.atomic(), connection.cursor() as cursor:
        if copy:
            with cursor.copy(f"COPY accounts_user ({USER_COLUMNS}) FROM STDIN") as pipe:
                for row in values:
                    pipe.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(values[0]))
            cursor.executemany(
                f"INSERT INTO accounts_user ({USER_COLUMNS}) VALUES ({marks})", values
            )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE created_by_id = %s", [actor_id])
        cursor.execute(
            "VACUUM" if connection.vendor == "sqlite" else "VACUUM ANALYZE accounts_user"
        )
    return lap


# --- the import --------------------------------------------------------------------------------


class Phases:
    """Wall and CPU seconds per wrapped function; the wrapped code itself is unchanged."""

    def __init__(self) -> None:
        self.laps: dict[str, Lap] = {}
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)
        total = self.laps.setdefault(label, Lap())

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                total.wall += time.perf_counter() - wall
                total.cpu += time.process_time() - cpu

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


# (module, function, label); labels starting with two spaces are nested in the one above.
PHASES = [
    ("renda.core.privatefiles", "load", "decrypt the upload"),
    ("renda.accounts.importers", "read_sheet", "read the sheet (calamine → cells)"),
    ("renda.accounts.importers", "parse_rows", "parse and check each row"),
    ("renda.accounts.importers", "check_rows", "cross-row and database checks"),
    ("renda.accounts.importers", "generate_initial_password", "generate initial passwords"),
    ("renda.accounts.importers", "_hash_all", "hash passwords (initial_password_hash, 2 threads)"),
    ("renda.accounts.importers", "create_accounts", "insert users, roles, audit (1 transaction)"),
    ("renda.accounts.importers", "audit_record_many", "  of which audit rows"),
    ("renda.accounts.importers", "write_xlsx", "write the passwords workbook"),
    ("renda.core.privatefiles", "store", "encrypt and store the workbook"),
]


def run_import(
    actor: User, data: bytes, profiler: cProfile.Profile | None
) -> tuple[ImportRun, Lap, Lap, Phases, SqlClock]:
    import importlib

    from django.db import connection

    from renda.imports.services import import_run_create, import_run_execute

    with stopwatch() as created:
        run = import_run_create(
            actor=actor,
            kind="accounts",
            region_code=PROVINCE,
            filename="湖北省账号.xlsx",
            data=data,
        )
    phases, clock = Phases(), SqlClock()
    for module, name, label in PHASES:
        phases.wrap(importlib.import_module(module), name, label)
    try:
        with connection.execute_wrapper(clock), stopwatch() as executed:
            if profiler is None:
                run = import_run_execute(run.pk)
            else:  # the main thread only: the hashing threads show as waiting on futures
                run = profiler.runcall(import_run_execute, run.pk)
    finally:
        phases.restore()
    return run, created, executed, phases, clock


def verify(actor: User, run: ImportRun, count: int, passwords_sample: int = 3) -> None:
    from django.contrib.auth.hashers import check_password

    from renda.accounts.models import RoleAssignment, User
    from renda.core import privatefiles
    from renda.core.models import AuditEvent
    from renda.core.spreadsheets import read_sheet

    run.refresh_from_db()
    assert run.state == "succeeded", (run.state, run.message)
    assert User.objects.filter(created_by=actor).count() == count
    assert RoleAssignment.objects.filter(granted_by=actor).count() == count
    assert AuditEvent.objects.filter(action="account.create").count() == count
    assert privatefiles.exists(run.output), "no passwords workbook"
    sheet = read_sheet(privatefiles.load(run.output), "passwords.xlsx")
    assert len(sheet) == count + 1, len(sheet)
    for row in random.Random(7).sample(sheet[1:], passwords_sample):
        username, password = row[0].text, row[4].text
        assert check_password(password, User.objects.get(username=username).password), username
    print(
        f"\nverified: run {run.pk} {run.state}; {count:,} users, role assignments and audit rows; "
        f"passwords workbook of {count:,} rows; {passwords_sample} sampled passwords log in."
    )


# --- report ------------------------------------------------------------------------------------


def baselines(backend: str, actor_id: int, rows: list[SheetRow]) -> None:
    from renda.accounts import passwords as passwords_module
    from renda.accounts.passwords import generate_initial_password

    count = len(rows)
    base = Table(
        f"baselines on {backend}, same run",
        ["baseline", "n", "seconds", "CPU s", "ms each", f"s for {count:,}"],
    )

    def add(label: str, n: int, lap: Lap) -> None:
        base.add(label, n, lap.wall, lap.cpu, lap.wall / n * 1000, lap.wall / n * count)

    with stopwatch() as lap:
        passwords = [generate_initial_password() for _ in rows]
    add("generate initial passwords", count, lap)
    with stopwatch() as lap:
        hashes = hash_all(passwords, threads=1)
    light = argon2_params(passwords_module._light)
    add(f"initial_password_hash ({light}), 1 thread", count, lap)
    with stopwatch() as lap:
        hash_all(passwords, threads=2)
    add("initial_password_hash, 2 threads (as the importer)", count, lap)
    with stopwatch() as lap:
        hash_all(passwords, threads=2, hash_one=argon2_hash(4096))
    add("argon2 t=1 m=4 MiB p=1 (the cost until d8d362d), 2 threads", count, lap)
    with stopwatch() as lap:
        params = django_default_hash(passwords[:DJANGO_SAMPLE])
    add(f"Django default {params}, extrapolated", DJANGO_SAMPLE, lap)
    add(
        "raw executemany of the user rows",
        count,
        raw_user_insert(rows, hashes, actor_id, copy=False),
    )
    if backend == "postgres":
        add("raw COPY of the user rows", count, raw_user_insert(rows, hashes, actor_id, copy=True))
    base.print()


def bench(backend: str, args: argparse.Namespace) -> None:
    from renda.regions.loaders import load_regions

    count: int = args.rows
    setup = Table(f"setup on {backend} (not part of the import)", ["step", "seconds"])
    with stopwatch() as lap:
        load_regions()
    setup.add("load the divisions of China", lap.wall)
    with stopwatch() as lap:
        townships, districts = hubei_places()
        actor = province_staff()
    setup.add(f"{len(districts):,} districts on Hubei's townships, the uploader", lap.wall)
    with stopwatch() as lap:
        rows = sheet_rows(count, townships, districts)
        data = workbook(rows)
    setup.add(f"build the .xlsx ({count:,} rows, {len(data) / 2**20:.1f} MiB)", lap.wall)
    setup.print()

    if args.profile is None:
        baselines(backend, actor.pk, rows)
    before = peak_rss_mib()
    print(f"\npeak RSS of setup and baselines: {before:.0f} MiB; {load_average()}")

    fresh = reset_peak_rss()
    profiler = cProfile.Profile() if args.profile else None
    run, created, executed, phases, clock = run_import(actor, data, profiler)
    import_peak = peak_rss_mib()
    report = Table(
        f"import of {count:,} accounts on {backend}", ["phase", "seconds", "CPU s", "share"]
    )
    total = created.wall + executed.wall

    def line(label: str, lap: Lap) -> None:
        report.add(label, lap.wall, lap.cpu, f"{lap.wall / total:.0%}")

    line("import_run_create (encrypt, store, run row, enqueue)", created)
    other = Lap(executed.wall, executed.cpu)
    for _module, _name, label in PHASES:
        lap = phases.laps[label]
        line(label, lap)
        if not label.startswith("  "):
            other.wall, other.cpu = other.wall - lap.wall, other.cpu - lap.cpu
    line("other (state moves, progress, finish)", other)
    line("**end to end**", Lap(total, created.cpu + executed.cpu))
    report.print()
    clock.table("SQL time inside import_run_execute").print()
    verify(actor, run, count)
    scope = "the import alone" if fresh else "whole process so far"
    print(f"peak RSS ({scope}): {import_peak:.0f} MiB; before the import: {before:.0f} MiB")
    print(f"at end: {load_average()}")
    verdict = "met" if total < TARGET_SECONDS else "MISSED"
    print(f"target: {count:,} accounts < {TARGET_SECONDS:.0f} s: {verdict} ({total:.1f} s)\n")
    if profiler is not None:
        path = f"{args.profile}.{backend}"
        profiler.dump_stats(path)
        print(f"cProfile of import_run_execute (figures above inflated by it) in {path}:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=ROWS, help="accounts in the sheet")
    parser.add_argument("--profile", metavar="PATH", help="cProfile the import into PATH.<db>")


if __name__ == "__main__":
    run(bench, parse_args(__doc__.splitlines()[0], options))
