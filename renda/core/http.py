"""Typing and response helpers shared by the views."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from renda.accounts.models import User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AuthedRequest(HttpRequest):
    """A request behind @login_required: ``user`` is a real account."""

    user: User
    htmx: HtmxDetails


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(data, content_type=XLSX), filename)


def query_without_cursor(request: HttpRequest) -> str:
    """The current query string minus the page cursor, for 'next page' links."""
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()
