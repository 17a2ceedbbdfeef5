"""Every figure a user can reach: sums over the register's counters, scoped to their regions.

Nothing here reads the voters table. An area's figures are the sums of ``voters.VoterTally``
over ``district_id BETWEEN lo AND hi``; the figures of its sub-regions come from the same
query grouped by code arithmetic (a sub-region's districts share the leading digits of its
code), so a province of 48 million voters costs one scan of its ~50,000 counter rows.
Every panel of the dashboard is at most one query.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.access import AnyUser, get_or_404, regions_for
from renda.accounts.roles import PERMISSIONS, Perm, Role
from renda.accounts.scopes import Place, place_of
from renda.regions.codes import SPAN, Level, short_code, subtree_range
from renda.regions.models import District, Region
from renda.stats.figures import COUNTERS, Figures, rate_of
from renda.stats.models import StatsReport, StatsSnapshot
from renda.voters import selectors as voter_selectors
from renda.voters.ethnicity import ETHNICITIES
from renda.voters.models import Election, VoterTally, VoterTallyEthnicity

# Figures are shown to those who may see the register there: staff of every level,
# registrars (their own district) and election committees.
VIEW = Perm.VOTER_VIEW
# A district is behind below this rate (percent), or this many points below its township's.
BEHIND_RATE = 90
BEHIND_MARGIN = 5
LAGGING_LIMIT = 100
# The masked voter-list export stops at a county (about a million people at most).
VOTER_EXPORT_LEVEL = Level.COUNTY
TREND_DAYS = 120
HAN = 1  # GB 3304 code of 汉族


# ---------------------------------------------------------------------------------------------
# Places and elections


def place_for(user: AnyUser, code: int) -> Place:
    """The region or district ``code`` if the user may see all of its figures, else 404.

    A district's code never ends in 000 (its sequence is 001–999); a region's always does.
    """
    place: Place | None = None
    if code % 1000:
        district = District.objects.select_related("township").filter(code=code).first()
        place = place_of(district) if district else None
    else:
        region = Region.objects.filter(code=code, valid_to__isnull=True).first()
        place = place_of(region) if region else None
    if place is None or not regions_for(user, VIEW).covers_range(*place.subtree):
        raise Http404
    return place


def may_see_figures(user: AnyUser) -> bool:
    return not regions_for(user, VIEW).is_empty


def may_see_archive(user: AnyUser) -> bool:
    """Tables are archived per region: a registrar of one district has none to see."""
    return any(
        a.region_id is not None and VIEW in PERMISSIONS[Role(a.role)]
        for a in access.assignments(user)
    )


def home_code(user: AnyUser, chosen: int | None = None) -> int | None:
    """The place whose dashboard /stats/ opens: the one chosen on the home page if it grants
    the figures, else the user's highest such assignment."""
    grants = [
        a
        for a in sorted(access.assignments(user), key=lambda a: (a.scope_level, a.scope_code))
        if VIEW in PERMISSIONS[Role(a.role)]
    ]
    for grant in grants:
        if grant.scope_code == chosen:
            return grant.scope_code
    return grants[0].scope_code if grants else None


def place_of_region(region: Region) -> Place:
    return place_of(region)


def elections_of(user: AnyUser, pk: int | None) -> tuple[list[Election], Election | None]:
    """The user's elections, latest first, and the one asked for (404 if it is not theirs) or
    with None the current one — read once for the page's switcher and its figures."""
    elections = list(voter_selectors.elections_for(user).order_by("-election_day", "code"))
    if pk is None:
        return elections, elections[0] if elections else None
    chosen = next((e for e in elections if e.pk == pk), None)
    if chosen is None:
        raise Http404
    return elections, chosen


def election_for(user: AnyUser, pk: int | None) -> Election | None:
    """The election ``pk`` among the user's (404 otherwise), or with None the current one."""
    return elections_of(user, pk)[1]


def election_by_code(user: AnyUser, code: str | None) -> Election | None:
    if not code:
        return voter_selectors.current_election(user)
    found = voter_selectors.elections_for(user).filter(code=code).first()
    if found is None:
        raise Http404
    return found


