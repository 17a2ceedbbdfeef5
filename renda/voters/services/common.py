"""What every register service shares: permission checks, the change row, the audit row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports.models import ImportRun
from renda.regions.models import District
from renda.voters import tally
from renda.voters.models import ChangeKind, Election, Voter, VoterChange, VoterList

SNAPSHOT_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "household_address",
    "residence_address",
    "phone",
    "group",
    "district_id",
    "residence_kind",
    "status",
    "removal_reason",
    "mobile_box",
)


def today() -> date:
    return timezone.localdate()


def snapshot(voter: Voter) -> dict[str, Any]:
    """A voter's fields for before/after summaries — never the ID number."""
    data = {f: getattr(voter, f) for f in SNAPSHOT_FIELDS}
    data["birth_date"] = voter.birth_date.isoformat() if voter.birth_date else None
    return data


def require(actor: User, perm: Perm, code: int, message: str | None = None) -> None:
    if not access.has_perm(actor, perm, code):
        raise ServiceError(message or _("您无权对该选区执行此操作。"))


def require_covers(election: Election, district: District) -> None:
    lo, hi = election.region.subtree
    if not lo <= district.code <= hi:
        raise ServiceError(
            _("选区“%(d)s”不在“%(e)s”的范围内。") % {"d": district.name, "e": election.name}
        )


def require_open(election: Election) -> None:
    now = today()
    if now < election.registration_opens:
        raise ServiceError(
            _("本次选举的选民登记将于 %(d)s 开始。")
            % {"d": election.registration_opens.isoformat()}
        )
    if now > election.registration_closes:
        raise ServiceError(
            _("本次选举的选民登记已于 %(d)s 截止，此后的变动须经申诉处理。")
            % {"d": election.registration_closes.isoformat()}
        )


def first_list(election: Election, district_code: int) -> VoterList | None:
    return VoterList.objects.filter(election=election, district_id=district_code, number=0).first()


def record_change(
    *,
    voter: Voter,
    kind: ChangeKind,
    actor: User | None,
    election: Election | None,
    reason: str = "",
    evidence: str = "",
    effective_date: date | None = None,
    summary: dict[str, Any] | None = None,
    import_run: ImportRun | None = None,
) -> VoterChange:
    """The change row, its counters (三增三减, tally) and its audit row, inside the caller's
    transaction."""
    change = VoterChange.objects.create(
        voter=voter,
        election=election,
        kind=kind,
        district_code=voter.district_id,
        actor=actor,
        reason=reason[:200],
        evidence=evidence[:200],
        effective_date=effective_date,
        summary=summary or {},
        import_run=import_run,
    )
    tally.change_recorded(change)
    audit_record(
        actor=actor,
        action=f"voter.{kind}",
        target=voter,
        region_code=voter.district_id,
        summary={"change": change.pk, **(summary or {})},
    )
    return change
