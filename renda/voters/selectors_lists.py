"""Reads behind the publication, appeal and certificate pages, scoped like ``selectors``.

Kept beside ``selectors`` so the register pages and these pages can grow apart; both build on
``accounts.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from renda.accounts.access import AnyUser, get_or_404, scoped
from renda.accounts.roles import Perm
from renda.regions.models import District
from renda.voters.models import (
    Appeal,
    AppealStatus,
    Certificate,
    Election,
    Status,
    Voter,
    VoterChange,
    VoterList,
    VoterListEntry,
)
from renda.voters.selectors import elections_for


def district_for(user: AnyUser, code: int) -> District:
    """A district whose register the user may see, or 404."""
    return get_or_404(
        user, Perm.VOTER_VIEW, District.objects.select_related("township"), "code", code=code
    )


PUBLICATION_STATES = ("published", "unpublished")


def districts_of_election(
    user: AnyUser, election: Election, *, township: str = "", state: str = ""
) -> QuerySet[District]:
    """The districts of the election's area that lie in the user's scope, in code order,
    optionally those of townships named like ``township`` or in one publication ``state``."""
    qs = scoped(user, Perm.VOTER_VIEW, District.objects.select_related("township"), "code")
    qs = qs.filter(code__range=election.region.subtree)
    if township.strip():
        qs = qs.filter(township__name__contains=township.strip())
    if state in PUBLICATION_STATES:
        posted = Exists(
            VoterList.objects.filter(election=election, number=0, district=OuterRef("pk"))
        )
        qs = qs.filter(posted if state == "published" else ~posted)
    return qs.order_by("code")


def elections_covering(user: AnyUser, district: District) -> list[Election]:
    """The user's elections whose area holds ``district``, the latest first."""
    return [
        e
        for e in elections_for(user).order_by("-election_day", "code")
        if e.region.subtree[0] <= district.code <= e.region.subtree[1]
    ]


@dataclass(frozen=True)
class DistrictRow:
    """One line of the publication overview."""

    district: District
    registered: int
    first_list: VoterList | None
    supplements: int
    pending: int


def publication_rows(election: Election, districts: list[District]) -> list[DistrictRow]:
    """Figures for one page of districts, in three grouped queries (not three per district)."""
    codes = [d.code for d in districts]
    registered = dict(
        Voter.objects.filter(district_id__in=codes, status=Status.REGISTERED)
        .values_list("district_id")
        .annotate(n=Count("id"))
        .values_list("district_id", "n")
    )
    pending = dict(
        VoterChange.objects.filter(district_code__in=codes, published_in__isnull=True)
        .values_list("district_code")
        .annotate(n=Count("id"))
        .values_list("district_code", "n")
    )
    firsts: dict[int, VoterList] = {}
    supplements: dict[int, int] = {}
    for voter_list in VoterList.objects.filter(election=election, district_id__in=codes):
        if voter_list.number == 0:
            firsts[voter_list.district_id] = voter_list
        else:
            supplements[voter_list.district_id] = supplements.get(voter_list.district_id, 0) + 1
    return [
        DistrictRow(
            district=d,
            registered=registered.get(d.code, 0),
            first_list=firsts.get(d.code),
            supplements=supplements.get(d.code, 0),
            pending=pending.get(d.code, 0),
        )
        for d in districts
    ]


def pending_changes(district: District) -> QuerySet[VoterChange]:
    """Changes of the district not yet on any posted list (the next supplement's material)."""
    return (
        VoterChange.objects.filter(district_code=district.code, published_in__isnull=True)
        .select_related("voter", "actor")
        .order_by("id")
    )


def registered_count(district: District) -> int:
    return Voter.objects.filter(district=district, status=Status.REGISTERED).count()


def entries_of(voter_list: VoterList) -> QuerySet[VoterListEntry]:
    return VoterListEntry.objects.filter(voter_list=voter_list)


def district_voters(user: AnyUser, district_code: int) -> QuerySet[Voter]:
    """Voters of one district the user may see (choices for an appeal's voter)."""
    return scoped(user, Perm.VOTER_VIEW, Voter.objects.all(), "district_id").filter(
        district_id=district_code
    )


APPEAL_FILTERS = ("open", "decided")


def appeals_listed(user: AnyUser, status: str) -> QuerySet[Appeal]:
    """The appeals page: open ones first by deadline, then decided ones, latest first."""
    qs = scoped(
        user,
        Perm.VOTER_VIEW,
        Appeal.objects.select_related("district__township", "voter", "election"),
        "district_id",
    )
    if status == "open":
        qs = qs.filter(status=AppealStatus.RECEIVED)
    elif status == "decided":
        qs = qs.exclude(status=AppealStatus.RECEIVED)
    is_open = Case(
        When(status=AppealStatus.RECEIVED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(closed=is_open).order_by("closed", "decide_by", "-id")


def overdue_appeals(user: AnyUser, today: date) -> int:
    return (
        scoped(user, Perm.VOTER_VIEW, Appeal.objects.all(), "district_id")
        .filter(status=AppealStatus.RECEIVED, decide_by__lt=today)
        .count()
    )


def certificate_for(user: AnyUser, pk: int, perm: Perm = Perm.VOTER_VIEW) -> Certificate:
    """A certificate issued by a district in the user's scope, or 404."""
    return get_or_404(
        user,
        perm,
        Certificate.objects.select_related(
            "voter", "election", "district__township", "used_district__township", "issued_by"
        ),
        "district_id",
        pk=pk,
    )


def certificates_listed(user: AnyUser, status: str = "", text: str = "") -> QuerySet[Certificate]:
    """Certificates issued in the user's scope, by status and number or name."""
    qs = scoped(
        user,
        Perm.VOTER_VIEW,
        Certificate.objects.select_related(
            "voter", "district__township", "used_district__township"
        ),
        "district_id",
    )
    if status:
        qs = qs.filter(status=status)
    text = text.strip()
    if text:
        qs = qs.filter(Q(number__startswith=text) | Q(voter__name__startswith=text))
    return qs
