"""线上转移 (键对键): moving a person's registration from one district to another.

The destination asks (``transfer_request``: the person and the evidence — a certificate
number, a residence proof, an import conflict, a self-service request) and the origin answers;
or the origin hands the person over (``transfer_start_from_origin``) and the destination
answers. The answer is due within ``Election.transfer_days`` working days; the timer
(``transfers_due``) reminds the day before and escalates to the county office after.

Confirming closes the origin's registration (removed, moved out) and opens one at the
destination (moved in) in one transaction: both changes are pending VoterChange rows, so where a
list is published they go to each district's next supplement. The origin row stays, so the
origin keeps the person in its register as "moved out" — as with a certificate.

Race safety. Row locks are taken in one order everywhere — certificate → transfer → voter —
so two writers on one person wait for each other instead of deadlocking: confirming here,
using a certificate (certificates.py), removing the person (register.py). The voter row lock
serialises everything that moves a person, and each writer reads the state again once it holds
the lock; the partial unique constraint ``voter_one_active_registration`` referees whatever
slips past (the loser's insert fails, its transaction rolls back, it gets a message).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renda.accounts import access
from renda.accounts.models import User
from renda.accounts.roles import PERMISSIONS, Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.core.notifications import notify
from renda.imports.models import ImportRun
from renda.regions.models import District
from renda.voters import pii, tally
from renda.voters.calendar import add_workdays
from renda.voters.idnumbers import check_id
from renda.voters.models import (
    ACTIVE,
    Certificate,
    CertificateStatus,
    ChangeKind,
    Election,
    EvidenceKind,
    Proxy,
    RegistrationConflict,
    RemovalReason,
    ResidenceKind,
    Source,
    Status,
    Transfer,
    TransferDirection,
    TransferEvent,
    TransferStatus,
    Voter,
)
from renda.voters.services.common import record_change, require, require_covers, require_open, today
from renda.voters.services.conflicts import conflicts_resolve
from renda.voters.workflow import transfer_can_move

# A person can be moved while registered, or holding a certificate issued here (which the move
# uses up). Not listed or suspended are decisions of this district's committee or a court:
# they are settled before a move.
TRANSFERABLE = (Status.REGISTERED, Status.CERTIFIED_OUT)
DEFAULT_RESIDENCE = {
    EvidenceKind.CERTIFICATE: ResidenceKind.CERTIFICATE,
    EvidenceKind.RESIDENCE: ResidenceKind.RESIDENT,
    EvidenceKind.HOUSEHOLD: ResidenceKind.HOUSEHOLD,
    EvidenceKind.CONFLICT: ResidenceKind.RESIDENT,
    EvidenceKind.SELF_SERVICE: ResidenceKind.RESIDENT,
}


def place_name(district: District) -> str:
    """'大智街道第一选区': how people name a district."""
    return f"{district.township.name}{district.name}"


def transfer_url(transfer: Transfer) -> str:
    return reverse("voters:transfer_detail", args=[transfer.pk])


# --- Finding the person ---------------------------------------------------------------------


def voter_find_in_province(*, actor: User, id_number: str) -> Voter | None:
    """The person's active registration anywhere in the province, for a transfer request.

    A read outside the actor's own scope, so it is audited (without the number); the page shows
    only name, masked number and district.
    """
    if not access.has_perm(actor, Perm.VOTER_MANAGE):
        raise ServiceError(_("您无权查找其他选区的选民。"))
    check = check_id(id_number)
    if not check.valid or check.normalized is None:
        raise ServiceError(check.error or _("身份证号码无效。"), field="id_number")
    voter = (
        Voter.objects.select_related("district__township")
        .filter(id_hash=pii.id_hash(check.normalized), status__in=ACTIVE)
        .first()
    )
    audit_record(
        actor=actor,
        action="voter.find_province",
        target=voter,
        region_code=voter.district_id if voter is not None else None,
        summary={"found": voter is not None},
    )
    return voter


# --- Opening a transfer ---------------------------------------------------------------------


def transfer_request(
    *,
    actor: User,
    election: Election,
    voter: Voter,
    to_district: District,
    evidence_kind: str,
    evidence: str,
    residence_kind: str = "",
    residence_address: str = "",
    group: str = "",
    import_run: ImportRun | None = None,
) -> Transfer:
    """The destination asks the origin for a person registered there."""
    require(actor, Perm.VOTER_MANAGE, to_district.code, _("您无权为该选区申请迁入。"))
    return _open(
        actor=actor,
        election=election,
        voter=voter,
        to_district=to_district,
        direction=TransferDirection.REQUESTED_BY_DESTINATION,
        evidence_kind=evidence_kind,
        evidence=evidence,
        residence_kind=residence_kind,
        residence_address=residence_address,
        group=group,
        import_run=import_run,
    )


def transfer_start_from_origin(
    *,
    actor: User,
    election: Election,
    voter: Voter,
    to_district: District,
    evidence_kind: str,
    evidence: str,
    residence_kind: str = "",
    residence_address: str = "",
) -> Transfer:
    """The origin hands a person who moved away to their new district, which accepts."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id, _("您无权为该选民办理迁出。"))
    return _open(
        actor=actor,
        election=election,
        voter=voter,
        to_district=to_district,
        direction=TransferDirection.STARTED_BY_ORIGIN,
        evidence_kind=evidence_kind,
        evidence=evidence,
        residence_kind=residence_kind,
        residence_address=residence_address,
        group="",
        import_run=None,
    )


