"""Placeholder views, replaced as this part of the register is built."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def py(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def appeal_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def appeal_create(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def appeal_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def appeal_decide(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
