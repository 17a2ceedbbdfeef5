"""Every read of the roster module a user can reach, scoped with accounts.access.

"Not found" and "not yours" both answer 404. Records, review items and report rows are scoped
by district code; batches by the region they were imported for (a user sees the batches of
their regions, those below, and those of the regions above that cover them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from renda.accounts.access import AnyUser, Scope, assignments, get_or_404, regions_for, scoped
from renda.accounts.roles import Perm
from renda.regions.codes import SPAN, Level
from renda.regions.models import District, Region
from renda.roster import reports
from renda.roster.models import (
    BaseBatch,
    BaseRecord,
    DistrictMapping,
    ExceptionReason,
    RecordStatus,
    ReviewItem,
    ReviewStatus,
    SourceKind,
)
from renda.voters.models import ACTIVE, RegistrationConflict, Voter

DISTRICT_SELECT_MAX = 500


# --- Regions and districts the pages offer ---------------------------------------------------


@dataclass(frozen=True)
class Area:
    """What a report is about: a region, or one district (a registrar's whole world)."""

    code: int
    name: str
    level: int
    subtree: tuple[int, int]

    @classmethod
    def of_region(cls, region: Region) -> Area:
        return cls(region.code, region.name, region.level, region.subtree)

    @classmethod
    def of_district(cls, district: District) -> Area:
        name = f"{district.township.name}{district.name}"
        return cls(district.code, name, Level.DISTRICT, (district.code, district.code))

    def ancestors(self) -> list[Region]:
        """The regions above, province first."""
        codes = [
            self.code // SPAN[level] * SPAN[level]
            for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)
            if level < self.level
        ]
        return list(Region.objects.filter(code__in=codes).exclude(code=self.code).order_by("code"))


def home_area(user: AnyUser, perm: Perm = Perm.VOTER_VIEW) -> Area | None:
    """The widest region (or district) the user holds ``perm`` on."""
    scope = regions_for(user, perm)
    best: Area | None = None
    for assignment in assignments(user):
        if assignment.region is not None:
            area = Area.of_region(assignment.region)
        elif assignment.district is not None:
            area = Area.of_district(assignment.district)
        else:
            continue
        if scope.covers_range(*area.subtree) and (best is None or area.level < best.level):
            best = area
    return best


def area_for(user: AnyUser, code: int, perm: Perm = Perm.VOTER_VIEW) -> Area:
    """A region or district the user may see whole, or 404."""
    region = Region.objects.filter(code=code).first()
    if region is not None:
        area = Area.of_region(region)
    else:
        district = District.objects.select_related("township").filter(code=code).first()
        if district is None:
            raise Http404
        area = Area.of_district(district)
    if not regions_for(user, perm).covers_range(*area.subtree):
        raise Http404
    return area


def region_for(user: AnyUser, code: int, perm: Perm = Perm.VOTER_VIEW) -> Region:
    """A region the user may see whole, or 404."""
    region = Region.objects.filter(code=code).first()
    if region is None or not regions_for(user, perm).covers_range(*region.subtree):
        raise Http404
    return region


def children_of(area: Area) -> dict[int, str]:
    """code → name of the area's children (a township's: its districts)."""
    if area.level == Level.DISTRICT:
        return {area.code: area.name}
    if area.level == Level.TOWNSHIP:
        return dict(District.objects.filter(township_id=area.code).values_list("code", "name"))
    return dict(Region.objects.filter(parent_id=area.code).values_list("code", "name"))


def districts_for(user: AnyUser, perm: Perm = Perm.VOTER_VIEW) -> list[District] | None:
    """The districts for a select, or None when there are too many for one."""
    qs = scoped(user, perm, District.objects.select_related("township"), "code").order_by("code")
    found = list(qs[: DISTRICT_SELECT_MAX + 1])
    return found if len(found) <= DISTRICT_SELECT_MAX else None