def _open(
    *,
    actor: User,
    election: Election,
    voter: Voter,
    to_district: District,
    direction: str,
    evidence_kind: str,
    evidence: str,
    residence_kind: str,
    residence_address: str,
    group: str,
    import_run: ImportRun | None,
) -> Transfer:
    require_covers(election, to_district)
    require_open(election)
    evidence = _checked_evidence(evidence_kind, evidence)
    residence_kind = residence_kind or DEFAULT_RESIDENCE[EvidenceKind(evidence_kind)]
    if residence_kind not in ResidenceKind.values:
        raise ServiceError(_("迁入后的登记类型无效。"), field="residence_kind")
    try:
        with transaction.atomic():
            current = _lock_voter(voter.pk)
            _require_transferable(current, to_district)
            _require_no_open_transfer(current)
            if evidence_kind == EvidenceKind.CERTIFICATE:
                _require_certificate(current, evidence)
            transfer = Transfer.objects.create(
                voter=current,
                election=election,
                from_district_id=current.district_id,
                to_district=to_district,
                direction=direction,
                evidence_kind=evidence_kind,
                evidence=evidence,
                residence_kind=residence_kind,
                residence_address=residence_address.strip()[:200],
                group=group.strip()[:64],
                import_run=import_run,
                respond_by=add_workdays(today(), election.transfer_days),
                requested_by=actor,
            )
            _event(transfer, "", TransferStatus.REQUESTED, actor, evidence)
            _audit(actor, transfer, "transfer.request")
            _tell(
                transfer.responder_code,
                _("%(asker)s%(what)s%(name)s，请在 %(day)s 前确认（转移申请第 %(n)d 号）。")
                % {
                    "asker": place_name(_district(transfer.initiator_code)),
                    "what": _("申请迁入本选区的选民")
                    if direction == TransferDirection.REQUESTED_BY_DESTINATION
                    else _("请求接收从该选区迁出的选民"),
                    "name": current.name,
                    "day": transfer.respond_by.isoformat(),
                    "n": transfer.pk,
                },
                transfer,
                exclude=actor,
            )
    except IntegrityError:
        # Another district asked for the same person a moment ago.
        raise ServiceError(
            _("该选民刚刚已有另一项转移申请，请刷新后查看。"), field="id_number"
        ) from None
    return transfer


def _checked_evidence(kind: str, evidence: str) -> str:
    if kind not in EvidenceKind.values:
        raise ServiceError(_("请选择依据类型。"), field="evidence_kind")
    text = evidence.strip()
    if not text:
        raise ServiceError(
            _("请填写依据：选民资格证明编号，或居住证明的名称和编号。"), field="evidence"
        )
    return text[:200]


def _require_transferable(voter: Voter, to_district: District) -> None:
    if voter.status not in TRANSFERABLE:
        raise ServiceError(
            _("%(name)s在原选区的状态为“%(status)s”，不能办理转移。")
            % {"name": voter.name, "status": Status(voter.status).label},
            field="id_number",
        )
    if voter.district_id == to_district.code:
        raise ServiceError(_("该选民已在本选区登记，无需转移。"), field="id_number")


def _require_no_open_transfer(voter: Voter) -> None:
    other = (
        Transfer.objects.select_related("to_district__township")
        .filter(voter=voter, status=TransferStatus.REQUESTED)
        .first()
    )
    if other is not None:
        raise ServiceError(
            _(
                "该选民已有一项待答复的转移申请（第 %(n)d 号，迁往%(to)s），"
                "请等待答复或由申请方撤回后再办理。"
            )
            % {"n": other.pk, "to": place_name(other.to_district)},
            field="id_number",
        )


