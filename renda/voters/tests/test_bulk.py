"""The set-based registration path: conflicts reported, the rest written, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT, Cast
from renda.voters import bulk, pii
from renda.voters.bulk import BulkConflictError, BulkRow, voters_register_bulk
from renda.voters.idnumbers import check_id
from renda.voters.models import ChangeKind, Election, Source, Status, Voter, VoterChange
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db


def row(name: str, district: int = DISTRICT, number: str | None = None, **extra: Any) -> BulkRow:
    number = number or make_id(born=date(1980, 2, 3), male=True)
    check = check_id(number)
    assert check.valid and check.birth_date and check.sex
    return BulkRow(
        id_number=number,
        name=name,
        sex=check.sex,
        birth_date=check.birth_date,
        district_code=district,
        **extra,
    )


def register(actor: Any, election: Election, rows: list[BulkRow]) -> bulk.BulkResult:
    return voters_register_bulk(actor=actor, election=election, rows=rows, source=Source.IMPORT)


def counts() -> tuple[int, int, int]:
    return (
        Voter.objects.count(),
        VoterChange.objects.count(),
        AuditEvent.objects.filter(action="voter.bulk_register").count(),
    )


def test_every_row_gets_a_voter_and_one_change(cast: Cast, election: Election) -> None:
    rows = [
        row("张三", DISTRICT, group="球场社区第1居民小组"),
        row("欧阳娜娜", DISTRICT_2, kind=ChangeKind.NEWLY_18),
        row("阿依古丽·买买提", DISTRICT_3, kind=ChangeKind.MOVED_IN, ethnicity=5),
    ]
    result = register(cast.county_staff, election, rows)

    assert result.created == 3 and result.conflicts == ()
    assert result.by_district == {DISTRICT: 1, DISTRICT_2: 1, DISTRICT_3: 1}
    for given in rows:
        voter = Voter.objects.get(id_hash=pii.id_hash(given.id_number))
        assert pii.reveal(voter.id_cipher) == given.id_number
        assert (voter.name, voter.district_id, voter.status) == (
            given.name,
            given.district_code,
            Status.REGISTERED,
        )
        assert voter.source == Source.IMPORT and voter.registered_at is not None
        change = voter.changes.get()
        assert (change.kind, change.election, change.district_code, change.actor) == (
            given.kind,
            election,
            given.district_code,
            cast.county_staff,
        )
        assert change.import_run is None and change.published_in is None
    assert Voter.objects.get(name="张三").group == "球场社区第1居民小组"
    assert Voter.objects.get(name="欧阳娜娜").name_initials == "oynn"
    assert Voter.objects.get(name__startswith="阿依古丽").name_pinyin == "ayigulimaimaiti"


def test_one_audit_row_with_counts_and_no_id_number(cast: Cast, election: Election) -> None:
    rows = [row(f"李{c}", DISTRICT) for c in "一二三四"]
    register(cast.county_staff, election, rows)

    event = AuditEvent.objects.get(action="voter.bulk_register")
    assert event.actor == cast.county_staff
    assert event.region_code == DISTRICT  # every row in one district
    assert event.summary["rows"] == 4 and event.summary["created"] == 4
    assert event.summary["conflicts"] == 0
    assert event.summary["districts"] == {str(DISTRICT): 4}
    dumped = str(model_to_dict(event))
    for given in rows:
        assert given.id_number not in dumped and given.id_number[:17] not in dumped
    assert not AuditEvent.objects.filter(action__startswith="voter.registered").exists()


def test_person_active_elsewhere_is_reported_naming_the_district(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number = make_id()
    register_voter("王五", district=DISTRICT, id_number=number)
    before = counts()

    result = register(cast.county_staff, election, [row("王五", DISTRICT_3, number), row("赵六")])

    assert result.created == 1
    (conflict,) = result.conflicts
    assert (conflict.index, conflict.district_code, conflict.same_district) == (0, DISTRICT, False)
    assert conflict.where == "大智街道第一选区"
    assert "大智街道第一选区" in conflict.message and "不能重复登记" in conflict.message
    assert Voter.objects.filter(id_hash=pii.id_hash(number)).count() == 1
    assert counts()[0] == before[0] + 1
    event = AuditEvent.objects.get(action="voter.bulk_register")
    assert event.summary["conflicts"] == 1 and event.summary["already_here"] == 0


def test_person_already_here_is_reported_as_such(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number = make_id()
    register_voter("王五", district=DISTRICT, id_number=number)

    result = register(cast.county_staff, election, [row("王五", DISTRICT, number)])

    assert result.created == 0
    assert result.conflicts[0].same_district
    assert "已在本选区" in result.conflicts[0].message


def test_a_removed_registration_does_not_block(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number = make_id()
    old = register_voter("钱七", district=DISTRICT, id_number=number)
    Voter.objects.filter(pk=old.pk).update(status=Status.REMOVED)

    result = register(cast.county_staff, election, [row("钱七", DISTRICT_2, number)])

    assert result.created == 1 and not result.conflicts


def test_within_batch_duplicate_keeps_the_first_and_names_it(
    cast: Cast, election: Election
) -> None:
    number = make_id()
    rows = [row("孙一", DISTRICT, number), row("周二"), row("孙一", DISTRICT_2, number)]

    result = register(cast.county_staff, election, rows)

    assert result.created == 2
    (conflict,) = result.conflicts
    assert (conflict.index, conflict.earlier_index, conflict.district_code) == (2, 0, DISTRICT)
    assert "第 1 行" in conflict.message and "大智街道第一选区" in conflict.message
    assert Voter.objects.get(id_hash=pii.id_hash(number)).district_id == DISTRICT


def test_duplicates_are_found_across_query_chunks(
    cast: Cast, election: Election, register_voter: RegisterVoter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "hash_chunk", lambda: 2)
    taken = make_id()
    register_voter("吴九", district=DISTRICT_2, actor=cast.county_staff, id_number=taken)
    twice = make_id()
    rows = [
        row("甲", number=twice),
        row("乙"),
        row("丙"),
        row("丁", number=taken),
        row("甲", number=twice),
    ]

    result = register(cast.county_staff, election, rows)

    assert result.created == 3
    assert [(c.index, c.earlier_index) for c in result.conflicts] == [(3, None), (4, 0)]


def test_concurrent_registration_rolls_back_everything(
    cast: Cast, election: Election, register_voter: RegisterVoter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another registrar registers one of the batch between the check and the insert: the
    partial unique constraint refuses the insert, and nothing of the batch is written."""
    number = make_id()
    register_voter("郑十", district=DISTRICT_2, actor=cast.county_staff, id_number=number)
    before = counts()
    real = bulk._find_conflicts
    calls: list[int] = []

    def blind_first_time(*args: Any) -> Iterator[bulk.Conflict]:
        calls.append(1)
        return iter(()) if len(calls) == 1 else real(*args)

    monkeypatch.setattr(bulk, "_find_conflicts", blind_first_time)
    rows = [row("冯一"), row("郑十", DISTRICT, number), row("陈二")]

    with pytest.raises(BulkConflictError) as caught:
        register(cast.county_staff, election, rows)

    assert "全部未写入" in caught.value.message
    (conflict,) = caught.value.conflicts
    assert (conflict.index, conflict.where) == (1, "大智街道第二选区")
    assert counts() == before
    assert not Voter.objects.filter(name__in=["冯一", "陈二"]).exists()


