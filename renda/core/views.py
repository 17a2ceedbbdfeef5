from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renda.accounts import access
from renda.accounts.scopes import place_of
from renda.core.http import AuthedRequest
from renda.core.registry import cards_for


def current_place(request: AuthedRequest) -> Any:
    """The place the dashboard shows: the chosen assignment, else the highest one."""
    grants = sorted(access.assignments(request.user), key=lambda a: (a.scope_level, a.scope_code))
    chosen = request.session.get("scope")
    for grant in grants:
        if grant.scope_code == chosen:
            return place_of(grant.district or grant.region)  # type: ignore[arg-type]
    if grants:
        first = grants[0]
        return place_of(first.district or first.region)  # type: ignore[arg-type]
    return None


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("scope", "").isdigit():
        request.session["scope"] = int(request.POST["scope"])
    place = current_place(request)
    groups = cards_for(request.user, place) if place else []
    todo = [card for group in groups for card in group.todo]  # one 待办 section, modules' order
    return render(request, "core/home.html", {"place": place, "groups": groups, "todo": todo})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
