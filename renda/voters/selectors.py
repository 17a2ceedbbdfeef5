"""Every read of the register a user can reach, scoped by district code ranges."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404

from renda.accounts.access import AnyUser, get_or_404, regions_for, scoped
from renda.accounts.roles import Perm
from renda.core.pagination import Page
from renda.regions.codes import subtree_range
from renda.regions.models import Region
from renda.voters import pii
from renda.voters.idnumbers import check_id
from renda.voters.models import (
    ACTIVE,
    Appeal,
    AppealStatus,
    Certificate,
    Election,
    ResidenceKind,
    Sex,
    Status,
    Voter,
    VoterChange,
    VoterList,
)
from renda.voters.names import clean_name
from renda.voters.tally import Bands

PAGE_SIZE = 50
SEARCH_ORDER = "search_order"  # set by voters_for on a text search, read by voter_page


@dataclass(frozen=True)
class VoterQuery:
    text: str = ""  # a name, pinyin, initials or a full ID number
    district: int | None = None
    region: tuple[int, int] | None = None  # a region's code range
    status: str = ""
    change_kind: str = ""
    counter: str = ""  # the people one registration counter counts (a dashboard figure)
    election: Election | None = None  # whose election day the age bands are reckoned on


def voters_for(user: AnyUser, query: VoterQuery | None = None) -> QuerySet[Voter]:
    """The voters the user may see, narrowed by ``query``."""
    query = query or VoterQuery()
    qs = scoped(user, Perm.VOTER_VIEW, Voter.objects.all(), "district_id")
    if query.district is not None:
        qs = qs.filter(district_id=query.district)
    if query.region is not None:
        lo, hi = query.region  # gte/lte: a foreign key's attname has no range lookup
        qs = qs.filter(district_id__gte=lo, district_id__lte=hi)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.change_kind:
        qs = qs.filter(pk__in=VoterChange.objects.filter(kind=query.change_kind).values("voter_id"))
    if query.counter:
        counted = counter_filter(query.counter, query.election)
        if counted is not None:
            qs = qs.filter(counted)
    text = query.text.strip()
    if text:
        # voter_page orders matches by this copy of name_pinyin, which no index provides, so
        # PostgreSQL gathers them through the prefix indexes and sorts them, rather than walk
        # the pinyin index of the whole table hoping to meet 50 early ('王' among a county's
        # million: 3.7 s walking, 0.3 s gathering; docs/performance.md).
        qs = qs.filter(_text_filter(text)).alias(**{SEARCH_ORDER: Concat("name_pinyin", Value(""))})
    return qs


def counter_filter(name: str, election: Election | None) -> Q | None:
    """The voters a registration counter (voters.tally) counts, so that a figure on the
    statistics dashboard opens the list behind it; None for a name it does not know."""
    active = Q(status__in=ACTIVE)
    simple = {
        "listed": Q(status__in=(Status.REGISTERED, Status.SUSPENDED)),
        "male": active & Q(sex=Sex.MALE),
        "female": active & ~Q(sex=Sex.MALE),
        "minority": active & ~Q(ethnicity=1),  # 1: 汉族 (GB 3304)
        "certificate_holders": active & Q(residence_kind=ResidenceKind.CERTIFICATE),
        "mobile_box": active & Q(mobile_box=True),
    }
    if name in simple:
        return simple[name]
    if election is None or not name.startswith("age_"):
        return None
    bands = Bands.of(election.election_day, election.feb29_rule)
    ages = {
        "age_18_35": Q(birth_date__lte=bands.by18, birth_date__gt=bands.by36),
        "age_36_59": Q(birth_date__lte=bands.by36, birth_date__gt=bands.by60),
        "age_60_plus": Q(birth_date__lte=bands.by60),
    }
    return active & ages[name] if name in ages else None


def _text_filter(text: str) -> Q:
    """A full ID number goes through its hash; letters are pinyin or initials; else the name."""
    check = check_id(text)
    if check.valid and check.normalized:
        return Q(id_hash=pii.id_hash(check.normalized))
    lowered = text.lower().replace(" ", "")
    if lowered.isascii() and lowered.isalpha():
        return Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    return Q(name__startswith=clean_name(text))


def voter_page(qs: QuerySet[Voter], after: str | None, size: int = PAGE_SIZE) -> Page[Voter]:
    """Keyset page in pinyin order; the cursor is 'pinyin|id' of the last row."""
    key = SEARCH_ORDER if SEARCH_ORDER in qs.query.annotations else "name_pinyin"
    qs = qs.select_related("district__township").order_by(key, "id")
    if after and "|" in after:
        pinyin, _sep, raw_id = after.rpartition("|")
        if raw_id.isdigit():
            # The redundant name_pinyin >= p gives the index scan where to start; the OR
            # alone cannot (a page deep in a county of 1M: 4 s → 20 ms).
            qs = qs.filter(
                Q(name_pinyin__gte=pinyin)
                & (Q(name_pinyin__gt=pinyin) | Q(name_pinyin=pinyin, id__gt=int(raw_id)))
            )
    rows = list(qs[: size + 1])
    items = rows[:size]
    cursor = f"{items[-1].name_pinyin}|{items[-1].pk}" if len(rows) > size else None
    return Page(items=items, next_cursor=cursor, is_first=not after)


def voter_for(user: AnyUser, pk: int, perm: Perm = Perm.VOTER_VIEW) -> Voter:
    return get_or_404(
        user, perm, Voter.objects.select_related("district__township"), "district_id", pk=pk
    )


def changes_of(voter: Voter) -> QuerySet[VoterChange]:
    return voter.changes.select_related("actor", "election", "published_in").order_by("id")


def elections_for(user: AnyUser) -> QuerySet[Election]:
    """Elections whose area overlaps the user's scope (elections are few: tens, not millions)."""
    scope = regions_for(user, Perm.VOTER_VIEW)
    if scope.is_empty:
        scope = regions_for(user, Perm.ELECTION_MANAGE)
    # Two small reads rather than a join: the election table is too small for PostgreSQL's
    # autovacuum ever to analyse it, and unanalysed it is joined to the 40,000 regions by
    # hashing them all (2–4 ms, on every page that shows an election).
    elections = list(Election.objects.values_list("pk", "region_id"))
    levels = dict(
        Region.objects.filter(code__in={r for _pk, r in elections}).values_list("code", "level")
    )
    ids = []
    for pk, region in elections:
        lo, hi = subtree_range(region, levels[region])
        if any(lo <= top and bottom <= hi for bottom, top in scope.ranges):
            ids.append(pk)
    return Election.objects.select_related("region").filter(pk__in=ids)


