"""Placeholder views, replaced as this part of the register is built."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def py(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_register(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def check_id(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_correct(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_remove(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_restore(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_not_listed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_suspend(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_reinstate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def voter_mobile_box(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def proxy_create(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def proxy_revoke(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def reveal_id(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
