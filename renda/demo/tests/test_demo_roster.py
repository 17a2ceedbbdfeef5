"""`renda demo`: the base roster of the demo districts, with planted faults, loaded once."""

from __future__ import annotations

import pytest

from renda.demo.roster import build_demo_roster
from renda.demo.tests.test_demo_voters import province  # noqa: F401 — the fixture
from renda.demo.voters import build_demo_voters
from renda.regions.models import Region
from renda.roster import reports
from renda.roster.models import BaseBatch, BaseRecord, RecordStatus, ReviewItem, SourceKind

pytestmark = pytest.mark.usefixtures("province")


def test_the_demo_roster_covers_the_register_plants_faults_and_loads_once() -> None:
    election = build_demo_voters(600).election
    load = build_demo_roster(election, extra_per_district=5)
    assert load.records > 450 and load.confirmed > 400  # household registrations, and more
    households = BaseRecord.objects.filter(source=SourceKind.HOUSEHOLD)
    assert households.filter(status=RecordStatus.CONFIRMED).count() == load.confirmed
    assert households.filter(status=RecordStatus.EXPECTED).exists()  # 漏登 to find
    assert households.filter(district__isnull=False).count() > 0.9 * households.count()
    report = reports.crosscheck(*Region.objects.get(code=420000000000).subtree, level=1)
    assert report.total.missing > 0 and report.total.wrong > 0
    assert load.wrong_items == report.total.wrong
    assert BaseBatch.objects.filter(source=SourceKind.DECEASED).count() == 1
    assert ReviewItem.objects.filter(kind="deceased").count() == load.deceased_items > 0

    again = build_demo_roster(election, extra_per_district=5)
    assert (again.records, again.deceased_items, again.wrong_items) == (0, 0, 0)
    assert BaseRecord.objects.filter(source=SourceKind.HOUSEHOLD).count() == households.count()
