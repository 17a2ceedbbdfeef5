"""The register itself: register, correct, remove, restore, not listed, suspend, proxies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.regions.models import District
from renda.regions.selectors import address_code_known
from renda.voters import pii, tally
from renda.voters.ethnicity import ETHNICITIES
from renda.voters.idnumbers import FLAG_CENTENARIAN, FLAG_HMT, IdCheck, check_id
from renda.voters.models import (
    ACTIVE,
    ChangeKind,
    ConflictSource,
    Election,
    HmtPolicy,
    Proxy,
    RemovalReason,
    ResidenceKind,
    Sex,
    Source,
    Status,
    Voter,
)
from renda.voters.names import clean_name, pinyin_of
from renda.voters.rules import is_of_age
from renda.voters.services.certificates import certificate_close, certificate_for_use
from renda.voters.services.common import (
    first_list,
    record_change,
    require,
    require_covers,
    require_open,
    snapshot,
)
from renda.voters.services.conflicts import ActiveElsewhere, conflict_record
from renda.voters.services.transfers import transfers_close_for_voter

REGISTER_KINDS = frozenset(
    {ChangeKind.REGISTERED, ChangeKind.NEWLY_18, ChangeKind.MOVED_IN, ChangeKind.RESTORED}
)
REMOVAL_KIND = {
    RemovalReason.DECEASED: ChangeKind.DECEASED,
    RemovalReason.DEPRIVED: ChangeKind.DEPRIVED,
    RemovalReason.MOVED_OUT: ChangeKind.MOVED_OUT,
    RemovalReason.DUPLICATE: ChangeKind.REMOVED,
    RemovalReason.ERROR: ChangeKind.REMOVED,
}
CORRECTABLE = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "household_address",
    "residence_address",
    "phone",
    "group",
    "residence_kind",
)


@dataclass(frozen=True)
class Person:
    """What a registrar types about a person."""

    id_number: str
    name: str
    sex: str | None = None
    birth_date: date | None = None
    ethnicity: int = 1
    household_address: str = ""
    residence_address: str = ""
    phone: str = ""
    group: str = ""
    residence_kind: str = ResidenceKind.HOUSEHOLD


def validate_id(
    number: str, election: Election, *, sex: str | None = None, birth_date: date | None = None
) -> IdCheck:
    """The ID checks of the register, each refusal a Chinese message naming the field."""
    check = check_id(number, known_address=address_code_known)
    if not check.valid or check.normalized is None:
        raise ServiceError(check.error or _("身份证号码无效。"), field="id_number")
    if FLAG_CENTENARIAN in check.flags:
        raise ServiceError(
            _(
                "旧版 15 位号码的顺序码为 996–999，可能属于 1900 年以前出生的老人，"
                "无法确定出生世纪。请核对户籍后以 18 位号码登记。"
            ),
            field="id_number",
        )
    if FLAG_HMT in check.flags and election.hmt_policy != HmtPolicy.ALLOW:
        raise ServiceError(
            _("这是港澳台居民居住证号码。按本次选举的规定，须由选举委员会审核，不能直接登记。")
            if election.hmt_policy == HmtPolicy.REVIEW
            else _("按本次选举的规定，港澳台居民居住证持有人不在本地登记。"),
            field="id_number",
        )
    assert check.birth_date is not None and check.sex is not None
    if sex and sex != check.sex:
        raise ServiceError(
            _("性别“%(given)s”与身份证号码显示的“%(id)s”不一致。")
            % {"given": Sex(sex).label, "id": Sex(check.sex).label},
            field="sex",
        )
    if birth_date and birth_date != check.birth_date:
        raise ServiceError(
            _("出生日期 %(given)s 与身份证号码显示的 %(id)s 不一致。")
            % {"given": birth_date.isoformat(), "id": check.birth_date.isoformat()},
            field="birth_date",
        )
    if not is_of_age(check.birth_date, election.election_day, election.feb29_rule):
        raise ServiceError(
            _("至选举日（%(day)s）未满十八周岁（%(born)s 出生），不能登记为选民。")
            % {"day": election.election_day.isoformat(), "born": check.birth_date.isoformat()},
            field="id_number",
        )
    return check


def _check_person(person: Person) -> str:
    name = clean_name(person.name)
    if not name or len(name) > 64:
        raise ServiceError(_("请填写姓名（不超过 64 字）。"), field="name")
    if person.ethnicity not in ETHNICITIES:
        raise ServiceError(_("民族无效。"), field="ethnicity")
    if person.residence_kind not in ResidenceKind.values:
        raise ServiceError(_("登记类型无效。"), field="residence_kind")
    return name


def _active_elsewhere(sealed_hash: bytes) -> Voter | None:
    return (
        Voter.objects.select_related("district__township")
        .filter(id_hash=sealed_hash, status__in=ACTIVE)
        .first()
    )


def _where(voter: Voter) -> str:
    return f"{voter.district.township.name}{voter.district.name}"


def voter_register(
    *,
    actor: User,
    election: Election,
    district: District,
    person: Person,
    kind: ChangeKind = ChangeKind.REGISTERED,
    certificate_number: str = "",
    court_date: date | None = None,
    evidence: str = "",
    source: str = Source.MANUAL,
    bypass_window: bool = False,
) -> Voter:
    """Register a person in ``district`` after every rule of the register has been checked."""
    require(actor, Perm.VOTER_MANAGE, district.code, _("您无权在该选区登记选民。"))
    require_covers(election, district)
    if not bypass_window:
        require_open(election)
    if kind not in REGISTER_KINDS:
        raise ValueError(kind)
    if kind == ChangeKind.RESTORED and court_date is None:
        raise ServiceError(
            _("恢复政治权利须填写法院（或社区矫正机构）文书载明的日期。"), field="court_date"
        )
    name = _check_person(person)
    check = validate_id(person.id_number, election, sex=person.sex, birth_date=person.birth_date)
    assert check.normalized is not None and check.birth_date is not None and check.sex
    sealed = pii.seal(check.normalized)
    full, initials = pinyin_of(name)
    try:
        with tally.atomic():
            holder = _active_elsewhere(sealed.hash)
            certificate = None
            if certificate_number:
                certificate = certificate_for_use(
                    certificate_number, sealed.hash, district, election
                )
            if holder is not None and certificate is None:
                if holder.district_id == district.code:
                    raise ServiceError(_("该公民已在本选区登记。"), field="id_number")
                raise ActiveElsewhere(
                    _(
                        "该公民已在“%(where)s”登记，不能重复登记。若其已迁居本选区，"
                        "请发起转移，或凭原选区开具的选民资格证明登记。"
                    )
                    % {"where": _where(holder)},
                    holder=holder,
                    field="id_number",
                )
            if certificate is not None:
                certificate_close(actor=actor, certificate=certificate, district=district)
            voter = Voter.objects.create(
                id_hash=sealed.hash,
                id_cipher=sealed.cipher,
                name=name,
                name_pinyin=full,
                name_initials=initials,
                sex=check.sex,
                birth_date=check.birth_date,
                ethnicity=person.ethnicity,
                household_address=person.household_address.strip()[:200],
                residence_address=person.residence_address.strip()[:200],
                phone=person.phone.strip()[:20],
                group=person.group.strip()[:64],
                district=district,
                residence_kind=(
                    ResidenceKind.CERTIFICATE if certificate else person.residence_kind
                ),
                source=source,
            )
            tally.created(voter)
            record_change(
                voter=voter,
                kind=kind,
                actor=actor,
                election=election,
                evidence=evidence,
                effective_date=court_date,
                summary={"after": snapshot(voter), "flags": list(check.flags)},
            )
    except ActiveElsewhere as refusal:
        # The registration rolled back; the refusal is kept (its own savepoint) so that it can
        # become a transfer request in one click (services/conflicts.py).
        conflict_record(
            actor=actor,
            election=election,
            district=district,
            holder=refusal.holder,
            name=name,
            id_hash=sealed.hash,
            source=ConflictSource.SELF_SERVICE
            if source == Source.SELF
            else ConflictSource.REGISTER,
        )
        raise
    except IntegrityError:
        raise ServiceError(
            _("该公民刚刚已在其他选区登记，不能重复登记。"), field="id_number"
        ) from None
    return voter


def voter_correct(
    *, actor: User, voter: Voter, election: Election, reason: str, **fields: Any
) -> Voter:
    """Correct registered details; a new ID number is checked like a registration."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id)
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    if not reason.strip():
        raise ServiceError(_("请填写更正原因。"), field="reason")
    before = snapshot(voter)
    number = fields.pop("id_number", None)
    if "name" in fields:
        fields["name"] = _check_person(
            Person(
                id_number="",
                name=fields["name"],
                ethnicity=fields.get("ethnicity", voter.ethnicity),
            )
        )
        voter.name_pinyin, voter.name_initials = pinyin_of(fields["name"])
    try:
        with tally.atomic():
            tally.watch(voter)  # sex, birth date, ethnicity, residence kind move between columns
            if number:
                # Sex and birth date given with a new number must agree with it.
                check = validate_id(
                    number,
                    election,
                    sex=fields.pop("sex", None),
                    birth_date=fields.pop("birth_date", None),
                )
                assert check.normalized is not None
                sealed = pii.seal(check.normalized)
                other = _active_elsewhere(sealed.hash)
                if other is not None and other.pk != voter.pk:
                    raise ServiceError(
                        _("该身份证号码已在“%(where)s”登记。") % {"where": _where(other)},
                        field="id_number",
                    )
                voter.id_hash, voter.id_cipher = sealed.hash, sealed.cipher
                voter.birth_date, voter.sex = check.birth_date, check.sex  # type: ignore[assignment]
            for name, value in fields.items():
                setattr(voter, name, value.strip() if isinstance(value, str) else value)
            if ("sex" in fields or "birth_date" in fields) and not number:
                validate_id(
                    pii.reveal(voter.id_cipher),
                    election,
                    sex=voter.sex,
                    birth_date=voter.birth_date,
                )
            voter.save()
            after = snapshot(voter)
            changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if number:
                changed["id_number"] = ["***", "***"]
            record_change(
                voter=voter,
                kind=ChangeKind.CORRECTED,
                actor=actor,
                election=election,
                reason=reason,
                summary={"changed": changed},
            )
    except IntegrityError:
        raise ServiceError(_("该身份证号码已在其他选区登记。"), field="id_number") from None
    return voter


