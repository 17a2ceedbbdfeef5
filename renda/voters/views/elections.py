"""Elections and working days: thin views over ``services.elections``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest
from renda.regions.models import Region
from renda.voters import selectors, selectors_county
from renda.voters.calendar import deadline, is_workday
from renda.voters.forms_lists import ElectionCreateForm, ElectionForm, HolidayForm
from renda.voters.models import Election, HolidayOverride
from renda.voters.services import elections as services


def _may_see_elections(request: AuthedRequest) -> None:
    if not (
        access.has_perm(request.user, Perm.ELECTION_MANAGE)
        or access.has_perm(request.user, Perm.VOTER_VIEW)
    ):
        raise Http404


def _form_error(form: Any, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def election_list(request: AuthedRequest) -> HttpResponse:
    _may_see_elections(request)
    return render(
        request,
        "voters/elections/list.html",
        {
            "elections": selectors.elections_for(request.user).order_by("-election_day", "code"),
            "may_create": access.has_perm(request.user, Perm.ELECTION_MANAGE),
        },
    )


@login_required
def election_create(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.ELECTION_MANAGE)
    form = ElectionCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = form.values()
        try:
            election = services.election_create(
                actor=request.user,
                region=Region.objects.get(code=data["region"]),
                code=data["code"],
                name=values.pop("name"),
                election_day=values.pop("election_day"),
                registration_opens=values.pop("registration_opens"),
                **values,
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("换届选举已设立。"))
            return redirect("voters:election_detail", pk=election.pk)
    return render(request, "voters/elections/form.html", {"form": form})


@dataclass(frozen=True)
class Deadline:
    label: str
    day: date
    basis: str
    is_deadline: bool = True

    @property
    def is_workday(self) -> bool:
        return is_workday(self.day)


def deadlines(election: Election) -> list[Deadline]:
    """The election's calendar: each legal period counted as the election's settings say."""
    shift = election.shift_holidays
    appeal_end = deadline(election.publication_deadline, election.appeal_days, shift_holidays=shift)
    decide_end = deadline(appeal_end, election.decision_days, shift_holidays=shift)
    court = election.election_day - timedelta(days=election.court_days_before)
    return [
        Deadline(_("选民登记开始"), election.registration_opens, "", is_deadline=False),
        Deadline(_("选民登记截止"), election.registration_closes, ""),
        Deadline(
            _("选民名单公布截止"),
            election.publication_deadline,
            _("选举法第二十八条：选举日前二十日以前公布"),
        ),
        Deadline(
            _("申诉期限（按截止日公布计）"),
            appeal_end,
            _("选举法第二十九条：自名单公布之日起 %(n)d 日内") % {"n": election.appeal_days},
        ),
        Deadline(
            _("申诉处理期限（最迟）"),
            decide_end,
            _("选举委员会在 %(n)d 日内作出处理决定") % {"n": election.decision_days},
        ),
        Deadline(
            _("向人民法院起诉截止"),
            court,
            _("民事诉讼法第一百八十八条：选举日前 %(n)d 日以前")
            % {"n": election.court_days_before},
        ),
        Deadline(_("选举日"), election.election_day, ""),
    ]


@login_required
def election_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    election = selectors.election_for(request.user, pk)
    counties = list(selectors_county.counties_for(request.user, election))
    # One county's section at a time: a province holds a hundred counties and their districts.
    wanted = request.GET.get("county", "")
    county = next((c for c in counties if str(c.code) == wanted), counties[0] if counties else None)
    return render(
        request,
        "voters/elections/detail.html",
        {
            "election": election,
            "deadlines": deadlines(election),
            "counties": counties,
            "section": selectors_county.county_section(request.user, election, county)
            if county
            else None,
            "elects_county": selectors_county.elects_county(election),
            "may_edit": access.has_perm(request.user, Perm.ELECTION_MANAGE, election.region_id),
        },
    )


@login_required
def election_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    election = selectors.election_for(request.user, pk)
    access.require(request.user, Perm.ELECTION_MANAGE, election.region_id)
    initial = {name: getattr(election, name) for name in services.EDITABLE}
    form = ElectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.election_update(actor=request.user, election=election, **form.values())
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("voters:election_detail", pk=election.pk)
    return render(request, "voters/elections/form.html", {"form": form, "election": election})


@login_required
def holidays(request: AuthedRequest) -> HttpResponse:
    _may_see_elections(request)
    may_manage = access.has_perm(request.user, Perm.ELECTION_MANAGE)
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        if form.is_valid():
            try:
                services.holiday_set(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已保存节假日调整。"))
                return redirect("voters:holidays")
    return render(
        request,
        "voters/elections/holidays.html",
        {
            "overrides": HolidayOverride.objects.order_by("-day")[:500],
            "form": form,
            "may_manage": may_manage,
        },
    )