def district_for(user: AnyUser, code: int, perm: Perm = Perm.VOTER_VIEW) -> District:
    return get_or_404(user, perm, District.objects.select_related("township"), "code", code=code)


def townships_for(user: AnyUser) -> QuerySet[Region]:
    """Townships whose mapping the user may edit."""
    return scoped(
        user, Perm.DISTRICT_MANAGE, Region.objects.filter(level=Level.TOWNSHIP), "code"
    ).order_by("code")


def upload_regions(user: AnyUser) -> list[Region]:
    """Regions a user may import base data for: their own and those down to county level."""
    scope = regions_for(user, Perm.BASE_DATA_MANAGE)
    if scope.is_empty:
        return []
    return list(
        Region.objects.filter(
            scope.q("code"), level__lte=Level.COUNTY, valid_to__isnull=True
        ).order_by("code")[:DISTRICT_SELECT_MAX]
    )


# --- Batches ---------------------------------------------------------------------------------


def _ancestors(code: int) -> set[int]:
    return {
        code // SPAN[level] * SPAN[level] for level in (Level.PROVINCE, Level.CITY, Level.COUNTY)
    }


def batches_for(user: AnyUser) -> QuerySet[BaseBatch]:
    scope = Scope.of(
        (
            *regions_for(user, Perm.VOTER_VIEW).ranges,
            *regions_for(user, Perm.BASE_DATA_MANAGE).ranges,
        )
    )
    above = {a for lo, _hi in scope.ranges for a in _ancestors(lo)}
    return (
        BaseBatch.objects.filter(scope.q("region_id") | Q(region_id__in=above))
        .select_related("region", "created_by", "import_run")
        .order_by("-id")
    )


# --- Expected lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedQuery:
    status: str = RecordStatus.EXPECTED
    text: str = ""


def expected_for(user: AnyUser, district: District, query: ExpectedQuery) -> QuerySet[BaseRecord]:
    """The household records of one district the user may see."""
    qs = scoped(
        user,
        Perm.VOTER_VIEW,
        BaseRecord.objects.filter(district=district, source=SourceKind.HOUSEHOLD),
        "district_id",
    )
    if query.status:
        qs = qs.filter(status=query.status)
    text = query.text.strip()
    if text:
        lowered = text.lower()
        qs = qs.filter(
            Q(name__startswith=text) | Q(name_pinyin__startswith=lowered) | Q(village=text)
        )
    return qs.select_related("voter")


def expected_counts(user: AnyUser, district: District) -> dict[str, int]:
    qs = scoped(
        user,
        Perm.VOTER_VIEW,
        BaseRecord.objects.filter(district=district, source=SourceKind.HOUSEHOLD),
        "district_id",
    )
    counts = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in RecordStatus.values}


# --- Mapping ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Village:
    name: str
    records: int
    district_id: int | None  # the village rule's district, if any
    unassigned: int


def villages_of(township: Region) -> list[Village]:
    """The villages the township's roster names, with their rule and counts."""
    rules = dict(
        DistrictMapping.objects.filter(township=township, kind="village").values_list(
            "value", "district_id"
        )
    )
    rows = (
        BaseRecord.objects.filter(township_code=township.code, source=SourceKind.HOUSEHOLD)
        .values("village")
        .annotate(n=Count("pk"), unassigned=Count("pk", filter=Q(district__isnull=True)))
        .order_by("village")
    )
    return [Village(r["village"], r["n"], rules.get(r["village"]), r["unassigned"]) for r in rows]


def address_rules_of(township: Region) -> QuerySet[DistrictMapping]:
    return DistrictMapping.objects.filter(township=township, kind="address").select_related(
        "district"
    )


def mapping_rule_for(user: AnyUser, pk: int) -> DistrictMapping:
    return get_or_404(
        user,
        Perm.DISTRICT_MANAGE,
        DistrictMapping.objects.select_related("township"),
        "township_id",
        pk=pk,
    )


# --- Review queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQuery:
    kind: str = ""
    status: str = ReviewStatus.OPEN
    region: tuple[int, int] | None = None


