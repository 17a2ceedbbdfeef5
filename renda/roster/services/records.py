"""A district works through its expected list: confirm people (registering them by the bulk
path) or explain why they are not on the list (exceptions).

Confirming registers the chosen expected people of one district through
``voters_register_bulk`` (source 基础数据确认), one call per batch so each change row's
evidence and import run point at the roster file the person came from, all in one
transaction. People already active in this district are confirmed against that
registration; people active in another district are not registered: each becomes a
registration conflict (renda.voters RegistrationConflict, which can turn into a transfer)
and is reported back. If another district registers one of them while this confirmation is
being written, the database's one-active-registration rule stops this write; it is retried
once, when that person shows up as an ordinary conflict — so of two districts confirming the
same person at the same moment exactly one wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.regions.models import District
from renda.roster.models import (
    BaseBatch,
    BaseRecord,
    ExceptionReason,
    RecordStatus,
    SourceKind,
)
from renda.roster.services.expected import expected_refresh
from renda.voters import pii
from renda.voters.bulk import BulkConflictError, BulkResult, BulkRow, voters_register_bulk
from renda.voters.models import (
    ACTIVE,
    ConflictSource,
    Election,
    RegistrationConflict,
    Source,
    Voter,
)
from renda.voters.rules import is_of_age
from renda.voters.services.common import require


@dataclass(frozen=True)
class RecordConflict:
    """An expected person who is registered in another district."""

    record_id: int
    name: str
    where: str
    message: str


@dataclass(frozen=True)
class ConfirmResult:
    registered: int  # newly registered here and confirmed
    already_here: int  # were registered here already: confirmed against that registration
    conflicts: tuple[RecordConflict, ...] = ()
    # not expected any more, no valid ID number, or under 18 on election day
    skipped: tuple[tuple[int, str], ...] = ()
    by_batch: dict[int, int] = field(default_factory=dict)

    @property
    def confirmed(self) -> int:
        return self.registered + self.already_here


@dataclass(frozen=True)
class _Candidate:
    record: BaseRecord
    row: BulkRow


def base_records_confirm(
    *,
    actor: User,
    election: Election,
    district: District,
    record_ids: Sequence[int] | None = None,
) -> ConfirmResult:
    """Confirm the expected people of ``district`` (all of them, or ``record_ids``)."""
    require(actor, Perm.VOTER_MANAGE, district.code, _("您无权确认该选区的基础数据。"))
    records = _expected(district, record_ids)
    candidates, skipped = _candidates(records, election, district)
    with transaction.atomic():
        results = {
            batch_id: _register(actor, election, batch_id, rows)
            for batch_id, rows in _by_batch(candidates).items()
        }
        conflicts = _conflicts(actor, election, district, candidates, results)
        confirmed = _mark_confirmed(
            district, None if record_ids is None else [c.record.pk for c in candidates], actor
        )
        registered = sum(r.created for r in results.values())
        audit_record(
            actor=actor,
            action="base_record.confirm",
            target=district,
            region_code=district.code,
            summary={
                "election": election.code,
                "selected": len(records),
                "registered": registered,
                "confirmed": confirmed,
                "conflicts": len(conflicts),
                "skipped": len(skipped),
                "batches": sorted(results),
            },
        )
    return ConfirmResult(
        registered=registered,
        already_here=confirmed - registered,
        conflicts=tuple(conflicts),
        skipped=tuple(skipped),
        by_batch={b: r.created for b, r in results.items()},
    )


def _expected(district: District, record_ids: Sequence[int] | None) -> list[BaseRecord]:
    qs = BaseRecord.objects.filter(
        district=district, source=SourceKind.HOUSEHOLD, status=RecordStatus.EXPECTED
    )
    if record_ids is not None:
        qs = qs.filter(pk__in=list(record_ids))
    return list(qs.order_by("id"))


def _candidates(
    records: list[BaseRecord], election: Election, district: District
) -> tuple[list[_Candidate], list[tuple[int, str]]]:
    out: list[_Candidate] = []
    skipped: list[tuple[int, str]] = []
    for record in records:
        if not record.id_valid or record.id_cipher is None or record.birth_date is None:
            skipped.append((record.pk, _("身份证号码无效，请核实后逐人登记。")))
            continue
        if not is_of_age(record.birth_date, election.election_day, election.feb29_rule):
            skipped.append((record.pk, _("至选举日未满十八周岁。")))
            continue
        row = BulkRow(
            id_number=pii.reveal(record.id_cipher),
            name=record.name,
            sex=record.sex,
            birth_date=record.birth_date,
            district_code=district.code,
            ethnicity=record.ethnicity,
            household_address=record.household_address,
            group=record.village,
        )
        out.append(_Candidate(record, row))
    return out, skipped


def _by_batch(candidates: list[_Candidate]) -> dict[int, list[_Candidate]]:
    groups: dict[int, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        groups[candidate.record.batch_id].append(candidate)
    return dict(groups)


def _register(
    actor: User, election: Election, batch_id: int, candidates: list[_Candidate]
) -> BulkResult:
    batch = BaseBatch.objects.select_related("import_run").get(pk=batch_id)
    evidence = _("基础数据确认：%(f)s（批次 %(b)d）") % {"f": batch.name, "b": batch.pk}
    rows = [c.row for c in candidates]
    for attempt in (1, 2):
        try:
            return voters_register_bulk(
                actor=actor,
                election=election,
                rows=rows,
                source=Source.BASE,
                import_run=batch.import_run,
                evidence=evidence,
            )
        except BulkConflictError:
            # Someone registered one of them meanwhile (rolled back to before this batch):
            # asked again, they are ordinary conflicts now.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _conflicts(
    actor: User,
    election: Election,
    district: District,
    candidates: list[_Candidate],
    results: dict[int, BulkResult],
) -> list[RecordConflict]:
    """People active in another district: one RegistrationConflict each (idempotent)."""
    groups = _by_batch(candidates)
    found: list[tuple[_Candidate, str, str]] = []
    for batch_id, result in results.items():
        for conflict in result.conflicts:
            if not conflict.same_district:
                found.append((groups[batch_id][conflict.index], conflict.where, conflict.message))
    if not found:
        return []
    holders = {
        bytes(key): pk
        for key, pk in Voter.objects.filter(
            id_hash__in=[c.record.id_hash for c, _w, _m in found], status__in=ACTIVE
        ).values_list("id_hash", "pk")
    }
    batches = {
        b.pk: b.import_run_id
        for b in BaseBatch.objects.filter(pk__in={c.record.batch_id for c, _w, _m in found})
    }
    RegistrationConflict.objects.bulk_create(
        [
            RegistrationConflict(
                election=election,
                district=district,
                voter_id=holders[bytes(c.record.id_hash or b"")],
                name=c.record.name,
                id_hash=c.record.id_hash,
                source=ConflictSource.IMPORT,
                import_run_id=batches.get(c.record.batch_id),
                row=c.record.row or None,
                created_by=actor,
            )
            for c, _w, _m in found
            if bytes(c.record.id_hash or b"") in holders
        ],
        ignore_conflicts=True,
    )
    return [
        RecordConflict(c.record.pk, c.record.name, where, message) for c, where, message in found
    ]


def _mark_confirmed(district: District, record_ids: list[int] | None, actor: User) -> int:
    """Confirm those expected records of ``district`` (of ``record_ids``, when given) whose
    person is now active there. Returns how many."""
    if record_ids is None:
        return _confirm_registered(district.code, district.code, actor, ids=None)
    return sum(
        _confirm_registered(district.code, district.code, actor, ids=record_ids[i : i + 500])
        for i in range(0, len(record_ids), 500)
    )


def _confirm_registered(lo: int, hi: int, actor: User | None, *, ids: list[int] | None) -> int:
    """One UPDATE … FROM joining the expected household records of districts [lo, hi] to the
    active registration of the same person in the same district (PostgreSQL; SQLite ≥ 3.33)."""
    quote = connection.ops.quote_name
    records = quote(BaseRecord._meta.db_table)
    voters = quote(Voter._meta.db_table)
    only = f" AND r.id IN ({', '.join(['%s'] * len(ids))})" if ids else ""
    if ids is not None and not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {records} AS r SET status = %s, voter_id = v.id, "  # noqa: S608 — names
            f"decided_by_id = %s, decided_at = %s FROM {voters} AS v "
            f"WHERE v.id_hash = r.id_hash AND v.district_id = r.district_id "
            f"AND v.status IN ({', '.join(['%s'] * len(ACTIVE))}) "
            f"AND r.source = %s AND r.status = %s AND r.district_id BETWEEN %s AND %s{only}",
            [
                RecordStatus.CONFIRMED,
                actor.pk if actor is not None else None,
                timezone.now(),
                *ACTIVE,
                SourceKind.HOUSEHOLD,
                RecordStatus.EXPECTED,
                lo,
                hi,
                *(ids or []),
            ],
        )
        return max(int(cursor.rowcount), 0)


def link_registered(*, lo: int, hi: int, actor: User | None) -> int:
    """Confirm the expected household records of districts [lo, hi] whose person is already
    active in the very district the roster assigns — registration stays valid across elections
    (Art 27), so most of a new push is registered already. One UPDATE; no register change.
    Returns how many records were confirmed. In the caller's transaction."""
    return _confirm_registered(lo, hi, actor, ids=None)


