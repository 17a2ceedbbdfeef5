"""Placeholder views, replaced as this part of the register is built."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def py(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def list_overview(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def district_lists(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def publish_first(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def publish_supplement(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_cards_pdf(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def list_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def list_pdf(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def list_xlsx(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
