"""Reads of import runs: a run is visible to its uploader and to staff above its region."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from renda.accounts.access import AnyUser, regions_for
from renda.accounts.roles import Perm
from renda.imports.models import ImportRun


def runs_for(user: AnyUser) -> QuerySet[ImportRun]:
    if not user.is_authenticated:
        return ImportRun.objects.none()
    scope = regions_for(user, Perm.ACCOUNT_MANAGE)
    return ImportRun.objects.filter(Q(created_by=user) | scope.q("region_code")).select_related(
        "created_by"
    )


def run_for(user: AnyUser, run_id: int) -> ImportRun:
    from django.http import Http404

    try:
        return runs_for(user).get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404 from None
