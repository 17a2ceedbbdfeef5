"""County-level districts of an election: thin views over ``services.county_districts``.

The election page lists them per county (``views.elections.election_detail``); these pages
add, rename, delete and fill them. Only those who manage elections in that county get past
the lookups: everyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest
from renda.voters import selectors, selectors_county
from renda.voters.forms_county import CountyDistrictForm, CountyDistrictPartsForm
from renda.voters.models import CountyDistrict, Election
from renda.voters.services import county_districts as services


def election_county_url(election: Election | int, county_code: int) -> str:
    """The election page opened at one county's section."""
    pk = election if isinstance(election, int) else election.pk
    url = reverse("voters:election_detail", kwargs={"pk": pk})
    return f"{url}?county={county_code}#county-{county_code}"


def _back(cd: CountyDistrict) -> str:
    return election_county_url(cd.election_id, cd.county_id)


@login_required
def county_district_create(request: AuthedRequest, pk: int) -> HttpResponse:
    election = selectors.election_for(request.user, pk)
    code = request.POST.get("county") or request.GET.get("county")
    county = selectors_county.county_for(request.user, election, code)
    form = CountyDistrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cd = services.county_district_create(
                actor=request.user, election=election, county=county, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("已设立县级选区“%(n)s”，请选择划入的乡级选区。") % {"n": cd.name},
            )
            return redirect("voters:county_district_parts", pk=cd.pk)
    return render(
        request,
        "voters/elections/county_district_form.html",
        {"form": form, "election": election, "county": county},
    )


@login_required
def county_district_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    cd = selectors_county.county_district_for(request.user, pk)
    form = CountyDistrictForm(request.POST or None, initial={"name": cd.name, "seats": cd.seats})
    if request.method == "POST" and form.is_valid():
        try:
            services.county_district_update(
                actor=request.user, county_district=cd, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("县级选区已保存。"))
            return redirect(_back(cd))
    return render(
        request,
        "voters/elections/county_district_form.html",
        {"form": form, "election": cd.election, "county": cd.county, "county_district": cd},
    )


@login_required
@require_POST
def county_district_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    cd = selectors_county.county_district_for(request.user, pk)
    try:
        services.county_district_delete(actor=request.user, county_district=cd)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除县级选区“%(n)s”。") % {"n": cd.name})
    return redirect(_back(cd))


@login_required
def county_district_parts(request: AuthedRequest, pk: int) -> HttpResponse:
    cd = selectors_county.county_district_for(request.user, pk)
    elsewhere = selectors_county.placements(cd.election, cd.county)
    form = CountyDistrictPartsForm(
        request.POST or None,
        districts=list(selectors_county.districts_of_county(request.user, cd.county)),
        current=[p for parts in elsewhere.values() for p in parts if p.county_district_id == cd.pk],
        elsewhere={
            code: [p for p in parts if p.county_district_id != cd.pk]
            for code, parts in elsewhere.items()
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.county_district_set_parts(
                actor=request.user, county_district=cd, parts=form.parts()
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存“%(n)s”划入的乡级选区。") % {"n": cd.name})
            return redirect(_back(cd))
    return render(
        request,
        "voters/elections/county_district_parts.html",
        {"form": form, "county_district": cd, "election": cd.election, "county": cd.county},
    )
