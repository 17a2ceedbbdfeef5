from __future__ import annotations

import time
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


# The session key that records when the session's expiry was last pushed forward.
TOUCHED = "_touched"


class IdleTimeoutMiddleware:
    """Activity keeps a session alive: its expiry (SESSION_COOKIE_AGE, the idle timeout) is
    pushed forward when a request comes RENDA_SESSION_TOUCH_SECONDS or more after the last
    push — not on every request, which would write and commit the session row on every page
    (SESSION_SAVE_EVERY_REQUEST): a write per click for 45,000 operators. A session therefore
    ends between SESSION_COOKIE_AGE − RENDA_SESSION_TOUCH_SECONDS and SESSION_COOKIE_AGE after
    its last request. Anonymous requests without a session get none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.every = settings.RENDA_SESSION_TOUCH_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response  # no session: none is made
        now = int(time.time())
        if session.modified or now - int(session.get(TOUCHED, 0)) >= self.every:
            session[TOUCHED] = now  # saved, with a new expiry, by SessionMiddleware
        return response
