"""选民自助: the public pages under /self/ and the districts' review queue.

Public pages: no login, rate-limited per address like /verify/, an arithmetic check kept in the
session, every answer the same shape. The check says only 已在“××选区”登记 or 未查询到 — a
wrong name answers 未查询到 too, so the page never confirms that a number exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, attachment
from renda.core.ratelimit import hit
from renda.regions.models import District
from renda.voters import pii
from renda.voters import selectors_transfers as reads
from renda.voters.forms_transfers import (
    AcceptForm,
    RejectForm,
    SelfCheckForm,
    SelfRequestForm,
    new_challenge,
)
from renda.voters.models import Election, SelfServiceRequest, SelfServiceStatus
from renda.voters.services import selfservice as services
from renda.voters.services.common import today

CHECK_LIMIT = 10  # checks per address …
REQUEST_LIMIT = 5  # … and requests …
SEARCH_LIMIT = 60  # … and district searches …
WINDOW_SECONDS = 600  # … in ten minutes
DONE_KEY = "self_reference"
SEARCH_MAX = 30  # districts listed for a township name


def _limited(
    request: HttpRequest, scope: str, limit: int, *, searching: bool = False
) -> HttpResponse | None:
    """A 429 page once the address has sent ``limit`` posts (or searches) in the window."""
    counted = request.method == "POST" or searching
    if not counted or hit(scope, request, limit=limit, window_seconds=WINDOW_SECONDS):
        return None
    response = render(request, "voters/public/rate_limited.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def self_index(request: HttpRequest) -> HttpResponse:
    return _public(render(request, "voters/public/self_index.html"))


@never_cache
def self_check(request: HttpRequest) -> HttpResponse:
    if (refused := _limited(request, "self-check", CHECK_LIMIT)) is not None:
        return refused
    form = SelfCheckForm(request.POST or None, session=request.session)
    answered = False
    place = None
    if form.is_bound and form.is_valid():
        answered = True
        place = reads.registration_place(form.cleaned_data["name"], form.cleaned_data["id_number"])
        form = SelfCheckForm(session=request.session)  # the name and number are not echoed
    form.ask(new_challenge(request.session))
    return _public(
        render(
            request,
            "voters/public/self_check.html",
            {"form": form, "answered": answered, "place": place},
        )
    )


def _open_elections() -> list[Election]:
    day = today()
    return list(
        Election.objects.select_related("region").filter(
            registration_opens__lte=day, registration_closes__gte=day
        )
    )


def _election_for(district: District, elections: list[Election]) -> Election | None:
    for election in elections:
        lo, hi = election.region.subtree
        if lo <= district.code <= hi:
            return election
    return None


def _district_choices(request: HttpRequest, elections: list[Election]) -> list[District]:
    """The districts offered: one named by ?district=CODE (a link or QR code posted by the
    district), or those of townships whose name contains ?township=…"""
    qs = District.objects.select_related("township").order_by("code")
    raw = request.POST.get("district") or request.GET.get("district", "")
    name = request.GET.get("township", "").strip()
    if raw.isdigit():
        found = list(qs.filter(code=int(raw)))
    elif name:
        found = list(qs.filter(township__name__contains=name[:20])[:SEARCH_MAX])
    else:
        found = []
    return [d for d in found if _election_for(d, elections) is not None]


@never_cache
def self_request(request: HttpRequest) -> HttpResponse:
    if (refused := _limited(request, "self-request", REQUEST_LIMIT)) is not None:
        return refused
    searching = request.method == "GET" and bool(request.GET.get("township"))
    if (refused := _limited(request, "self-search", SEARCH_LIMIT, searching=searching)) is not None:
        return refused
    elections = _open_elections()
    districts = _district_choices(request, elections)
    form = SelfRequestForm(
        request.POST or None, request.FILES or None, session=request.session, districts=districts
    )
    if form.is_bound and form.is_valid():
        try:
            reference = _submit(form, districts, elections)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[DONE_KEY] = reference
            return redirect("self:done")
    form.ask(new_challenge(request.session))
    return _public(
        render(
            request,
            "voters/public/self_request.html",
            {
                "form": form,
                "districts": districts,
                "township": request.GET.get("township", ""),
                "searched": bool(request.GET.get("township") or request.GET.get("district")),
                "open": bool(elections),
            },
        )
    )


def _submit(form: SelfRequestForm, districts: list[District], elections: list[Election]) -> str:
    data = form.cleaned_data
    district = next(d for d in districts if d.code == data["district"])
    election = _election_for(district, elections)
    assert election is not None
    upload = None
    if data.get("evidence_file"):
        file = data["evidence_file"]
        if file.size > services.MAX_FILE_BYTES:
            raise ServiceError(_("附件不能超过 5 MB。"), field="evidence_file")
        upload = services.Upload(name=file.name or "", data=file.read())
    request_row = services.selfservice_submit(
        election=election,
        district=district,
        application=services.Application(
            id_number=data["id_number"],
            name=data["name"],
            phone=data["phone"],
            residence_address=data["residence_address"],
            household_address=data["household_address"],
            evidence=data["evidence"],
            ethnicity=data["ethnicity"],
        ),
        upload=upload,
    )
    return request_row.reference


@never_cache
def self_done(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(DONE_KEY)
    if not reference:
        return redirect("self:request")
    found = reads.selfservice_by_reference(reference)
    place = f"{found.district.township.name}{found.district.name}" if found else ""
    return _public(
        render(request, "voters/public/self_done.html", {"reference": reference, "place": place})
    )


# --- The districts' review queue ------------------------------------------------------------

PER_PAGE = 50


@login_required
def selfservice_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    status = request.GET.get("status", SelfServiceStatus.OPEN)
    status = status if status in SelfServiceStatus.values else ""
    # Requests come in tens per district: page numbers are fine here.
    page = Paginator(
        reads.selfservice_for(request.user, status).order_by("-id"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "voters/selfservice/list.html",
        {"page": page, "status": status, "statuses": SelfServiceStatus.choices},
    )


@login_required
def selfservice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review(request, reads.selfservice_request_for(request.user, pk))


def _review(
    request: AuthedRequest,
    item: SelfServiceRequest,
    accept: AcceptForm | None = None,
    reject: RejectForm | None = None,
) -> HttpResponse:
    holder = services.active_registration(item)
    manage = access.has_perm(request.user, Perm.VOTER_MANAGE, item.district_id)
    context: dict[str, Any] = {
        "item": item,
        "masked": pii.masked(item.id_cipher),
        "holder": holder,
        "holder_here": holder is not None and holder.district_id == item.district_id,
        "may_decide": manage and item.status == SelfServiceStatus.OPEN,
        "accept_form": accept or AcceptForm(),
        "reject_form": reject or RejectForm(),
    }
    return render(request, "voters/selfservice/detail.html", context)


@login_required
@require_POST
def selfservice_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    item = reads.selfservice_request_for(request.user, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _review(request, item, accept=form)
    data = form.cleaned_data
    try:
        voter = services.selfservice_accept(
            actor=request.user,
            request=item,
            residence_kind=data["residence_kind"],
            group=data["group"],
            certificate_number=data["certificate_number"],
        )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _review(request, item, accept=form)
    messages.success(request, _("已登记选民%(name)s。") % {"name": voter.name})
    return redirect("voters:selfservice_detail", pk=pk)


@login_required
@require_POST
def selfservice_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    item = reads.selfservice_request_for(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review(request, item, reject=form)
    try:
        services.selfservice_reject(
            actor=request.user, request=item, note=form.cleaned_data["note"]
        )
    except ServiceError as exc:
        form.add_error("note", exc.message)
        return _review(request, item, reject=form)
    messages.success(request, _("已作出不予登记的决定。"))
    return redirect("voters:selfservice_detail", pk=pk)


@login_required
@require_POST
def selfservice_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    item = reads.selfservice_request_for(request.user, pk)
    try:
        transfer = services.selfservice_transfer(actor=request.user, request=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("voters:selfservice_detail", pk=pk)
    messages.success(request, _("已发出转移申请（第 %(n)d 号）。") % {"n": transfer.pk})
    return redirect("voters:transfer_detail", pk=transfer.pk)


@login_required
def selfservice_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    item = reads.selfservice_request_for(request.user, pk)
    try:
        data = services.selfservice_evidence(actor=request.user, request=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("voters:selfservice_detail", pk=pk)
    response = HttpResponse(
        data, content_type=services.content_type_of(item) or "application/octet-stream"
    )
    return attachment(response, item.evidence_filename or "evidence")
