"""Appeals against a posted list: received by registrars, decided by the election committee."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest
from renda.voters import selectors, selectors_lists
from renda.voters.forms_lists import AppealForm, DecisionForm, decision_form
from renda.voters.models import Appeal, AppealKind, AppealStatus, VoterList
from renda.voters.services import appeals as services
from renda.voters.services.common import today

PER_PAGE = 50


def _form_error(form: Any, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def appeal_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    status = request.GET.get("status", "")
    status = status if status in selectors_lists.APPEAL_FILTERS else ""
    # Appeals come in tens per district, not millions: page numbers are fine here.
    page = Paginator(selectors_lists.appeals_listed(request.user, status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "voters/appeals/list.html",
        {
            "page": page,
            "status": status,
            "overdue": selectors_lists.overdue_appeals(request.user, today()),
        },
    )


@login_required
def appeal_create(request: AuthedRequest, list_pk: int) -> HttpResponse:
    voter_list = selectors.list_for(request.user, list_pk)
    access.require(request.user, Perm.APPEAL_RECEIVE, voter_list.district_id)
    voters = selectors_lists.district_voters(request.user, voter_list.district_id)
    initial: dict[str, Any] = {}
    chosen = request.GET.get("voter", "")
    if chosen.isdigit():
        voter = voters.filter(pk=int(chosen)).first()
        if voter is not None:
            initial = {"voter": voter.pk, "subject_name": voter.name, "kind": "wrongly_listed"}
    form = AppealForm(request.POST or None, voters=voters, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.appeal_receive(
                actor=request.user,
                voter_list=voter_list,
                kind=AppealKind(data["kind"]),
                appellant=data["appellant"],
                appellant_phone=data["appellant_phone"],
                subject_name=data["subject_name"],
                content=data["content"],
                voter=data["voter"],
                received_on=data["received_on"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("申诉已受理。"))
            return redirect("voters:appeal_detail", pk=appeal.pk)
    bound_voter = form["voter"].value()
    return render(
        request,
        "voters/appeals/form.html",
        {
            "form": form,
            "voter_list": voter_list,
            "voter": voters.filter(pk=bound_voter).first()
            if str(bound_voter or "").isdigit()
            else None,
            "appeal_end": services.appeal_period_end(voter_list),
        },
    )


def _detail(request: AuthedRequest, appeal: Appeal, form: DecisionForm | None) -> HttpResponse:
    may_decide = appeal.status == AppealStatus.RECEIVED and access.has_perm(
        request.user, Perm.APPEAL_DECIDE, appeal.district_id
    )
    if may_decide and form is None:
        form = decision_form(appeal.kind, appeal.voter)
    return render(
        request,
        "voters/appeals/detail.html",
        {
            "appeal": appeal,
            "events": appeal.events.select_related("actor").order_by("at", "id"),
            "appeal_end": services.appeal_period_end(appeal.voter_list),
            "court_deadline": services.court_filing_deadline(appeal),
            "form": form if may_decide else None,
            "is_open": appeal.status == AppealStatus.RECEIVED,
        },
    )


@login_required
def appeal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.appeal_for(request.user, pk), None)


def _decided_message(appeal: Appeal) -> str:
    message = _("已作出处理决定：%(s)s。") % {"s": appeal.get_status_display()}
    if appeal.status == AppealStatus.UPHELD:
        posted = (
            VoterList.objects.filter(election=appeal.election, district=appeal.district)
            .order_by("-number")
            .first()
        )
        message += _("名单变动已公布为%(list)s。") % {"list": str(posted)}
    return message


@login_required
@require_POST
def appeal_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_for(request.user, pk)
    access.require(request.user, Perm.APPEAL_DECIDE, appeal.district_id)
    form = decision_form(appeal.kind, appeal.voter, request.POST)
    if form.is_valid():
        try:
            services.appeal_decide(
                actor=request.user,
                appeal=appeal,
                upheld=form.cleaned_data["upheld"],
                decision=form.cleaned_data["decision"],
                person=form.person(),
                corrections=form.corrections(),
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _decided_message(appeal))
            return redirect("voters:appeal_detail", pk=appeal.pk)
        appeal.refresh_from_db()
    return _detail(request, appeal, form)
