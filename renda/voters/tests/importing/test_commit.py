"""Stage 3 of the voter import: the register's verdicts, then all accepted rows or none."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT, Cast
from renda.imports.models import ImportRun
from renda.imports.services import Cancelled
from renda.regions.models import District
from renda.voters import pii
from renda.voters.importing import commit as stage
from renda.voters.importing.commit import ImportRaceError, commit
from renda.voters.importing.contract import ERRORS, ROW, WARNINGS, Checked, Outcome
from renda.voters.importing.report import attention_rows, error_workbook
from renda.voters.models import (
    ChangeKind,
    Election,
    RemovalReason,
    ResidenceKind,
    Source,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.names import pinyin_of
from renda.voters.services.register import voter_remove
from renda.voters.tests.conftest import RegisterVoter
from renda.voters.tests.importing.commit_sheets import new_id, numbered_id, person, sheet

pytestmark = pytest.mark.django_db


def make_run(actor: Any, name: str = "第一选区.xlsx") -> ImportRun:
    return ImportRun.objects.create(
        kind="voters", created_by=actor, region_code=DISTRICT, original_name=name
    )


def load(
    checked: Checked,
    actor: Any,
    election: Election,
    district: int | None = DISTRICT,
    run: ImportRun | None = None,
    **options: Any,
) -> Outcome:
    place = District.objects.get(code=district) if district else None
    return commit(checked, actor=actor, election=election, district=place, run=run, **options)


def written() -> tuple[int, int, int]:
    """What an import writes: voters, change rows, audit rows of imports."""
    return (
        Voter.objects.count(),
        VoterChange.objects.count(),
        AuditEvent.objects.filter(action="voter.import").count(),
    )


def test_rows_are_registered_with_a_change_row_pointing_at_the_run(
    cast: Cast, election: Election
) -> None:
    run = make_run(cast.registrar)
    rows = [
        person("张三", phone="13800000000", group="球场社区第1居民小组"),
        person("欧阳娜娜", kind="新满十八周岁", residence_kind="居住一年以上"),
        person(
            "阿依古丽·买买提",
            code=5,
            ethnicity="维吾尔族",
            kind="moved_in",
            household_address="新疆喀什",
        ),
    ]
    outcome = load(sheet(*rows), cast.registrar, election, run=run)

    assert (outcome.read, outcome.accepted, outcome.rejected, outcome.conflicts) == (3, 3, 0, 0)
    assert outcome.row_notes == {} and not outcome.dry_run
    for given in rows:
        voter = Voter.objects.get(id_hash=pii.id_hash(given["__id"]))
        assert pii.reveal(voter.id_cipher) == given["__id"]
        assert (voter.name, voter.district_id, voter.status, voter.source) == (
            given["name"],
            DISTRICT,
            Status.REGISTERED,
            Source.IMPORT,
        )
        assert (voter.sex, voter.birth_date) == (given["__sex"], given["__birth"])
        assert (voter.name_pinyin, voter.name_initials) == pinyin_of(voter.name)
        change = voter.changes.get()
        assert (change.election, change.actor, change.import_run, change.district_code) == (
            election,
            cast.registrar,
            run,
            DISTRICT,
        )
        assert change.published_in is None and "第一选区.xlsx" in change.evidence
    zhang = Voter.objects.get(name="张三")
    assert (zhang.phone, zhang.group, zhang.residence_kind) == (
        "13800000000",
        "球场社区第1居民小组",
        ResidenceKind.HOUSEHOLD,
    )
    ouyang = Voter.objects.get(name="欧阳娜娜")
    assert ouyang.residence_kind == ResidenceKind.RESIDENT
    assert ouyang.changes.get().kind == ChangeKind.NEWLY_18
    ayi = Voter.objects.get(name__startswith="阿依古丽")
    assert (ayi.ethnicity, ayi.household_address, ayi.changes.get().kind) == (
        5,
        "新疆喀什",
        ChangeKind.MOVED_IN,
    )
    assert VoterChange.objects.get(voter=zhang).kind == ChangeKind.REGISTERED


def test_one_audit_row_for_the_batch_with_counts_and_no_id_number(
    cast: Cast, election: Election
) -> None:
    run = make_run(cast.registrar)
    rows = [person("张三"), person("李四"), person("王五", errors=("姓名有误",))]
    load(sheet(*rows), cast.registrar, election, run=run)

    event = AuditEvent.objects.get(action="voter.import")
    assert event.actor == cast.registrar and event.region_code == DISTRICT
    assert (event.target_type, event.target_id) == ("imports.importrun", str(run.pk))
    assert event.summary["run"] == run.pk
    assert (event.summary["rows"], event.summary["accepted"], event.summary["rejected"]) == (
        3,
        2,
        1,
    )
    text = str(event.summary)
    for given in rows:
        assert given["__id"] not in text and given["__id"][:14] not in text


def test_rows_with_errors_are_not_registered_and_warnings_are_counted(
    cast: Cast, election: Election
) -> None:
    outcome = load(
        sheet(
            person("张三", errors=("公民身份号码校验码不正确",)),
            person("李四", warnings=("户籍地址代码未知",)),
            person("王五"),
        ),
        cast.registrar,
        election,
    )
    assert (outcome.accepted, outcome.rejected, outcome.warnings) == (2, 1, 1)
    assert set(Voter.objects.values_list("name", flat=True)) == {"李四", "王五"}


def test_active_in_another_district_is_a_conflict_naming_it(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number = new_id()
    register_voter("张三", district=DISTRICT_2, actor=cast.county_staff, id_number=number)
    before = written()

    outcome = load(sheet(person("张三", number), person("李四")), cast.registrar, election)

    assert (outcome.accepted, outcome.conflicts, outcome.already_registered) == (1, 1, 0)
    assert outcome.row_notes == {2: "已在江岸区大智街道第二选区登记，本次未导入。"}
    holder = Voter.objects.get(id_hash=pii.id_hash(number))
    assert holder.district_id == DISTRICT_2
    assert written()[0] == before[0] + 1


def test_importing_the_same_file_again_changes_nothing_and_says_so(
    cast: Cast, election: Election
) -> None:
    checked = sheet(person("张三"), person("李四"), person("王五", errors=("有误",)))
    first = load(checked, cast.registrar, election, run=make_run(cast.registrar))
    after_first = written()
    changes = list(VoterChange.objects.values_list("pk", "voter_id", "kind"))

    again = load(checked, cast.registrar, election, run=make_run(cast.registrar))

    assert (first.accepted, first.already_registered) == (2, 0)
    assert (again.accepted, again.already_registered, again.rejected, again.updated) == (0, 2, 1, 0)
    assert again.row_notes == {}
    assert written() == after_first  # not a voter, not a change, not even an audit row
    assert list(VoterChange.objects.values_list("pk", "voter_id", "kind")) == changes


def test_a_lean_commit_keeps_just_the_rows_the_report_lists(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    elsewhere = new_id()
    register_voter("赵六", district=DISTRICT_2, actor=cast.county_staff, id_number=elsewhere)
    people = (
        person("张三"),
        person("李四", errors=("公民身份号码校验码不正确",)),
        person("王五", warnings=("户籍地址代码未知",)),
        person("赵六", elsewhere),
        person("钱七"),
    )
    full = sheet(*people)
    outcome = load(full, cast.registrar, election, dry_run=True)
    lean = sheet(*people)

    lean_outcome = load(lean, cast.registrar, election, dry_run=True, lean=True)

    assert lean_outcome == outcome
    assert lean.frame.columns == [ROW, ERRORS, WARNINGS]
    assert lean.frame[ROW].to_list() == [3, 4, 5]  # an error, a warning, a note
    assert lean.table.frame[ROW].to_list() == [3, 4, 5]
    assert attention_rows(lean, lean_outcome).equals(attention_rows(full, outcome))
    assert error_workbook(lean, lean_outcome) is not None


def test_differences_are_reported_without_update_and_corrected_with_it(
    cast: Cast, election: Election
) -> None:
    number, other = new_id(), new_id()
    load(
        sheet(
            person("张三", number, phone="13800000000", group="一组", household_address="旧址"),
            person("李四", other, phone="13900000000"),
        ),
        cast.registrar,
        election,
    )
    before = written()
    changed = sheet(
        # name and phone differ; the blank address cell must not erase the old address
        person("张叁", number, phone="13811111111", group="一组", household_address=""),
        person("李四", other, phone="13900000000"),
    )

    report = load(changed, cast.registrar, election)
    assert (report.already_registered, report.updated, report.accepted) == (2, 0, 0)
    assert report.row_notes == {
        2: "已在本选区登记；姓名、联系电话与名册不一致，未选择“更新”，名册未改动。"
    }
    assert written() == before

    run = make_run(cast.registrar)
    fixed = load(changed, cast.registrar, election, run=run, update=True)
    assert (fixed.already_registered, fixed.updated, fixed.accepted) == (2, 1, 0)
    assert fixed.row_notes == {2: "已在本选区登记，已按本表更正：姓名、联系电话。"}
    voter = Voter.objects.get(id_hash=pii.id_hash(number))
    assert (voter.name, voter.phone, voter.household_address, voter.group) == (
        "张叁",
        "13811111111",
        "旧址",
        "一组",
    )
    assert (voter.name_pinyin, voter.name_initials) == pinyin_of("张叁")
    correction = voter.changes.get(kind=ChangeKind.CORRECTED)
    assert (correction.import_run, correction.actor, correction.district_code) == (
        run,
        cast.registrar,
        DISTRICT,
    )
    assert correction.summary == {
        "changed": {"name": ["张三", "张叁"], "phone": ["13800000000", "13811111111"]}
    }
    assert written() == (before[0], before[1] + 1, before[2] + 1)
    assert Voter.objects.get(id_hash=pii.id_hash(other)).changes.count() == 1


def test_update_corrects_ethnicity_only_when_the_sheet_has_the_column(
    cast: Cast, election: Election
) -> None:
    number = new_id()
    load(sheet(person("张三", number, ethnicity="汉族")), cast.registrar, election)
    # no 民族 column: validation fills 1 (汉族) for everyone, which must not overwrite anything
    Voter.objects.update(ethnicity=3)
    load(sheet(person("张三", number)), cast.registrar, election, update=True)
    assert Voter.objects.get().ethnicity == 3

    fixed = load(
        sheet(person("张三", number, ethnicity="土家族", code=15)),
        cast.registrar,
        election,
        update=True,
    )
    assert fixed.updated == 1 and "民族" in fixed.row_notes[2]
    assert Voter.objects.get().ethnicity == 15


def test_people_removed_as_deceased_or_deprived_are_flagged_not_registered(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    dead, deprived, moved = new_id(), new_id(), new_id()
    for number, reason in (
        (dead, RemovalReason.DECEASED),
        (deprived, RemovalReason.DEPRIVED),
        (moved, RemovalReason.MOVED_OUT),
    ):
        voter = register_voter("张三", id_number=number)
        voter_remove(
            actor=cast.registrar, voter=voter, election=election, reason=reason, evidence="证明"
        )

    outcome = load(
        sheet(person("张三", dead), person("张三", deprived), person("张三", moved)),
        cast.registrar,
        election,
    )

    assert (outcome.flagged_removed, outcome.accepted) == (2, 1)
    assert outcome.row_notes[2] == "曾因死亡除名，请核实；本次未导入。"
    assert outcome.row_notes[3].startswith("曾因被剥夺政治权利除名，请核实；")
    assert Voter.objects.filter(id_hash=pii.id_hash(moved), status=Status.REGISTERED).exists()
    assert not Voter.objects.filter(id_hash=pii.id_hash(dead), status=Status.REGISTERED).exists()


def test_a_dry_run_fills_the_outcome_and_writes_nothing(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    here, elsewhere = new_id(), new_id()
    register_voter("张三", id_number=here, phone="1")
    register_voter("李四", district=DISTRICT_2, actor=cast.county_staff, id_number=elsewhere)
    before = written()

    outcome = load(
        sheet(
            person("张三", here, phone="13800000000"),
            person("李四", elsewhere),
            person("王五"),
            person("赵六", errors=("有误",)),
        ),
        cast.registrar,
        election,
        dry_run=True,
        update=True,
    )

    assert outcome.dry_run
    assert (outcome.accepted, outcome.conflicts, outcome.already_registered) == (1, 1, 1)
    assert (outcome.updated, outcome.rejected, outcome.read) == (1, 1, 4)
    assert set(outcome.row_notes) == {2, 3}
    assert written() == before
    assert Voter.objects.get(id_hash=pii.id_hash(here)).phone == "1"


def test_a_dry_run_is_allowed_outside_the_registration_window(
    cast: Cast, election: Election
) -> None:
    election.registration_closes = timezone.localdate() - timedelta(days=1)
    election.registration_opens = election.registration_closes - timedelta(days=10)
    election.save()
    checked = sheet(person("张三"))

    assert load(checked, cast.registrar, election, dry_run=True).accepted == 1
    with pytest.raises(ServiceError, match="截止"):
        load(checked, cast.registrar, election)
    assert written() == (0, 0, 0)


def test_the_actor_must_manage_the_district(cast: Cast, election: Election) -> None:
    with pytest.raises(ServiceError, match="无权"):
        load(sheet(person("张三")), cast.registrar, election, district=DISTRICT_2)
    with pytest.raises(ServiceError, match="无权"):
        load(sheet(person("张三")), cast.outsider, election)
    assert written() == (0, 0, 0)


def test_rows_name_their_district_when_the_file_covers_several(
    cast: Cast, election: Election
) -> None:
    outcome = load(
        sheet(
            person("张三", district=str(DISTRICT)),
            person("李四", district=str(DISTRICT_3)),
            person("王五", district=str(SIBLING_DISTRICT)),  # 江汉区: not the county's
            person("赵六", district="420102002999"),  # no such district
            person("钱七", district=None),
        ),
        cast.county_staff,
        election,
        district=None,
    )

    assert (outcome.accepted, outcome.rejected) == (2, 3)
    assert outcome.row_notes[4] == "您无权在“第一选区”登记选民，未导入。"
    assert outcome.row_notes[5] == "选区代码 420102002999 不存在，未导入。"
    assert outcome.row_notes[6].startswith("选区代码为空或格式不正确")
    assert dict(Voter.objects.values_list("name", "district_id")) == {
        "张三": DISTRICT,
        "李四": DISTRICT_3,
    }
    event = AuditEvent.objects.get(action="voter.import")
    assert event.region_code == COUNTY
    assert event.summary["districts"] == {str(DISTRICT): 1, str(DISTRICT_3): 1}


def test_without_a_district_the_sheet_needs_a_district_column(
    cast: Cast, election: Election
) -> None:
    with pytest.raises(ServiceError, match="选区代码"):
        load(sheet(person("张三")), cast.county_staff, election, district=None)


def test_the_commit_refuses_what_validation_let_through(cast: Cast, election: Election) -> None:
    number = new_id()
    outcome = load(
        sheet(
            person("张三", number),
            person("张三", number),  # twice in the file
            person("李四", kind="死亡"),
            person("王五", kind="恢复政治权利"),  # no court date
            person("赵六", kind="restored", effective=date(2025, 3, 1)),
            person("钱七", residence_kind="随便"),
        ),
        cast.registrar,
        election,
    )
    assert (outcome.accepted, outcome.rejected) == (2, 4)
    assert outcome.row_notes[3] == "与第 2 行的身份证号码重复，未导入。"
    assert outcome.row_notes[4].startswith("变动类型“死亡”不能通过导入办理")
    assert outcome.row_notes[5].startswith("恢复政治权利须填写")
    assert outcome.row_notes[7] == "登记类型“随便”无法识别，未导入。"
    restored = VoterChange.objects.get(voter__name="赵六")
    assert (restored.kind, restored.effective_date) == (ChangeKind.RESTORED, date(2025, 3, 1))


def test_cancelling_between_chunks_rolls_everything_back(
    cast: Cast, election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "CHUNK_ROWS", 2)
    calls: list[int] = []

    def progress(done: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # after lookups, after chunk 1, after chunk 2: stop
            assert Voter.objects.count() == 4  # written, inside the transaction
            raise Cancelled

    with pytest.raises(Cancelled):
        load(
            sheet(*(person(f"张{i}") for i in range(5))),
            cast.registrar,
            election,
            progress=progress,
        )
    assert calls == [0, 2, 4]
    assert written() == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_leaves_the_register_as_it_was(
    cast: Cast, election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a savepoint inside the test's transaction: the commit's own transaction, on a real
    connection. (A killed worker on PostgreSQL: test_killed_worker_writes_nothing.)"""
    monkeypatch.setattr(stage, "CHUNK_ROWS", 10)
    seen: list[int] = []

    def crash(done: int) -> None:
        seen.append(Voter.objects.count())
        if done >= 50:
            raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError, match="worker lost"):
        load(
            sheet(*(person(f"张{i}") for i in range(100))), cast.registrar, election, progress=crash
        )
    assert seen == [0, 10, 20, 30, 40, 50]
    assert written() == (0, 0, 0)
    # and the run can simply be retried
    assert load(sheet(person("张三")), cast.registrar, election).accepted == 1


