"""The counters under concurrent writers: PostgreSQL, real connections (one per thread)."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.regions.models import District
from renda.voters import tally
from renda.voters.idnumbers import check_char
from renda.voters.importing.commit import commit
from renda.voters.models import Election, RemovalReason, Voter
from renda.voters.services.certificates import certificate_issue
from renda.voters.services.register import (
    Person,
    proxy_register,
    voter_correct,
    voter_register,
    voter_remove,
    voter_set_mobile_box,
)
from renda.voters.tests.importing.commit_sheets import numbered_id, person, sheet
from renda.voters.tests.test_tally import counters

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs server connections"),
    pytest.mark.django_db(transaction=True),
]


def number(worker: int, n: int, *, male: bool = True) -> str:
    """Distinct valid ID numbers per worker: the worker's own birth date, sequence n."""
    born = date(1970 + worker, 3, 1) + timedelta(days=n // 400)
    first17 = f"420102{born:%Y%m%d}{(n % 400) * 2 + (1 if male else 0):03d}"
    return first17 + check_char(first17)


def in_thread(work: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test, which then fails
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def wait_until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 20
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def register(cast: Cast, election: Election, code: int, id_number: str, name: str) -> Voter:
    return voter_register(
        actor=cast.county_staff,
        election=Election.objects.get(pk=election.pk),
        district=District.objects.get(code=code),
        person=Person(id_number=id_number, name=name),
    )


def test_a_hot_district_waits_for_the_row_other_districts_do_not(
    cast: Cast, election: Election
) -> None:
    """A registers in 第一选区 and keeps its transaction open: B registering in 第二选区 is not
    held up; C registering in 第一选区 waits for A's counter row until A commits."""
    a_wrote, a_may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a() -> None:
        with transaction.atomic():
            register(cast, election, DISTRICT, number(1, 1), "张甲")
            a_wrote.set()
            assert a_may_commit.wait(timeout=30)

    def b() -> None:
        register(cast, election, DISTRICT_2, number(2, 1), "李乙")
        b_done.set()

    def c() -> None:
        register(cast, election, DISTRICT, number(3, 1, male=False), "王丙")

    first = in_thread(a, errors)
    first.start()
    assert a_wrote.wait(timeout=30)
    other = in_thread(b, errors)
    other.start()
    assert b_done.wait(timeout=30), "another district must not wait for A"
    hot = in_thread(c, errors)
    hot.start()
    assert wait_until(someone_waits_for_a_lock), "C should wait for A's counter row"
    a_may_commit.set()
    for thread in (first, other, hot):
        thread.join(timeout=30)

    assert errors == []
    assert (counters(election)["registered"], counters(election)["female"]) == (2, 1)
    assert counters(election, DISTRICT_2)["registered"] == 1
    assert tally.verify() == []


def test_concurrent_writers_of_every_kind_leave_no_drift(cast: Cast, election: Election) -> None:
    """Two registrars work the same two districts at once — registrations, corrections,
    removals, mobile boxes, proxies, certificates used across the two districts in both
    directions, and an import each — and the counters equal a recount."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def registrar(worker: int) -> None:
        here, there = (DISTRICT, DISTRICT_2) if worker == 1 else (DISTRICT_2, DISTRICT)
        current = Election.objects.get(pk=election.pk)
        start.wait(timeout=30)
        people = []
        for n in range(12):
            people.append(register(cast, election, here, number(worker, n), f"甲{worker}{n}"))
        for n, voter in enumerate(people[:4]):
            voter_correct(
                actor=cast.county_staff,
                voter=voter,
                election=current,
                reason="更正",
                ethnicity=15 + n % 2,
            )
            voter_set_mobile_box(actor=cast.county_staff, voter=voter, election=current, on=True)
        voter_remove(
            actor=cast.county_staff,
            voter=people[4],
            election=current,
            reason=RemovalReason.DECEASED,
            evidence="死亡证明",
        )
        proxy_register(
            actor=cast.county_staff, election=current, principal=people[5], holder=people[6]
        )
        for n, voter in enumerate(people[7:10]):
            certificate = certificate_issue(actor=cast.county_staff, election=current, voter=voter)
            voter_register(
                actor=cast.county_staff,
                election=current,
                district=District.objects.get(code=there),
                person=Person(id_number=number(worker, 7 + n), name=voter.name),
                certificate_number=certificate.number,
            )
        rows = sheet(*(person(f"乙{worker}{i}", numbered_id(worker * 1000 + i)) for i in range(30)))
        commit(
            rows,
            actor=cast.county_staff,
            election=current,
            district=District.objects.get(code=here),
            run=None,
        )

    threads = [in_thread(functools.partial(registrar, w), errors) for w in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert tally.verify() == []
    for code in (DISTRICT, DISTRICT_2):
        row = counters(election, code)
        # 12 registered, 1 died, 3 left with a certificate, 3 came with one, 30 imported
        assert (row["registered"], row["removed"], row["deceased"]) == (41, 4, 1)
        assert (row["certificate_holders"], row["certificates_issued"], row["proxies"]) == (
            3,
            3,
            1,
        )
        assert (row["minority"], row["mobile_box"]) == (4, 4)
