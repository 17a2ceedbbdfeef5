"""The notifications page: a person's own messages, newest first; opening it reads them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from renda.core.http import AuthedRequest
from renda.core.notifications import notifications_for, notifications_mark_read
from renda.core.pagination import keyset_page


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(actor=request.user)
        return redirect("notifications")
    page = keyset_page(
        notifications_for(request.user), cursor=request.GET.get("after"), descending=True
    )
    return render(
        request,
        "core/notifications.html",
        {"page": page, "unread": any(n.read_at is None for n in page.items)},
    )
