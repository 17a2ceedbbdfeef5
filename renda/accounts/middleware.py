from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """A user with an initial or reset password may do nothing before choosing their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("password_change"), reverse("logout"), reverse("set_language")}
            path = request.path
            if path not in allowed and not path.startswith(f"/{settings.STATIC_URL}"):
                if path.startswith("/api/"):
                    return HttpResponse(status=403)
                return redirect("password_change")
        return self.get_response(request)