def _require_certificate(voter: Voter, number: str) -> None:
    """A certificate given as evidence must be this person's, issued by the origin, unused."""
    certificate = Certificate.objects.filter(number=number, voter=voter).first()
    if certificate is None:
        raise ServiceError(
            _("选民资格证明“%(n)s”不是原选区为此人开具的证明。") % {"n": number},
            field="evidence",
        )
    if certificate.status != CertificateStatus.ISSUED or today() > certificate.valid_until:
        raise ServiceError(
            _("选民资格证明“%(n)s”已使用、已作废或已过期。") % {"n": number}, field="evidence"
        )


def conflict_transfer(*, actor: User, conflict: RegistrationConflict) -> Transfer:
    """One click on a registration conflict: ask the district holding the person to transfer
    them here; the conflict is resolved by the request."""
    require(actor, Perm.VOTER_MANAGE, conflict.district_id, _("您无权为该选区申请迁入。"))
    if conflict.resolved_at is not None:
        raise ServiceError(_("该登记冲突已处理。"))
    holder = (
        Voter.objects.select_related("district__township")
        .filter(id_hash=conflict.id_hash, status__in=ACTIVE)
        .first()
    )
    if holder is None:
        raise ServiceError(_("此人目前未在任何选区登记，可直接登记，无需转移。"))
    if holder.district_id == conflict.district_id:
        conflicts_resolve(
            actor=actor, district_code=conflict.district_id, id_hash=bytes(conflict.id_hash)
        )
        raise ServiceError(_("此人已在本选区登记，冲突已消除。"))
    if conflict.import_run is not None:
        evidence = _("批量导入“%(f)s”第 %(r)s 行") % {
            "f": conflict.import_run.original_name,
            "r": conflict.row or "",
        }
    else:
        evidence = _("%(d)s办理登记时发现已在他处登记") % {
            "d": conflict.created_at.date().isoformat()
        }
    with transaction.atomic():
        transfer = transfer_request(
            actor=actor,
            election=conflict.election,
            voter=holder,
            to_district=conflict.district,
            evidence_kind=EvidenceKind.CONFLICT,
            evidence=evidence,
            import_run=conflict.import_run,
        )
        conflicts_resolve(
            actor=actor,
            district_code=conflict.district_id,
            id_hash=bytes(conflict.id_hash),
            transfer_id=transfer.pk,
        )
    return transfer


# --- Answering ------------------------------------------------------------------------------


def transfer_confirm(*, actor: User, transfer: Transfer) -> Transfer:
    """The answering district agrees: the registration moves, in one transaction."""
    _require_side(actor, transfer.responder_code, _("只有被申请方选区可以确认该转移。"))
    try:
        with tally.atomic():
            # Lock order: certificate → transfer → voter, as everywhere (module docstring).
            certificates = list(
                Certificate.objects.select_for_update(of=("self",)).filter(
                    voter_id=transfer.voter_id, status=CertificateStatus.ISSUED
                )
            )
            current = _lock_transfer(transfer.pk)
            _require_move(current, TransferStatus.CONFIRMED)
            require_open(current.election)
            voter = _lock_voter(current.voter_id)
            _require_still_there(current, voter)
            new = _move(actor, current, voter, certificates)
            current.status = TransferStatus.CONFIRMED
            current.new_voter = new
            current.responded_by = actor
            current.responded_at = timezone.now()
            current.save(update_fields=["status", "new_voter", "responded_by", "responded_at"])
            conflicts_resolve(
                actor=actor,
                district_code=current.to_district_id,
                id_hash=bytes(voter.id_hash),
                transfer_id=current.pk,
            )
            _event(current, TransferStatus.REQUESTED, TransferStatus.CONFIRMED, actor, "")
            _audit(actor, current, "transfer.confirm", new_voter=new.pk)
            text = _("%(name)s已从%(from)s转入%(to)s（转移申请第 %(n)d 号已确认）。") % {
                "name": voter.name,
                "from": place_name(current.from_district),
                "to": place_name(current.to_district),
                "n": current.pk,
            }
            for code in (current.from_district_id, current.to_district_id):
                _tell(code, text, current, exclude=actor)
    except IntegrityError:
        # The person became active somewhere else while this ran: nothing was written.
        raise ServiceError(
            _("该公民刚刚已在其他选区完成登记，本次转移未办理。请刷新页面查看。")
        ) from None
    return current


