"""Reads of accounts a user can reach: accounts homed in their ACCOUNT_VIEW scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from renda.accounts.access import AnyUser, get_or_404, scoped
from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Perm


def accounts_for(
    user: AnyUser, *, text: str = "", lo: int | None = None, hi: int | None = None
) -> QuerySet[User]:
    qs = scoped(user, Perm.ACCOUNT_VIEW, User.objects.all(), "home_code")
    if lo is not None and hi is not None:
        qs = qs.filter(home_code__range=(lo, hi))
    text = text.strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(real_name__contains=text))
    return qs


def account_for(user: AnyUser, pk: int) -> User:
    return get_or_404(user, Perm.ACCOUNT_VIEW, User.objects.all(), "home_code", pk=pk)


def assignments_of(account: User) -> QuerySet[RoleAssignment]:
    return account.assignments.select_related(
        "region", "district__township", "granted_by"
    ).order_by("id")


def assignment_for(user: AnyUser, pk: int) -> RoleAssignment:
    qs = RoleAssignment.objects.select_related("user", "region", "district")
    return get_or_404(user, Perm.ACCOUNT_VIEW, qs, "user__home_code", pk=pk)