def _set_status(voter: Voter, status: Status, *, reason: str = "", note: str = "") -> None:
    """Inside tally.atomic(): the counters follow the status."""
    tally.watch(voter)
    voter.status = status
    voter.removal_reason = reason
    voter.status_note = note[:200]
    voter.save(update_fields=["status", "removal_reason", "status_note", "updated_at"])


def voter_remove(
    *,
    actor: User,
    voter: Voter,
    election: Election,
    reason: RemovalReason,
    evidence: str = "",
    effective_date: date | None = None,
) -> Voter:
    """Remove a voter from the register (三减), with the reason and its evidence."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id)
    if voter.status == Status.REMOVED:
        raise ServiceError(_("该选民已除名。"))
    if reason in {RemovalReason.DECEASED, RemovalReason.DEPRIVED} and not evidence.strip():
        raise ServiceError(
            _("死亡或被剥夺政治权利须填写依据（如死亡证明、判决书编号）。"), field="evidence"
        )
    with tally.atomic():
        before = snapshot(voter)
        # An open transfer of the person ends with the registration (its row is locked before
        # the voter's: the lock order of services/transfers.py).
        transfers_close_for_voter(
            actor=actor,
            voter=voter,
            note=_("该选民已除名：%(r)s") % {"r": RemovalReason(reason).label},
        )
        _set_status(voter, Status.REMOVED, reason=reason, note=evidence)
        record_change(
            voter=voter,
            kind=REMOVAL_KIND[reason],
            actor=actor,
            election=election,
            reason=str(RemovalReason(reason).label),
            evidence=evidence,
            effective_date=effective_date,
            summary={"before": {"status": before["status"]}},
        )
    return voter


def voters_remove_bulk(
    *, actor: User, voters: list[Voter], election: Election, reason: RemovalReason, evidence: str
) -> int:
    """Remove many at once — only before the district's list is published (选举法 Art 28)."""
    for district_code in {v.district_id for v in voters}:
        if first_list(election, district_code) is not None:
            raise ServiceError(
                _(
                    "该选区的选民名单已公布，不能再批量删除；"
                    "请逐人办理，变动将列入补充名单，或通过申诉处理。"
                )
            )
    with tally.atomic():  # one counter statement for the whole batch
        for voter in voters:
            voter_remove(
                actor=actor, voter=voter, election=election, reason=reason, evidence=evidence
            )
    return len(voters)


