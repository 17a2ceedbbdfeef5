"""Online transfer (线上转移, 键对键) as a spec: ask, answer, move; the rules around it.

大智街道第一选区 (the cast's registrar, "A") asks for people registered in 大智街道第二选区
("B", its own registrar) and in 江汉区 (another county).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.core.models import AuditEvent, Notification
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT, Cast
from renda.voters import tally
from renda.voters.models import (
    CertificateStatus,
    ChangeKind,
    Election,
    EntryAction,
    EvidenceKind,
    Proxy,
    RemovalReason,
    ResidenceKind,
    Source,
    Status,
    Transfer,
    TransferDirection,
    TransferStatus,
    Voter,
    VoterChange,
)
from renda.voters.services import transfers as services
from renda.voters.services.certificates import certificate_issue
from renda.voters.services.publication import list_publish_first, list_publish_supplement
from renda.voters.services.register import proxy_register, voter_remove, voter_suspend
from renda.voters.tests.transfer_helpers import district, register_in, registrar_of

RESIDENCE = EvidenceKind.RESIDENCE


@pytest.fixture
def b(cast: Cast) -> User:
    return registrar_of(DISTRICT_2, "reg_b")


@pytest.fixture
def person(election: Election, b: User) -> Voter:
    return register_in(election, DISTRICT_2, b, "李四")


def ask(cast: Cast, election: Election, voter: Voter, **extra: object) -> Transfer:
    kwargs: dict[str, object] = {
        "evidence_kind": RESIDENCE,
        "evidence": "居住证 420102-2024-0001",
        **extra,
    }
    return services.transfer_request(
        actor=cast.registrar,
        election=election,
        voter=voter,
        to_district=district(DISTRICT),
        **kwargs,  # type: ignore[arg-type]
    )


# --- The lifecycle --------------------------------------------------------------------------


def test_a_confirmed_request_moves_the_registration(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = ask(cast, election, person, residence_address="大智路 8 号", group="第二组")
    assert transfer.status == TransferStatus.REQUESTED
    assert transfer.direction == TransferDirection.REQUESTED_BY_DESTINATION
    assert transfer.from_district_id == DISTRICT_2 and transfer.responder_code == DISTRICT_2
    assert transfer.respond_by > timezone.localdate()
    # B is told, A (who asked) is not
    told = Notification.objects.filter(url__endswith=f"/transfers/{transfer.pk}/")
    assert [n.recipient for n in told] == [b]
    assert "李四" in told.get().text

    services.transfer_confirm(actor=b, transfer=transfer)

    transfer.refresh_from_db()
    person.refresh_from_db()
    new = transfer.new_voter
    assert transfer.status == TransferStatus.CONFIRMED and transfer.responded_by == b
    assert (person.status, person.removal_reason) == (Status.REMOVED, RemovalReason.MOVED_OUT)
    assert new is not None and new.pk != person.pk
    assert (new.district_id, new.status, new.source) == (DISTRICT, Status.REGISTERED, "transfer")
    assert bytes(new.id_hash) == bytes(person.id_hash) and new.name == "李四"
    assert (new.residence_kind, new.residence_address, new.group) == (
        ResidenceKind.RESIDENT,
        "大智路 8 号",
        "第二组",
    )
    out = VoterChange.objects.get(voter=person, kind=ChangeKind.MOVED_OUT)
    into = VoterChange.objects.get(voter=new, kind=ChangeKind.MOVED_IN)
    assert (out.district_code, into.district_code) == (DISTRICT_2, DISTRICT)
    assert out.election == into.election == election
    assert out.published_in is None and into.published_in is None  # pending: next supplements
    assert [e.new for e in transfer.events.order_by("id")] == ["requested", "confirmed"]
    assert AuditEvent.objects.filter(action="transfer.confirm", target_id=str(transfer.pk))
    # both sides told; B confirmed it itself, so only A's registrar gets the news
    news = Notification.objects.filter(text__contains="已确认")
    assert {n.recipient for n in news} == {cast.registrar}
    assert tally.verify() == []


def test_the_origin_can_hand_a_person_over(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = services.transfer_start_from_origin(
        actor=b,
        election=election,
        voter=person,
        to_district=district(DISTRICT),
        evidence_kind=EvidenceKind.HOUSEHOLD,
        evidence="户口已迁往大智街道",
    )
    assert transfer.direction == TransferDirection.STARTED_BY_ORIGIN
    assert transfer.responder_code == DISTRICT  # the destination accepts
    with pytest.raises(ServiceError, match="被申请方"):
        services.transfer_confirm(actor=b, transfer=transfer)
    services.transfer_confirm(actor=cast.registrar, transfer=transfer)
    new = Voter.objects.get(district_id=DISTRICT, name="李四")
    assert new.residence_kind == ResidenceKind.HOUSEHOLD


def test_a_transfer_confirmed_twice_is_refused_with_a_message(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = ask(cast, election, person)
    services.transfer_confirm(actor=b, transfer=transfer)
    with pytest.raises(ServiceError, match="已确认，登记已转移，无需重复办理"):
        services.transfer_confirm(actor=b, transfer=transfer)
    assert Voter.objects.filter(name="李四").count() == 2  # the old row and one new one
    assert VoterChange.objects.filter(kind=ChangeKind.MOVED_IN).count() == 1


def test_a_refused_transfer_cannot_be_confirmed(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = ask(cast, election, person)
    with pytest.raises(ServiceError, match="拒绝理由"):
        services.transfer_refuse(actor=b, transfer=transfer, reason="  ")
    services.transfer_refuse(actor=b, transfer=transfer, reason="本人仍在本选区居住")
    with pytest.raises(ServiceError, match="已被拒绝"):
        services.transfer_confirm(actor=b, transfer=transfer)
    person.refresh_from_db()
    assert person.status == Status.REGISTERED and person.district_id == DISTRICT_2
    told = Notification.objects.get(recipient=cast.registrar, text__contains="拒绝")
    assert "本人仍在本选区居住" in told.text


def test_only_the_asker_withdraws_and_only_the_other_side_answers(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = ask(cast, election, person)
    with pytest.raises(ServiceError, match="申请方"):
        services.transfer_cancel(actor=b, transfer=transfer)
    with pytest.raises(ServiceError, match="被申请方"):
        services.transfer_confirm(actor=cast.registrar, transfer=transfer)
    with pytest.raises(ServiceError):
        services.transfer_confirm(actor=cast.outsider, transfer=transfer)
    services.transfer_cancel(actor=cast.registrar, transfer=transfer, reason="申请有误")
    with pytest.raises(ServiceError, match="撤回"):
        services.transfer_confirm(actor=b, transfer=transfer)
    # the county office of both districts may answer for them (escalation lands there)
    again = ask(cast, election, person)
    services.transfer_confirm(actor=cast.county_staff, transfer=again)


def test_one_open_transfer_per_person(cast: Cast, election: Election, person: Voter) -> None:
    first = ask(cast, election, person)
    third_district = registrar_of(DISTRICT_3, "reg_c")
    with pytest.raises(ServiceError, match=f"第 {first.pk} 号"):
        services.transfer_request(
            actor=third_district,
            election=election,
            voter=person,
            to_district=district(DISTRICT_3),
            evidence_kind=RESIDENCE,
            evidence="租赁合同",
        )
    assert Transfer.objects.count() == 1


def test_what_cannot_be_asked(cast: Cast, election: Election, b: User, person: Voter) -> None:
    mine = register_in(election, DISTRICT, cast.registrar, "王五")
    with pytest.raises(ServiceError, match="已在本选区登记"):
        ask(cast, election, mine)
    with pytest.raises(ServiceError, match="依据"):
        ask(cast, election, person, evidence=" ")
    with pytest.raises(ServiceError, match="无权"):
        services.transfer_request(
            actor=cast.outsider,
            election=election,
            voter=person,
            to_district=district(DISTRICT),
            evidence_kind=RESIDENCE,
            evidence="居住证",
        )
    voter_suspend(actor=b, voter=person, election=election, decision="检察院决定书 2026-1")
    with pytest.raises(ServiceError, match="停止行使选举权利"):
        ask(cast, election, person)


def test_a_certificate_as_evidence_is_used_up_by_the_move(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    certificate = certificate_issue(actor=b, election=election, voter=person)
    with pytest.raises(ServiceError, match="不是原选区为此人开具"):
        ask(cast, election, person, evidence_kind=EvidenceKind.CERTIFICATE, evidence="X-0001")
    transfer = ask(
        cast, election, person, evidence_kind=EvidenceKind.CERTIFICATE, evidence=certificate.number
    )
    assert transfer.residence_kind == ResidenceKind.CERTIFICATE
    services.transfer_confirm(actor=b, transfer=transfer)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.USED
    assert certificate.used_district_id == DISTRICT
    assert Voter.objects.get(district_id=DISTRICT, name="李四").status == Status.REGISTERED
    assert tally.verify() == []


def test_a_certificate_cannot_be_issued_while_a_transfer_waits(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    ask(cast, election, person)
    with pytest.raises(ServiceError, match="待答复的转移申请"):
        certificate_issue(actor=b, election=election, voter=person)
    person.refresh_from_db()
    assert person.status == Status.REGISTERED


def test_proxies_end_with_the_move(cast: Cast, election: Election, b: User, person: Voter) -> None:
    neighbour = register_in(election, DISTRICT_2, b, "赵六")
    proxy_register(actor=b, election=election, principal=person, holder=neighbour)
    services.transfer_confirm(actor=b, transfer=ask(cast, election, person))
    assert Proxy.objects.get().revoked_at is not None
    assert tally.verify() == []


def test_after_publication_the_move_goes_to_both_supplements(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    register_in(election, DISTRICT, cast.registrar, "王五")
    for code in (DISTRICT, DISTRICT_2):
        list_publish_first(actor=cast.committee, election=election, district=district(code))
    services.transfer_confirm(actor=b, transfer=ask(cast, election, person))

    origin = list_publish_supplement(
        actor=cast.committee, election=election, district=district(DISTRICT_2)
    )
    destination = list_publish_supplement(
        actor=cast.committee, election=election, district=district(DISTRICT)
    )
    assert [(e.name, e.action) for e in origin.entries.all()] == [("李四", EntryAction.REMOVED)]
    assert [(e.name, e.action) for e in destination.entries.all()] == [("李四", EntryAction.ADDED)]
    assert not VoterChange.objects.filter(published_in__isnull=True).exists()


def test_across_counties(cast: Cast, election: Election) -> None:
    jianghan = registrar_of(SIBLING_DISTRICT, "reg_jh")
    person = register_in(election, SIBLING_DISTRICT, jianghan, "孙七")
    transfer = ask(cast, election, person)
    services.transfer_confirm(actor=jianghan, transfer=transfer)
    assert Voter.objects.get(name="孙七", status=Status.REGISTERED).district_id == DISTRICT


# --- The registration ending another way closes the transfer --------------------------------


def test_a_removal_expires_the_open_transfer(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = ask(cast, election, person)
    voter_remove(
        actor=b,
        voter=person,
        election=election,
        reason=RemovalReason.DECEASED,
        evidence="死亡证明 2026-7",
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.EXPIRED
    assert "死亡" in transfer.response_note


def test_a_certificate_used_elsewhere_expires_the_open_transfer(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    from renda.voters.services.register import Person, voter_register

    certificate = certificate_issue(actor=b, election=election, voter=person)
    transfer = ask(cast, election, person)  # asked with a residence proof meanwhile
    third = registrar_of(DISTRICT_3, "reg_c")
    voter_register(
        actor=third,
        election=election,
        district=district(DISTRICT_3),
        person=Person(id_number=_number_of(person), name="李四"),
        certificate_number=certificate.number,
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.EXPIRED
    with pytest.raises(ServiceError, match="已失效"):
        services.transfer_confirm(actor=b, transfer=transfer)


def _number_of(voter: Voter) -> str:
    from renda.voters import pii

    return pii.reveal(voter.id_cipher)


# --- The timer ------------------------------------------------------------------------------


def test_reminder_the_day_before_then_escalation_to_the_county(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    transfer = ask(cast, election, person)
    due = transfer.respond_by
    early = due - timedelta(days=10)
    assert services.transfers_remind_and_escalate(on=early) == {
        "reminded": 0,
        "escalated": 0,
        "expired": 0,
    }
    assert services.transfers_remind_and_escalate(on=due)["reminded"] == 1
    assert services.transfers_remind_and_escalate(on=due)["reminded"] == 0  # once
    reminder = Notification.objects.get(text__startswith="催办")
    assert reminder.recipient == b
    late = due + timedelta(days=1)
    assert services.transfers_remind_and_escalate(on=late)["escalated"] == 1
    assert services.transfers_remind_and_escalate(on=late)["escalated"] == 0
    escalated = {n.recipient for n in Notification.objects.filter(text__startswith="督办")}
    assert {cast.county_staff, cast.committee, b} <= escalated  # the county office and B
    transfer.refresh_from_db()
    assert transfer.reminded_at and transfer.escalated_at and transfer.is_open
    assert [e.note[:2] for e in transfer.events.order_by("id")][1:] == ["催办", "已逾"]


def test_an_unanswered_transfer_expires_when_registration_closes(
    cast: Cast, election: Election, person: Voter
) -> None:
    transfer = ask(cast, election, person)
    after = election.registration_closes + timedelta(days=1)
    assert services.transfers_remind_and_escalate(on=after)["expired"] == 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.EXPIRED


def test_the_command_runs_the_timer(cast: Cast, election: Election, person: Voter) -> None:
    from io import StringIO

    from django.core.management import call_command

    transfer = ask(cast, election, person)
    out = StringIO()
    call_command("transfers_due", "--date", transfer.respond_by.isoformat(), "--json", stdout=out)
    assert '"reminded": 1' in out.getvalue()


# --- Finding the person ---------------------------------------------------------------------


def test_finding_a_person_in_the_province_is_audited(cast: Cast, person: Voter) -> None:
    found = services.voter_find_in_province(actor=cast.registrar, id_number=_number_of(person))
    assert found == person
    event = AuditEvent.objects.get(action="voter.find_province")
    assert event.summary == {"found": True} and _number_of(person) not in str(event.summary)
    with pytest.raises(ServiceError):
        services.voter_find_in_province(actor=cast.deputy, id_number=_number_of(person))
    with pytest.raises(ServiceError, match=r"校验码|无效|位"):
        services.voter_find_in_province(actor=cast.registrar, id_number="12345")


def test_source_transfer_is_a_source() -> None:
    assert str(Source.TRANSFER.label) == "转移登记"


def test_the_answer_is_due_in_working_days(cast: Cast, election: Election, person: Voter) -> None:
    from datetime import date

    from renda.voters.calendar import add_workdays
    from renda.voters.models import HolidayOverride

    # 2099 is beyond chinese-calendar's data: weekdays, corrected by the override table.
    thursday = date(2099, 1, 1)
    assert add_workdays(thursday, 1) == date(2099, 1, 2)
    assert add_workdays(thursday, 2) == date(2099, 1, 5)  # over the weekend
    HolidayOverride.objects.create(day=date(2099, 1, 2), is_workday=False, note="假日")
    HolidayOverride.objects.create(day=date(2099, 1, 3), is_workday=True, note="调休")
    assert add_workdays(thursday, 1) == date(2099, 1, 3)
    election.transfer_days = 3
    election.save()
    transfer = ask(cast, election, person)
    assert transfer.respond_by == add_workdays(timezone.localdate(), 3)
