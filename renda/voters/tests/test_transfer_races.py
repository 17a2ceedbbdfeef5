"""Races on PostgreSQL, each with two real server connections (one per thread).

The first writer is held inside its transaction — everything written, nothing committed — at
its last audit row; the second starts, and the test checks that it really waits for a row lock
before letting the first commit. Then exactly one has won and the other has a clear message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, Cast
from renda.voters import pii
from renda.voters.models import (
    ACTIVE,
    Certificate,
    CertificateStatus,
    Election,
    EvidenceKind,
    RemovalReason,
    Status,
    Transfer,
    TransferStatus,
    Voter,
)
from renda.voters.services import common as common_services
from renda.voters.services import register as register_services
from renda.voters.services import transfers as services
from renda.voters.services.certificates import certificate_issue
from renda.voters.services.register import Person, voter_register
from renda.voters.tests.transfer_helpers import district, register_in, registrar_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two server connections"),
    pytest.mark.django_db(transaction=True),
]
FIRST = "first-writer"


class Race:
    """Run ``first`` until it writes the audit row named ``hold_at``, then ``second``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, hold_at: str) -> None:
        self.paused, self.release = threading.Event(), threading.Event()
        self.results: dict[str, Any] = {}
        for module in (common_services, services):
            original = module.audit_record
            monkeypatch.setattr(module, "audit_record", self._holding(original, hold_at))

    def _holding(self, original: Callable[..., Any], hold_at: str) -> Callable[..., Any]:
        def audit_record(**kwargs: Any) -> Any:
            if threading.current_thread().name == FIRST and kwargs.get("action") == hold_at:
                self.paused.set()
                assert self.release.wait(timeout=30)
            return original(**kwargs)

        return audit_record

    def _run(self, name: str, work: Callable[[], Any]) -> threading.Thread:
        def target() -> None:
            try:
                self.results[name] = work()
            except Exception as exc:
                self.results[name] = exc
            finally:
                connection.close()

        thread = threading.Thread(target=target, name=name)
        thread.start()
        return thread

    def __call__(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        a = self._run(FIRST, first)
        assert self.paused.wait(timeout=30), self.results.get(FIRST)
        b = self._run("second-writer", second)
        deadline = time.monotonic() + 20
        while not _someone_waits_for_a_lock() and time.monotonic() < deadline and b.is_alive():
            time.sleep(0.05)
        waited = _someone_waits_for_a_lock()
        self.release.set()
        a.join(timeout=30)
        b.join(timeout=30)
        assert waited, f"the second writer did not wait for a lock: {self.results}"
        return self.results[FIRST], self.results["second-writer"]


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@pytest.fixture
def b(cast: Cast) -> User:
    return registrar_of(DISTRICT_2, "reg_b")


@pytest.fixture
def c(cast: Cast) -> User:
    return registrar_of(DISTRICT_3, "reg_c")


@pytest.fixture
def person(election: Election, b: User) -> Voter:
    return register_in(election, DISTRICT_2, b, "李四")


@pytest.fixture(autouse=True)
def _close_main_connection() -> Iterator[None]:
    yield
    connection.close()


def ask(cast: Cast, election: Election, voter: Voter) -> Transfer:
    return services.transfer_request(
        actor=cast.registrar,
        election=election,
        voter=voter,
        to_district=district(DISTRICT),
        evidence_kind=EvidenceKind.RESIDENCE,
        evidence="居住证",
    )


def active_districts(voter: Voter) -> list[int]:
    return list(
        Voter.objects.filter(id_hash=voter.id_hash, status__in=ACTIVE).values_list(
            "district_id", flat=True
        )
    )


@pytest.mark.parametrize("winner", ["transfer", "certificate"])
def test_two_districts_take_the_same_person_at_once_exactly_one_wins(
    cast: Cast,
    election: Election,
    b: User,
    c: User,
    person: Voter,
    monkeypatch: pytest.MonkeyPatch,
    winner: str,
) -> None:
    """B confirms 李四's move to A while C registers him with B's certificate."""
    certificate = certificate_issue(actor=b, election=election, voter=person)
    transfer = ask(cast, election, person)

    def confirm() -> Any:
        return services.transfer_confirm(actor=b, transfer=transfer)

    def register() -> Any:
        return voter_register(
            actor=c,
            election=election,
            district=district(DISTRICT_3),
            person=Person(id_number=pii.reveal(person.id_cipher), name="李四"),
            certificate_number=certificate.number,
        )

    if winner == "transfer":
        won, lost = Race(monkeypatch, "transfer.confirm")(confirm, register)
        assert isinstance(won, Transfer) and won.status == TransferStatus.CONFIRMED
        assert isinstance(lost, ServiceError) and "使用过" in lost.message
        assert active_districts(person) == [DISTRICT]
    else:
        won, lost = Race(monkeypatch, "voter.registered")(register, confirm)
        assert isinstance(won, Voter) and won.district_id == DISTRICT_3
        assert isinstance(lost, ServiceError) and "已失效" in lost.message
        assert active_districts(person) == [DISTRICT_3]
    assert Certificate.objects.get().status == CertificateStatus.USED


def test_a_transfer_confirmed_twice_at_once(
    cast: Cast, election: Election, b: User, person: Voter, monkeypatch: pytest.MonkeyPatch
) -> None:
    transfer = ask(cast, election, person)
    won, lost = Race(monkeypatch, "transfer.confirm")(
        lambda: services.transfer_confirm(actor=b, transfer=transfer),
        lambda: services.transfer_confirm(actor=cast.county_staff, transfer=transfer),
    )
    assert isinstance(won, Transfer)
    assert isinstance(lost, ServiceError) and "无需重复办理" in lost.message
    assert active_districts(person) == [DISTRICT]
    assert Voter.objects.filter(name="李四").count() == 2


@pytest.mark.parametrize("first", ["refuse", "confirm"])
def test_refused_and_confirmed_at_once(
    cast: Cast,
    election: Election,
    b: User,
    person: Voter,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
) -> None:
    transfer = ask(cast, election, person)

    def refuse() -> Any:
        return services.transfer_refuse(actor=b, transfer=transfer, reason="仍在本地居住")

    def confirm() -> Any:
        return services.transfer_confirm(actor=cast.county_staff, transfer=transfer)

    if first == "refuse":
        won, lost = Race(monkeypatch, "transfer.refused")(refuse, confirm)
        assert isinstance(lost, ServiceError) and "已被拒绝" in lost.message
        assert active_districts(person) == [DISTRICT_2]
    else:
        won, lost = Race(monkeypatch, "transfer.confirm")(confirm, refuse)
        assert isinstance(lost, ServiceError) and "已确认" in lost.message
        assert active_districts(person) == [DISTRICT]
    assert isinstance(won, Transfer)


def test_a_certificate_used_twice_at_once(
    cast: Cast, election: Election, b: User, c: User, person: Voter, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = certificate_issue(actor=b, election=election, voter=person)
    number = pii.reveal(person.id_cipher)

    def register_in_district(actor: User, code: int) -> Callable[[], Any]:
        return lambda: voter_register(
            actor=actor,
            election=election,
            district=district(code),
            person=Person(id_number=number, name="李四"),
            certificate_number=certificate.number,
        )

    won, lost = Race(monkeypatch, "voter.registered")(
        register_in_district(cast.registrar, DISTRICT), register_in_district(c, DISTRICT_3)
    )
    assert isinstance(won, Voter) and won.district_id == DISTRICT
    assert isinstance(lost, ServiceError) and "不能重复使用" in lost.message
    assert active_districts(person) == [DISTRICT]


def test_two_districts_ask_for_the_same_person_at_once(
    cast: Cast, election: Election, c: User, person: Voter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ask_from(actor: User, code: int) -> Callable[[], Any]:
        return lambda: services.transfer_request(
            actor=actor,
            election=election,
            voter=person,
            to_district=district(code),
            evidence_kind=EvidenceKind.RESIDENCE,
            evidence="居住证",
        )

    won, lost = Race(monkeypatch, "transfer.request")(
        ask_from(cast.registrar, DISTRICT), ask_from(c, DISTRICT_3)
    )
    assert isinstance(won, Transfer)
    assert isinstance(lost, ServiceError) and f"第 {won.pk} 号" in lost.message
    assert Transfer.objects.count() == 1


def test_the_one_registration_constraint_referees_a_restore_during_a_move(
    cast: Cast,
    election: Election,
    b: User,
    c: User,
    person: Voter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """李四 was once registered in C and removed as deprived of political rights; C restores
    that old registration while B confirms his move to A. The restore's row does not pass
    through the transfer's locks: the partial unique index makes it wait for the move and
    then refuses it."""
    number = pii.reveal(person.id_cipher)
    old = Voter.objects.create(
        id_hash=person.id_hash,
        id_cipher=person.id_cipher,
        name="李四",
        name_pinyin="lisi",
        name_initials="ls",
        sex=person.sex,
        birth_date=person.birth_date,
        district_id=DISTRICT_3,
        status=Status.REMOVED,
        removal_reason=RemovalReason.DEPRIVED,
    )
    assert pii.reveal(old.id_cipher) == number
    transfer = ask(cast, election, person)
    won, lost = Race(monkeypatch, "transfer.confirm")(
        lambda: services.transfer_confirm(actor=b, transfer=transfer),
        lambda: register_services.voter_restore(
            actor=c,
            voter=old,
            election=election,
            court_date=election.registration_opens,
            evidence="刑满释放证明",
        ),
    )
    assert isinstance(won, Transfer)
    assert isinstance(lost, ServiceError) and "已在其他选区登记" in lost.message
    assert active_districts(person) == [DISTRICT]
