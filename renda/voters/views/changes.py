"""The action panels of a voter's page: one small form, one service each.

A refusal re-renders the voter's page with the form open and the message on its field; a
success redirects back to the page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest
from renda.voters import selectors
from renda.voters.models import Election, Proxy, RemovalReason, Status, Voter
from renda.voters.selectors import VoterQuery
from renda.voters.services import register as services
from renda.voters.views.register import (
    detail_response,
    detail_url,
    election_of,
    form_error,
    panel_form,
    row_of,
)

Call = Callable[[Voter, Election, dict[str, Any]], object]


def _act(
    request: AuthedRequest,
    pk: int,
    panel: str,
    call: Call,
    done: str,
    *,
    perm: Perm = Perm.VOTER_MANAGE,
) -> HttpResponse:
    voter = selectors.voter_for(request.user, pk, perm)
    election = election_of(request)
    if election is None:
        messages.error(request, _("尚未设置换届选举，不能办理选民变动。"))
        return redirect(detail_url(request, voter))
    form = panel_form(panel, request.POST)
    if form.is_valid():
        try:
            call(voter, election, form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
            voter.refresh_from_db()
        else:
            messages.success(request, done % {"name": voter.name})
            return redirect(detail_url(request, voter))
    return detail_response(request, voter, election=election, bound=(panel, form))


@login_required
@require_POST
def voter_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        return services.voter_remove(
            actor=request.user,
            voter=voter,
            election=election,
            reason=RemovalReason(data["reason"]),
            evidence=data["evidence"],
            effective_date=data["effective_date"],
        )

    return _act(request, pk, "remove", call, _("已将%(name)s除名。"))


@login_required
@require_POST
def voter_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        return services.voter_restore(
            actor=request.user,
            voter=voter,
            election=election,
            court_date=data["court_date"],
            evidence=data["evidence"],
        )

    return _act(request, pk, "restore", call, _("%(name)s已恢复登记。"))


@login_required
@require_POST
def voter_not_listed(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        return services.voter_mark_not_listed(
            actor=request.user,
            voter=voter,
            election=election,
            basis=data["basis"],
            confirmed_on=data["confirmed_on"],
        )

    return _act(
        request,
        pk,
        "not_listed",
        call,
        _("已确认%(name)s不列入选民名单。"),
        perm=Perm.VOTER_CONFIRM,
    )


@login_required
@require_POST
def voter_suspend(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        return services.voter_suspend(
            actor=request.user, voter=voter, election=election, decision=data["decision"]
        )

    return _act(request, pk, "suspend", call, _("%(name)s已停止行使选举权利。"))


@login_required
@require_POST
def voter_reinstate(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        return services.voter_reinstate(
            actor=request.user, voter=voter, election=election, evidence=data["evidence"]
        )

    return _act(request, pk, "reinstate", call, _("%(name)s已恢复为已登记选民。"))


@login_required
@require_POST
def voter_mobile_box(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        return services.voter_set_mobile_box(
            actor=request.user, voter=voter, election=election, on=data["on"], reason=data["reason"]
        )

    return _act(request, pk, "mobile_box", call, _("已更新%(name)s的流动票箱登记。"))


def _holders(request: AuthedRequest, principal: Voter, text: str) -> QuerySet[Voter]:
    """Registered voters of the principal's district the user may see, matching ``text``."""
    query = VoterQuery(text=text, district=principal.district_id, status=Status.REGISTERED)
    return selectors.voters_for(request.user, query).exclude(pk=principal.pk)


@login_required
@require_POST
def proxy_create(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(voter: Voter, election: Election, data: dict[str, Any]) -> object:
        holder = _holders(request, voter, "").filter(pk=data["holder"]).first()
        if holder is None:
            raise ServiceError(_("找不到该受托人：须是同一选区已登记的选民。"), field="holder")
        return services.proxy_register(
            actor=request.user, election=election, principal=voter, holder=holder
        )

    return _act(request, pk, "proxy", call, _("已登记%(name)s的委托投票。"))


@login_required
def holder_search(request: AuthedRequest, pk: int) -> HttpResponse:
    """htmx: candidate proxy holders for the principal ``pk``, by name, pinyin or ID number."""
    principal = selectors.voter_for(request.user, pk, Perm.VOTER_MANAGE)
    text = (request.POST.get("q") or request.GET.get("q") or "").strip()
    found = _holders(request, principal, text).order_by("name_pinyin", "id")[:10] if text else []
    election = election_of(request)
    rows = [row_of(v, election) for v in found]
    return render(request, "voters/_holder_search.html", {"rows": rows, "text": text})


@login_required
@require_POST
def proxy_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    proxy = access.get_or_404(
        request.user,
        Perm.VOTER_MANAGE,
        Proxy.objects.select_related("principal", "election"),
        "principal__district_id",
        pk=pk,
        revoked_at__isnull=True,
    )
    try:
        services.proxy_revoke(actor=request.user, proxy=proxy)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销委托。"))
    return redirect(detail_url(request, proxy.principal))
