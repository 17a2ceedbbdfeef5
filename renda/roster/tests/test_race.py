"""Two districts confirming the same person at the same moment, on two real PostgreSQL
connections: exactly one registers them, the other is told clearly who has them."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from renda.core.testing import DISTRICT, SIBLING_COUNTY, SIBLING_DISTRICT, Cast
from renda.regions.models import District
from renda.roster.models import BaseRecord, RecordStatus
from renda.roster.services import records as record_services
from renda.roster.services.records import ConfirmResult, base_records_confirm
from renda.roster.tests.conftest import LoadSheet, make_id, roster_rows
from renda.voters.models import Election, RegistrationConflict, Voter

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two real PostgreSQL connections"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_districts_confirming_one_person_exactly_one_wins(
    cast: Cast, election: Election, load_sheet: LoadSheet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person moved between two counties' pushes, so both rosters list them. A registers
    and holds its transaction open; B's insert waits on A's entry in the one-active-
    registration index; A commits; B's write fails, is retried, and reports a conflict."""
    number = make_id()
    load_sheet(
        roster_rows(
            [number, "张三", "", "汉族", "大智街道", "", ""],
            [make_id(), "李四", "", "汉族", "民族街道", "", ""],
        )
    )
    load_sheet(roster_rows([number, "张三", "", "汉族", "民族街道", "", ""]), name="江汉区.xlsx")
    assert BaseRecord.objects.filter(name="张三").count() == 2
    BaseRecord.objects.filter(county_code=420102000000).update(district_id=DISTRICT)
    BaseRecord.objects.filter(county_code=SIBLING_COUNTY).update(district_id=SIBLING_DISTRICT)

    a_wrote, a_may_commit = threading.Event(), threading.Event()
    original = record_services._mark_confirmed

    def mark(district: District, ids: list[int], actor: Any) -> int:
        if threading.current_thread().name == "A":  # registered, not yet committed
            a_wrote.set()
            assert a_may_commit.wait(timeout=30)
        return original(district, ids, actor)

    monkeypatch.setattr(record_services, "_mark_confirmed", mark)
    results: dict[str, ConfirmResult | BaseException] = {}

    def confirm(label: str, user: Any, code: int) -> None:
        try:
            results[label] = base_records_confirm(
                actor=user, election=election, district=District.objects.get(code=code)
            )
        except BaseException as exc:
            results[label] = exc
        finally:
            connection.close()

    a = threading.Thread(target=confirm, name="A", args=("A", cast.county_staff, DISTRICT))
    b = threading.Thread(target=confirm, name="B", args=("B", cast.outsider, SIBLING_DISTRICT))
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

    won, lost = results["A"], results["B"]
    assert isinstance(won, ConfirmResult) and isinstance(lost, ConfirmResult), results
    assert (won.registered, won.conflicts) == (1, ())
    assert lost.registered == 1  # 李四 went in
    (conflict,) = lost.conflicts
    assert conflict.name == "张三" and "大智街道第一选区" in conflict.message
    assert list(Voter.objects.filter(name="张三").values_list("district_id", flat=True)) == [
        DISTRICT
    ]
    statuses = dict(BaseRecord.objects.filter(name="张三").values_list("district_id", "status"))
    assert statuses == {DISTRICT: RecordStatus.CONFIRMED, SIBLING_DISTRICT: RecordStatus.EXPECTED}
    assert RegistrationConflict.objects.get().district_id == SIBLING_DISTRICT


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])
