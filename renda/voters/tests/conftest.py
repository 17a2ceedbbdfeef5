"""Voter fixtures shared by the voter tests: an open election and a way to make valid people.

Keep this small and additive: several test modules build on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from renda.accounts.models import User
from renda.core.testing import PROVINCE, Cast
from renda.regions.models import District
from renda.voters.idnumbers import check_char
from renda.voters.models import Election, Voter
from renda.voters.services.register import Person, voter_register

_sequence = itertools.count(1)


def make_id(
    address: str = "420102",
    born: date = date(1990, 5, 17),
    *,
    male: bool = True,
    seq: int | None = None,
) -> str:
    """A valid 18-character ID number; each call gives a new sequence unless ``seq`` is given."""
    n = seq if seq is not None else next(_sequence) % 500
    digits = 2 * n + (1 if male else 0)
    first17 = f"{address}{born:%Y%m%d}{digits % 1000:03d}"
    return first17 + check_char(first17)


@pytest.fixture
def election(cast: Cast) -> Election:
    today = timezone.localdate()
    return Election.objects.create(
        code="hb-2026",
        name="湖北省县乡两级人大换届选举",
        region_id=PROVINCE,
        election_day=today + timedelta(days=60),
        registration_opens=today - timedelta(days=10),
        registration_closes=today + timedelta(days=59),
        publication_deadline=today + timedelta(days=40),
    )


RegisterVoter = Callable[..., Voter]


@pytest.fixture
def register_voter(cast: Cast, election: Election) -> RegisterVoter:
    """register_voter(name, district=DISTRICT code, actor=cast.registrar, **person fields)."""

    def register(
        name: str = "张三", district: int | None = None, actor: User | None = None, **fields: Any
    ) -> Voter:
        from renda.core.testing import DISTRICT

        fields.setdefault("id_number", make_id())
        person = Person(name=name, **fields)
        return voter_register(
            actor=actor or cast.registrar,
            election=election,
            district=District.objects.get(code=district or DISTRICT),
            person=person,
        )

    return register