def window_of(election: Election, place: Place) -> tuple[int, int] | None:
    """The part of ``place`` the election covers (a province's election covers all of a
    county; a county's election covers a province only in part), or None."""
    election_lo, election_hi = election.region.subtree
    lo, hi = place.subtree
    lo, hi = max(lo, election_lo), min(hi, election_hi)
    return (lo, hi) if lo <= hi else None


# ---------------------------------------------------------------------------------------------
# An area's figures and its sub-regions'


@dataclass(frozen=True)
class Child:
    code: int
    name: str
    level: int

    @property
    def subtree(self) -> tuple[int, int]:
        return subtree_range(self.code, self.level)


@dataclass(frozen=True)
class Row:
    """One line of the report: a sub-region (or district) and its figures."""

    code: int | None  # None: districts under no current sub-region (divisions changed)
    name: str
    level: int
    figures: Figures

    @property
    def short_code(self) -> str:
        return "" if self.code is None else short_code(self.code, self.level)


@dataclass(frozen=True)
class Report:
    """The figures of an area for one election: its total and one row per sub-region."""

    election: Election
    place: Place
    window: tuple[int, int] | None
    total: Figures
    rows: list[Row]
    as_of: datetime

    @property
    def covered(self) -> bool:
        return self.window is not None


def children_of(place: Place) -> list[Child]:
    """The current sub-regions of a region, a township's districts, or a district itself."""
    if place.level == Level.DISTRICT:
        return [Child(place.code, place.name, Level.DISTRICT)]
    if place.level == Level.TOWNSHIP:
        districts = District.objects.filter(township_id=place.code).order_by("code")
        return [Child(d.code, d.name, Level.DISTRICT) for d in districts.only("code", "name")]
    regions = Region.objects.filter(parent_id=place.code, valid_to__isnull=True).order_by("code")
    return [Child(r.code, r.name, r.level) for r in regions.only("code", "name", "level")]


def _tables() -> tuple[str, str, str]:
    return District._meta.db_table, VoterTally._meta.db_table, Region._meta.db_table


def _sums() -> str:
    return ", ".join(f"COALESCE(SUM(t.{name}), 0)" for name in COUNTERS)


# A province's dashboard groups and sorts its ~50,000 districts' counter rows; with
# PostgreSQL's default work_mem (4 MB) that sort spills to disk and takes twice as long.
STATS_WORK_MEM = "32MB"