def voter_restore(
    *, actor: User, voter: Voter, election: Election, court_date: date, evidence: str
) -> Voter:
    """Political rights restored: back on the register from the date on the court's record."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id)
    if not (voter.status == Status.REMOVED and voter.removal_reason == RemovalReason.DEPRIVED):
        raise ServiceError(_("只有因被剥夺政治权利而除名的选民才能恢复。"))
    if not evidence.strip():
        raise ServiceError(_("请填写法院或社区矫正机构的文书编号。"), field="evidence")
    try:
        with tally.atomic():
            _set_status(voter, Status.REGISTERED)
            record_change(
                voter=voter,
                kind=ChangeKind.RESTORED,
                actor=actor,
                election=election,
                evidence=evidence,
                effective_date=court_date,
            )
    except IntegrityError:
        raise ServiceError(_("该公民已在其他选区登记。")) from None
    return voter


def voter_mark_not_listed(
    *, actor: User, voter: Voter, election: Election, basis: str, confirmed_on: date
) -> Voter:
    """精神病患者不能行使选举权利, confirmed by the election committee: who, when, on what."""
    require(
        actor,
        Perm.VOTER_CONFIRM,
        voter.district_id,
        _("只有选举委员会成员可以确认不列入选民名单。"),
    )
    if voter.status != Status.REGISTERED:
        raise ServiceError(_("只有已登记的选民可以确认不列入名单。"))
    if not basis.strip():
        raise ServiceError(_("请填写确认依据（如医疗机构证明）。"), field="basis")
    with tally.atomic():
        _set_status(voter, Status.NOT_LISTED, note=basis)
        record_change(
            voter=voter,
            kind=ChangeKind.NOT_LISTED,
            actor=actor,
            election=election,
            evidence=basis,
            effective_date=confirmed_on,
            summary={
                "confirmed_by": actor.get_username(),
                "confirmed_on": confirmed_on.isoformat(),
            },
        )
    return voter


def voter_suspend(*, actor: User, voter: Voter, election: Election, decision: str) -> Voter:
    """停止行使选举权利 by decision of the procuratorate or court: a status, not a removal."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id)
    if voter.status != Status.REGISTERED:
        raise ServiceError(_("只有已登记的选民可以停止行使选举权利。"))
    if not decision.strip():
        raise ServiceError(_("请填写检察院或法院的决定文书编号。"), field="decision")
    with tally.atomic():
        _set_status(voter, Status.SUSPENDED, note=decision)
        record_change(
            voter=voter,
            kind=ChangeKind.SUSPENDED,
            actor=actor,
            election=election,
            evidence=decision,
        )
    return voter


