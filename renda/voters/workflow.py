"""The register's workflows as tables: appeals (选举法 Art 29) and transfers between districts."""

from __future__ import annotations

from renda.voters.models import AppealStatus, TransferStatus

TRANSITIONS: dict[AppealStatus, frozenset[AppealStatus]] = {
    AppealStatus.RECEIVED: frozenset({AppealStatus.UPHELD, AppealStatus.DISMISSED}),
    AppealStatus.UPHELD: frozenset(),
    AppealStatus.DISMISSED: frozenset(),
}


def can_move(old: str, new: str) -> bool:
    return AppealStatus(new) in TRANSITIONS[AppealStatus(old)]


# A transfer waits for one answer; every other state is final.
TRANSFER_TRANSITIONS: dict[TransferStatus, frozenset[TransferStatus]] = {
    TransferStatus.REQUESTED: frozenset(
        {
            TransferStatus.CONFIRMED,  # the answering district agrees: the registration moves
            TransferStatus.REFUSED,  # it refuses, with a reason
            TransferStatus.CANCELLED,  # the asking district withdraws it
            TransferStatus.EXPIRED,  # registration closed before anyone answered
        }
    ),
    TransferStatus.CONFIRMED: frozenset(),
    TransferStatus.REFUSED: frozenset(),
    TransferStatus.CANCELLED: frozenset(),
    TransferStatus.EXPIRED: frozenset(),
}


def transfer_can_move(old: str, new: str) -> bool:
    return TransferStatus(new) in TRANSFER_TRANSITIONS[TransferStatus(old)]