@contextmanager
def _room() -> Iterator[None]:
    """Working memory for the statement(s) inside, on PostgreSQL, for this transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{STATS_WORK_MEM}'")
        yield


def grouped_figures(election_id: int, lo: int, hi: int, span: int) -> dict[int, Figures]:
    """The figures of [lo, hi] grouped by ``district code // span``: one query.

    Driven by the districts, so a district nobody has registered in yet — it has no counter
    row — still counts as a district not started.
    """
    districts, tally, _regions = _tables()
    sql = (
        f"SELECT d.code / {int(span)}, COUNT(*), "  # noqa: S608 — table names and span are ours
        "SUM(CASE WHEN COALESCE(t.registered, 0) = 0 THEN 1 ELSE 0 END), "
        f"{_sums()} FROM {districts} d LEFT JOIN {tally} t "
        "ON t.district_id = d.code AND t.election_id = %s "
        f"WHERE d.code BETWEEN %s AND %s GROUP BY d.code / {int(span)}"
    )
    with _room(), connection.cursor() as cursor:
        cursor.execute(sql, [election_id, lo, hi])
        found = cursor.fetchall()
    names = ("districts", "not_started", *COUNTERS)
    return {int(row[0]): Figures.of(dict(zip(names, row[1:], strict=True))) for row in found}


def _assign(groups: dict[int, Figures], children: list[Child], span: int) -> list[Row]:
    """Fold the groups into the children whose code range holds them; the rest into 其他."""
    starts = [c.subtree[0] for c in children]
    sums: dict[int, Figures] = {}
    other = Figures()
    for key, figures in groups.items():
        code = key * span
        i = bisect.bisect_right(starts, code) - 1
        if i >= 0 and code <= children[i].subtree[1]:
            sums[i] = sums.get(i, Figures()) + figures
        else:
            other = other + figures
    rows = [Row(c.code, c.name, c.level, sums.get(i, Figures())) for i, c in enumerate(children)]
    if other != Figures():
        rows.append(Row(None, _("其他（区划已调整）"), Level.DISTRICT, other))
    return rows


def area_report(election: Election, place: Place) -> Report:
    """The figures of ``place`` and its sub-regions — unscoped: for the snapshot command and
    for callers that have checked access (``report_for``)."""
    now = timezone.now()
    window = window_of(election, place)
    children = children_of(place)
    if window is None:
        rows = [Row(c.code, c.name, c.level, Figures()) for c in children]
        return Report(election, place, None, Figures(), rows, now)
    span = min(SPAN[c.level] for c in children) if children else 1
    groups = grouped_figures(election.pk, *window, span)
    rows = _assign(groups, children, span)
    return Report(election, place, window, Figures.total(r.figures for r in rows), rows, now)


def report_for(user: AnyUser, election: Election, place: Place) -> Report:
    """``area_report`` for a user who may see all of ``place`` (404 otherwise)."""
    if not regions_for(user, VIEW).covers_range(*place.subtree):
        raise Http404
    return area_report(election, place)


# ---------------------------------------------------------------------------------------------
# Panels: ethnicity, trend, districts not started or behind


def ethnicity_of(election: Election, window: tuple[int, int] | None) -> list[tuple[int, str, int]]:
    """(code, name, active voters) per minority ethnic group in the area, largest first.

    汉族 is left out: the chart shows the minorities, and their total is the ``minority``
    counter (汉族 = active − minority). A fifth fewer rows to sum in a province where every
    district has minorities, far fewer where few live."""
    if window is None:
        return []
    rows = (
        VoterTallyEthnicity.objects.filter(
            election=election, district_id__gte=window[0], district_id__lte=window[1]
        )
        .exclude(ethnicity=HAN)
        .values("ethnicity")
        .annotate(n=Sum("count"))
        .order_by("-n", "ethnicity")
    )
    return [
        (r["ethnicity"], ETHNICITIES.get(r["ethnicity"], str(r["ethnicity"])), int(r["n"]))
        for r in rows
    ]


@dataclass(frozen=True)
class Point:
    day: date
    expected: int
    listed: int
    live: bool = False

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.listed, self.expected)


def trend_of(election: Election, place: Place, live: Figures) -> list[Point]:
    """The daily snapshots of the place (last TREND_DAYS days) and today's live figures."""
    today = timezone.localdate()
    rows = (
        StatsSnapshot.objects.filter(
            election=election,
            code=place.code,
            day__gte=today - timedelta(days=TREND_DAYS),
            day__lt=today,
        )
        .order_by("day")
        .values_list("day", "expected", "registered", "suspended")
    )
    points = [
        Point(day, expected, registered + suspended)
        for day, expected, registered, suspended in rows
    ]
    points.append(Point(today, live.expected, live.listed, live=True))
    return points


@dataclass(frozen=True)
class Lagging:
    """A district not started or behind, for the guidance table."""

    code: int
    name: str
    township: str
    expected: int
    listed: int
    registered: int

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.listed, self.expected)

    @property
    def gap(self) -> int:
        return max(0, self.expected - self.listed)

    @property
    def not_started(self) -> bool:
        return self.registered == 0


@dataclass(frozen=True)
class LaggingTable:
    rows: list[Lagging]
    found: int  # all districts not started or behind (rows holds the first LAGGING_LIMIT)
    not_started: int
    sort: str
    area_rate: Decimal | None  # what "below the area's rate" compares with


RATE_SQL = "CASE WHEN x.expected > 0 THEN x.listed * 1.0 / x.expected ELSE 0 END"
LAGGING_ORDER = {
    "rate": f"{RATE_SQL}, x.code",
    "-rate": f"{RATE_SQL} DESC, x.code",
    "gap": "x.expected - x.listed DESC, x.code",
    "-gap": "x.expected - x.listed, x.code",
    "expected": "x.expected DESC, x.code",
    "-expected": "x.expected, x.code",
    "code": "x.code",
    "-code": "x.code DESC",
}


