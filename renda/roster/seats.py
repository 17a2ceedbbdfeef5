"""Seats and population (选举法 Art 25): population per deputy of each district against the
mean of its administrative area, with a warning beyond ``RENDA_SEAT_DEVIATION_PERCENT``.

Two kinds of area, as the two elections are held:

- **township deputies**: the districts (选区) of one township (乡、镇、街道), each with its
  entered population and its 1–3 seats;
- **county deputies**: the county-level districts (县级选区) of one county in an election,
  each a set of township districts. Its population is the sum of the township districts it
  takes whole; one taken only in part (by work unit) leaves its population unknown — shown,
  never guessed, and left out of the mean.

An area's mean is its total population over its total seats (the figure Art 25 speaks of:
people per deputy), over the districts whose population is known. A district's deviation is
its population per seat over that mean, minus one.

Reads only; scoped like every selector: the page's region needs DISTRICT_VIEW, the districts
listed are those in the user's scope, the means are the whole area's. Registered voters come
from the election's counters (VoterTally), never from counting the register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from renda.accounts.access import AnyUser, has_perm, regions_for
from renda.accounts.roles import Perm
from renda.regions.codes import DIGITS, SPAN, Level
from renda.regions.models import District, Region
from renda.voters.models import CountyDistrict, Election, Levels, VoterTally

SORTS = ("code", "deviation", "per_seat")


def threshold() -> float:
    """The warning threshold as a fraction (0.20 by default)."""
    return float(settings.RENDA_SEAT_DEVIATION_PERCENT) / 100


@dataclass(frozen=True)
class Entry:
    """One district as the arithmetic needs it."""

    code: int
    name: str
    seats: int
    population: int | None  # None: unknown (not entered, or a part taken by work unit)
    registered: int | None = None
    note: str = ""

    @property
    def population_text(self) -> str:
        return "" if self.population is None else f"{self.population:,}"


@dataclass(frozen=True)
class SeatRow:
    entry: Entry
    per_seat: float | None
    deviation: float | None
    limit: float

    @property
    def warn(self) -> bool:
        return self.deviation is not None and abs(self.deviation) > self.limit

    @property
    def per_seat_text(self) -> str:
        return "" if self.per_seat is None else f"{self.per_seat:,.0f}"

    @property
    def deviation_text(self) -> str:
        return "" if self.deviation is None else f"{self.deviation:+.1%}"

    @property
    def deviation_words(self) -> str:
        """For spreadsheets, where a leading + or - would be taken for a formula."""
        if self.deviation is None:
            return ""
        above = _("高于平均 %(d).1f%%") if self.deviation >= 0 else _("低于平均 %(d).1f%%")
        return above % {"d": abs(self.deviation) * 100}

    # A <meter> of the deviation's size (no inline styles: the CSP forbids them): full at
    # twice the threshold, coloured past the threshold.
    @property
    def meter_value(self) -> str:
        return f"{min(abs(self.deviation or 0), 2 * self.limit) * 100:.1f}"

    @property
    def meter_limit(self) -> str:
        return f"{self.limit * 100:.1f}"

    @property
    def meter_max(self) -> str:
        return f"{2 * self.limit * 100:.1f}"


@dataclass(frozen=True)
class Area:
    region: Region
    kind: str  # "township" or "county"
    mean: float | None
    rows: list[SeatRow] = field(default_factory=list)
    seats_total: int = 0
    population_total: int = 0

    @property
    def warnings(self) -> int:
        return sum(r.warn for r in self.rows)

    @property
    def unknown(self) -> int:
        return sum(r.entry.population is None for r in self.rows)

    @property
    def population_text(self) -> str:
        return f"{self.population_total:,}"

    @property
    def mean_text(self) -> str:
        return "" if self.mean is None else f"{self.mean:,.0f}"

    @property
    def spread(self) -> float | None:
        """The largest deviation either way (0 when one district)."""
        values = [abs(r.deviation) for r in self.rows if r.deviation is not None]
        return max(values) if values else None

    @property
    def spread_text(self) -> str:
        return "" if self.spread is None else f"{self.spread:.1%}"


def balance(entries: Sequence[Entry], limit: float) -> tuple[float | None, list[SeatRow]]:
    """The area's mean population per seat and each entry's row. Pure arithmetic."""
    known = [e for e in entries if e.population is not None and e.seats > 0]
    seats = sum(e.seats for e in known)
    mean = sum(e.population or 0 for e in known) / seats if seats else None
    rows = []
    for e in entries:
        per_seat = e.population / e.seats if e.population is not None and e.seats else None
        deviation = per_seat / mean - 1 if per_seat is not None and mean else None
        rows.append(SeatRow(e, per_seat, deviation, limit))
    return mean, rows


def _sorted(rows: list[SeatRow], sort: str) -> list[SeatRow]:
    if sort == "deviation":  # the worst first, unknown last
        return sorted(rows, key=lambda r: (r.deviation is None, -abs(r.deviation or 0)))
    if sort == "per_seat":
        return sorted(rows, key=lambda r: (r.per_seat is None, -(r.per_seat or 0)))
    return rows


def _area(
    region: Region, kind: str, entries: list[Entry], visible: set[int], sort: str, limit: float
) -> Area:
    mean, rows = balance(entries, limit)
    shown = [r for r in rows if r.entry.code in visible]
    known = [e for e in entries if e.population is not None]
    return Area(
        region,
        kind,
        mean,
        _sorted(shown, sort),
        seats_total=sum(e.seats for e in known),
        population_total=sum(e.population or 0 for e in known),
    )


def _tallies(election: Election | None, lo: int, hi: int) -> dict[int, int]:
    """Registered voters (on the list: registered or suspended) by district."""
    if election is None:
        return {}
    rows = VoterTally.objects.filter(
        election=election, district_id__gte=lo, district_id__lte=hi
    ).values_list("district_id", "registered", "suspended")
    return {code: registered + suspended for code, registered, suspended in rows}


def _regions(codes: Iterable[int]) -> dict[int, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=set(codes))}


def township_areas(
    user: AnyUser,
    region: Region,
    *,
    election: Election | None = None,
    sort: str = "code",
    warnings_only: bool = False,
) -> list[Area]:
    """Every township of ``region`` with a district the user may see, its districts'
    population per seat against the township's mean."""
    lo, hi = region.subtree
    scope = regions_for(user, Perm.DISTRICT_VIEW)
    districts = list(District.objects.filter(code__gte=lo, code__lte=hi).order_by("code"))
    visible = {d.code for d in districts if scope.covers(d.code)}
    registered = _tallies(election, lo, hi) if _may_count(user, region) else {}
    by_township: dict[int, list[Entry]] = defaultdict(list)
    for d in districts:
        by_township[d.township_id].append(
            Entry(d.code, d.name, d.seats, d.population or None, registered.get(d.code))
        )
    townships = _regions(by_township)
    limit = threshold()
    areas = [
        _area(townships[code], "township", entries, visible, sort, limit)
        for code, entries in sorted(by_township.items())
        if any(e.code in visible for e in entries)
    ]
    return [a for a in areas if a.warnings] if warnings_only else areas


