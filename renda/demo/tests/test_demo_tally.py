"""The demo register goes through the counted doors: its counters equal a recount."""

from __future__ import annotations

import pytest

from renda.demo.tests.test_demo_voters import province  # noqa: F401 — the fixture
from renda.demo.voters import ELECTION_CODE, build_demo_voters
from renda.voters import tally
from renda.voters.models import Election, Status, Voter


@pytest.mark.usefixtures("province")
def test_the_demo_ends_with_counters_equal_to_a_recount() -> None:
    build_demo_voters(300)
    build_demo_voters(400)  # a second run adds the rest through the same doors

    election = Election.objects.get(code=ELECTION_CODE)
    assert tally.verify() == []
    figures = tally.totals(election, *election.region.subtree)
    assert figures["registered"] == Voter.objects.filter(status=Status.REGISTERED).count()
    assert figures["registered"] + figures["certified_out"] == 400
    assert figures["certificates_issued"] == figures["certified_out"] >= 1
