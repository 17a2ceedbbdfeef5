"""Placeholder views, replaced as this part of the register is built."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def py(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def election_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def election_create(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def election_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def election_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def holidays(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
