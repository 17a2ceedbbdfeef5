"""The review queue and the expected list, as tables (pure, no database)."""

from __future__ import annotations

from renda.roster.models import RecordStatus, ReviewStatus

# A review item is decided once: applied (the suggested action, or the person's own, is done
# through the register's services) or dismissed with a note.
REVIEW_TRANSITIONS: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.OPEN: frozenset({ReviewStatus.APPLIED, ReviewStatus.DISMISSED}),
    ReviewStatus.APPLIED: frozenset(),
    ReviewStatus.DISMISSED: frozenset(),
}

# An expected person is confirmed (registered here) or explained (an exception); an exception
# can be taken back. A confirmation is undone only through the register (removal, transfer).
RECORD_TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.EXPECTED: frozenset({RecordStatus.CONFIRMED, RecordStatus.EXCEPTION}),
    RecordStatus.EXCEPTION: frozenset({RecordStatus.EXPECTED}),
    RecordStatus.CONFIRMED: frozenset(),
}


def can_review(old: str, new: str) -> bool:
    return ReviewStatus(new) in REVIEW_TRANSITIONS[ReviewStatus(old)]


def can_move_record(old: str, new: str) -> bool:
    return RecordStatus(new) in RECORD_TRANSITIONS[RecordStatus(old)]
