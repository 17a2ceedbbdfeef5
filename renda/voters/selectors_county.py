"""Reads behind the county-level district section of an election's page, scoped like
``selectors``: the counties a user works in, their county-level districts, the township
districts not yet mapped, and each district's population per seat (选举法 Art 25).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum

from renda.accounts.access import AnyUser, Scope, get_or_404, has_perm, regions_for
from renda.accounts.roles import Perm
from renda.regions.codes import SPAN, Level
from renda.regions.models import District, Region
from renda.voters.models import CountyDistrict, CountyDistrictPart, Election, Levels

# Art 25 asks for roughly equal population per deputy; warn when a district's figure is more
# than this far from its county's mean (a setting a province may tighten).
DEVIATION_WARNING = settings.RENDA_SEAT_DEVIATION_PERCENT / 100  # default 0.20


def reader_scope(user: AnyUser) -> Scope:
    """Where the user may read the mapping: where they see voters or manage elections."""
    view, manage = regions_for(user, Perm.VOTER_VIEW), regions_for(user, Perm.ELECTION_MANAGE)
    return Scope.of(view.ranges + manage.ranges)


def elects_county(election: Election) -> bool:
    return election.levels in (Levels.COUNTY, Levels.BOTH)


def counties_for(user: AnyUser, election: Election) -> QuerySet[Region]:
    """The current counties of the election's area that overlap the user's scope."""
    overlap = Q(pk__in=[])
    for lo, hi in reader_scope(user).ranges:
        overlap |= Q(code__gte=lo - SPAN[Level.COUNTY] + 1, code__lte=hi)
    return (
        Region.objects.filter(
            level=Level.COUNTY, valid_to__isnull=True, code__range=election.region.subtree
        )
        .filter(overlap)
        .order_by("code")
    )


def county_for(user: AnyUser, election: Election, code: int | str | None) -> Region:
    """A county of the election whose mapping the user may manage, or 404."""
    return get_or_404(user, Perm.ELECTION_MANAGE, counties_for(user, election), "code", code=code)


def county_districts_for(user: AnyUser, election: Election) -> QuerySet[CountyDistrict]:
    """The election's county-level districts of a county in the user's scope, or holding a
    district in it (a township sees where its districts go); each with ``visible_parts``."""
    scope = reader_scope(user)
    visible = CountyDistrictPart.objects.filter(scope.q("district_id"))
    mine = scope.q("county_id") | Q(pk__in=visible.values("county_district"))
    parts = visible.select_related("district__township").order_by("district_id")
    return (
        CountyDistrict.objects.filter(election=election)
        .filter(mine)
        .select_related("county", "election__region")
        .prefetch_related(Prefetch("countydistrictpart_set", parts, to_attr="visible_parts"))
        .order_by("county_id", "name")
    )


def county_district_for(user: AnyUser, pk: int) -> CountyDistrict:
    """A county-level district whose mapping the user may change, or 404."""
    qs = CountyDistrict.objects.select_related("county", "election__region")
    return get_or_404(user, Perm.ELECTION_MANAGE, qs, "county_id", pk=pk)


def districts_of_county(user: AnyUser, county: Region) -> QuerySet[District]:
    qs = District.objects.filter(reader_scope(user).q("code"), code__range=county.subtree)
    return qs.select_related("township").order_by("code")


@dataclass(frozen=True)
class Mapping:
    """How far the county's township districts are mapped in one election."""

    unmapped: list[District]  # in no county-level district at all
    partial_only: list[District]  # only some work units are in; the rest may be forgotten


def mapping_check(user: AnyUser, election: Election, county: Region) -> Mapping:
    lo, hi = county.subtree
    whole_by_district: dict[int, bool] = defaultdict(bool)
    for code, whole in CountyDistrictPart.objects.filter(
        county_district__election=election, district_id__gte=lo, district_id__lte=hi
    ).values_list("district_id", "whole"):
        whole_by_district[code] |= whole
    districts = list(districts_of_county(user, county))
    return Mapping(
        unmapped=[d for d in districts if d.code not in whole_by_district],
        partial_only=[
            d for d in districts if d.code in whole_by_district and not whole_by_district[d.code]
        ],
    )


def placements(election: Election, county: Region) -> dict[int, list[CountyDistrictPart]]:
    """Each township district of the county → the parts placing it in county-level districts."""
    lo, hi = county.subtree
    found: dict[int, list[CountyDistrictPart]] = defaultdict(list)
    for part in (
        CountyDistrictPart.objects.filter(
            county_district__election=election, district_id__gte=lo, district_id__lte=hi
        )
        .select_related("county_district")
        .order_by("county_district__name")
    ):
        found[part.district_id].append(part)
    return found


@dataclass(frozen=True)
class SeatRow:
    district: District
    per_seat: int | None  # None: the population is not entered yet
    deviation: float | None
    area_mean: int | None = None  # the township's population per seat (Art 25's "area")

    @property
    def warn(self) -> bool:
        return self.deviation is not None and abs(self.deviation) > DEVIATION_WARNING

    @property
    def deviation_text(self) -> str:
        return "" if self.deviation is None else f"{self.deviation:+.1%}"


@dataclass(frozen=True)
class SeatBalance:
    """Art 25: population per deputy of each township district against its township's mean."""

    mean: int | None
    rows: list[SeatRow] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return sum(row.warn for row in self.rows)

    @property
    def threshold(self) -> int:
        return round(DEVIATION_WARNING * 100)


def seat_balance(user: AnyUser, county: Region) -> SeatBalance:
    """Art 25 compares districts within one administrative area: for township deputies that is
    the township, so each district is measured against its township's population per seat
    (only districts whose population is entered count). ``mean`` is the county's, for the
    summary line."""
    entered = District.objects.filter(code__range=county.subtree, population__gt=0)
    totals = entered.aggregate(population=Sum("population"), seats=Sum("seats"))
    mean = totals["population"] / totals["seats"] if totals["seats"] else None
    by_township = {
        row["township_id"]: row["population"] / row["seats"]
        for row in entered.values("township_id").annotate(
            population=Sum("population"), seats=Sum("seats")
        )
        if row["seats"]
    }
    rows = []
    for d in districts_of_county(user, county):
        per_seat = d.population / d.seats if d.population else None
        area = by_township.get(d.township_id)
        deviation = per_seat / area - 1 if per_seat is not None and area else None
        rows.append(
            SeatRow(
                d,
                round(per_seat) if per_seat is not None else None,
                deviation,
                round(area) if area is not None else None,
            )
        )
    return SeatBalance(mean=round(mean) if mean is not None else None, rows=rows)


@dataclass(frozen=True)
class CountySection:
    """Everything the election page shows for one county."""

    county: Region
    county_districts: list[CountyDistrict]
    mapping: Mapping | None  # None when the election elects no county deputies
    balance: SeatBalance
    may_manage: bool

    @property
    def seats(self) -> int:
        return sum(cd.seats for cd in self.county_districts)


def county_section(user: AnyUser, election: Election, county: Region) -> CountySection:
    county_districts = (
        list(county_districts_for(user, election).filter(county=county))
        if elects_county(election)
        else []
    )
    return CountySection(
        county=county,
        county_districts=county_districts,
        mapping=mapping_check(user, election, county) if elects_county(election) else None,
        balance=seat_balance(user, county),
        may_manage=elects_county(election) and has_perm(user, Perm.ELECTION_MANAGE, county.code),
    )