def review_items_for(user: AnyUser, query: ReviewQuery) -> QuerySet[ReviewItem]:
    """The queue, strongest first."""
    qs = scoped(user, Perm.VOTER_VIEW, ReviewItem.objects.all(), "district_id")
    if query.status:
        qs = qs.filter(status=query.status)
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.region is not None:
        lo, hi = query.region
        qs = qs.filter(district_id__gte=lo, district_id__lte=hi)
    return qs.select_related("voter", "base_record__batch", "district__township").order_by(
        "-strength", "id"
    )


def review_item_for(user: AnyUser, pk: int, perm: Perm = Perm.VOTER_VIEW) -> ReviewItem:
    return get_or_404(
        user,
        perm,
        ReviewItem.objects.select_related(
            "voter__district__township", "base_record__batch", "district__township", "election"
        ),
        "district_id",
        pk=pk,
    )


def review_counts(user: AnyUser) -> dict[str, int]:
    qs = scoped(user, Perm.VOTER_VIEW, ReviewItem.objects.filter(status="open"), "district_id")
    return dict(qs.values_list("kind").annotate(n=Count("pk")).order_by())


# --- Cross-check reports ---------------------------------------------------------------------


def crosscheck_for(user: AnyUser, area: Area) -> reports.Report:
    """The cross-check of an area the user may see whole."""
    lo, hi = area_for(user, area.code).subtree
    return reports.crosscheck(lo, hi, area.level)


def missing_for(user: AnyUser, area: Area) -> QuerySet[BaseRecord]:
    """漏登: expected, and nobody with the number is active anywhere."""
    lo, hi = area_for(user, area.code).subtree
    active = Voter.objects.filter(id_hash=OuterRef("id_hash"), status__in=ACTIVE)
    return (
        BaseRecord.objects.filter(
            source=SourceKind.HOUSEHOLD,
            status=RecordStatus.EXPECTED,
            district_id__gte=lo,
            district_id__lte=hi,
        )
        .filter(~Exists(active))
        .select_related("district__township")
    )


def elsewhere_for(user: AnyUser, area: Area) -> QuerySet[BaseRecord]:
    """Roster records of the region whose person is active in another district."""
    lo, hi = area_for(user, area.code).subtree
    other = Voter.objects.filter(id_hash=OuterRef("id_hash"), status__in=ACTIVE).exclude(
        district_id=OuterRef("district_id")
    )
    return (
        BaseRecord.objects.filter(
            source=SourceKind.HOUSEHOLD, district_id__gte=lo, district_id__lte=hi
        )
        .exclude(exception_reason=ExceptionReason.LIVES_ELSEWHERE)
        .filter(Exists(other))
        .annotate(
            other_voter=Subquery(other.values("pk")[:1]),
            other_district=Subquery(other.values("district_id")[:1]),
            other_kind=Subquery(other.values("residence_kind")[:1]),
        )
        .select_related("district__township")
    )


def unassigned_for(user: AnyUser, area: Area) -> QuerySet[BaseRecord]:
    lo, hi = area_for(user, area.code).subtree
    return BaseRecord.objects.filter(
        source=SourceKind.HOUSEHOLD,
        district__isnull=True,
        township_code__gte=lo // SPAN[Level.TOWNSHIP] * SPAN[Level.TOWNSHIP],
        township_code__lte=hi,
    )


def conflicts_for(user: AnyUser, area: Area) -> QuerySet[RegistrationConflict]:
    lo, hi = area_for(user, area.code).subtree
    return RegistrationConflict.objects.filter(
        resolved_at__isnull=True, district_id__gte=lo, district_id__lte=hi
    ).select_related("district__township", "voter__district__township")


def wrong_for(
    user: AnyUser, area: Area, after: int = 0, limit: int = 50
) -> list[reports.WrongDetails]:
    lo, hi = area_for(user, area.code).subtree
    return reports.wrong_details(lo, hi, after=after, limit=limit)
