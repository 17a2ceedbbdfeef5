"""The daily snapshot: every region and district of the election's area, idempotent per day;
the trend chart reads it; the archived tables, their page and their audited downloads."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from renda.accounts.scopes import place_of
from renda.core import privatefiles
from renda.core.models import AuditEvent
from renda.core.testing import (
    CITY,
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    PROVINCE,
    SIBLING_COUNTY,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.regions.codes import Level
from renda.regions.models import Region
from renda.stats.figures import Figures
from renda.stats.models import StatsReport, StatsSnapshot
from renda.stats.selectors import trend_of
from renda.stats.services import stats_snapshot_take
from renda.voters.models import Election

from .conftest import set_tally

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "private"


def snapshot_codes(election: Election) -> dict[int, StatsSnapshot]:
    return {s.code: s for s in StatsSnapshot.objects.filter(election=election)}


def test_snapshot_covers_every_region_and_district(tallies: Election) -> None:
    result = stats_snapshot_take(election=tallies)
    rows = snapshot_codes(tallies)
    assert {s.level for s in rows.values()} == {1, 2, 3, 4, 5}
    assert rows[PROVINCE].listed == 137 and rows[PROVINCE].expected == 1150
    assert rows[PROVINCE].figures["mobile_box"] == 7 and rows[PROVINCE].figures["districts"] == 4
    assert rows[COUNTY].listed == 127
    assert rows[TOWNSHIP].figures["not_started"] == 1
    assert rows[DISTRICT].listed == 82 and rows[DISTRICT].figures == {}  # districts: 3 columns
    assert rows[DISTRICT_2].listed == 0  # a district not started is still a point on its chart
    assert 420500000000 not in rows  # 宜昌市 has no districts: nothing to keep
    assert result.snapshots == len(rows)
    event = AuditEvent.objects.get(action="stats.snapshot")
    assert event.summary["snapshots"] == len(rows) and event.actor is None


def test_snapshot_is_idempotent_per_day(
    tallies: Election, django_capture_on_commit_callbacks: Any
) -> None:
    call_command("stats_snapshot", stdout=io.StringIO())
    first = {(s.code, s.day, s.registered) for s in StatsSnapshot.objects.all()}
    reports = {(r.region_id, r.day) for r in StatsReport.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("stats_snapshot", stdout=io.StringIO())
    assert {(s.code, s.day, s.registered) for s in StatsSnapshot.objects.all()} == first
    assert {(r.region_id, r.day) for r in StatsReport.objects.all()} == reports
    # later the same day the figures moved: the day's rows follow, nothing is added
    set_tally(tallies, DISTRICT_2, registered=5)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("stats_snapshot", stdout=io.StringIO())
    rows = snapshot_codes(tallies)
    assert rows[DISTRICT_2].registered == 5 and rows[COUNTY].listed == 132
    assert StatsSnapshot.objects.count() == len(first)
    # and the replaced tables' old files are gone
    files = list(StatsReport.objects.values_list("file", flat=True))
    assert all(privatefiles.exists(name) for name in files)
    folder = privatefiles._root() / "stats"
    assert len(list(folder.iterdir())) == len(files)


def test_another_day_is_another_row(tallies: Election) -> None:
    today = timezone.localdate()
    call_command("stats_snapshot", "--day", str(today - timedelta(days=1)), stdout=io.StringIO())
    call_command("stats_snapshot", stdout=io.StringIO())
    assert StatsSnapshot.objects.filter(code=COUNTY).count() == 2


def test_command_options(tallies: Election) -> None:
    out = io.StringIO()
    call_command("stats_snapshot", "--election", tallies.code, "--report-level", "1", stdout=out)
    assert f"{tallies.code}" in out.getvalue()
    assert list(StatsReport.objects.values_list("region_id", flat=True)) == [PROVINCE]
    with pytest.raises(CommandError):
        call_command("stats_snapshot", "--election", "nope")
    with pytest.raises(CommandError):
        call_command("stats_snapshot", "--day", "2026-13-01")


def test_past_elections_are_left_alone(tallies: Election) -> None:
    Election.objects.filter(pk=tallies.pk).update(
        election_day=timezone.localdate() - timedelta(days=1),
        publication_deadline=timezone.localdate() - timedelta(days=21),
        registration_opens=timezone.localdate() - timedelta(days=90),
        registration_closes=timezone.localdate() - timedelta(days=30),
    )
    out = io.StringIO()
    call_command("stats_snapshot", stdout=out)
    assert "no open election" in out.getvalue()
    assert not StatsSnapshot.objects.exists()


def test_trend_reads_the_snapshots_and_ends_with_today(tallies: Election) -> None:
    today = timezone.localdate()
    for days_ago, registered in [(3, 10), (2, 40), (1, 70)]:
        StatsSnapshot.objects.create(
            election=tallies,
            code=COUNTY,
            level=Level.COUNTY,
            day=today - timedelta(days=days_ago),
            expected=150,
            registered=registered,
            suspended=0,
            taken_at=timezone.now(),
        )
    StatsSnapshot.objects.create(  # another place's: not on this chart
        election=tallies,
        code=SIBLING_COUNTY,
        level=Level.COUNTY,
        day=today - timedelta(days=1),
        taken_at=timezone.now(),
    )
    place = place_of(Region.objects.get(code=COUNTY))
    points = trend_of(tallies, place, Figures(expected=150, registered=125, suspended=2))
    assert [p.listed for p in points] == [10, 40, 70, 127]
    assert [p.day for p in points] == [today - timedelta(days=d) for d in (3, 2, 1, 0)]
    assert points[-1].live and str(points[-1].rate) == "84.67"


def test_the_trend_chart_shows_the_days(cast: Cast, tallies: Election) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    StatsSnapshot.objects.create(
        election=tallies,
        code=COUNTY,
        level=Level.COUNTY,
        day=yesterday,
        expected=150,
        registered=100,
        taken_at=timezone.now(),
    )
    html = cast.client(cast.county_staff).get(reverse("stats:region", args=[COUNTY])).content
    assert f'"days": ["{yesterday:%m-%d}", "{timezone.localdate():%m-%d}"]'.encode() in html
    assert b'"listed": [100, 127]' in html


# --- The archive ----------------------------------------------------------------------------


def test_archived_tables_are_listed_by_scope_and_downloads_audited(
    cast: Cast, tallies: Election
) -> None:
    stats_snapshot_take(election=tallies, report_level=Level.TOWNSHIP)
    regions = set(StatsReport.objects.values_list("region_id", flat=True))
    assert {PROVINCE, CITY, COUNTY, TOWNSHIP, TOWNSHIP_2} <= regions
    url = reverse("stats:reports")
    html = cast.client(cast.township_staff).get(url).content.decode()
    own = StatsReport.objects.get(region_id=TOWNSHIP)
    sibling = StatsReport.objects.get(region_id=TOWNSHIP_2)
    county = StatsReport.objects.get(region_id=COUNTY)
    assert reverse("stats:report_download", args=[own.pk]) in html
    assert reverse("stats:report_download", args=[sibling.pk]) not in html
    assert reverse("stats:report_download", args=[county.pk]) not in html
    client = cast.client(cast.township_staff)
    response = client.get(reverse("stats:report_download", args=[own.pk]))
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert sheet.to_python()[0][0] == "大智街道选民登记情况统计表"
    for other in (sibling, county):
        assert client.get(reverse("stats:report_download", args=[other.pk])).status_code == 404
    assert (
        cast.client(cast.outsider).get(reverse("stats:report_download", args=[own.pk])).status_code
        == 404
    )
    event = AuditEvent.objects.get(action="stats.archive_download")
    assert event.actor == cast.township_staff and event.target_id == str(own.pk)
    assert event.region_code == TOWNSHIP


def test_the_archive_page_needs_the_right(cast: Cast, tallies: Election) -> None:
    assert cast.client(cast.deputy).get(reverse("stats:reports")).status_code == 404
    response = cast.client(cast.county_staff).get(reverse("stats:reports"))
    assert response.status_code == 200
    assert "尚无归档的统计表" in response.content.decode()


def test_ensure_takes_the_day_once_and_skips_empty_regions(tallies: Election) -> None:
    from renda.stats.services import stats_snapshot_ensure

    first = stats_snapshot_ensure(election=tallies)
    assert first is not None and first.snapshots > 0
    events = AuditEvent.objects.count()
    assert stats_snapshot_ensure(election=tallies) is None  # the demo's second run: nothing
    assert AuditEvent.objects.count() == events
    regions = set(StatsReport.objects.values_list("region_id", flat=True))
    assert regions == {PROVINCE, CITY, COUNTY, SIBLING_COUNTY}  # 宜昌市 has no districts
    assert first.reports == len(regions)