def _county_entries(
    county_districts: list[CountyDistrict], registered: dict[int, int]
) -> list[Entry]:
    entries = []
    for cd in county_districts:
        parts = list(cd.countydistrictpart_set.all())
        whole = all(p.whole for p in parts) and bool(parts)
        populations = [p.district.population for p in parts]
        known = whole and all(populations)
        counted = [registered.get(p.district_id) for p in parts]
        entries.append(
            Entry(
                cd.pk,
                cd.name,
                cd.seats,
                sum(populations) if known else None,
                sum(c or 0 for c in counted) if whole and registered else None,
                note="" if whole else "partial",
            )
        )
    return entries


def county_areas(
    user: AnyUser,
    region: Region,
    election: Election | None,
    *,
    sort: str = "code",
    warnings_only: bool = False,
) -> list[Area]:
    """The county-level districts of ``election`` in each county of ``region`` the user may
    see (a county's districts are visible to whoever sees any part of the county)."""
    if election is None or election.levels not in (Levels.COUNTY, Levels.BOTH):
        return []
    lo, hi = region.subtree
    counties_lo = lo - lo % SPAN[Level.COUNTY]  # a township's page shows its county's mapping
    scope = regions_for(user, Perm.DISTRICT_VIEW)
    qs: QuerySet[CountyDistrict] = (
        CountyDistrict.objects.filter(
            election=election, county_id__gte=counties_lo, county_id__lte=hi
        )
        .prefetch_related("countydistrictpart_set__district")
        .order_by("county_id", "name")
    )
    by_county: dict[int, list[CountyDistrict]] = defaultdict(list)
    for cd in qs:
        by_county[cd.county_id].append(cd)
    counties = _regions(by_county)
    tally_hi = max(hi, counties_lo + SPAN[Level.COUNTY] - 1)
    registered = _tallies(election, counties_lo, tally_hi) if _may_count(user, region) else {}
    limit = threshold()
    areas = []
    for code, cds in sorted(by_county.items()):
        if not _overlaps(scope.ranges, *counties[code].subtree):
            continue
        entries = _county_entries(cds, registered)
        areas.append(
            _area(counties[code], "county", entries, {e.code for e in entries}, sort, limit)
        )
    return [a for a in areas if a.warnings] if warnings_only else areas


