"""Registration conflicts: a person refused here because they are active elsewhere is kept, so
that the refusal becomes a transfer request in one click."""

from __future__ import annotations

import pytest

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.imports.models import ImportRun
from renda.regions.models import District
from renda.voters import pii
from renda.voters.importing.commit import commit
from renda.voters.models import (
    ConflictSource,
    Election,
    EvidenceKind,
    RegistrationConflict,
    TransferStatus,
    Voter,
)
from renda.voters.services.conflicts import conflict_dismiss
from renda.voters.services.register import Person, voter_register
from renda.voters.services.transfers import conflict_transfer, transfer_confirm
from renda.voters.tests.importing.commit_sheets import person, sheet
from renda.voters.tests.transfer_helpers import district, register_in, registrar_of


@pytest.fixture
def b(cast: Cast) -> User:
    return registrar_of(DISTRICT_2, "reg_b")


@pytest.fixture
def elsewhere(election: Election, b: User) -> Voter:
    """李四, registered in 大智街道第二选区."""
    return register_in(election, DISTRICT_2, b, "李四")


def number_of(voter: Voter) -> str:
    return pii.reveal(voter.id_cipher)


def test_a_refused_registration_is_kept_once(
    cast: Cast, election: Election, elsewhere: Voter
) -> None:
    for _attempt in range(2):
        with pytest.raises(ServiceError, match="大智街道第二选区"):
            voter_register(
                actor=cast.registrar,
                election=election,
                district=district(DISTRICT),
                person=Person(id_number=number_of(elsewhere), name="李四"),
            )
    conflict = RegistrationConflict.objects.get()
    assert (conflict.district_id, conflict.voter, conflict.source) == (
        DISTRICT,
        elsewhere,
        ConflictSource.REGISTER,
    )
    assert conflict.created_by == cast.registrar and conflict.resolved_at is None
    assert not Voter.objects.filter(district_id=DISTRICT).exists()  # nothing half-written


def test_an_import_records_its_conflicts_set_based_and_once(
    cast: Cast, election: Election, elsewhere: Voter
) -> None:
    run = ImportRun.objects.create(
        kind="voters", created_by=cast.registrar, region_code=DISTRICT, original_name="一选区.xlsx"
    )
    rows = sheet(person("王五"), person("李四", number_of(elsewhere)))
    place = District.objects.get(code=DISTRICT)
    outcome = commit(rows, actor=cast.registrar, election=election, district=place, run=run)
    assert (outcome.accepted, outcome.conflicts) == (1, 1)
    conflict = RegistrationConflict.objects.get()
    assert (conflict.source, conflict.import_run, conflict.row, conflict.name) == (
        ConflictSource.IMPORT,
        run,
        3,
        "李四",
    )
    assert bytes(conflict.id_hash) == bytes(elsewhere.id_hash)
    assert AuditEvent.objects.filter(action="voter.conflicts_import").count() == 1
    # a dry run and a second import of the same file add nothing
    commit(rows, actor=cast.registrar, election=election, district=place, run=run, dry_run=True)
    commit(rows, actor=cast.registrar, election=election, district=place, run=run)
    assert RegistrationConflict.objects.count() == 1
    assert AuditEvent.objects.filter(action="voter.conflicts_import").count() == 1


def test_one_click_makes_the_conflict_a_transfer_request(
    cast: Cast, election: Election, b: User, elsewhere: Voter
) -> None:
    run = ImportRun.objects.create(
        kind="voters", created_by=cast.registrar, region_code=DISTRICT, original_name="一选区.xlsx"
    )
    commit(
        sheet(person("李四", number_of(elsewhere))),
        actor=cast.registrar,
        election=election,
        district=District.objects.get(code=DISTRICT),
        run=run,
    )
    conflict = RegistrationConflict.objects.get()
    with pytest.raises(ServiceError):
        conflict_transfer(actor=b, conflict=conflict)  # not B's to ask
    transfer = conflict_transfer(actor=cast.registrar, conflict=conflict)
    assert transfer.evidence_kind == EvidenceKind.CONFLICT
    assert transfer.evidence == "批量导入“一选区.xlsx”第 2 行"
    assert transfer.import_run == run and transfer.from_district_id == DISTRICT_2
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None and conflict.transfer == transfer
    with pytest.raises(ServiceError, match="已处理"):
        conflict_transfer(actor=cast.registrar, conflict=conflict)
    transfer_confirm(actor=b, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CONFIRMED
    assert Voter.objects.get(district_id=DISTRICT, name="李四").is_active


def test_a_conflict_can_be_dismissed(cast: Cast, election: Election, elsewhere: Voter) -> None:
    with pytest.raises(ServiceError):
        voter_register(
            actor=cast.registrar,
            election=election,
            district=district(DISTRICT),
            person=Person(id_number=number_of(elsewhere), name="李四"),
        )
    conflict = RegistrationConflict.objects.get()
    with pytest.raises(ServiceError):
        conflict_dismiss(actor=cast.outsider, conflict=conflict)
    conflict_dismiss(actor=cast.registrar, conflict=conflict, note="登记有误")
    with pytest.raises(ServiceError, match="已处理"):
        conflict_dismiss(actor=cast.registrar, conflict=conflict)


def test_the_conflict_list_and_its_button(
    cast: Cast, election: Election, b: User, elsewhere: Voter
) -> None:
    with pytest.raises(ServiceError):
        voter_register(
            actor=cast.registrar,
            election=election,
            district=district(DISTRICT),
            person=Person(id_number=number_of(elsewhere), name="李四"),
        )
    conflict = RegistrationConflict.objects.get()
    page = cast.client(cast.registrar).get("/voters/conflicts/").content.decode()
    assert "李四" in page and "发起转移" in page
    assert number_of(elsewhere) not in page and pii.masked(elsewhere.id_cipher) in page
    # B (where he is registered) does not see A's conflict; an outsider gets 404
    assert "李四" not in cast.client(b).get("/voters/conflicts/").content.decode()
    outsider = cast.client(cast.outsider)
    assert outsider.post(f"/voters/conflicts/{conflict.pk}/transfer/").status_code == 404
    response = cast.client(cast.registrar).post(f"/voters/conflicts/{conflict.pk}/transfer/")
    conflict.refresh_from_db()
    assert conflict.transfer is not None
    assert response["Location"] == f"/voters/transfers/{conflict.transfer.pk}/"
