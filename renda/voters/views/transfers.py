"""线上转移 pages: the transfers of my districts (what I must answer at the top, with its
countdown), asking for a person, handing one over, answering; and the registration conflicts
that become transfer requests in one click.

Thin views: access → form → one service → redirect. The ID number typed to find a person is
posted, never put in an address, and pages that echo it are not cached.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, query_without_cursor
from renda.core.pagination import keyset_page
from renda.regions.models import District
from renda.voters import pii, selectors
from renda.voters import selectors_transfers as reads
from renda.voters.forms_transfers import (
    CancelForm,
    FindPersonForm,
    RefuseForm,
    TransferRequestForm,
    TransferStartForm,
)
from renda.voters.models import (
    ACTIVE,
    RegistrationConflict,
    ResidenceKind,
    Transfer,
    TransferStatus,
)
from renda.voters.services import conflicts as conflict_services
from renda.voters.services import transfers as services
from renda.voters.views.register import _election_context, _register_choices, election_of

SHOWN_OPEN = 200  # open transfers listed at the top (a district has a handful)


def _masked(transfer: Transfer) -> str:
    return pii.masked(transfer.voter.id_cipher)


@login_required
def transfer_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    awaiting = list(reads.transfers_awaiting(request.user)[:SHOWN_OPEN])
    waiting = list(reads.transfers_waiting_on_others(request.user)[:SHOWN_OPEN])
    page = reads.transfers_closed_page(request.user, request.GET.get("after"))
    return render(
        request,
        "voters/transfers/list.html",
        {
            "awaiting": [(t, _masked(t)) for t in awaiting],
            "waiting": [(t, _masked(t)) for t in waiting],
            "page": page,
            "closed": [(t, _masked(t)) for t in page.items],
            "query": query_without_cursor(request),
            "may_manage": access.has_perm(request.user, Perm.VOTER_MANAGE),
        },
    )


@login_required
def transfer_request(request: AuthedRequest) -> HttpResponse:
    """Step 1: find the person by ID number (anywhere in the province). Step 2: the request."""
    access.require(request.user, Perm.VOTER_MANAGE)
    election = election_of(request)
    districts = _register_choices(request.user, election)
    asking = request.method == "POST" and request.POST.get("action") == "request"
    finder = FindPersonForm(request.POST if request.method == "POST" and not asking else None)
    form = TransferRequestForm(request.POST if asking else None, districts=districts)
    found = None
    if finder.is_bound and finder.is_valid():
        found = _find(request, finder, finder.cleaned_data["id_number"])
        if found is not None:
            form = TransferRequestForm(
                initial={"id_number": finder.cleaned_data["id_number"]}, districts=districts
            )
    elif asking:
        valid = form.is_valid()  # a refusal shows step 2 again, with the person and the errors
        found = _find(request, form, str(form.data.get("id_number", "")))
        if valid and found is not None and election is not None:
            data = form.cleaned_data
            try:
                transfer = services.transfer_request(
                    actor=request.user,
                    election=election,
                    voter=found,
                    to_district=next(d for d in districts if d.code == data["to_district"]),
                    evidence_kind=data["evidence_kind"],
                    evidence=data["evidence"],
                    residence_kind=data["residence_kind"],
                    residence_address=data["residence_address"],
                    group=data["group"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("已向%(where)s发出转移申请，对方应在 %(d)s 前答复。")
                    % {
                        "where": services.place_name(transfer.from_district),
                        "d": transfer.respond_by.isoformat(),
                    },
                )
                return redirect("voters:transfer_detail", pk=transfer.pk)
    response = render(
        request,
        "voters/transfers/request.html",
        {
            **_election_context(request, election),
            "finder": finder,
            "form": form,
            "found": found,
            "found_masked": pii.masked(found.id_cipher) if found is not None else "",
            "found_here": found is not None and found.district_id in {d.code for d in districts},
        },
    )
    response["Cache-Control"] = "no-store"  # the typed number is echoed in the form
    return response


def _find(request: AuthedRequest, form: Any, id_number: str) -> Any:
    try:
        found = services.voter_find_in_province(actor=request.user, id_number=id_number)
    except ServiceError as exc:
        form.add_error("id_number", exc.message)
        return None
    if found is None:
        form.add_error(
            "id_number",
            _("未在全省查到此人的有效登记，无需转移，可在本选区直接登记。"),
        )
    return found


@login_required
def transfer_start(request: AuthedRequest, pk: int) -> HttpResponse:
    """The origin hands over a person of its own register who moved away."""
    voter = selectors.voter_for(request.user, pk, Perm.VOTER_MANAGE)
    election = election_of(request)
    form = TransferStartForm(request.POST or None)
    if request.method == "POST" and election is not None and form.is_valid():
        data = form.cleaned_data
        to = District.objects.select_related("township").filter(code=data["to_district"]).first()
        if to is None:
            form.add_error(
                "to_district", _("找不到代码为 %(c)s 的选区。") % {"c": data["to_district"]}
            )
        else:
            try:
                transfer = services.transfer_start_from_origin(
                    actor=request.user,
                    election=election,
                    voter=voter,
                    to_district=to,
                    evidence_kind=data["evidence_kind"],
                    evidence=data["evidence"],
                    residence_address=data["residence_address"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("已通知%(where)s接收该选民，对方确认后登记即转移。")
                    % {"where": services.place_name(to)},
                )
                return redirect("voters:transfer_detail", pk=transfer.pk)
    return render(
        request,
        "voters/transfers/start.html",
        {
            **_election_context(request, election),
            "voter": voter,
            "masked": pii.masked(voter.id_cipher),
            "form": form,
            "movable": voter.status in services.TRANSFERABLE,
        },
    )


@login_required
def transfer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, reads.transfer_for(request.user, pk))


def _detail(
    request: AuthedRequest,
    transfer: Transfer,
    refuse: RefuseForm | None = None,
    cancel: CancelForm | None = None,
) -> HttpResponse:
    user = request.user
    is_open = transfer.status == TransferStatus.REQUESTED
    return render(
        request,
        "voters/transfers/detail.html",
        {
            "transfer": transfer,
            "masked": _masked(transfer),
            "residence_label": dict(ResidenceKind.choices).get(
                transfer.residence_kind, transfer.residence_kind
            ),
            "events": list(reads.transfer_events(transfer)),
            "may_answer": is_open
            and access.has_perm(user, Perm.VOTER_MANAGE, transfer.responder_code),
            "may_cancel": is_open
            and access.has_perm(user, Perm.VOTER_MANAGE, transfer.initiator_code),
            "refuse_form": refuse or RefuseForm(),
            "cancel_form": cancel or CancelForm(),
            "origin_visible": access.has_perm(user, Perm.VOTER_VIEW, transfer.from_district_id),
            "destination_visible": access.has_perm(user, Perm.VOTER_VIEW, transfer.to_district_id),
        },
    )


@login_required
@require_POST
def transfer_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = reads.transfer_for(request.user, pk)
    try:
        services.transfer_confirm(actor=request.user, transfer=transfer)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已确认：%(name)s的登记已转入%(to)s，双方选区均已记录变动。")
            % {"name": transfer.voter.name, "to": services.place_name(transfer.to_district)},
        )
    return redirect("voters:transfer_detail", pk=pk)


@login_required
@require_POST
def transfer_refuse(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = reads.transfer_for(request.user, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_refuse(
                actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已拒绝该转移申请，申请方将收到通知。"))
        return redirect("voters:transfer_detail", pk=pk)
    return _detail(request, transfer, refuse=form)


@login_required
@require_POST
def transfer_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = reads.transfer_for(request.user, pk)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.transfer_cancel(
            actor=request.user, transfer=transfer, reason=form.cleaned_data.get("reason", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回该转移申请。"))
    return redirect("voters:transfer_detail", pk=pk)


# --- Registration conflicts -----------------------------------------------------------------


@login_required
def conflict_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    show_all = request.GET.get("show") == "all"
    run = request.GET.get("run", "")
    qs = reads.conflicts_for(request.user, open_only=not show_all)
    if run.isdigit():
        qs = qs.filter(import_run_id=int(run))
    page = keyset_page(qs, cursor=request.GET.get("after"), descending=True)
    return render(
        request,
        "voters/transfers/conflicts.html",
        {
            "page": page,
            "rows": [_conflict_row(request, c) for c in page.items],
            "show_all": show_all,
            "run": run if run.isdigit() else "",
            "query": query_without_cursor(request),
        },
    )


def _conflict_row(request: AuthedRequest, conflict: RegistrationConflict) -> dict[str, Any]:
    holder = conflict.voter
    return {
        "conflict": conflict,
        "masked": pii.masked(holder.id_cipher),
        "holder_active": holder.status in ACTIVE and holder.district_id != conflict.district_id,
        "may_act": conflict.resolved_at is None
        and access.has_perm(request.user, Perm.VOTER_MANAGE, conflict.district_id),
    }


@login_required
@require_POST
def conflict_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    conflict = reads.conflict_for(request.user, pk)
    try:
        transfer = services.conflict_transfer(actor=request.user, conflict=conflict)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("voters:conflicts")
    messages.success(
        request,
        _("已向%(where)s发出转移申请（第 %(n)d 号）。")
        % {"where": services.place_name(transfer.from_district), "n": transfer.pk},
    )
    return redirect("voters:transfer_detail", pk=transfer.pk)


@login_required
@require_POST
def conflict_dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    conflict = reads.conflict_for(request.user, pk)
    try:
        conflict_services.conflict_dismiss(
            actor=request.user, conflict=conflict, note=request.POST.get("note", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已忽略该登记冲突。"))
    return redirect("voters:conflicts")
