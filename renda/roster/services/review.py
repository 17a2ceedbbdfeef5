"""The review queue: reference-list matches become items; a district applies or dismisses them.

Matching is one INSERT … SELECT per batch (the list joined to the register on the ID hash);
an item already made for the same (kind, voter, record) — open, applied or dismissed — is
not made again, so re-running a match after new registrations only adds the new ones.
Applying calls the register's own services (voter_remove, voter_restore, voter_suspend,
voter_correct), which write the change rows; the item keeps the evidence and the note.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.roster.models import (
    BaseBatch,
    BaseRecord,
    ReviewEvent,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    SourceKind,
    SuggestedAction,
)
from renda.roster.workflow import can_review
from renda.voters.models import ACTIVE, Election, RemovalReason, Voter
from renda.voters.services.common import require
from renda.voters.services.register import (
    voter_correct,
    voter_remove,
    voter_restore,
    voter_suspend,
)

# source of the list → (review kind, suggested action, which registrations it concerns)
MATCHES: dict[str, tuple[ReviewKind, SuggestedAction, str]] = {
    SourceKind.DECEASED: (
        ReviewKind.DECEASED,
        SuggestedAction.REMOVE_DECEASED,
        "v.status IN ({active})",
    ),
    # A deprivation that has already ended concerns nobody now.
    SourceKind.DEPRIVED: (
        ReviewKind.DEPRIVED,
        SuggestedAction.REMOVE_DEPRIVED,
        "v.status IN ({active}) AND (r.until_date IS NULL OR r.until_date >= %s)",
    ),
    SourceKind.SUSPENDED: (
        ReviewKind.SUSPENDED,
        SuggestedAction.SUSPEND,
        "v.status = 'registered'",
    ),
    # The person's latest registration is the one removed for deprivation (so none is active).
    SourceKind.RESTORED: (
        ReviewKind.RESTORED,
        SuggestedAction.RESTORE,
        "v.status = 'removed' AND v.removal_reason = 'deprived' AND v.id = "
        "(SELECT MAX(w.id) FROM {voters} w WHERE w.id_hash = v.id_hash)",
    ),
}
ITEM_COLUMNS = (
    "election_id",
    "district_id",
    "kind",
    "voter_id",
    "base_record_id",
    "suggested_action",
    "strength",
    "details",
    "status",
    "created_at",
    "note",
    "evidence",
)


def reference_match(batch: BaseBatch) -> int:
    """Queue a review item for every registration the reference list ``batch`` concerns.
    Returns how many items were added. In the caller's transaction."""
    if batch.source not in MATCHES:
        return 0
    kind, action, condition = MATCHES[batch.source]
    quote = connection.ops.quote_name
    voters = quote(Voter._meta.db_table)
    records = quote(BaseRecord._meta.db_table)
    items = quote(ReviewItem._meta.db_table)
    active = ", ".join(["%s"] * len(ACTIVE))
    where = condition.format(active=active, voters=voters)
    params: list[Any] = []
    if "{active}" in condition:
        params += list(ACTIVE)
    if batch.source == SourceKind.DEPRIVED:
        params.append(timezone.localdate())
    details = json.dumps({"batch": batch.pk})
    sql = (
        f"INSERT INTO {items} ({', '.join(ITEM_COLUMNS)}) "  # noqa: S608 — model names
        f"SELECT %s, v.district_id, %s, v.id, r.id, %s, 1.0, %s, %s, %s, '', '' "
        f"FROM {records} r JOIN {voters} v ON v.id_hash = r.id_hash "
        f"WHERE r.batch_id = %s AND {where} AND NOT EXISTS ("
        f"SELECT 1 FROM {items} i WHERE i.kind = %s AND i.voter_id = v.id "
        f"AND i.base_record_id = r.id)"
    )
    head: list[Any] = [
        batch.election_id,
        kind.value,
        action.value,
        details,
        ReviewStatus.OPEN.value,
        timezone.now(),
        batch.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params, kind.value])
        return max(int(cursor.rowcount), 0)


def references_rematch() -> int:
    """Match every reference list again (registrations made since it was imported)."""
    return sum(
        reference_match(batch)
        for batch in BaseBatch.objects.exclude(source=SourceKind.HOUSEHOLD).order_by("id")
    )


# --- Decisions ------------------------------------------------------------------------------


def suggested_evidence(item: ReviewItem) -> str:
    """What the item's record says, as the evidence of the change it suggests."""
    record = item.base_record
    if record is None:
        return ""
    batch = record.batch
    parts = [str(batch.get_source_display())]
    if batch.reference:
        parts.append(batch.reference)
    if record.document:
        parts.append(record.document)
    if record.effective_date:
        parts.append(record.effective_date.isoformat())
    return " ".join(parts)[:200]