def test_progress_reaches_every_row(
    cast: Cast, election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "CHUNK_ROWS", 3)
    calls: list[int] = []
    load(
        sheet(*(person(f"张{i}") for i in range(7)), person("错", errors=("有误",))),
        cast.registrar,
        election,
        progress=calls.append,
    )
    assert calls == [1, 4, 7, 8]


def test_hashes_and_ciphers_are_those_of_pii() -> None:
    import polars as pl

    numbers = [new_id() for _ in range(20)]
    hashes = stage._hashes(pl.Series(numbers)).to_list()
    ciphers = stage._ciphers(numbers).to_list()
    assert hashes == [pii.id_hash(n) for n in numbers]
    assert [pii.reveal(c) for c in ciphers] == numbers
    assert len({c[1:13] for c in ciphers}) == 20  # a fresh nonce each


def test_pinyin_cache_agrees_with_pinyin_of() -> None:
    from renda.demo.people import GIVEN, SURNAMES

    rng = random.Random(7)
    surnames = [s for s, _w in SURNAMES]
    chars = "".join(sorted({c for pool in GIVEN.values() for c in pool}))
    names = [
        rng.choice(surnames) + "".join(rng.choice(chars) for _ in range(rng.randint(1, 2)))
        for _ in range(3000)
    ]
    names += ["曾国藩", "单雄信", "解缙", "仇英", "朴树", "长孙无忌", "尉迟恭", "重阳", "乐乐"]
    names += ["阿依古丽·买买提", "Tom张", "张3", "覃", "万俟卨"]
    convert = stage._PinyinCache()
    assert [convert(n) for n in names] == [pinyin_of(n) for n in names]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgres_copy_keeps_empty_text_and_nulls_apart(cast: Cast, election: Election) -> None:
    load(sheet(person("张三", phone="", group=None)), cast.registrar, election)
    voter = Voter.objects.get()
    assert (voter.phone, voter.group, voter.removal_reason, voter.mobile_box) == ("", "", "", False)
    change = voter.changes.get()
    assert (change.effective_date, change.published_in, change.summary, change.reason) == (
        None,
        None,
        {},
        "",
    )


