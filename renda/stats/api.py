"""The report table through the API: the same figures as the page and the workbook, as JSON.

Scoped like the pages: a region the token's owner may not see whole answers 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from renda.accounts.models import User
from renda.api.schemas import ErrorOut
from renda.regions.codes import Level, display_code, parse_code
from renda.stats import selectors
from renda.stats.figures import Figures

router = Router(tags=["登记统计"])


class FiguresOut(Schema):
    expected: int
    listed: int
    rate: float | None
    registered: int
    not_listed: int
    suspended: int
    certified_out: int
    removed: int
    male: int
    female: int
    age_18_35: int
    age_36_59: int
    age_60_plus: int
    minority: int
    certificate_holders: int
    mobile_box: int
    proxies: int
    certificates_issued: int
    newly_18: int
    restored: int
    moved_in: int
    deceased: int
    deprived: int
    moved_out: int
    districts: int
    not_started: int


class PlaceOut(Schema):
    code: str
    name: str
    level: int
    level_name: str


class ElectionOut(Schema):
    code: str
    name: str
    election_day: date


class RowOut(Schema):
    code: str | None
    name: str
    level: int
    figures: FiguresOut


class StatsOut(Schema):
    election: ElectionOut
    region: PlaceOut
    as_of: datetime
    total: FiguresOut
    rows: list[RowOut]


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _figures(figures: Figures) -> dict[str, Any]:
    return figures.as_dict()


def _level_name(level: int) -> str:
    return str(Level(level).label)


@router.get(
    "/{region_code}",
    response={200: StatsOut, 404: ErrorOut},
    summary="选民登记情况统计表（一个区划或选区及其下级）",
)
def region_stats(
    request: HttpRequest, region_code: str, election: str | None = None
) -> dict[str, Any]:
    """`election`: the election's code (default: the current one). Rates are percentages
    rounded to two places, null without base data (应登记 0)."""
    user = _user(request)
    try:
        code = parse_code(region_code)
    except ValueError:
        raise Http404 from None
    place = selectors.place_for(user, code)
    chosen = selectors.election_by_code(user, election)
    if chosen is None:
        raise Http404
    report = selectors.report_for(user, chosen, place)
    return {
        "election": {
            "code": chosen.code,
            "name": chosen.name,
            "election_day": chosen.election_day,
        },
        "region": {
            "code": display_code(place.code, place.level),
            "name": place.name,
            "level": place.level,
            "level_name": _level_name(place.level),
        },
        "as_of": report.as_of,
        "total": _figures(report.total),
        "rows": [
            {
                "code": None if r.code is None else display_code(r.code, r.level),
                "name": r.name,
                "level": r.level,
                "figures": _figures(r.figures),
            }
            for r in report.rows
        ],
    }