def _decide(item: ReviewItem, actor: User, new: ReviewStatus, note: str, evidence: str) -> None:
    locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if not can_review(locked.status, new):
        raise ServiceError(_("该事项已处理，不能重复处理。"))
    old = locked.status
    item.status = new
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.note = note[:200]
    item.evidence = evidence[:200]
    item.save(update_fields=["status", "decided_by", "decided_at", "note", "evidence"])
    ReviewEvent.objects.create(item=item, old=old, new=new, actor=actor, note=note[:200])
    audit_record(
        actor=actor,
        action=f"review_item.{new}",
        target=item,
        region_code=item.district_id,
        summary={"kind": item.kind, "voter": item.voter_id, "note": note[:200]},
    )


def review_item_apply(
    *, actor: User, item: ReviewItem, election: Election, evidence: str, note: str = ""
) -> ReviewItem:
    """Do what the item suggests, through the register's services, and close it."""
    require(actor, Perm.VOTER_MANAGE, item.district_id, _("您无权处理该选区的核查事项。"))
    if not evidence.strip():
        raise ServiceError(_("请填写依据（如死亡证明、判决书或决定书编号）。"), field="evidence")
    with transaction.atomic():
        _perform(item, actor, election, evidence.strip(), note.strip())
        _decide(item, actor, ReviewStatus.APPLIED, note.strip(), evidence.strip())
    return item


def review_item_dismiss(*, actor: User, item: ReviewItem, note: str) -> ReviewItem:
    """Close the item without changing the register; the note says why."""
    require(actor, Perm.VOTER_MANAGE, item.district_id, _("您无权处理该选区的核查事项。"))
    if not note.strip():
        raise ServiceError(_("请说明排除的理由。"), field="note")
    with transaction.atomic():
        _decide(item, actor, ReviewStatus.DISMISSED, note.strip(), "")
    return item


def _perform(item: ReviewItem, actor: User, election: Election, evidence: str, note: str) -> None:
    voter = item.voter
    action = item.suggested_action
    if action == SuggestedAction.CHECK or voter is None:
        if not note:
            raise ServiceError(_("请说明核实和处理的情况。"), field="note")
        return
    record = item.base_record
    effective = record.effective_date if record is not None else None
    if action in (SuggestedAction.REMOVE_DECEASED, SuggestedAction.REMOVE_DEPRIVED):
        reason = (
            RemovalReason.DECEASED
            if action == SuggestedAction.REMOVE_DECEASED
            else RemovalReason.DEPRIVED
        )
        voter_remove(
            actor=actor,
            voter=voter,
            election=election,
            reason=reason,
            evidence=evidence,
            effective_date=effective,
        )
    elif action == SuggestedAction.SUSPEND:
        voter_suspend(actor=actor, voter=voter, election=election, decision=evidence)
    elif action == SuggestedAction.RESTORE:
        if effective is None:  # the date comes from the court's record, never computed
            raise ServiceError(_("比对名单中没有恢复政治权利日期，请逐人办理。"))
        voter_restore(
            actor=actor, voter=voter, election=election, court_date=effective, evidence=evidence
        )
    elif action == SuggestedAction.CORRECT:
        _correct_from_roster(item, voter, actor, election, evidence)


def _correct_from_roster(
    item: ReviewItem, voter: Voter, actor: User, election: Election, evidence: str
) -> None:
    """错登: the name follows the roster. Sex and birth date come from the ID number in both
    the register and the roster, so a difference there needs a person to check the number."""
    record = item.base_record
    if record is None or voter.status not in ACTIVE:
        raise ServiceError(_("该选民已不在名册中，请排除该事项。"))
    if record.name and record.name != voter.name:
        voter_correct(
            actor=actor,
            voter=voter,
            election=election,
            reason=_("与户籍基础数据核对更正：%(e)s") % {"e": evidence},
            name=record.name,
        )


def review_items_add(items: list[ReviewItem], chunk: int = 500) -> int:
    """Queue cross-check findings, skipping any (kind, voter, record) already queued once
    (open, applied or dismissed). Returns how many were added."""
    added = 0
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        seen = set(
            ReviewItem.objects.filter(
                kind__in={i.kind for i in part}, voter_id__in={i.voter_id for i in part}
            ).values_list("kind", "voter_id", "base_record_id")
        )
        fresh = [i for i in part if (i.kind, i.voter_id, i.base_record_id) not in seen]
        ReviewItem.objects.bulk_create(fresh, ignore_conflicts=True)
        added += len(fresh)
    return added
