"""Reads for transfers, registration conflicts and self-service requests, scoped by district.

A transfer belongs to two districts: either side sees it. "Waiting for me" means the district
whose answer it waits for lies in the user's VOTER_MANAGE scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from renda.accounts.access import AnyUser, regions_for
from renda.accounts.roles import Perm
from renda.core.pagination import Page, keyset_page
from renda.voters import pii
from renda.voters.idnumbers import check_id
from renda.voters.models import (
    ACTIVE,
    RegistrationConflict,
    SelfServiceRequest,
    SelfServiceStatus,
    Transfer,
    TransferDirection,
    TransferEvent,
    TransferStatus,
    Voter,
)
from renda.voters.names import clean_name

TRANSFER_RELATED = (
    "voter",
    "new_voter",
    "election",
    "from_district__township",
    "to_district__township",
    "requested_by",
    "responded_by",
)


def _either_side(user: AnyUser, perm: Perm) -> Q:
    scope = regions_for(user, perm)
    return scope.q("from_district_id") | scope.q("to_district_id")


def _answering(user: AnyUser, lo: int | None = None, hi: int | None = None) -> Q:
    """Open transfers whose answer is due from a district in the user's scope (and in
    [lo, hi] when given)."""
    scope = regions_for(user, Perm.VOTER_MANAGE)
    by_origin = Q(direction=TransferDirection.REQUESTED_BY_DESTINATION) & scope.q(
        "from_district_id"
    )
    by_destination = Q(direction=TransferDirection.STARTED_BY_ORIGIN) & scope.q("to_district_id")
    if lo is not None and hi is not None:
        by_origin &= Q(from_district_id__gte=lo, from_district_id__lte=hi)
        by_destination &= Q(to_district_id__gte=lo, to_district_id__lte=hi)
    return Q(status=TransferStatus.REQUESTED) & (by_origin | by_destination)


def transfers_for(user: AnyUser) -> QuerySet[Transfer]:
    return Transfer.objects.filter(_either_side(user, Perm.VOTER_VIEW)).select_related(
        *TRANSFER_RELATED
    )


def transfer_for(user: AnyUser, pk: int) -> Transfer:
    from django.http import Http404

    found = transfers_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def transfers_awaiting(user: AnyUser) -> QuerySet[Transfer]:
    """Open transfers the user's districts must answer, the most urgent first."""
    return (
        Transfer.objects.filter(_answering(user))
        .select_related(*TRANSFER_RELATED)
        .order_by("respond_by", "pk")
    )


def transfers_awaiting_count(user: AnyUser, lo: int | None = None, hi: int | None = None) -> int:
    return Transfer.objects.filter(_answering(user, lo, hi)).count()


def transfers_escalated_count(user: AnyUser, lo: int, hi: int) -> int:
    """Overdue transfers (escalated to the county) answered by a district in [lo, hi]."""
    return Transfer.objects.filter(_answering(user, lo, hi), escalated_at__isnull=False).count()


def transfers_waiting_on_others(user: AnyUser) -> QuerySet[Transfer]:
    """Open transfers the user's districts started, waiting for the other side."""
    scope = regions_for(user, Perm.VOTER_MANAGE)
    mine = (Q(direction=TransferDirection.REQUESTED_BY_DESTINATION) & scope.q("to_district_id")) | (
        Q(direction=TransferDirection.STARTED_BY_ORIGIN) & scope.q("from_district_id")
    )
    return (
        Transfer.objects.filter(mine, status=TransferStatus.REQUESTED)
        .select_related(*TRANSFER_RELATED)
        .order_by("respond_by", "pk")
    )


def transfers_closed_page(user: AnyUser, cursor: str | None) -> Page[Transfer]:
    """Answered, withdrawn and expired transfers of the user's districts, newest first."""
    return keyset_page(
        transfers_for(user).exclude(status=TransferStatus.REQUESTED),
        cursor=cursor,
        descending=True,
    )


def transfer_events(transfer: Transfer) -> QuerySet[TransferEvent]:
    return transfer.events.select_related("actor").order_by("id")


# --- Conflicts ------------------------------------------------------------------------------


def conflicts_for(user: AnyUser, *, open_only: bool = True) -> QuerySet[RegistrationConflict]:
    qs = RegistrationConflict.objects.filter(
        regions_for(user, Perm.VOTER_VIEW).q("district_id")
    ).select_related(
        "district__township", "voter__district__township", "import_run", "transfer", "election"
    )
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs


def conflict_for(user: AnyUser, pk: int) -> RegistrationConflict:
    from django.http import Http404

    found = conflicts_for(user, open_only=False).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def conflicts_open_count(user: AnyUser, lo: int, hi: int) -> int:
    return conflicts_for(user).filter(district_id__gte=lo, district_id__lte=hi).order_by().count()


# --- Self-service ---------------------------------------------------------------------------


def selfservice_for(user: AnyUser, status: str = "") -> QuerySet[SelfServiceRequest]:
    qs = SelfServiceRequest.objects.filter(
        regions_for(user, Perm.VOTER_VIEW).q("district_id")
    ).select_related("district__township", "decided_by", "voter", "transfer", "election")
    if status:
        qs = qs.filter(status=status)
    return qs


def selfservice_request_for(user: AnyUser, pk: int) -> SelfServiceRequest:
    from django.http import Http404

    found = selfservice_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def selfservice_open_count(user: AnyUser, lo: int, hi: int) -> int:
    return (
        selfservice_for(user, SelfServiceStatus.OPEN)
        .filter(district_id__gte=lo, district_id__lte=hi)
        .order_by()
        .count()
    )


# --- Public ---------------------------------------------------------------------------------


def registration_place(name: str, id_number: str) -> str | None:
    """For the public self-check: the district where a person with this name and number is
    registered, or None — also when the name does not match, so the page never confirms that a
    number exists."""
    check = check_id(id_number)
    if not check.valid or check.normalized is None:
        return None
    voter = (
        Voter.objects.select_related("district__township")
        .filter(id_hash=pii.id_hash(check.normalized), status__in=ACTIVE)
        .first()
    )
    if voter is None or voter.name != clean_name(name):
        return None
    return f"{voter.district.township.name}{voter.district.name}"


def selfservice_by_reference(reference: str) -> SelfServiceRequest | None:
    cleaned = reference.strip().upper()
    if not cleaned.isalnum() or len(cleaned) > 16:
        return None
    return (
        SelfServiceRequest.objects.select_related("district__township")
        .filter(reference=cleaned)
        .first()
    )
