"""One dashboard: the report of an area and its panels, with a link behind every number and the
data the charts draw (handed to static/renda/stats.js as JSON, never as inline script)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from renda.accounts.access import AnyUser
from renda.accounts.scopes import Place
from renda.regions.codes import Level, short_code
from renda.regions.models import Region
from renda.regions.selectors import ancestors
from renda.stats import selectors
from renda.stats.exports import Column, table_columns
from renda.stats.figures import Figures
from renda.stats.selectors import LaggingTable, Point, Report, Row
from renda.voters.models import ChangeKind, Election, Status

# What each figure counts, as the voter list's filters: (parameter, value).
LIST_FILTERS: dict[str, tuple[str, str]] = {
    "listed": ("counter", "listed"),
    "not_listed": ("status", Status.NOT_LISTED),
    "suspended": ("status", Status.SUSPENDED),
    "certified_out": ("status", Status.CERTIFIED_OUT),
    "removed": ("status", Status.REMOVED),
    "proxies": ("kind", ChangeKind.PROXY),
    **{
        k: ("kind", k)
        for k in ("newly_18", "restored", "moved_in", "deceased", "deprived", "moved_out")
    },
    **{
        k: ("counter", k)
        for k in (
            "male",
            "female",
            "age_18_35",
            "age_36_59",
            "age_60_plus",
            "minority",
            "certificate_holders",
            "mobile_box",
        )
    },
}


class Links:
    """URLs behind the figures of one election: the scoped voter list, the drill-down page.

    Built by string formatting, not urlencode: every value is a code, a pk or one of our
    identifiers, and a township's table holds a thousand of these links.
    """

    def __init__(self, election: Election) -> None:
        self.election = election
        self._list = reverse("voters:list")
        self._certificates = reverse("voters:certificates")
        self._region = reverse("stats:region", args=[0]).replace("/0/", "/{}/")

    def _voters(self, code: int, level: int, param: str, value: str) -> str:
        return (
            f"{self._list}?district={short_code(code, level)}&{param}={value}"
            f"&election={self.election.pk}"
        )

    def figure(self, key: str, code: int | None, level: int) -> str:
        """The list of the people a figure counts, or "" where no list stands behind it."""
        if code is None:
            return ""
        if key == "certificates_issued":
            return self._certificates
        if key == "districts":
            return self.drill(code)
        found = LIST_FILTERS.get(key)
        return "" if found is None else self._voters(code, level, *found)

    def status(self, status: str, code: int, level: int) -> str:
        return self._voters(code, level, "status", status)

    def drill(self, code: int | None) -> str:
        if code is None:
            return ""
        return f"{self._region.format(code)}?election={self.election.pk}"


@dataclass(frozen=True)
class Cell:
    value: Any
    url: str
    key: str


@dataclass(frozen=True)
class TableRow:
    row: Row
    url: str  # its own dashboard
    cells: list[Cell]
    behind: bool


@dataclass(frozen=True)
class Tile:
    label: str
    value: Any
    url: str
    hint: str = ""
    warn: bool = False


@dataclass(frozen=True)
class Head:
    title: str
    colspan: int = 1
    rowspan: int = 1


def header_rows(columns: list[Column]) -> tuple[list[Head], list[Head]]:
    """The table's two header rows: a category over its sub-columns, single ones spanning both."""
    top: list[Head] = []
    sub: list[Head] = []
    for i, column in enumerate(columns):
        if not column.group:
            top.append(Head(column.title, rowspan=2))
            continue
        if i == 0 or columns[i - 1].group != column.group:
            width = (
                next(
                    (j for j in range(i, len(columns)) if columns[j].group != column.group),
                    len(columns),
                )
                - i
            )
            top.append(Head(column.group, colspan=width))
        sub.append(Head(column.title))
    return top, sub


@dataclass
class Dashboard:
    report: Report
    columns: list[Column]
    table: list[TableRow]
    total: list[Cell]
    tiles: list[Tile]
    lagging: LaggingTable
    ethnicity: list[tuple[int, str, int]]
    trend: list[Point]
    ancestors: list[Region]
    heads: tuple[list[Head], list[Head]] = ([], [])
    charts: dict[str, Any] = field(default_factory=dict)

    @property
    def since_last(self) -> Point | None:
        """The latest day kept before today, to say how far registration moved since."""
        return self.trend[-2] if len(self.trend) >= 2 else None

    @property
    def growth(self) -> int | None:
        last = self.since_last
        return None if last is None else self.trend[-1].listed - last.listed


def _cells(links: Links, columns: list[Column], row: Row, here: int) -> list[Cell]:
    """The row's figures with their links (a row's district count opens its own dashboard,
    except on that dashboard)."""
    figures = row.figures
    return [
        Cell(
            figures.rate if c.key == "rate" else getattr(figures, c.key),
            ""
            if c.key == "districts" and row.code == here
            else links.figure(c.key, row.code, row.level),
            c.key,
        )
        for c in columns
    ]


def _is_behind(figures: Figures, parent: Figures) -> bool:
    rate, parent_rate = figures.rate, parent.rate
    if figures.districts and figures.registered == 0:
        return True
    if rate is None:
        return False
    return rate < selectors.BEHIND_RATE or (
        parent_rate is not None and rate < parent_rate - selectors.BEHIND_MARGIN
    )


