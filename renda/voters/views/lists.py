"""Publication: a district's posted list (第一榜), its supplements, downloads and voter cards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, query_without_cursor, xlsx_response
from renda.core.pagination import keyset_page
from renda.regions.models import District
from renda.voters import exports, selectors, selectors_lists
from renda.voters.forms_lists import PublishForm
from renda.voters.models import Election, VoterList
from renda.voters.services import publication
from renda.voters.services.appeals import appeal_period_end
from renda.voters.services.common import today
from renda.voters.views.downloads import pdf_response

ENTRIES_PER_PAGE = 100
DISTRICTS_PER_PAGE = 100
PAPERS = ("A4", "A3")


def _chosen(request: AuthedRequest) -> Election | None:
    """The election named by ``?election=``, else the current one."""
    raw = request.GET.get("election", "")
    if raw.isdigit():
        return selectors.election_for(request.user, int(raw))
    return selectors.current_election(request.user)


def _for_district(request: AuthedRequest, district: District) -> Election | None:
    raw = request.POST.get("election") or request.GET.get("election") or ""
    if raw.isdigit():
        return selectors.election_for(request.user, int(raw))
    covering = selectors_lists.elections_covering(request.user, district)
    return covering[0] if covering else None


def _back(district: District, election: Election | None) -> HttpResponse:
    url = reverse("voters:district_lists", args=[district.code])
    return redirect(f"{url}?election={election.pk}" if election else url)


@login_required
def list_overview(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    election = _chosen(request)
    context: dict[str, object] = {
        "election": election,
        "elections": selectors.elections_for(request.user).order_by("-election_day", "code"),
        "query": query_without_cursor(request),
    }
    if election is not None:
        township = request.GET.get("township", "")
        state = request.GET.get("state", "")
        districts = selectors_lists.districts_of_election(request.user, election)
        shown = selectors_lists.districts_of_election(
            request.user, election, township=township, state=state
        )
        page = keyset_page(
            shown, key="code", cursor=request.GET.get("after"), size=DISTRICTS_PER_PAGE
        )
        context.update(
            page=page,
            rows=selectors_lists.publication_rows(election, page.items),
            township=township,
            state=state,
            district_total=districts.count(),
            published_total=VoterList.objects.filter(
                election=election, number=0, district__in=districts
            ).count(),
            overdue=today() > election.publication_deadline,
        )
    return render(request, "voters/lists/overview.html", context)


@login_required
def district_lists(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors_lists.district_for(request.user, code)
    election = _for_district(request, district)
    lists = list(selectors.lists_of(request.user, election, code)) if election is not None else []
    pending = selectors_lists.pending_changes(district)
    registered = selectors_lists.registered_count(district)
    return render(
        request,
        "voters/lists/district.html",
        {
            "district": district,
            "election": election,
            "elections": selectors_lists.elections_covering(request.user, district),
            "lists": lists,
            "first_list": next((vl for vl in lists if vl.number == 0), None),
            "pending": pending[:200],
            "pending_count": pending.count(),
            "registered": registered,
            "may_publish": access.has_perm(request.user, Perm.LIST_PUBLISH, code),
            "publish_form": PublishForm(),
            "overdue": election is not None and today() > election.publication_deadline,
        },
    )


@login_required
@require_POST
def publish_first(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors_lists.district_for(request.user, code)
    election = _for_district(request, district)
    form = PublishForm(request.POST)
    if election is None or not form.is_valid():
        messages.error(request, _("请选择换届选举和排序方式。"))
        return _back(district, election)
    try:
        voter_list = publication.list_publish_first(
            actor=request.user,
            election=election,
            district=district,
            order=form.cleaned_data["order"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back(district, election)
    messages.success(
        request,
        _("已公布选民名单（第一榜），共 %(n)d 人。") % {"n": voter_list.entry_count},
    )
    return redirect("voters:list_detail", pk=voter_list.pk)


@login_required
@require_POST
def publish_supplement(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors_lists.district_for(request.user, code)
    election = _for_district(request, district)
    if election is None:
        messages.error(request, _("请选择换届选举。"))
        return _back(district, election)
    try:
        voter_list = publication.list_publish_supplement(
            actor=request.user, election=election, district=district
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back(district, election)
    messages.success(
        request,
        _("已公布%(list)s，共 %(n)d 条变动。")
        % {"list": str(voter_list), "n": voter_list.entry_count},
    )
    return redirect("voters:list_detail", pk=voter_list.pk)


@login_required
def list_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    voter_list = selectors.list_for(request.user, pk)
    page = keyset_page(
        selectors_lists.entries_of(voter_list),
        key="seq",
        cursor=request.GET.get("after"),
        size=ENTRIES_PER_PAGE,
    )
    appeal_end = appeal_period_end(voter_list)
    return render(
        request,
        "voters/lists/detail.html",
        {
            "voter_list": voter_list,
            "district": voter_list.district,
            "election": voter_list.election,
            "page": page,
            "query": query_without_cursor(request),
            "siblings": selectors.lists_of(
                request.user, voter_list.election, voter_list.district_id
            ),
            "appeal_end": appeal_end,
            "may_appeal": today() <= appeal_end
            and access.has_perm(request.user, Perm.APPEAL_RECEIVE, voter_list.district_id),
            "papers": PAPERS,
        },
    )


def _filename(voter_list: VoterList, extension: str) -> str:
    district = voter_list.district
    return f"{district.township.name}{district.name}-{voter_list}.{extension}"


@login_required
def list_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    voter_list = selectors.list_for(request.user, pk)
    paper = request.GET.get("paper", "A4").upper()
    paper = paper if paper in PAPERS else "A4"
    data = exports.posted_list_pdf(voter_list, paper=paper)
    audit_record(
        actor=request.user,
        action="list.download",
        target=voter_list,
        region_code=voter_list.district_id,
        summary={"format": "pdf", "paper": paper, "entries": voter_list.entry_count},
    )
    return pdf_response(data, _filename(voter_list, "pdf"), inline=request.GET.get("inline") == "1")


@login_required
def list_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    voter_list = selectors.list_for(request.user, pk)
    data = exports.posted_list_xlsx(voter_list)
    audit_record(
        actor=request.user,
        action="list.download",
        target=voter_list,
        region_code=voter_list.district_id,
        summary={"format": "xlsx", "entries": voter_list.entry_count},
    )
    return xlsx_response(data, _filename(voter_list, "xlsx"))


@login_required
def voter_cards_pdf(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors_lists.district_for(request.user, code)
    election = _for_district(request, district)
    if election is None:
        messages.error(request, _("请先设立换届选举。"))
        return _back(district, election)
    data = exports.voter_cards_pdf(election, district)
    audit_record(
        actor=request.user,
        action="cards.download",
        target=district,
        region_code=district.code,
        summary={"election": election.code},
    )
    filename = f"{district.township.name}{district.name}-{_('选民证')}.pdf"
    return pdf_response(data, filename)