def test_outside_the_actors_scope_writes_nothing(cast: Cast, election: Election) -> None:
    before = counts()
    rows = [row("甲", DISTRICT), row("乙", SIBLING_DISTRICT)]
    with pytest.raises(ServiceError, match="无权"):
        register(cast.registrar, election, rows)
    with pytest.raises(ServiceError, match="不存在"):
        register(cast.county_staff, election, [row("丙", DISTRICT + 900)])
    assert counts() == before


def test_closed_registration_writes_nothing(cast: Cast, election: Election) -> None:
    Election.objects.filter(pk=election.pk).update(
        registration_closes=timezone.localdate() - timedelta(days=1),
        registration_opens=timezone.localdate() - timedelta(days=30),
    )
    election.refresh_from_db()
    with pytest.raises(ServiceError, match="截止"):
        register(cast.county_staff, election, [row("甲")])
    assert counts() == (0, 0, 0)


def test_import_run_and_restored_date_are_kept(cast: Cast, election: Election) -> None:
    from renda.imports.models import ImportRun

    run = ImportRun.objects.create(
        kind="voters", created_by=cast.county_staff, region_code=DISTRICT, original_name="a.xlsx"
    )
    court = date(2025, 6, 1)
    voters_register_bulk(
        actor=cast.county_staff,
        election=election,
        rows=[row("恢复", kind=ChangeKind.RESTORED, effective_date=court)],
        source=Source.IMPORT,
        import_run=run,
    )
    change = VoterChange.objects.get()
    assert (change.import_run, change.effective_date) == (run, court)
    event = AuditEvent.objects.get(action="voter.bulk_register")
    assert event.target_type == "imports.importrun" and event.target_id == str(run.pk)
    with pytest.raises(ValueError, match="effective_date"):
        register(cast.county_staff, election, [row("无日期", kind=ChangeKind.RESTORED)])
    with pytest.raises(ValueError, match="registration kind"):
        register(cast.county_staff, election, [row("错类", kind=ChangeKind.DECEASED)])


@pytest.mark.parametrize("text", ["", "z", "zs", "张"])
def test_bulk_registered_voters_page_by_keyset_in_pinyin_order(
    cast: Cast, election: Election, text: str
) -> None:
    """Every voter once, in (pinyin, id) order, through ties — lists and searches alike."""
    from renda.voters.selectors import VoterQuery, voter_page, voters_for

    names = ["张三", "张山", "赵四", "钱五", "张三", "周深", "郑爽"]
    register(cast.county_staff, election, [row(names[i % len(names)]) for i in range(40)])
    query = VoterQuery(text=text, district=DISTRICT)
    expected = [v.pk for v in voters_for(cast.county_staff, query).order_by("name_pinyin", "id")]
    seen: list[int] = []
    after = None
    while True:
        page = voter_page(voters_for(cast.county_staff, query), after, size=3)
        seen.extend(v.pk for v in page.items)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected and len(expected) >= 10
