"""Keyset pagination: pages follow a unique key, so page 10,000 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None
    is_first: bool


def parse_cursor(raw: str | None) -> int | None:
    """A cursor is the last key of the previous page; anything unreadable means 'first page'."""
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def keyset_page(
    queryset: QuerySet[M],
    *,
    key: str = "pk",
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    descending: bool = False,
) -> Page[M]:
    """One page of ``queryset`` ordered by the unique integer ``key``, after ``cursor``."""
    after = parse_cursor(cursor)
    qs = queryset.order_by(f"-{key}" if descending else key)
    if after is not None:
        qs = qs.filter(**{f"{key}__lt" if descending else f"{key}__gt": after})
    rows = list(qs[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    last = getattr(items[-1], key if key != "pk" else "pk") if items and more else None
    return Page(
        items=items, next_cursor=str(last) if last is not None else None, is_first=after is None
    )