@dataclass(frozen=True)
class CountySummary:
    """One county's township districts, summed up (for a city's or a province's page)."""

    county: Region
    townships: int
    districts: int
    unknown: int
    warnings: int
    spread: float | None

    @property
    def spread_text(self) -> str:
        return "" if self.spread is None else f"{self.spread:.1%}"


def county_summaries(user: AnyUser, region: Region) -> list[CountySummary]:
    """For a region above county level: each county in the user's scope, its townships'
    balance in one line (one query over the region's districts)."""
    areas = township_areas(user, region)
    by_county: dict[int, list[Area]] = defaultdict(list)
    for area in areas:
        county = int(f"{area.region.code:012d}"[: DIGITS[Level.COUNTY]].ljust(12, "0"))
        by_county[county].append(area)
    counties = _regions(by_county)
    summaries = []
    for code, group in sorted(by_county.items()):
        if code not in counties:
            continue
        spreads = [a.spread for a in group if a.spread is not None]
        summaries.append(
            CountySummary(
                counties[code],
                townships=len(group),
                districts=sum(len(a.rows) for a in group),
                unknown=sum(a.unknown for a in group),
                warnings=sum(a.warnings for a in group),
                spread=max(spreads) if spreads else None,
            )
        )
    return summaries


def _may_count(user: AnyUser, region: Region) -> bool:
    return has_perm(user, Perm.VOTER_VIEW, region.code)


def _overlaps(ranges: Iterable[tuple[int, int]], lo: int, hi: int) -> bool:
    return any(a <= hi and lo <= b for a, b in ranges)


def seats_region_for(user: AnyUser, code: int) -> Region:
    """A region whose subtree holds districts the user may see (a registrar may open their
    township: their district against its mean), or 404."""
    region = Region.objects.filter(code=code).first()
    if region is None or not _overlaps(
        regions_for(user, Perm.DISTRICT_VIEW).ranges, *region.subtree
    ):
        raise Http404
    return region


def elections_covering(user: AnyUser, region: Region) -> list[Election]:
    """The elections the user works on whose area holds ``region``, latest first."""
    from renda.voters.selectors import elections_for

    lo, hi = region.subtree
    return [
        e
        for e in elections_for(user).order_by("-election_day", "code")
        if e.region.subtree[0] <= lo and hi <= e.region.subtree[1]
    ]