def election_for(user: AnyUser, pk: int) -> Election:
    try:
        return elections_for(user).get(pk=pk)
    except Election.DoesNotExist:
        raise Http404 from None


def current_election(user: AnyUser) -> Election | None:
    """The next election (or the last one) the user works on."""
    return elections_for(user).order_by("-election_day").first()


def lists_of(user: AnyUser, election: Election, district_code: int) -> QuerySet[VoterList]:
    return scoped(
        user,
        Perm.VOTER_VIEW,
        VoterList.objects.filter(election=election, district_id=district_code),
        "district_id",
    ).order_by("number")


def list_for(user: AnyUser, pk: int) -> VoterList:
    return get_or_404(
        user,
        Perm.VOTER_VIEW,
        VoterList.objects.select_related("election", "district__township"),
        "district_id",
        pk=pk,
    )


def appeals_for(user: AnyUser, *, open_only: bool = False) -> QuerySet[Appeal]:
    qs = scoped(
        user,
        Perm.VOTER_VIEW,
        Appeal.objects.select_related("district__township", "voter", "election"),
        "district_id",
    )
    if open_only:
        qs = qs.filter(status=AppealStatus.RECEIVED)
    return qs.order_by("decide_by", "id")


def appeal_for(user: AnyUser, pk: int) -> Appeal:
    return get_or_404(
        user,
        Perm.VOTER_VIEW,
        Appeal.objects.select_related("district__township", "voter", "election", "voter_list"),
        "district_id",
        pk=pk,
    )


def certificates_for(user: AnyUser) -> QuerySet[Certificate]:
    return scoped(
        user,
        Perm.VOTER_VIEW,
        Certificate.objects.select_related(
            "voter", "district__township", "used_district__township"
        ),
        "district_id",
    ).order_by("-id")


def certificate_public(code: str) -> Certificate | None:
    """For the public verification page: the certificate by its code, nothing else."""
    cleaned = code.strip().upper()
    if not cleaned.isalnum() or len(cleaned) > 16:
        return None
    return (
        Certificate.objects.select_related("district__township").filter(verify_code=cleaned).first()
    )
