"""Registration conflicts: a person refused here because they are active in another district.

Kept so that the refusal can become a transfer request in one click (services/transfers.py).
Three writers: the import commit (set-based, inside its transaction), ``voter_register`` when it
refuses (its own savepoint, after the refused registration rolled back) and the self-service
review. A person refused again in the same district while the first conflict is open adds
nothing (partial unique constraint; inserts skip what is there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports.models import ImportRun
from renda.regions.models import District
from renda.voters.models import (
    ACTIVE,
    ConflictSource,
    Election,
    RegistrationConflict,
    Voter,
)
from renda.voters.services.common import require

CHUNK = 900  # hashes per IN (…): SQLite takes 999 variables a statement


class ActiveElsewhere(ServiceError):
    """The refusal of a registration because ``holder`` is the person's active registration in
    another district; ``voter_register`` records it as a conflict before passing it on."""

    def __init__(self, message: str, *, holder: Voter, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.holder = holder


def conflict_record(
    *,
    actor: User | None,
    election: Election,
    district: District,
    holder: Voter,
    name: str,
    id_hash: bytes,
    source: str = ConflictSource.REGISTER,
) -> None:
    """Record one refusal, in its own savepoint (the caller's registration has rolled back)."""
    with transaction.atomic():
        if _open_keys([(district.code, id_hash)]):
            return
        conflict = RegistrationConflict(
            election=election,
            district=district,
            voter=holder,
            name=name[:64],
            id_hash=id_hash,
            source=source,
            created_by=actor,
        )
        RegistrationConflict.objects.bulk_create([conflict], ignore_conflicts=True)
        audit_record(
            actor=actor,
            action="voter.conflict",
            target=holder,
            region_code=district.code,
            summary={"source": source, "active_in": holder.district_id},
        )


@dataclass(frozen=True)
class ImportedConflict:
    """One row of an import whose person is active in another district."""

    row: int
    district_code: int
    name: str
    id_hash: bytes


def conflicts_record_import(
    *,
    actor: User,
    election: Election,
    run: ImportRun | None,
    rows: Sequence[ImportedConflict],
) -> int:
    """Record an import's conflict rows, set-based, inside the import's transaction: one query
    per chunk finds the active registrations, one finds those already recorded, one insert.
    Returns how many were new (a file imported twice records nothing the second time)."""
    new: list[RegistrationConflict] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        holders = dict(
            Voter.objects.filter(
                id_hash__in=[r.id_hash for r in chunk], status__in=ACTIVE
            ).values_list("id_hash", "id")
        )
        holders = {bytes(k): v for k, v in holders.items()}
        known = _open_keys([(r.district_code, r.id_hash) for r in chunk])
        new += [
            RegistrationConflict(
                election=election,
                district_id=r.district_code,
                voter_id=holders[r.id_hash],
                name=r.name[:64],
                id_hash=r.id_hash,
                source=ConflictSource.IMPORT,
                import_run=run,
                row=r.row,
                created_by=actor,
            )
            for r in chunk
            if r.id_hash in holders and (r.district_code, r.id_hash) not in known
        ]
    if not new:
        return 0
    RegistrationConflict.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    audit_record(
        actor=actor,
        action="voter.conflicts_import",
        target=run,
        region_code=election.region_id,
        summary={"run": run.pk if run is not None else None, "conflicts": len(new)},
    )
    return len(new)


def _open_keys(keys: Sequence[tuple[int, bytes]]) -> set[tuple[int, bytes]]:
    """Which (district, hash) pairs already have an open conflict."""
    if not keys:
        return set()
    found = RegistrationConflict.objects.filter(
        resolved_at__isnull=True,
        district_id__in={code for code, _h in keys},
        id_hash__in=[h for _c, h in keys],
    ).values_list("district_id", "id_hash")
    return {(code, bytes(h)) for code, h in found}


def conflict_dismiss(*, actor: User, conflict: RegistrationConflict, note: str = "") -> None:
    """Close a conflict without a transfer (e.g. the person was registered here by mistake)."""
    require(actor, Perm.VOTER_MANAGE, conflict.district_id, _("您无权处理该选区的登记冲突。"))
    with transaction.atomic():
        closed = RegistrationConflict.objects.filter(
            pk=conflict.pk, resolved_at__isnull=True
        ).update(resolved_at=timezone.now(), resolved_by=actor)
        if not closed:
            raise ServiceError(_("该登记冲突已处理。"))
        audit_record(
            actor=actor,
            action="voter.conflict_dismiss",
            target=conflict.voter,
            region_code=conflict.district_id,
            summary={"conflict": conflict.pk, "note": note[:200]},
        )


def conflicts_resolve(
    *, actor: User | None, district_code: int, id_hash: bytes, transfer_id: int | None = None
) -> int:
    """Mark the open conflict of a person in a district resolved (a transfer was requested, or
    the person is registered there now)."""
    return RegistrationConflict.objects.filter(
        resolved_at__isnull=True, district_id=district_code, id_hash=id_hash
    ).update(resolved_at=timezone.now(), resolved_by=actor, transfer_id=transfer_id)
