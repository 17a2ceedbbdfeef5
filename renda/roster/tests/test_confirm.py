"""A district confirms its expected people (registering them) or explains the rest."""

from __future__ import annotations

import pytest

from renda.core.errors import ServiceError
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, Cast
from renda.regions.models import District
from renda.roster.models import BaseRecord, ExceptionReason, RecordStatus
from renda.roster.services.records import (
    base_records_confirm,
    base_records_mark_exception,
    base_records_reopen,
)
from renda.roster.tests.conftest import LoadSheet, make_id, roster_rows
from renda.voters.models import (
    Election,
    RegistrationConflict,
    Source,
    Voter,
    VoterChange,
    VoterTally,
)
from renda.voters.tests.conftest import RegisterVoter

pytestmark = pytest.mark.django_db


def roster(load_sheet: LoadSheet, n: int, *, district: int = DISTRICT) -> list[BaseRecord]:
    """n people on the roster of 大智街道, assigned to ``district``."""
    load_sheet(
        roster_rows(
            *[[make_id(), f"居民{i}", "", "汉族", "大智街道", "三阳社区", ""] for i in range(n)]
        )
    )
    BaseRecord.objects.update(district_id=district)
    return list(BaseRecord.objects.order_by("id"))


def test_confirming_all_registers_everyone_with_a_traceable_change(
    cast: Cast, election: Election, load_sheet: LoadSheet
) -> None:
    records = roster(load_sheet, 5)
    district = District.objects.get(code=DISTRICT)
    result = base_records_confirm(actor=cast.registrar, election=election, district=district)
    assert (result.registered, result.already_here, result.conflicts) == (5, 0, ())
    voters = {v.name: v for v in Voter.objects.all()}
    assert set(voters) == {r.name for r in records}
    assert {v.source for v in voters.values()} == {Source.BASE}
    for record in BaseRecord.objects.all():
        assert record.status == RecordStatus.CONFIRMED
        assert record.voter == voters[record.name]
        assert record.decided_by == cast.registrar
    changes = VoterChange.objects.all()
    assert changes.count() == 5
    batch = records[0].batch
    assert {c.import_run_id for c in changes} == {batch.import_run_id}
    assert all(f"批次 {batch.pk}" in c.evidence for c in changes)


def test_confirming_again_changes_nothing(
    cast: Cast, election: Election, load_sheet: LoadSheet
) -> None:
    roster(load_sheet, 3)
    district = District.objects.get(code=DISTRICT)
    base_records_confirm(actor=cast.registrar, election=election, district=district)
    again = base_records_confirm(actor=cast.registrar, election=election, district=district)
    assert (again.registered, again.confirmed) == (0, 0)
    assert Voter.objects.count() == 3 and VoterChange.objects.count() == 3


def test_someone_already_registered_here_is_confirmed_against_that_registration(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    records = roster(load_sheet, 2)
    from renda.voters import pii

    there = register_voter(records[0].name, id_number=pii.reveal(records[0].id_cipher or b""))
    result = base_records_confirm(
        actor=cast.registrar,
        election=election,
        district=District.objects.get(code=DISTRICT),
        record_ids=[records[0].pk],
    )
    assert (result.registered, result.already_here) == (0, 1)
    records[0].refresh_from_db()
    assert records[0].voter == there and records[0].status == RecordStatus.CONFIRMED
    records[1].refresh_from_db()
    assert records[1].status == RecordStatus.EXPECTED  # not selected


def test_someone_active_elsewhere_is_a_conflict_not_a_second_registration(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    records = roster(load_sheet, 2)
    from renda.voters import pii

    there = register_voter(
        records[1].name,
        district=DISTRICT_2,
        actor=cast.township_staff,
        id_number=pii.reveal(records[1].id_cipher or b""),
    )
    result = base_records_confirm(
        actor=cast.township_staff, election=election, district=District.objects.get(code=DISTRICT)
    )
    assert result.registered == 1
    (conflict,) = result.conflicts
    assert conflict.record_id == records[1].pk and "第二选区" in conflict.message
    records[1].refresh_from_db()
    assert records[1].status == RecordStatus.EXPECTED and records[1].voter is None
    assert Voter.objects.filter(id_hash=there.id_hash).count() == 1
    row = RegistrationConflict.objects.get()
    assert (row.district_id, row.voter, row.name) == (DISTRICT, there, records[1].name)


def test_exceptions_leave_the_expected_count_and_can_be_taken_back(
    cast: Cast, election: Election, load_sheet: LoadSheet
) -> None:
    records = roster(load_sheet, 4)
    district = District.objects.get(code=DISTRICT)
    base_records_confirm(
        actor=cast.registrar, election=election, district=district, record_ids=[records[0].pk]
    )
    changed = base_records_mark_exception(
        actor=cast.registrar,
        district=district,
        record_ids=[records[0].pk, records[1].pk, records[2].pk],
        reason=ExceptionReason.LIVES_ELSEWHERE,
        note="在深圳务工",
    )
    assert changed == 2  # the confirmed one stays confirmed
    assert VoterTally.objects.get(election=election, district_id=DISTRICT).expected == 2
    assert (
        base_records_reopen(actor=cast.registrar, district=district, record_ids=[records[1].pk])
        == 1
    )
    assert VoterTally.objects.get(election=election, district_id=DISTRICT).expected == 3
    statuses = dict(BaseRecord.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in records] == [
        RecordStatus.CONFIRMED,
        RecordStatus.EXPECTED,
        RecordStatus.EXCEPTION,
        RecordStatus.EXPECTED,
    ]


def test_other_needs_a_note_and_a_registrar_cannot_touch_a_sibling_district(
    cast: Cast, election: Election, load_sheet: LoadSheet
) -> None:
    records = roster(load_sheet, 1, district=DISTRICT_3)
    with pytest.raises(ServiceError, match="无权"):
        base_records_confirm(
            actor=cast.registrar, election=election, district=District.objects.get(code=DISTRICT_3)
        )
    with pytest.raises(ServiceError, match="说明"):
        base_records_mark_exception(
            actor=cast.county_staff,
            district=District.objects.get(code=DISTRICT_3),
            record_ids=[records[0].pk],
            reason=ExceptionReason.OTHER,
        )
    assert not Voter.objects.exists()
    assert BaseRecord.objects.get().status == RecordStatus.EXPECTED
