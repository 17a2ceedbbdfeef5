"""The register's pages: list and search, a voter with its history and actions, register, correct.

Thin views: access → form → one service → render or redirect. Every page works on one election:
``?election=<pk>`` among the user's elections, else the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.access import AnyUser
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, query_without_cursor
from renda.regions.models import District
from renda.regions.selectors import address_code_known
from renda.voters import idnumbers, pii, selectors
from renda.voters.forms import (
    COUNTER_LABELS,
    DISTRICT_SELECT_MAX,
    CorrectForm,
    MobileBoxForm,
    NotListedForm,
    ProxyForm,
    RegisterForm,
    ReinstateForm,
    RemoveForm,
    RestoreForm,
    SuspendForm,
    VoterSearchForm,
)
from renda.voters.models import (
    ChangeKind,
    Election,
    Proxy,
    RemovalReason,
    Sex,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.rules import Feb29Rule, age_on, is_of_age
from renda.voters.selectors import VoterQuery
from renda.voters.selectors_transfers import transfers_awaiting_count
from renda.voters.services import privacy
from renda.voters.services import register as services
from renda.voters.services.register import CORRECTABLE

# ---------------------------------------------------------------------------------------------
# The election every page works on


def election_of(request: AuthedRequest) -> Election | None:
    """``?election=<pk>`` (one of the user's elections, else 404), or the current one."""
    raw = request.POST.get("election") or request.GET.get("election")
    if raw:
        if not raw.isdigit():
            raise Http404
        return selectors.election_for(request.user, int(raw))
    return selectors.current_election(request.user)


def _election_context(request: AuthedRequest, election: Election | None) -> dict[str, Any]:
    return {
        "election": election,
        "elections": list(selectors.elections_for(request.user).order_by("-election_day")),
        "chosen_election": request.GET.get("election") or request.POST.get("election") or "",
    }


def detail_url(request: AuthedRequest, voter: Voter) -> str:
    url = reverse("voters:detail", args=[voter.pk])
    chosen = request.POST.get("election") or request.GET.get("election")
    return f"{url}?election={chosen}" if chosen and chosen.isdigit() else url


def form_error(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# ---------------------------------------------------------------------------------------------
# List and search


@dataclass(frozen=True)
class Row:
    voter: Voter
    masked_id: str
    age: int


def row_of(voter: Voter, election: Election | None) -> Row:
    day = election.election_day if election else timezone.localdate()
    feb29 = election.feb29_rule if election else Feb29Rule.FEB_28
    return Row(voter, pii.masked(voter.id_cipher), age_on(voter.birth_date, day, feb29))


def _districts(user: AnyUser, perm: Perm, limit: int | None = None) -> list[District]:
    qs = access.scoped(user, perm, District.objects.select_related("township"), "code")
    qs = qs.order_by("code")
    return list(qs[:limit] if limit is not None else qs)


def _search_districts(user: AnyUser) -> list[District] | None:
    """The districts for the filter select, or None when there are too many for one."""
    found = _districts(user, Perm.VOTER_VIEW, DISTRICT_SELECT_MAX + 1)
    return found if len(found) <= DISTRICT_SELECT_MAX else None


def _query(form: VoterSearchForm, election: Election | None = None) -> VoterQuery:
    if not form.is_bound:
        return VoterQuery()
    form.is_valid()
    data = form.cleaned_data  # only what validated; a bad code leaves the others in force
    return VoterQuery(
        text=data.get("q") or "",
        region=data.get("district"),
        status=data.get("status") or "",
        change_kind=data.get("kind") or "",
        counter=data.get("counter") or "",
        election=election,
    )


SEARCH_FIELDS = ("q", "district", "status", "kind", "counter", "election")


def _is_id_number(text: str) -> bool:
    return idnumbers.check_id(text).normalized is not None


@login_required
def voter_list(request: AuthedRequest) -> HttpResponse:
    """The register, searched and filtered.

    The search form posts: a search by name comes back as a plain GET address (shareable, and
    what the pager and the dashboard link to); a search by ID number is answered at once, so
    the number never appears in an address, a browser history or an access log.
    """
    access.require(request.user, Perm.VOTER_VIEW)
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and not _is_id_number(data.get("q", "")):
        params = {k: data[k] for k in SEARCH_FIELDS if data.get(k, "").strip()}
        return redirect(f"{reverse('voters:list')}?{urlencode(params)}")
    election = election_of(request)
    form = VoterSearchForm(
        data if any(data.get(k) for k in SEARCH_FIELDS) else None,
        districts=_search_districts(request.user),
    )
    query = _query(form, election)
    page = selectors.voter_page(selectors.voters_for(request.user, query), data.get("after"))
    response = render(
        request,
        "voters/list.html",
        {
            **_election_context(request, election),
            "form": form,
            "page": page,
            "rows": [row_of(v, election) for v in page.items],
            "searched": bool(
                query.text or query.region or query.status or query.change_kind or query.counter
            ),
            "counter_label": COUNTER_LABELS.get(query.counter, ""),
            "query": query_without_cursor(request) if request.method == "GET" else "",
            "may_register": access.has_perm(request.user, Perm.VOTER_MANAGE),
            # Transfers other districts wait on us for: a banner above the list.
            "awaiting_transfers": transfers_awaiting_count(request.user),
        },
    )
    if request.method == "POST":  # the typed number is echoed in the search box
        response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Detail


def _field_label(name: str) -> str:
    if name == "id_number":
        return _("公民身份号码")
    try:
        field = Voter._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _change_note(change: VoterChange) -> str:
    """What a history row needs besides its kind: the fields corrected, the holder, the flag."""
    summary = change.summary or {}
    if change.kind == ChangeKind.CORRECTED:
        names = [_field_label(name) for name in summary.get("changed", {})]
        return _("更正了：%(f)s") % {"f": "、".join(names)} if names else ""
    if change.kind == ChangeKind.PROXY:
        if summary.get("revoked"):
            return ""
        return _("受托人：%(n)s") % {"n": summary.get("holder_name", "")}
    if change.kind == ChangeKind.MOBILE_BOX:
        return _("使用流动票箱") if summary.get("mobile_box") else _("不再使用流动票箱")
    if change.kind == ChangeKind.NOT_LISTED:
        return _("确认人：%(u)s") % {"u": summary.get("confirmed_by", "")}
    return ""


@dataclass(frozen=True)
class Actions:
    """What the user may do to this voter now (each panel shows only when allowed)."""

    manage: bool
    confirm: bool
    reveal: bool
    correct: bool
    remove: bool
    restore: bool
    not_listed: bool
    suspend: bool
    reinstate: bool
    mobile_box: bool
    proxy: bool
    certificate: bool

    @property
    def any(self) -> bool:
        panels = ("remove", "restore", "not_listed", "suspend", "reinstate", "mobile_box", "proxy")
        return any(getattr(self, name) for name in (*panels, "certificate"))


def _actions(user: AnyUser, voter: Voter, election: Election | None, proxied: bool) -> Actions:
    code = voter.district_id
    manage = access.has_perm(user, Perm.VOTER_MANAGE, code)
    confirm = access.has_perm(user, Perm.VOTER_CONFIRM, code)
    ready = election is not None
    registered = voter.status == Status.REGISTERED
    return Actions(
        manage=manage,
        confirm=confirm,
        reveal=access.has_perm(user, Perm.VOTER_REVEAL_ID, code),
        correct=manage and ready and voter.is_active,
        remove=manage and ready and voter.status != Status.REMOVED,
        restore=manage
        and ready
        and voter.status == Status.REMOVED
        and voter.removal_reason == RemovalReason.DEPRIVED,
        not_listed=confirm and ready and registered,
        suspend=manage and ready and registered,
        reinstate=ready
        and (
            (voter.status == Status.SUSPENDED and manage)
            or (voter.status == Status.NOT_LISTED and confirm)
        ),
        mobile_box=manage and ready and voter.is_active,
        proxy=manage and ready and registered and not proxied,
        certificate=manage and ready and registered,
    )


PANELS: dict[str, type[forms.Form]] = {
    "remove": RemoveForm,
    "restore": RestoreForm,
    "not_listed": NotListedForm,
    "suspend": SuspendForm,
    "reinstate": ReinstateForm,
    "mobile_box": MobileBoxForm,
    "proxy": ProxyForm,
}


def panel_form(name: str, data: Any = None) -> forms.Form:
    """A panel's form; its own id prefix keeps ids unique among the panels of one page."""
    return PANELS[name](data, auto_id=f"id_{name}_%s")


def _proxies(voter: Voter, election: Election | None) -> tuple[list[Proxy], list[Proxy]]:
    """The voter's active entrustment (given) and those they hold, in this election."""
    if election is None:
        return [], []
    active = Proxy.objects.filter(election=election, revoked_at__isnull=True)
    given = list(active.filter(principal=voter).select_related("holder"))
    held = list(active.filter(holder=voter).select_related("principal"))
    return given, held


def detail_response(
    request: AuthedRequest,
    voter: Voter,
    *,
    election: Election | None = None,
    revealed: str | None = None,
    bound: tuple[str, forms.Form] | None = None,
) -> HttpResponse:
    election = election if election is not None else election_of(request)
    given, held = _proxies(voter, election)
    panels = {name: panel_form(name) for name in PANELS}
    if bound is not None:
        panels[bound[0]] = bound[1]
    mobile = panels["mobile_box"]
    if not mobile.is_bound:
        mobile.initial = {"on": "0" if voter.mobile_box else "1"}
    changes = list(selectors.changes_of(voter))
    return render(
        request,
        "voters/detail.html",
        {
            **_election_context(request, election),
            "voter": voter,
            "row": row_of(voter, election),
            "revealed": revealed,
            "changes": [(c, _change_note(c)) for c in reversed(changes)],
            "given": given,
            "held": held,
            "actions": _actions(request.user, voter, election, bool(given)),
            "panels": panels,
            "open_panel": bound[0] if bound else "",
            "eligible": election is None
            or is_of_age(voter.birth_date, election.election_day, election.feb29_rule),
        },
    )


@login_required
def voter_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_response(request, selectors.voter_for(request.user, pk))


@login_required
@require_POST
def reveal_id(request: AuthedRequest, pk: int) -> HttpResponse:
    """The full number once, on this response only: never in a URL, a redirect or a log."""
    voter = selectors.voter_for(request.user, pk, Perm.VOTER_REVEAL_ID)
    number = privacy.voter_reveal_id(actor=request.user, voter=voter)
    response = detail_response(request, voter, revealed=number)
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Register and correct


def _register_choices(user: AnyUser, election: Election | None) -> list[District]:
    districts = _districts(user, Perm.VOTER_MANAGE)
    if election is None:
        return districts
    lo, hi = election.region.subtree
    return [d for d in districts if lo <= d.code <= hi]


@login_required
def voter_register(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_MANAGE)
    election = election_of(request)
    districts = _register_choices(request.user, election)
    form = RegisterForm(request.POST or None, districts=districts)
    if election is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            voter = services.voter_register(
                actor=request.user,
                election=election,
                district=next(d for d in districts if d.code == data["district"]),
                person=form.person(),
                kind=ChangeKind(data["kind"]),
                certificate_number=data["certificate_number"].strip(),
                court_date=data["court_date"] if data["kind"] == ChangeKind.RESTORED else None,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已登记选民%(name)s。") % {"name": voter.name})
            return redirect(detail_url(request, voter))
    return render(
        request,
        "voters/register.html",
        {
            **_election_context(request, election),
            "form": form,
            "districts": districts,
            "id_check": id_check_context(form["id_number"].value() or "", election),
        },
    )


@login_required
def voter_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    voter = selectors.voter_for(request.user, pk, Perm.VOTER_MANAGE)
    election = election_of(request)
    current = {name: getattr(voter, name) for name in CORRECTABLE if name != "id_number"}
    form = CorrectForm(request.POST or None, initial=current)
    if election is not None and request.method == "POST" and form.is_valid():
        changed = form.changes(current)
        try:
            if not changed:
                raise ServiceError(_("没有修改任何信息。"))
            if "id_number" in changed:
                # A new number brings its own birth date and sex; what the form holds must agree.
                data = form.cleaned_data
                services.validate_id(
                    changed["id_number"],
                    election,
                    sex=data["sex"] or None,
                    birth_date=data["birth_date"],
                )
                changed.pop("sex", None)
                changed.pop("birth_date", None)
            services.voter_correct(
                actor=request.user,
                voter=voter,
                election=election,
                reason=form.cleaned_data["reason"],
                **changed,
            )
        except ServiceError as exc:
            form_error(form, exc)
            voter.refresh_from_db()
        else:
            messages.success(request, _("已更正%(name)s的登记信息。") % {"name": voter.name})
            return redirect(detail_url(request, voter))
    return render(
        request,
        "voters/correct.html",
        {
            **_election_context(request, election),
            "voter": voter,
            "row": row_of(voter, election),
            "form": form,
            "id_check": id_check_context(form["id_number"].value() or "", election),
        },
    )


# ---------------------------------------------------------------------------------------------
# The ID number check behind the register form (htmx)

FLAG_LABELS = {
    idnumbers.FLAG_LEGACY_15: gettext_lazy("旧版 15 位号码，已按规则转换为 18 位"),
    idnumbers.FLAG_CENTENARIAN: gettext_lazy("旧版号码顺序码 996–999，可能为百岁老人，须人工核对"),
    idnumbers.FLAG_HMT: gettext_lazy("港澳台居民居住证号码"),
    idnumbers.FLAG_UNKNOWN_ADDRESS: gettext_lazy("地址码未知：不在历次行政区划代码中，请核对"),
    idnumbers.FLAG_FOREIGNER: gettext_lazy("外国人永久居留身份证号码"),
}
WARNING_FLAGS = frozenset(
    {idnumbers.FLAG_CENTENARIAN, idnumbers.FLAG_HMT, idnumbers.FLAG_UNKNOWN_ADDRESS}
)


def id_check_context(text: str, election: Election | None) -> dict[str, Any] | None:
    """What the ID box under the number shows; None while nothing is typed."""
    if not text.strip():
        return None
    result = idnumbers.check_id(text, known_address=address_code_known)
    age = eligible = None
    if result.valid and result.birth_date and election is not None:
        age = age_on(result.birth_date, election.election_day, election.feb29_rule)
        eligible = is_of_age(result.birth_date, election.election_day, election.feb29_rule)
    return {
        "result": result,
        "election": election,
        "age": age,
        "eligible": eligible,
        "flags": [(str(FLAG_LABELS.get(f, f)), f in WARNING_FLAGS) for f in result.flags],
        "sex_label": Sex(result.sex).label if result.sex else "",
    }


@login_required
def check_id(request: AuthedRequest) -> HttpResponse:
    """What a typed ID number says: valid or why not, birth date, sex, age on election day.

    The register form posts here (so the number stays out of URLs and access logs); a GET with
    ``?id_number=`` answers the same for other callers.
    """
    access.require(request.user, Perm.VOTER_MANAGE)
    data = request.POST if request.method == "POST" else request.GET
    check = id_check_context(data.get("id_number", ""), election_of(request))
    response = render(request, "voters/_id_check.html", {"check": check, "fill": True})
    response["Cache-Control"] = "no-store"
    return response
