from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest
from renda.core.pagination import keyset_page
from renda.regions import selectors, services
from renda.regions.codes import Level
from renda.regions.forms import DistrictCreateForm, DistrictForm
from renda.regions.models import Region


@login_required
def region_index(request: AuthedRequest) -> HttpResponse:
    grants = sorted(access.assignments(request.user), key=lambda a: (a.scope_level, a.scope_code))
    for grant in grants:
        if grant.district_id is not None:
            return redirect("regions:district", code=grant.district_id)
        if grant.region_id is not None and access.has_perm(
            request.user, Perm.REGION_VIEW, grant.region_id
        ):
            return redirect("regions:detail", code=grant.region_id)
    raise Http404


@login_required
def region_detail(request: AuthedRequest, code: int) -> HttpResponse:
    region = selectors.region_for(request.user, code)
    context = {
        "region": region,
        "ancestors": selectors.ancestors(region.code, region.level),
        "may_manage": access.has_perm(request.user, Perm.DISTRICT_MANAGE, region.code),
    }
    if region.level == Level.TOWNSHIP:
        context["districts"] = keyset_page(
            selectors.districts_of(request.user, region),
            key="code",
            cursor=request.GET.get("after"),
            size=100,
        )
    else:
        context["children"] = selectors.children_of(request.user, region)
    return render(request, "regions/detail.html", context)


@login_required
def region_search(request: AuthedRequest) -> HttpResponse:
    results = selectors.search_regions(request.user, request.GET.get("q", ""))
    districts = selectors.search_districts(request.user, request.GET.get("q", ""))
    target = request.GET.get("target", "")
    return render(
        request,
        "regions/_search.html",
        {"results": results, "districts": districts, "target": target},
    )


@login_required
def district_detail(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors.district_for(request.user, code)
    return render(
        request,
        "regions/district.html",
        {
            "district": district,
            "ancestors": [
                *selectors.ancestors(district.township_id, Level.TOWNSHIP),
                district.township,
            ],
            "may_manage": access.has_perm(request.user, Perm.DISTRICT_MANAGE, district.code),
        },
    )


@login_required
def district_create(request: AuthedRequest, code: int) -> HttpResponse:
    township: Region = selectors.region_for(request.user, code, Perm.DISTRICT_MANAGE)
    if township.level != Level.TOWNSHIP:
        raise Http404
    form = DistrictCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            district = services.district_create(
                actor=request.user, township=township, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已设立选区“%(name)s”。") % {"name": district.name})
            return redirect("regions:detail", code=township.code)
    return render(
        request,
        "regions/district_form.html",
        {
            "form": form,
            "township": township,
            "ancestors": [*selectors.ancestors(township.code, township.level), township],
        },
    )


@login_required
def district_edit(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors.district_for(request.user, code, Perm.DISTRICT_MANAGE)
    initial = {
        "name": district.name,
        "seats": district.seats,
        "population": district.population,
        "kind": district.kind,
    }
    form = DistrictForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.district_update(actor=request.user, district=district, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("选区信息已保存。"))
            return redirect("regions:district", code=district.code)
    return render(
        request,
        "regions/district_form.html",
        {
            "form": form,
            "district": district,
            "township": district.township,
            "ancestors": [
                *selectors.ancestors(district.township_id, Level.TOWNSHIP),
                district.township,
            ],
        },
    )


@login_required
@require_POST
def district_delete(request: AuthedRequest, code: int) -> HttpResponse:
    district = selectors.district_for(request.user, code, Perm.DISTRICT_MANAGE)
    township = district.township_id
    try:
        services.district_delete(actor=request.user, district=district)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("regions:district", code=code)
    messages.success(request, _("选区已删除。"))
    return redirect("regions:detail", code=township)
