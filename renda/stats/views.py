"""Statistics pages: the dashboard of a region or district, its report table (xlsx, PDF), the
analysts' CSV files and the daily archive. Thin: access → selectors → render or stream."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.accounts.scopes import Place
from renda.core import privatefiles
from renda.core.http import AuthedRequest, attachment, xlsx_response
from renda.regions.codes import Level, display_code
from renda.stats import dashboard, exports, selectors, services
from renda.voters import selectors as voter_selectors
from renda.voters.models import Election
from renda.voters.selectors import VoterQuery
from renda.voters.views.downloads import pdf_response
from renda.voters.views.elections import deadlines


def _elections(request: AuthedRequest) -> tuple[list[Election], Election | None]:
    """``?election=<pk>`` among the user's elections (else 404), or the current one."""
    raw = request.GET.get("election", "")
    if raw and not raw.isdigit():
        raise Http404
    return selectors.elections_of(request.user, int(raw) if raw else None)


def _election(request: AuthedRequest) -> Election | None:
    return _elections(request)[1]


def _required_election(request: AuthedRequest) -> Election:
    election = _election(request)
    if election is None:
        raise Http404
    return election


def _suffix(request: AuthedRequest) -> str:
    raw = request.GET.get("election", "")
    return f"?{urlencode({'election': raw})}" if raw.isdigit() else ""


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """The dashboard of the user's own (highest, or chosen on the home page) place."""
    code = selectors.home_code(request.user, request.session.get("scope"))
    if code is None:
        raise Http404
    return redirect(reverse("stats:region", args=[code]) + _suffix(request))


@login_required
def region(request: AuthedRequest, code: int) -> HttpResponse:
    place = selectors.place_for(request.user, code)
    elections, election = _elections(request)
    context: dict[str, object] = {
        "place": place,
        "election": election,
        "elections": elections,
        "place_code": display_code(place.code, place.level),
        "may_list_voters": access.has_perm(request.user, Perm.VOTER_VIEW, place.code),
        "behind_rate": selectors.BEHIND_RATE,
        "behind_margin": selectors.BEHIND_MARGIN,
        "voter_export_level": selectors.VOTER_EXPORT_LEVEL,
    }
    if election is not None:
        board = dashboard.build(request.user, election, place, sort=request.GET.get("sort", "rate"))
        context.update(
            board=board,
            deadlines=deadlines(election),
            ancestors=board.ancestors,
            is_district=place.level == Level.DISTRICT,
            query=urlencode({"election": election.pk}),
        )
    else:
        context["ancestors"] = dashboard.breadcrumb(place)
    return render(request, "stats/dashboard.html", context)


def _report(request: AuthedRequest, code: int) -> tuple[Place, selectors.Report]:
    place = selectors.place_for(request.user, code)
    election = _required_election(request)
    return place, selectors.report_for(request.user, election, place)


def _filename(report: selectors.Report, extension: str) -> str:
    day = timezone.localdate(report.as_of)
    return f"{report.place.name}选民登记情况统计表-{day:%Y%m%d}.{extension}"


@login_required
def table_xlsx(request: AuthedRequest, code: int) -> HttpResponse:
    place, report = _report(request, code)
    data = exports.report_xlsx(report)
    services.stats_download_record(
        actor=request.user,
        action="stats.table_download",
        election=report.election,
        place=place,
        summary={"format": "xlsx"},
    )
    return xlsx_response(data, _filename(report, "xlsx"))


@login_required
def table_pdf(request: AuthedRequest, code: int) -> HttpResponse:
    place, report = _report(request, code)
    data = exports.report_pdf(report)
    services.stats_download_record(
        actor=request.user,
        action="stats.table_download",
        election=report.election,
        place=place,
        summary={"format": "pdf"},
    )
    return pdf_response(data, _filename(report, "pdf"))


def _csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    attachment(response, filename)  # type: ignore[arg-type]
    return response


@login_required
def counts_csv(request: AuthedRequest, code: int) -> StreamingHttpResponse:
    """Every district of the area with all its counters, streamed."""
    place = selectors.place_for(request.user, code)
    election = _required_election(request)
    window = selectors.window_of(election, place)
    if window is None:
        raise Http404
    services.stats_download_record(
        actor=request.user, action="stats.export_counts", election=election, place=place
    )
    lines = exports.csv_lines(exports.counts_header(), exports.counts_rows(election.pk, *window))
    day = timezone.localdate()
    return _csv_response(lines, f"{place.name}-选区登记统计-{day:%Y%m%d}.csv")


@login_required
def voters_csv(request: AuthedRequest, code: int) -> HttpResponse | StreamingHttpResponse:
    """The area's registered voters, ID numbers masked, streamed district by district; a
    county at most (a million people): above that, lists of people are not what figures are
    for, and the counts CSV serves the analysts."""
    place = selectors.place_for(request.user, code)
    access.require(request.user, Perm.VOTER_VIEW, place.code)
    election = _required_election(request)
    window = selectors.window_of(election, place)
    if window is None:
        raise Http404
    if place.level < selectors.VOTER_EXPORT_LEVEL:
        messages.error(request, _("选民名单只能按县（市、区）或更小的范围导出。"))
        return redirect(reverse("stats:region", args=[place.code]) + f"?election={election.pk}")
    voters = voter_selectors.voters_for(request.user, VoterQuery(region=window))
    services.stats_download_record(
        actor=request.user, action="stats.export_voters", election=election, place=place
    )
    rows = exports.voters_rows(voters, exports.districts_in(*window))
    day = timezone.localdate()
    return _csv_response(
        exports.csv_lines(exports.voters_header(), rows), f"{place.name}-选民名单-{day:%Y%m%d}.csv"
    )


@login_required
def reports(request: AuthedRequest) -> HttpResponse:
    """The daily archive of report tables in the user's regions, one day at a time."""
    if not selectors.may_see_figures(request.user):
        raise Http404
    elections, election = _elections(request)
    days = selectors.report_days(request.user, election) if election else []
    raw = request.GET.get("day", "")
    chosen = next((d for d in days if d.isoformat() == raw), days[0] if days else None)
    return render(
        request,
        "stats/reports.html",
        {
            "election": election,
            "elections": elections,
            "days": days,
            "day": chosen,
            "reports": selectors.reports_on(request.user, election, chosen)
            if election and chosen
            else [],
        },
    )


@login_required
def report_download(request: AuthedRequest, pk: int) -> HttpResponse:
    report = selectors.archived_report_for(request.user, pk)
    if not privatefiles.exists(report.file):
        raise Http404
    place = selectors.place_of_region(report.region)
    services.stats_download_record(
        actor=request.user,
        action="stats.archive_download",
        election=report.election,
        place=place,
        target=report,
        summary={"day": report.day.isoformat()},
    )
    name = f"{report.region.name}选民登记情况统计表-{report.day:%Y%m%d}.xlsx"
    return xlsx_response(privatefiles.load(report.file), name)
