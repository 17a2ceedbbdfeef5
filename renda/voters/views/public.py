"""Placeholder: the public certificate verification page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def verify(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