def _tiles(links: Links, place: Place, total: Figures) -> list[Tile]:
    code, level = place.code, place.level

    def tile(label: str, key: str, hint: str = "") -> Tile:
        return Tile(label, getattr(total, key), links.figure(key, code, level), hint)

    rate = total.rate
    districts = (
        tile(_("已除名"), "removed", _("死亡、迁出等除名的累计人数"))
        if level == Level.DISTRICT
        else Tile(
            _("未启动选区"),
            f"{total.not_started} / {total.districts}",
            "#lagging",
            _("尚无选民登记的选区 / 选区总数"),
            warn=total.not_started > 0,
        )
    )
    return [
        Tile(_("应登记"), total.expected, "", _("来自基础数据")),
        tile(_("已登记"), "listed", _("登记在册，含停止行使")),
        Tile(_("登记率"), f"{rate}%" if rate is not None else "—", "", _("已登记 ÷ 应登记")),
        districts,
        tile(_("不列入名单"), "not_listed"),
        tile(_("停止行使选举权利"), "suspended"),
        tile(_("开具选民资格证明"), "certificates_issued"),
        tile(_("持证登记"), "certificate_holders"),
        tile(_("委托投票"), "proxies"),
        tile(_("流动票箱"), "mobile_box"),
    ]


def _series(links: Links, report: Report) -> list[dict[str, Any]]:
    return [
        {
            "name": r.name,
            "url": links.drill(r.code) if r.code != report.place.code else "",
            "listed": r.figures.listed,
            "expected": r.figures.expected,
            "rate": float(r.figures.rate) if r.figures.rate is not None else None,
        }
        for r in report.rows
    ]


def _statuses(links: Links, place: Place, total: Figures) -> list[dict[str, Any]]:
    """A district's people by where they stand on its list (the district page's main chart)."""
    keys = [
        ("registered", _("已登记")),
        ("suspended", _("停止行使")),
        ("not_listed", _("不列入")),
        ("certified_out", _("开具证明")),
        ("removed", _("已除名")),
    ]
    return [
        {
            "name": label,
            "value": getattr(total, key),
            "url": links.status(key, place.code, place.level),
        }
        for key, label in keys
    ]


def _charts(links: Links, board: Dashboard) -> dict[str, Any]:
    total = board.report.total
    kinds = ("newly_18", "restored", "moved_in", "deceased", "deprived", "moved_out")
    return {
        "children": _series(links, board.report),
        "child_label": _("选区") if board.report.place.level >= Level.TOWNSHIP else _("下级地区"),
        "rate": float(total.rate) if total.rate is not None else None,
        "statuses": _statuses(links, board.report.place, total),
        "active": total.active,
        "changes": [
            {
                "name": str(ChangeKind(k).label),
                "value": getattr(total, k),
                "add": i < 3,
                "url": links.figure(k, board.report.place.code, board.report.place.level),
            }
            for i, k in enumerate(kinds)
        ],
        "sex": [
            {"name": _("男"), "value": total.male},
            {"name": _("女"), "value": total.female},
        ],
        "age": [
            {"name": _("18—35岁"), "value": total.age_18_35},
            {"name": _("36—59岁"), "value": total.age_36_59},
            {"name": _("60岁以上"), "value": total.age_60_plus},
        ],
        "ethnicity": [{"name": name, "value": n} for _code, name, n in board.ethnicity][:12],
        "trend": {
            "days": [f"{p.day:%m-%d}" for p in board.trend],
            "listed": [p.listed for p in board.trend],
            "expected": [p.expected for p in board.trend],
            "rate": [float(p.rate) if p.rate is not None else None for p in board.trend],
        },
        "labels": {
            "listed": _("已登记"),
            "expected": _("应登记"),
            "rate": _("登记率"),
            "people": _("人"),
            "no_data": _("暂无数据"),
            "all_han": _("均为汉族"),
        },
    }


def breadcrumb(place: Place) -> list[Region]:
    if place.level == Level.DISTRICT:
        assert place.district is not None
        township = place.district.township
        return [*ancestors(township.code, Level.TOWNSHIP), township]
    return ancestors(place.code, place.level)


def build(user: AnyUser, election: Election, place: Place, *, sort: str = "rate") -> Dashboard:
    """Every panel of the dashboard of ``place`` (access already checked by place_for)."""
    report = selectors.report_for(user, election, place)
    links = Links(election)
    columns = table_columns()
    total = report.total
    board = Dashboard(
        report=report,
        columns=columns,
        table=[
            TableRow(
                r,
                links.drill(r.code),
                _cells(links, columns, r, place.code),
                _is_behind(r.figures, total),
            )
            for r in report.rows
        ],
        total=_cells(links, columns, Row(place.code, place.name, place.level, total), place.code),
        tiles=_tiles(links, place, total),
        lagging=selectors.lagging_of(election, report.window, total, sort),
        ethnicity=selectors.ethnicity_of(election, report.window),
        trend=selectors.trend_of(election, place, total),
        ancestors=breadcrumb(place),
        heads=header_rows(columns),
    )
    board.charts = _charts(links, board)
    return board
