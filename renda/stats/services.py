"""Every write of the statistics module: the daily snapshot and archive, and the audit rows of
downloads and exports (figures leaving the system are audited like lists leaving it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from renda.accounts.scopes import Place, place_of
from renda.core import privatefiles
from renda.core.audit import audit_record
from renda.regions.codes import SPAN, Level
from renda.regions.models import Region
from renda.stats import exports
from renda.stats.figures import Figures
from renda.stats.models import StatsReport, StatsSnapshot
from renda.stats.selectors import area_report, grouped_figures
from renda.voters.models import Election

REPORT_FOLDER = "stats"


@dataclass(frozen=True)
class SnapshotResult:
    election: Election
    day: date
    snapshots: int
    reports: int


def open_elections(day: date) -> list[Election]:
    """Elections still ahead (or held today): the ones whose figures still move."""
    return list(
        Election.objects.select_related("region").filter(election_day__gte=day).order_by("code")
    )


def _regions_in(election: Election, deepest: int) -> list[Region]:
    lo, hi = election.region.subtree
    return list(
        Region.objects.filter(
            code__gte=lo,
            code__lte=hi,
            valid_to__isnull=True,
            level__gte=election.region.level,
            level__lte=deepest,
        ).order_by("level", "code")
    )


def _snapshot_rows(election: Election, day: date) -> list[StatsSnapshot]:
    """One row per region of the election's area (every counter) and per district (three)."""
    lo, hi = election.region.subtree
    now = timezone.now()
    rows: list[StatsSnapshot] = []
    regions = {r.code: r.level for r in _regions_in(election, Level.TOWNSHIP)}
    for level in range(election.region.level, Level.DISTRICT + 1):
        span = SPAN[level]
        for key, figures in grouped_figures(election.pk, lo, hi, span).items():
            code = key * span
            if level < Level.DISTRICT and regions.get(code) != level:
                continue  # e.g. the 'city' digits of a county directly under the province
            rows.append(_snapshot(election, code, level, day, figures, now))
    return rows


def _snapshot(
    election: Election, code: int, level: int, day: date, figures: Figures, now: Any
) -> StatsSnapshot:
    every = figures.as_dict() if level < Level.DISTRICT else {}
    every.pop("rate", None)
    return StatsSnapshot(
        election=election,
        code=code,
        level=level,
        day=day,
        expected=figures.expected,
        registered=figures.registered,
        suspended=figures.suspended,
        figures=every,
        taken_at=now,
    )


def _archive_report(election: Election, region: Region, day: date) -> int:
    """Generate and store the region's table of the day, replacing an earlier one; a region
    without electoral districts has no table (0)."""
    place: Place = place_of(region)
    report = area_report(election, place)
    if not report.total.districts:
        return 0
    data = exports.report_xlsx(report)
    name = privatefiles.store(data, folder=REPORT_FOLDER)
    old = StatsReport.objects.filter(election=election, day=day, region=region).first()
    if old is not None:
        stale = old.file
        old.file, old.size = name, len(data)
        old.save(update_fields=["file", "size", "created_at"])
        transaction.on_commit(lambda: privatefiles.remove(stale))
    else:
        StatsReport.objects.create(
            election=election, region=region, day=day, file=name, size=len(data)
        )
    return 1


def stats_snapshot_take(
    *,
    actor: Any = None,
    election: Election,
    day: date | None = None,
    report_level: int = Level.COUNTY,
) -> SnapshotResult:
    """Keep the day's figures of every region and district of the election's area, and the
    day's report table of each region down to ``report_level``.

    Idempotent per day: a second run the same day replaces that day's rows and tables with
    the figures as they are now (run it late in the day; ``day`` defaults to today).
    """
    day = day or timezone.localdate()
    rows = _snapshot_rows(election, day)
    deepest = max(election.region.level, min(report_level, Level.TOWNSHIP))
    with transaction.atomic():
        StatsSnapshot.objects.filter(election=election, day=day).delete()
        StatsSnapshot.objects.bulk_create(rows, batch_size=2000)
        reports = sum(
            _archive_report(election, region, day) for region in _regions_in(election, deepest)
        )
        audit_record(
            actor=actor,
            action="stats.snapshot",
            target=election,
            region_code=election.region_id,
            summary={"day": day.isoformat(), "snapshots": len(rows), "reports": reports},
        )
    return SnapshotResult(election, day, len(rows), reports)


def stats_download_record(
    *,
    actor: Any,
    action: str,
    election: Election,
    place: Place,
    summary: dict[str, Any] | None = None,
    target: Any = None,
) -> None:
    """The audit row of figures or a list leaving the system (tables, CSV, archived files)."""
    audit_record(
        actor=actor,
        action=action,
        target=target or election,
        region_code=place.code,
        summary={"election": election.code, "place": place.name, **(summary or {})},
    )


def stats_snapshot_ensure(*, election: Election, day: date | None = None) -> SnapshotResult | None:
    """``stats_snapshot_take`` unless the day has its snapshot already (the demo's second run
    must change nothing); None when it had."""
    day = day or timezone.localdate()
    if StatsSnapshot.objects.filter(election=election, day=day).exists():
        return None
    return stats_snapshot_take(election=election, day=day)
