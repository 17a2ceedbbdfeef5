"""Appeals against a published list, as a table (选举法 Art 29)."""

from __future__ import annotations

from renda.voters.models import AppealStatus

TRANSITIONS: dict[AppealStatus, frozenset[AppealStatus]] = {
    AppealStatus.RECEIVED: frozenset({AppealStatus.UPHELD, AppealStatus.DISMISSED}),
    AppealStatus.UPHELD: frozenset(),
    AppealStatus.DISMISSED: frozenset(),
}


def can_move(old: str, new: str) -> bool:
    return AppealStatus(new) in TRANSITIONS[AppealStatus(old)]
