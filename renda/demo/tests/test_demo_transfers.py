"""The demo's transfers, self-service request and conflict: made once, through the services."""

from __future__ import annotations

import pytest

from renda.core.models import AuditEvent
from renda.demo.tests.test_demo_voters import province  # noqa: F401 — the fixture
from renda.demo.transfers import HOME, build_demo_transfers
from renda.demo.voters import build_demo_voters
from renda.voters.models import (
    RegistrationConflict,
    SelfServiceRequest,
    Transfer,
    TransferDirection,
    TransferStatus,
)


@pytest.mark.usefixtures("province")
def test_demo_transfers_are_made_once() -> None:
    election = build_demo_voters(1500).election
    made = build_demo_transfers(election)
    assert (made.transfers, made.requests, made.conflicts) == (3, 1, 1)
    waiting_for_home = Transfer.objects.filter(
        status=TransferStatus.REQUESTED,
        direction=TransferDirection.REQUESTED_BY_DESTINATION,
        from_district_id=HOME,
    )
    assert waiting_for_home.count() == 2
    assert {t.to_district_id // 10**6 for t in waiting_for_home} == {420102, 420502}
    assert Transfer.objects.filter(to_district_id=HOME).count() == 1
    assert SelfServiceRequest.objects.filter(district_id=HOME).count() == 1
    assert RegistrationConflict.objects.filter(district_id=HOME).count() == 1

    events = AuditEvent.objects.count()
    again = build_demo_transfers(election)
    assert (again.transfers, again.requests, again.conflicts) == (0, 0, 0)
    assert AuditEvent.objects.count() == events
    assert Transfer.objects.count() == 3