def _lagging_sql(order: str, limit: int, area: Figures) -> str:
    """Filter, count and sort on codes and numbers only; names are joined to the hundred rows
    kept (at a province's 50,000 districts that halves the work)."""
    districts, tally, regions = _tables()
    pe, pl = int(area.expected), int(area.listed)
    # behind: rate < BEHIND_RATE %, or more than BEHIND_MARGIN points below the rate of the
    # area shown (pl / pe), in integers: 100·listed·pe < expected·(100·pl − margin·pe); the
    # area's products are worked out here, so the database multiplies bigints only (a
    # province's 48 million times a district's thousands overflows a 32-bit integer).
    inner = (
        "SELECT d.code AS code, CAST(COALESCE(t.expected, 0) AS BIGINT) AS expected, "  # noqa: S608
        "COALESCE(t.registered, 0) AS registered, "
        "CAST(COALESCE(t.registered, 0) + COALESCE(t.suspended, 0) AS BIGINT) AS listed "
        f"FROM {districts} d LEFT JOIN {tally} t "
        "ON t.district_id = d.code AND t.election_id = %s WHERE d.code BETWEEN %s AND %s"
    )
    kept = (
        "SELECT x.*, COUNT(*) OVER () AS found, "  # noqa: S608
        "SUM(CASE WHEN x.registered = 0 THEN 1 ELSE 0 END) OVER () AS not_started "
        f"FROM ({inner}) x WHERE x.registered = 0 OR (x.expected > 0 AND ("
        f"x.listed * 100 < x.expected * {BEHIND_RATE} OR "
        f"({pe} > 0 AND x.listed * {pe * 100} < x.expected * {pl * 100 - BEHIND_MARGIN * pe}))) "
        f"ORDER BY {LAGGING_ORDER[order]} LIMIT {int(limit)}"
    )
    return (
        "SELECT y.code, d.name, r.name, y.expected, y.listed, y.registered, "  # noqa: S608
        f"y.found, y.not_started FROM ({kept}) y JOIN {districts} d ON d.code = y.code "
        f"JOIN {regions} r ON r.code = d.township_id "
        f"ORDER BY {LAGGING_ORDER[order].replace('x.', 'y.')}"
    )


def lagging_of(
    election: Election,
    window: tuple[int, int] | None,
    area: Figures,
    sort: str = "rate",
    limit: int = LAGGING_LIMIT,
) -> LaggingTable:
    """Districts of the area not started (nobody registered) or behind — below BEHIND_RATE,
    or BEHIND_MARGIN points below the area's own rate (``area``: its figures) — sorted as
    asked, the first ``limit`` of them and how many there are: one query."""
    sort = sort if sort in LAGGING_ORDER else "rate"
    if window is None:
        return LaggingTable([], 0, 0, sort, area.rate)
    with _room(), connection.cursor() as cursor:
        cursor.execute(_lagging_sql(sort, limit, area), [election.pk, *window])
        found = cursor.fetchall()
    rows = [
        Lagging(int(code), name, township, int(expected), int(listed), int(registered))
        for code, name, township, expected, listed, registered, _n, _ns in found
    ]
    total = int(found[0][6]) if found else 0
    not_started = int(found[0][7] or 0) if found else 0
    return LaggingTable(rows, total, not_started, sort, area.rate)


# ---------------------------------------------------------------------------------------------
# The archive of daily tables


def report_days(user: AnyUser, election: Election, limit: int = 90) -> list[date]:
    """The days with archived tables in the user's regions, latest first."""
    scope = regions_for(user, VIEW)
    rows = (
        StatsReport.objects.filter(election=election)
        .filter(scope.q("region_id"))
        .values_list("day", flat=True)
        .distinct()
        .order_by("-day")
    )
    return list(rows[:limit])


def reports_on(user: AnyUser, election: Election, day: date) -> list[StatsReport]:
    scope = regions_for(user, VIEW)
    return list(
        StatsReport.objects.filter(election=election, day=day)
        .filter(scope.q("region_id"))
        .select_related("region")
        .order_by("region__level", "region_id")
    )


def archived_report_for(user: AnyUser, pk: int) -> StatsReport:
    """An archived table of a region the user may see whole, or 404."""
    report = get_or_404(
        user, VIEW, StatsReport.objects.select_related("region", "election"), "region_id", pk=pk
    )
    if not regions_for(user, VIEW).covers_range(*report.region.subtree):
        raise Http404
    return report