def test_a_race_error_says_nothing_was_written() -> None:
    assert "全部未写入" in ImportRaceError().message


# --- PostgreSQL with real connections -------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a second server connection"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_killed_worker_writes_nothing(cast: Cast, election: Election) -> None:
    """A worker process killed (SIGKILL) after writing 300 of 1,000 rows in its transaction:
    the server rolls it back, and the same file imports cleanly afterwards."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _url_of_test_database(),
    }
    victim = subprocess.Popen(  # noqa: S603 — this test suite's own helper
        [
            sys.executable,
            "-m",
            "renda.voters.tests.importing.commit_victim",
            election.code,
            cast.registrar.username,
            "1000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
        cwd=settings.BASE_DIR,
    )
    try:
        line = victim.stdout.readline() if victim.stdout else ""
        assert line.startswith("written"), victim.stderr.read() if victim.stderr else line
        _, inside, pid = line.split()
        assert int(inside) >= 300  # what the victim sees inside its transaction
        assert Voter.objects.count() == 0  # and nobody else does
        assert _backend_state(int(pid)) == "idle in transaction"
    finally:
        victim.kill()
        victim.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _backend_state(int(pid)) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _backend_state(int(pid)) is None
    assert written() == (0, 0, 0)

    retry = sheet(*(person(f"张{i}", numbered_id(i, "420104")) for i in range(1000)))
    assert load(retry, cast.registrar, election).accepted == 1000


def _url_of_test_database() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _backend_state(pid: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_one_person_exactly_one_wins(
    cast: Cast, election: Election
) -> None:
    """A and B both find the person unregistered; A writes and holds its transaction open;
    B's insert waits on A's entry in the one-active-registration index; A commits; B fails
    with ImportRaceError and writes nothing of its file."""
    number = new_id()
    a_wrote, a_may_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def importer(label: str, district: int, rows: Checked, hold: bool) -> None:
        calls = 0

        def progress(done: int) -> None:
            nonlocal calls
            calls += 1
            if hold and calls == 2:  # after the chunk: written, not committed
                a_wrote.set()
                assert a_may_commit.wait(timeout=30)

        try:
            results[label] = load(rows, cast.county_staff, election, district, progress=progress)
        except Exception as exc:
            results[label] = exc
        finally:
            connection.close()

    a = threading.Thread(target=importer, args=("A", DISTRICT, sheet(person("张三", number)), True))
    b = threading.Thread(
        target=importer,
        args=("B", DISTRICT_2, sheet(person("李四"), person("张三", number)), False),
    )
    a.start()
    assert a_wrote.wait(timeout=30)
    b.start()
    deadline = time.monotonic() + 20
    while not _someone_waits_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _someone_waits_for_a_lock(), "B should be waiting on A's index entry"
    a_may_commit.set()
    a.join(timeout=30)
    b.join(timeout=30)

    assert isinstance(results["A"], Outcome) and results["A"].accepted == 1
    assert isinstance(results["B"], ImportRaceError)
    assert list(Voter.objects.values_list("name", "district_id")) == [("张三", DISTRICT)]
    assert AuditEvent.objects.filter(action="voter.import").count() == 1
    # B again: now a conflict, and 李四 goes in
    again = load(
        sheet(person("李四"), person("张三", number)), cast.county_staff, election, DISTRICT_2
    )
    assert (again.accepted, again.conflicts) == (1, 1)


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])