# --- Exceptions -----------------------------------------------------------------------------


def base_records_mark_exception(
    *,
    actor: User,
    district: District,
    record_ids: Sequence[int],
    reason: str,
    note: str = "",
) -> int:
    """Explain why expected people of ``district`` are not on its list; they leave 应登记."""
    require(actor, Perm.VOTER_MANAGE, district.code, _("您无权处理该选区的基础数据。"))
    if reason not in ExceptionReason.values:
        raise ServiceError(_("请选择情况类型。"), field="reason")
    if reason == ExceptionReason.OTHER and not note.strip():
        raise ServiceError(_("选择“其他”时请填写说明。"), field="note")
    if not record_ids:
        raise ServiceError(_("请至少选择一人。"))
    with transaction.atomic():
        changed = BaseRecord.objects.filter(
            district=district,
            source=SourceKind.HOUSEHOLD,
            status=RecordStatus.EXPECTED,
            pk__in=list(record_ids),
        ).update(
            status=RecordStatus.EXCEPTION,
            exception_reason=reason,
            note=note.strip()[:200],
            decided_by=actor,
            decided_at=timezone.now(),
        )
        expected_refresh([(district.code, district.code)])
        audit_record(
            actor=actor,
            action="base_record.exception",
            target=district,
            region_code=district.code,
            summary={"reason": reason, "note": note.strip()[:200], "records": changed},
        )
    return changed


def base_records_reopen(*, actor: User, district: District, record_ids: Sequence[int]) -> int:
    """Take exceptions back: the people are expected again."""
    require(actor, Perm.VOTER_MANAGE, district.code, _("您无权处理该选区的基础数据。"))
    with transaction.atomic():
        changed = BaseRecord.objects.filter(
            district=district, status=RecordStatus.EXCEPTION, pk__in=list(record_ids)
        ).update(
            status=RecordStatus.EXPECTED,
            exception_reason="",
            note="",
            decided_by=actor,
            decided_at=timezone.now(),
        )
        expected_refresh([(district.code, district.code)])
        audit_record(
            actor=actor,
            action="base_record.reopen",
            target=district,
            region_code=district.code,
            summary={"records": changed},
        )
    return changed