def _move(actor: User, transfer: Transfer, voter: Voter, certificates: list[Certificate]) -> Voter:
    """Close the origin registration, open the destination's; both changes recorded."""
    origin_election = _election_at(transfer.from_district, transfer.election)
    evidence = _("转移申请第 %(n)d 号：%(e)s") % {"n": transfer.pk, "e": transfer.evidence}
    for certificate in certificates:  # the person's status certificate is used up by the move
        certificate.status = CertificateStatus.USED
        certificate.used_at = timezone.now()
        certificate.used_district = transfer.to_district
        certificate.save(update_fields=["status", "used_at", "used_district"])
    revoked = _revoke_proxies(actor, voter, origin_election)
    tally.watch(voter)
    before = voter.status
    voter.status = Status.REMOVED
    voter.removal_reason = RemovalReason.MOVED_OUT
    voter.status_note = (_("转移至%(d)s") % {"d": place_name(transfer.to_district)})[:200]
    voter.save(update_fields=["status", "removal_reason", "status_note", "updated_at"])
    record_change(
        voter=voter,
        kind=ChangeKind.MOVED_OUT,
        actor=actor,
        election=origin_election,
        reason=_("转移至%(d)s") % {"d": place_name(transfer.to_district)},
        evidence=evidence,
        summary={
            "transfer": transfer.pk,
            "to": transfer.to_district_id,
            "before": {"status": before},
            "certificates": [c.number for c in certificates],
            "proxies_revoked": revoked,
        },
    )
    new = Voter.objects.create(
        id_hash=voter.id_hash,
        id_cipher=voter.id_cipher,
        name=voter.name,
        name_pinyin=voter.name_pinyin,
        name_initials=voter.name_initials,
        sex=voter.sex,
        birth_date=voter.birth_date,
        ethnicity=voter.ethnicity,
        household_address=voter.household_address,
        residence_address=transfer.residence_address or voter.residence_address,
        phone=voter.phone,
        group=transfer.group,
        district=transfer.to_district,
        residence_kind=transfer.residence_kind,
        source=Source.TRANSFER,
    )
    tally.created(new)
    record_change(
        voter=new,
        kind=ChangeKind.MOVED_IN,
        actor=actor,
        election=transfer.election,
        reason=_("自%(d)s转入") % {"d": place_name(transfer.from_district)},
        evidence=evidence,
        summary={"transfer": transfer.pk, "from": transfer.from_district_id, "origin": voter.pk},
    )
    return new


def _revoke_proxies(actor: User, voter: Voter, election: Election) -> int:
    """Entrustments given or held by someone who leaves the district end with the move: a
    proxy holder must be a voter of the same district (Art 42)."""
    revoked = 0
    now = timezone.now()
    for proxy in Proxy.objects.select_related("principal", "holder").filter(
        Q(principal=voter) | Q(holder=voter), revoked_at__isnull=True
    ):
        if not Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(revoked_at=now):
            continue
        tally.proxy_changed(proxy, -1)
        record_change(
            voter=proxy.principal,
            kind=ChangeKind.PROXY,
            actor=actor,
            election=proxy.election,
            reason=_("撤销委托：%(name)s迁出本选区") % {"name": voter.name},
            summary={"revoked": True, "holder": proxy.holder_id},
        )
        revoked += 1
    return revoked


