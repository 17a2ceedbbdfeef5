"""The one scoping module: which regions may this user do P in, and "get this object or 404".

Every read a user can reach is built on ``regions_for``; every view that takes an id from the
URL goes through ``get_or_404``. "Not found" and "not yours" both answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import PERMISSIONS, Perm, Role

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Scope:
    """A union of inclusive code ranges; each is one indexed BETWEEN on the code column."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> Scope:
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(ranges):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        return cls(tuple(merged))

    @property
    def is_empty(self) -> bool:
        return not self.ranges

    def q(self, field: str) -> Q:
        """The filter keeping rows whose ``field`` holds a code inside the scope."""
        if not self.ranges:
            return Q(pk__in=[])
        condition = Q()
        for lo, hi in self.ranges:
            # gte/lte, not __range: a foreign key's attname (district_id) has no range lookup.
            condition |= Q(**{f"{field}__gte": lo, f"{field}__lte": hi})
        return condition

    def covers(self, code: int | None) -> bool:
        return code is not None and any(lo <= code <= hi for lo, hi in self.ranges)

    def covers_range(self, lo: int, hi: int) -> bool:
        return any(a <= lo and hi <= b for a, b in self.ranges)


def assignments(user: AnyUser) -> list[RoleAssignment]:
    """The user's role assignments, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return []
    assert isinstance(user, User)
    cached: list[RoleAssignment] | None = getattr(user, "_renda_assignments", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user).select_related("region", "district__township")
        )
        user._renda_assignments = cached  # type: ignore[attr-defined]
    return cached


def forget(user: AnyUser) -> None:
    """Drop the cached assignments after they change."""
    if hasattr(user, "_renda_assignments"):
        del user._renda_assignments


def roles_of(user: AnyUser) -> set[Role]:
    return {Role(a.role) for a in assignments(user)}


def perms_of(user: AnyUser) -> set[Perm]:
    return {p for a in assignments(user) for p in PERMISSIONS[Role(a.role)]}


def regions_for(user: AnyUser, perm: Perm) -> Scope:
    """Where ``user`` may do ``perm``: the subtrees of every assignment whose role grants it."""
    return Scope.of(a.subtree for a in assignments(user) if perm in PERMISSIONS[Role(a.role)])


def has_perm(user: AnyUser, perm: Perm, code: int | None = None) -> bool:
    """May ``user`` do ``perm`` somewhere (``code`` None) or at the region/district ``code``."""
    scope = regions_for(user, perm)
    return not scope.is_empty if code is None else scope.covers(code)


def scoped(user: AnyUser, perm: Perm, queryset: QuerySet[M], field: str) -> QuerySet[M]:
    """``queryset`` narrowed to the rows whose ``field`` code lies in the user's scope."""
    return queryset.filter(regions_for(user, perm).q(field))


def get_or_404(user: AnyUser, perm: Perm, queryset: QuerySet[M], field: str, **lookup: Any) -> M:
    """One object the user may ``perm``, or 404 whether it is missing or outside their scope."""
    try:
        return scoped(user, perm, queryset, field).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require(user: AnyUser, perm: Perm, code: int | None = None) -> None:
    """404 unless ``user`` may do ``perm`` (at ``code``): a page outside one's scope 'is not there'."""
    if not has_perm(user, perm, code):
        raise Http404
