"""Every read of regions and districts a user can reach, scoped by construction."""

from __future__ import annotations

import functools

from django.db.models import Count, Q, QuerySet

from renda.accounts.access import AnyUser, get_or_404, scoped
from renda.accounts.roles import Perm
from renda.regions.codes import DIGITS, Level
from renda.regions.models import AddressCode, District, Region


def region_for(user: AnyUser, code: int, perm: Perm = Perm.REGION_VIEW) -> Region:
    return get_or_404(user, perm, Region.objects.all(), "code", code=code)


def district_for(user: AnyUser, code: int, perm: Perm = Perm.DISTRICT_VIEW) -> District:
    return get_or_404(user, perm, District.objects.select_related("township"), "code", code=code)


def ancestors(code: int, level: int) -> list[Region]:
    """The regions above ``code``, province first, in one query (missing levels skipped)."""
    text = f"{code:012d}"
    candidates = [int(text[: DIGITS[lvl]].ljust(12, "0")) for lvl in range(Level.PROVINCE, level)]
    return list(Region.objects.filter(code__in=candidates).order_by("code"))


def children_of(user: AnyUser, region: Region) -> QuerySet[Region]:
    """Current sub-regions the user may see, each with how many sub-units and districts it has."""
    qs = scoped(user, Perm.REGION_VIEW, region.children.filter(valid_to__isnull=True), "code")
    return qs.annotate(
        child_count=Count("children", filter=Q(children__valid_to__isnull=True), distinct=True),
        district_count=Count("districts", distinct=True),
    ).order_by("code")


def districts_of(user: AnyUser, township: Region) -> QuerySet[District]:
    return scoped(user, Perm.DISTRICT_VIEW, township.districts.all(), "code").order_by("code")


def districts_in(user: AnyUser, region: Region | None = None) -> QuerySet[District]:
    """All districts the user may see, optionally within one region's subtree."""
    qs = scoped(user, Perm.DISTRICT_VIEW, District.objects.select_related("township"), "code")
    if region is not None:
        qs = qs.filter(code__range=region.subtree)
    return qs.order_by("code")


def search_regions(user: AnyUser, text: str, limit: int = 20) -> list[Region]:
    """Current regions in the user's scope whose name contains ``text`` (or code starts so)."""
    text = text.strip()
    if not text:
        return []
    qs = scoped(user, Perm.REGION_VIEW, Region.objects.filter(valid_to__isnull=True), "code")
    if text.isdigit():
        digits = len(text)
        lo = int(text.ljust(12, "0")) if digits <= 12 else -1
        hi = int(text.ljust(12, "9")) if digits <= 12 else -1
        qs = qs.filter(code__range=(lo, hi))
    else:
        qs = qs.filter(name__contains=text)
    return list(qs.order_by("level", "code")[:limit])


def counts_in(user: AnyUser, lo: int, hi: int) -> dict[str, int]:
    """Region and district figures for the home dashboard, within [lo, hi] and the scope."""
    regions = scoped(
        user, Perm.REGION_VIEW, Region.objects.filter(valid_to__isnull=True), "code"
    ).filter(code__range=(lo, hi))
    by_level = dict(
        regions.values_list("level").annotate(n=Count("code")).values_list("level", "n")
    )
    districts = scoped(user, Perm.DISTRICT_VIEW, District.objects.all(), "code").filter(
        code__range=(lo, hi)
    )
    townships_without = regions.filter(level=Level.TOWNSHIP, districts__isnull=True).count()
    return {
        "cities": by_level.get(Level.CITY, 0),
        "counties": by_level.get(Level.COUNTY, 0),
        "townships": by_level.get(Level.TOWNSHIP, 0),
        "districts": districts.count(),
        "townships_without_districts": townships_without,
    }


def search_districts(user: AnyUser, text: str, limit: int = 20) -> list[District]:
    text = text.strip()
    if not text:
        return []
    qs = scoped(user, Perm.DISTRICT_VIEW, District.objects.select_related("township"), "code")
    if text.isdigit():
        if len(text) < 9:
            return []
        qs = qs.filter(code__range=(int(text.ljust(12, "0")), int(text.ljust(12, "9"))))
    else:
        # District names repeat in every township (第一选区…), so match the township too.
        qs = qs.filter(Q(name__contains=text) | Q(township__name__contains=text))
    return list(qs.order_by("code")[:limit])


@functools.cache
def _address_codes() -> frozenset[str]:
    return frozenset(AddressCode.objects.values_list("code", flat=True))


def address_codes() -> frozenset[str]:
    """Every six-digit code that was ever in force, with the xxxx01 codes of known cities."""
    codes = _address_codes()
    return codes | {c[:4] + "01" for c in codes if c.endswith("00") and c[2:4] != "00"}


def address_code_known(code: str) -> bool:
    """Did this six-digit code ever exist in GB/T 2260 (1980 to now)?

    The snapshots omit the 市辖区 code (xxxx01) of ordinary prefecture-level cities, yet ID
    numbers issued there carry it: it counts as known when its city (xxxx00) is.
    """
    codes = _address_codes()
    if code in codes:
        return True
    return code.endswith("01") and code[:4] + "00" in codes


def forget_address_codes() -> None:
    """After load_regions (and between tests), re-read the code list on next use."""
    _address_codes.cache_clear()
