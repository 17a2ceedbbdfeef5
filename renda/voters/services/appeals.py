"""Appeals: received within the appeal period, decided by the committee within its period.

An upheld appeal applies through the register services and is posted at once as a supplement.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.voters.calendar import deadline
from renda.voters.models import (
    Appeal,
    AppealEvent,
    AppealKind,
    AppealStatus,
    RemovalReason,
    Status,
    Voter,
    VoterList,
)
from renda.voters.services.common import require, today
from renda.voters.services.publication import list_publish_supplement
from renda.voters.services.register import Person, voter_correct, voter_register, voter_remove
from renda.voters.workflow import can_move


def appeal_period_end(voter_list: VoterList) -> date:
    election = voter_list.election
    published = timezone.localdate(voter_list.published_at)
    return deadline(published, election.appeal_days, shift_holidays=election.shift_holidays)


def court_filing_deadline(appeal: Appeal) -> date:
    from datetime import timedelta

    return appeal.election.election_day - timedelta(days=appeal.election.court_days_before)


def appeal_receive(
    *,
    actor: User,
    voter_list: VoterList,
    kind: AppealKind,
    appellant: str,
    subject_name: str,
    content: str,
    appellant_phone: str = "",
    voter: Voter | None = None,
    received_on: date | None = None,
) -> Appeal:
    """Record an appeal; refused when the appeal period of the list has run out."""
    require(actor, Perm.APPEAL_RECEIVE, voter_list.district_id, _("您无权受理该选区的申诉。"))
    received_on = received_on or today()
    last_day = appeal_period_end(voter_list)
    if received_on > last_day:
        raise ServiceError(
            _("申诉期限已过：对 %(pub)s 公布的名单提出申诉，应在 %(end)s 前提出。")
            % {
                "pub": timezone.localdate(voter_list.published_at).isoformat(),
                "end": last_day.isoformat(),
            }
        )
    if not appellant.strip() or not subject_name.strip() or not content.strip():
        raise ServiceError(_("请填写申诉人、涉及人员和申诉事项。"))
    if voter is not None and voter.district_id != voter_list.district_id:
        raise ServiceError(_("涉及选民不在该名单的选区。"), field="voter")
    election = voter_list.election
    with transaction.atomic():
        appeal = Appeal.objects.create(
            election=election,
            district_id=voter_list.district_id,
            voter_list=voter_list,
            voter=voter,
            kind=kind,
            appellant=appellant.strip()[:64],
            appellant_phone=appellant_phone.strip()[:20],
            subject_name=subject_name.strip()[:64],
            content=content.strip(),
            received_on=received_on,
            decide_by=deadline(
                received_on, election.decision_days, shift_holidays=election.shift_holidays
            ),
            received_by=actor,
        )
        AppealEvent.objects.create(appeal=appeal, old="", new=AppealStatus.RECEIVED, actor=actor)
        audit_record(
            actor=actor,
            action="appeal.receive",
            target=appeal,
            region_code=appeal.district_id,
            summary={"kind": kind},
        )
    return appeal


def appeal_decide(
    *,
    actor: User,
    appeal: Appeal,
    upheld: bool,
    decision: str,
    person: Person | None = None,
    corrections: dict[str, Any] | None = None,
) -> Appeal:
    """The committee's decision. Upheld: the register is changed accordingly and a supplement
    is posted at once. ``person`` is needed to list someone omitted; ``corrections`` to fix
    wrong details."""
    require(actor, Perm.APPEAL_DECIDE, appeal.district_id, _("只有选举委员会可以处理申诉。"))
    new = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    if not can_move(appeal.status, new):
        raise ServiceError(_("该申诉已处理。"))
    if not decision.strip():
        raise ServiceError(_("请填写处理决定。"), field="decision")
    election = appeal.election
    with transaction.atomic():
        if upheld:
            _apply(actor, appeal, person, corrections or {})
        old = appeal.status
        appeal.status = new
        appeal.decision = decision.strip()
        appeal.decided_at = timezone.now()
        appeal.decided_by = actor
        appeal.save(update_fields=["status", "decision", "decided_at", "decided_by"])
        AppealEvent.objects.create(appeal=appeal, old=old, new=new, actor=actor, note=decision)
        audit_record(
            actor=actor,
            action=f"appeal.{new}",
            target=appeal,
            region_code=appeal.district_id,
            summary={"late": today() > appeal.decide_by},
        )
        if upheld:
            list_publish_supplement(actor=actor, election=election, district=appeal.district)
    return appeal


def _apply(actor: User, appeal: Appeal, person: Person | None, corrections: dict[str, Any]) -> None:
    election, voter = appeal.election, appeal.voter
    note = _("申诉决定（第 %(id)d 号）") % {"id": appeal.pk}
    if appeal.kind == AppealKind.OMITTED:
        if person is None:
            raise ServiceError(
                _("申诉成立须补登记：请填写该公民的身份证号码等信息。"), field="id_number"
            )
        voter_register(
            actor=actor,
            election=election,
            district=appeal.district,
            person=person,
            evidence=note,
            bypass_window=True,
        )
    elif appeal.kind == AppealKind.WRONGLY_LISTED:
        if voter is None or voter.status != Status.REGISTERED:
            raise ServiceError(_("请先指明应从名单中删除的选民。"), field="voter")
        voter_remove(
            actor=actor, voter=voter, election=election, reason=RemovalReason.ERROR, evidence=note
        )
    else:
        if voter is None or not corrections:
            raise ServiceError(_("请指明选民和需要更正的信息。"), field="voter")
        voter_correct(actor=actor, voter=voter, election=election, reason=note, **corrections)