def transfer_refuse(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The answering district refuses, saying why; the asking district is told."""
    _require_side(actor, transfer.responder_code, _("只有被申请方选区可以拒绝该转移。"))
    if not reason.strip():
        raise ServiceError(_("请填写拒绝理由。"), field="reason")
    current = _close(actor, transfer, TransferStatus.REFUSED, reason.strip())
    _tell(
        current.initiator_code,
        _("%(side)s拒绝了转移申请第 %(n)d 号（%(name)s）：%(why)s")
        % {
            "side": place_name(_district(current.responder_code)),
            "n": current.pk,
            "name": current.voter.name,
            "why": reason.strip()[:100],
        },
        current,
        exclude=actor,
    )
    return current


def transfer_cancel(*, actor: User, transfer: Transfer, reason: str = "") -> Transfer:
    """The asking district withdraws its transfer before it is answered."""
    _require_side(actor, transfer.initiator_code, _("只有申请方选区可以撤回该转移申请。"))
    current = _close(actor, transfer, TransferStatus.CANCELLED, reason.strip())
    _tell(
        current.responder_code,
        _("转移申请第 %(n)d 号（%(name)s）已由申请方撤回。")
        % {"n": current.pk, "name": current.voter.name},
        current,
        exclude=actor,
    )
    return current


def _close(actor: User | None, transfer: Transfer, new: TransferStatus, note: str) -> Transfer:
    """Refuse, cancel or expire: one transition under the transfer's row lock."""
    with transaction.atomic():
        current = _lock_transfer(transfer.pk)
        _require_move(current, new)
        old = current.status
        current.status = new
        current.responded_by = actor
        current.responded_at = timezone.now()
        current.response_note = note[:200]
        current.save(update_fields=["status", "responded_by", "responded_at", "response_note"])
        _event(current, old, new, actor, note)
        _audit(actor, current, f"transfer.{new}", note=note[:200])
    return current


def transfers_close_for_voter(*, actor: User | None, voter: Voter, note: str) -> int:
    """Expire the open transfer of a registration that just ended another way (a certificate
    used elsewhere, a removal): called inside the caller's transaction."""
    closed = 0
    for transfer in Transfer.objects.filter(voter=voter, status=TransferStatus.REQUESTED):
        _close(actor, transfer, TransferStatus.EXPIRED, note)
        closed += 1
    return closed


# --- The timer: reminders, escalation, expiry -----------------------------------------------


def transfers_remind_and_escalate(*, on: date | None = None) -> dict[str, int]:
    """Run daily (``renda transfers_due``): remind the answering district the day before the
    deadline, escalate to the county office once it has passed, and expire what registration
    closing left unanswered. Each transfer in its own transaction; idempotent per day."""
    day = on or today()
    done = {"reminded": 0, "escalated": 0, "expired": 0}
    open_ = Transfer.objects.filter(status=TransferStatus.REQUESTED)
    for transfer in open_.filter(election__registration_closes__lt=day).order_by("pk"):
        if _expire(transfer):
            done["expired"] += 1
    # "N − 1": the reminder goes when one working day is left (the deadline is today or the
    # next working day); a deadline already passed is escalated instead.
    last_call = add_workdays(day, 1)
    for transfer in open_.filter(
        reminded_at__isnull=True, respond_by__gte=day, respond_by__lte=last_call
    ).order_by("pk"):
        if _remind(transfer):
            done["reminded"] += 1
    for transfer in open_.filter(escalated_at__isnull=True, respond_by__lt=day).order_by("pk"):
        if _escalate(transfer):
            done["escalated"] += 1
    return done


def _expire(transfer: Transfer) -> bool:
    try:
        current = _close(
            None, transfer, TransferStatus.EXPIRED, _("登记已截止，转移申请未获答复，自动失效。")
        )
    except ServiceError:  # answered meanwhile
        return False
    text = _("转移申请第 %(n)d 号（%(name)s）因登记截止未获答复，已失效。") % {
        "n": current.pk,
        "name": current.voter.name,
    }
    for code in (current.from_district_id, current.to_district_id):
        _tell(code, text, current)
    return True


def _remind(transfer: Transfer) -> bool:
    with transaction.atomic():
        current = _lock_transfer(transfer.pk)
        if not current.is_open or current.reminded_at is not None:
            return False
        current.reminded_at = timezone.now()
        current.save(update_fields=["reminded_at"])
        note = _("催办：答复期限为 %(d)s。") % {"d": current.respond_by.isoformat()}
        _event(current, current.status, current.status, None, note)
        _audit(None, current, "transfer.remind")
        _tell(
            current.responder_code,
            _("催办：转移申请第 %(n)d 号（%(name)s）将于 %(d)s 到期，请及时确认或拒绝。")
            % {"n": current.pk, "name": current.voter.name, "d": current.respond_by.isoformat()},
            current,
        )
    return True


def _escalate(transfer: Transfer) -> bool:
    with transaction.atomic():
        current = _lock_transfer(transfer.pk)
        if not current.is_open or current.escalated_at is not None:
            return False
        current.escalated_at = timezone.now()
        current.save(update_fields=["escalated_at"])
        responder = _district(current.responder_code)
        note = _("已逾期，上报县级督办。")
        _event(current, current.status, current.status, None, note)
        _audit(None, current, "transfer.escalate")
        text = _(
            "督办：%(side)s未在 %(d)s 前答复转移申请第 %(n)d 号（%(name)s），已逾期，请督促办理。"
        ) % {
            "side": place_name(responder),
            "d": current.respond_by.isoformat(),
            "n": current.pk,
            "name": current.voter.name,
        }
        notify(
            recipients=county_office(current.responder_code),
            text=text,
            url=transfer_url(current),
            region_code=current.responder_code // 10**6 * 10**6,
        )
        _tell(current.responder_code, text, current)
    return True


# --- Helpers --------------------------------------------------------------------------------


def _lock_transfer(pk: int) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("voter", "election", "from_district__township", "to_district__township")
        .get(pk=pk)
    )


