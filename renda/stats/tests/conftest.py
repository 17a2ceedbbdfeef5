"""Statistics fixtures: the voter fixtures, and counters set by hand so figures can be checked
against sums worked out on paper.

The hand-set counters (``tallies``), on the test cast:

| district | expected | registered | suspended | listed | rate |
|---|---|---|---|---|---|
| 大智街道第一选区 (DISTRICT) | 100 | 80 | 2 | 82 | 82.00 |
| 大智街道第二选区 (DISTRICT_2) | no row: not started | | | 0 | — |
| 一元街道第一选区 (DISTRICT_3) | 50 | 45 | 0 | 45 | 90.00 |
| 民族街道第一选区 (SIBLING_DISTRICT, 江汉区) | 1000 | 10 | 0 | 10 | 1.00 |
"""

from __future__ import annotations

from typing import Any

import pytest

from renda.core.testing import DISTRICT, DISTRICT_3, SIBLING_DISTRICT
from renda.voters.models import Election, VoterTally
from renda.voters.tests.conftest import election, register_voter

__all__ = ["FIRST", "election", "register_voter", "tallies"]

FIRST: dict[str, int] = {
    "expected": 100,
    "registered": 80,
    "suspended": 2,
    "not_listed": 1,
    "certified_out": 3,
    "removed": 4,
    "male": 44,
    "female": 42,
    "age_18_35": 30,
    "age_36_59": 36,
    "age_60_plus": 20,
    "minority": 5,
    "certificate_holders": 6,
    "mobile_box": 7,
    "proxies": 2,
    "certificates_issued": 3,
    "newly_18": 10,
    "restored": 1,
    "moved_in": 5,
    "deceased": 2,
    "deprived": 1,
    "moved_out": 3,
}
THIRD: dict[str, int] = {
    "expected": 50,
    "registered": 45,
    "male": 20,
    "female": 25,
    "age_18_35": 15,
    "age_36_59": 20,
    "age_60_plus": 10,
    "newly_18": 4,
    "moved_out": 1,
}
SIBLING: dict[str, int] = {"expected": 1000, "registered": 10, "male": 6, "female": 4}


def set_tally(election: Election, district: int, **counts: Any) -> VoterTally:
    row, _created = VoterTally.objects.update_or_create(
        election=election, district_id=district, defaults=counts
    )
    return row


@pytest.fixture
def tallies(election: Election) -> Election:
    set_tally(election, DISTRICT, **FIRST)
    set_tally(election, DISTRICT_3, **THIRD)
    set_tally(election, SIBLING_DISTRICT, **SIBLING)
    return election