def voter_reinstate(*, actor: User, voter: Voter, election: Election, evidence: str) -> Voter:
    """Lift a suspension, or relist a person the committee had not listed."""
    if voter.status == Status.NOT_LISTED:
        require(
            actor,
            Perm.VOTER_CONFIRM,
            voter.district_id,
            _("只有选举委员会成员可以撤销不列入名单的确认。"),
        )
    elif voter.status == Status.SUSPENDED:
        require(actor, Perm.VOTER_MANAGE, voter.district_id)
    else:
        raise ServiceError(_("该选民当前状态无需恢复。"))
    if not evidence.strip():
        raise ServiceError(_("请填写依据。"), field="evidence")
    with tally.atomic():
        _set_status(voter, Status.REGISTERED)
        record_change(
            voter=voter, kind=ChangeKind.LIFTED, actor=actor, election=election, evidence=evidence
        )
    return voter


def voter_set_mobile_box(
    *, actor: User, voter: Voter, election: Election, on: bool, reason: str = ""
) -> Voter:
    """流动票箱 for voters who cannot come to a polling station (old, ill, detained)."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id)
    if voter.mobile_box == on:
        return voter
    with tally.atomic():
        tally.watch(voter)
        voter.mobile_box = on
        voter.save(update_fields=["mobile_box", "updated_at"])
        record_change(
            voter=voter,
            kind=ChangeKind.MOBILE_BOX,
            actor=actor,
            election=election,
            reason=reason,
            summary={"mobile_box": on},
        )
    return voter


def proxy_register(*, actor: User, election: Election, principal: Voter, holder: Voter) -> Proxy:
    """A written entrustment (Art 42): one holder may vote for at most ``max_proxies`` others."""
    require(actor, Perm.VOTER_MANAGE, principal.district_id)
    if principal.pk == holder.pk:
        raise ServiceError(_("不能委托本人。"), field="holder")
    if principal.status != Status.REGISTERED or holder.status != Status.REGISTERED:
        raise ServiceError(_("委托人和受托人都必须是已登记的选民。"), field="holder")
    if holder.district_id != principal.district_id:
        raise ServiceError(_("受托人须是同一选区的选民。"), field="holder")
    with tally.atomic():
        # Both rows locked, in id order: serialises per holder (the limit below) and keeps the
        # principal's district, where the proxy is counted, fixed until commit.
        tally.watch_ids(sorted({principal.pk, holder.pk}))
        held = Proxy.objects.filter(
            election=election, holder=holder, revoked_at__isnull=True
        ).count()
        if held >= election.max_proxies:
            raise ServiceError(
                _(
                    "受托人%(name)s已接受 %(n)d 名选民的委托，每名选民接受委托不得超过 "
                    "%(n)d 人（选举法第四十二条）。"
                )
                % {"name": holder.name, "n": election.max_proxies},
                field="holder",
            )
        if Proxy.objects.filter(
            election=election, principal=principal, revoked_at__isnull=True
        ).exists():
            raise ServiceError(_("该选民已委托他人投票。"), field="principal")
        proxy = Proxy.objects.create(
            election=election, principal=principal, holder=holder, created_by=actor
        )
        tally.proxy_changed(proxy, +1)
        record_change(
            voter=principal,
            kind=ChangeKind.PROXY,
            actor=actor,
            election=election,
            summary={"holder": holder.pk, "holder_name": holder.name},
        )
    return proxy


def proxy_revoke(*, actor: User, proxy: Proxy) -> None:
    from django.utils import timezone

    require(actor, Perm.VOTER_MANAGE, proxy.principal.district_id)
    with tally.atomic():
        proxy.revoked_at = timezone.now()
        # Only an active proxy can be revoked, once: a second revoke would count twice.
        if not Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(
            revoked_at=proxy.revoked_at
        ):
            raise ServiceError(_("该委托已撤销。"))
        tally.proxy_changed(proxy, -1)
        record_change(
            voter=proxy.principal,
            kind=ChangeKind.PROXY,
            actor=actor,
            election=proxy.election,
            reason=_("撤销委托"),
            summary={"revoked": True, "holder": proxy.holder_id},
        )
