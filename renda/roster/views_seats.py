"""Seats and population (选举法 Art 25): thin views over ``renda.roster.seats``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.http import AuthedRequest, xlsx_response
from renda.core.spreadsheets import write_xlsx
from renda.regions.codes import Level
from renda.regions.models import Region
from renda.regions.selectors import ancestors
from renda.roster import seats
from renda.voters.models import Election


@login_required
def seats_index(request: AuthedRequest) -> HttpResponse:
    """The page of the widest region the user works in."""
    grants = sorted(access.assignments(request.user), key=lambda a: (a.scope_level, a.scope_code))
    for grant in grants:
        if not access.has_perm(request.user, Perm.DISTRICT_VIEW, grant.scope_code):
            continue
        code = grant.district.township_id if grant.district is not None else grant.region_id
        return redirect("roster:seats", code=code)
    raise Http404


def _election(request: AuthedRequest, region: Region) -> tuple[Election | None, list[Election]]:
    choices = seats.elections_covering(request.user, region)
    wanted = request.GET.get("election", "")
    if wanted == "none":
        return None, choices
    for e in choices:
        if str(e.pk) == wanted:
            return e, choices
    return (choices[0] if choices else None), choices


def _context(request: AuthedRequest, code: int) -> dict[str, Any]:
    region = seats.seats_region_for(request.user, code)
    election, elections = _election(request, region)
    sort = request.GET.get("sort", "code")
    sort = sort if sort in seats.SORTS else "code"
    warnings_only = request.GET.get("warn") == "1"
    detailed = region.level >= Level.COUNTY
    return {
        "region": region,
        "ancestors": ancestors(region.code, region.level),
        "election": election,
        "elections": elections,
        "sort": sort,
        "warnings_only": warnings_only,
        "threshold": round(seats.threshold() * 100),
        "detailed": detailed,
        "township_areas": seats.township_areas(
            request.user, region, election=election, sort=sort, warnings_only=warnings_only
        )
        if detailed
        else [],
        "county_areas": seats.county_areas(
            request.user, region, election, sort=sort, warnings_only=warnings_only
        ),
        "summaries": [] if detailed else seats.county_summaries(request.user, region),
        "counts": access.has_perm(request.user, Perm.VOTER_VIEW, region.code)
        and election is not None,
    }


@login_required
def seats_page(request: AuthedRequest, code: int) -> HttpResponse:
    return render(request, "roster/seats.html", _context(request, code))


@login_required
def seats_export(request: AuthedRequest, code: int) -> HttpResponse:
    """The same figures as the page, as a workbook (township and county-level districts)."""
    context = _context(request, code)
    if not context["detailed"]:
        context["township_areas"] = seats.township_areas(
            request.user, context["region"], election=context["election"]
        )
    headers = [
        _("层级"),
        _("行政区域"),
        _("选区"),
        _("人口数"),
        _("名额"),
        _("每名代表人口"),
        _("区域平均"),
        _("偏差"),
        _("已登记选民"),
        _("提示"),
    ]
    rows = []
    for area in [*context["township_areas"], *context["county_areas"]]:
        level = _("乡级选区") if area.kind == "township" else _("县级选区")
        for r in area.rows:
            note = _("偏差过大") if r.warn else ""
            if r.entry.note == "partial":
                note = _("含部分划入的选区，人口数需另行核定")
            rows.append(
                [
                    level,
                    area.region.name,
                    r.entry.name,
                    r.entry.population,
                    r.entry.seats,
                    round(r.per_seat) if r.per_seat is not None else "",
                    round(area.mean) if area.mean is not None else "",
                    r.deviation_words,
                    r.entry.registered if context["counts"] else "",
                    note,
                ]
            )
    data = write_xlsx(
        headers,
        rows,
        sheet_name=_("选区名额"),
        widths=[10, 16, 18, 10, 6, 12, 10, 9, 11, 28],
        highlight_column=9,
    )
    return xlsx_response(data, _("选区名额与人口_%(r)s.xlsx") % {"r": context["region"].name})
