"""应登记 per district — the denominator of the registration rate — handed to the counters.

Expected = household records assigned to the district whose status is expected or confirmed:
the people the roster says should be on the district's list. Exceptions (lives elsewhere,
deceased, deprived, not listed, under age, other) are accounted for and do not count, so a
district that explained everyone it could not register reaches 100%.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from renda.regions.models import District
from renda.roster.models import BaseRecord, RecordStatus, SourceKind
from renda.voters import tally

COUNTED = (RecordStatus.EXPECTED, RecordStatus.CONFIRMED)


def expected_counts(lo: int, hi: int) -> dict[int, int]:
    """district code → expected people, for every district in [lo, hi] (0 where none): one
    GROUP BY on the (district, status, …) index."""
    counts = dict.fromkeys(
        District.objects.filter(code__gte=lo, code__lte=hi).values_list("code", flat=True), 0
    )
    rows = (
        BaseRecord.objects.filter(
            source=SourceKind.HOUSEHOLD,
            status__in=COUNTED,
            district_id__gte=lo,
            district_id__lte=hi,
        )
        .values_list("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts


def expected_refresh(ranges: Iterable[tuple[int, int]]) -> int:
    """Recount the districts in ``ranges`` and set them on every open election covering them,
    in the caller's transaction. Returns how many districts were counted."""
    counts: dict[int, int] = {}
    for lo, hi in ranges:
        counts.update(expected_counts(lo, hi))
    if not counts:
        return 0
    for election in tally.open_elections_for(counts):
        covered = tally.Open.of(election)
        tally.set_expected(election, {c: n for c, n in counts.items() if covered.covers(c)})
    return len(counts)