def _lock_voter(pk: int) -> Voter:
    return (
        Voter.objects.select_for_update(of=("self",))
        .select_related("district__township")
        .get(pk=pk)
    )


CLOSED_MESSAGES = {
    TransferStatus.CONFIRMED: gettext_lazy("该转移申请已确认，登记已转移，无需重复办理。"),
    TransferStatus.REFUSED: gettext_lazy(
        "该转移申请已被拒绝，不能再办理；如情况有变，请迁入地重新申请。"
    ),
    TransferStatus.CANCELLED: gettext_lazy("该转移申请已由申请方撤回。"),
    TransferStatus.EXPIRED: gettext_lazy("该转移申请已失效。"),
}


def _require_move(transfer: Transfer, new: TransferStatus) -> None:
    if not transfer_can_move(transfer.status, new):
        raise ServiceError(str(CLOSED_MESSAGES[TransferStatus(transfer.status)]))


def _require_side(actor: User, code: int, message: str) -> None:
    require(actor, Perm.VOTER_MANAGE, code, message)


def _require_still_there(transfer: Transfer, voter: Voter) -> None:
    if voter.district_id != transfer.from_district_id or voter.status not in TRANSFERABLE:
        where = place_name(voter.district)
        raise ServiceError(
            _("%(name)s在%(where)s的登记已变更（%(status)s），本次转移无法办理，请拒绝或撤回。")
            % {"name": voter.name, "where": where, "status": Status(voter.status).label}
        )


def _election_at(district: District, election: Election) -> Election:
    """The election of ``district`` held with ``election``: itself when it covers the
    district, else one held the same day that does (county-by-county elections)."""
    lo, hi = election.region.subtree
    if lo <= district.code <= hi:
        return election
    for other in Election.objects.select_related("region").filter(
        election_day=election.election_day
    ):
        other_lo, other_hi = other.region.subtree
        if other_lo <= district.code <= other_hi:
            return other
    return election


def _district(code: int) -> District:
    return District.objects.select_related("township").get(code=code)


def _event(transfer: Transfer, old: str, new: str, actor: User | None, note: str) -> TransferEvent:
    return TransferEvent.objects.create(
        transfer=transfer, old=old, new=new, actor=actor, note=note[:200]
    )


def _audit(actor: User | None, transfer: Transfer, action: str, **extra: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=transfer,
        region_code=transfer.responder_code,
        summary={
            "voter": transfer.voter_id,
            "from": transfer.from_district_id,
            "to": transfer.to_district_id,
            "direction": transfer.direction,
            "evidence_kind": transfer.evidence_kind,
            **extra,
        },
    )


def _manage_roles() -> list[str]:
    return [role.value for role, perms in PERMISSIONS.items() if Perm.VOTER_MANAGE in perms]


def district_office(code: int) -> list[User]:
    """Who answers for a district: the accounts that register voters there, assigned on the
    district itself; failing that on its township; failing that on its county."""
    township, county = code // 1000 * 1000, code // 10**6 * 10**6
    for scope in (Q(district_id=code), Q(region_id=township), Q(region_id=county)):
        users = _holders(scope)
        if users:
            return users
    return []


def county_office(code: int) -> list[User]:
    """The county's (or failing that the city's) staff, for escalations."""
    county, city = code // 10**6 * 10**6, code // 10**8 * 10**8
    for scope in (Q(region_id=county), Q(region_id=city)):
        users = _holders(scope)
        if users:
            return users
    return []


def _holders(scope: Q) -> list[User]:
    from renda.accounts.models import RoleAssignment

    ids = RoleAssignment.objects.filter(scope, role__in=_manage_roles()).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _tell(code: int, text: str, transfer: Transfer, *, exclude: User | None = None) -> None:
    recipients = [u for u in district_office(code) if exclude is None or u.pk != exclude.pk]
    notify(recipients=recipients, text=text, url=transfer_url(transfer), region_code=code)
