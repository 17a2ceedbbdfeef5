"""选民资格证明: issued by the district where a person is registered, used where they live."""

from __future__ import annotations

import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.regions.models import District
from renda.voters import tally
from renda.voters.models import (
    Certificate,
    CertificateStatus,
    ChangeKind,
    Election,
    RemovalReason,
    Status,
    Transfer,
    TransferStatus,
    Voter,
)
from renda.voters.services.common import record_change, require, require_covers, today
from renda.voters.services.transfers import transfers_close_for_voter

# No look-alikes: the code is read off paper and typed, or scanned from the QR code.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def _verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def certificate_issue(*, actor: User, election: Election, voter: Voter) -> Certificate:
    """Issue a certificate; the person stays on this register as 'certificate issued'."""
    require(actor, Perm.VOTER_MANAGE, voter.district_id, _("您无权为该选区的选民开具证明。"))
    require_covers(election, voter.district)
    if voter.status != Status.REGISTERED:
        raise ServiceError(_("只能为已登记的选民开具选民资格证明。"))
    if today() > election.election_day:
        raise ServiceError(_("选举日已过，不能再开具选民资格证明。"))
    with tally.atomic():
        tally.watch(voter)
        _require_issuable(voter)
        seq = Certificate.objects.filter(district=voter.district, election=election).count() + 1
        certificate = Certificate.objects.create(
            number=f"{voter.district_id}-{seq:04d}",
            verify_code=_verify_code(),
            voter=voter,
            election=election,
            district=voter.district,
            issued_by=actor,
            valid_until=election.election_day,
        )
        tally.certificate_changed(certificate, +1)
        voter.status = Status.CERTIFIED_OUT
        voter.save(update_fields=["status", "updated_at"])
        record_change(
            voter=voter,
            kind=ChangeKind.CERTIFICATE_ISSUED,
            actor=actor,
            election=election,
            evidence=certificate.number,
            summary={"certificate": certificate.number},
        )
    return certificate


def _require_issuable(voter: Voter) -> None:
    """Read again under the row lock: a transfer may have moved the person meanwhile, and a
    person with an open transfer request is answered through that request instead."""
    voter.refresh_from_db(fields=["status", "district"])
    if voter.status != Status.REGISTERED:
        raise ServiceError(_("只能为已登记的选民开具选民资格证明。"))
    if Transfer.objects.filter(voter=voter, status=TransferStatus.REQUESTED).exists():
        raise ServiceError(
            _("该选民有一项待答复的转移申请，请先在“转移申请”中确认或拒绝，不必再开具证明。")
        )


def certificate_for_use(
    number: str, id_hash: bytes, district: District, election: Election | None = None
) -> Certificate:
    """The certificate a registration elsewhere presents, locked, or a refusal saying why.

    ``election`` is the election the registration is made for (see _require_same_round)."""
    certificate = (
        # The certificate row only: not the district and election rows, which every other
        # certificate of the election would then wait for. Lock order: certificate →
        # transfer → voter (services/transfers.py).
        Certificate.objects.select_for_update(of=("self",))
        .select_related("voter", "district", "election__region")
        .filter(number=number.strip())
        .first()
    )
    if certificate is None or bytes(certificate.voter.id_hash) != id_hash:
        raise ServiceError(
            _("选民资格证明编号“%(n)s”不存在，或不是此人的证明。") % {"n": number},
            field="certificate_number",
        )
    if certificate.status == CertificateStatus.USED:
        raise ServiceError(
            _("该选民资格证明已于 %(at)s 使用过，不能重复使用。")
            % {
                "at": timezone.localtime(certificate.used_at).strftime("%Y-%m-%d")
                if certificate.used_at
                else ""
            },
            field="certificate_number",
        )
    if certificate.status == CertificateStatus.REVOKED:
        raise ServiceError(_("该选民资格证明已作废。"), field="certificate_number")
    if today() > certificate.valid_until:
        raise ServiceError(
            _("该选民资格证明已过期（有效期至 %(d)s）。")
            % {"d": certificate.valid_until.isoformat()},
            field="certificate_number",
        )
    if certificate.district_id == district.code:
        raise ServiceError(_("不能在开具证明的原选区使用该证明。"), field="certificate_number")
    origin = certificate.voter
    if origin.status != Status.CERTIFIED_OUT or origin.district_id != certificate.district_id:
        raise ServiceError(
            _("该证明对应的原登记已变更（如已转移或除名），证明不能再使用。"),
            field="certificate_number",
        )
    _require_same_round(certificate, district, election)
    return certificate


def _require_same_round(
    certificate: Certificate, district: District, election: Election | None
) -> None:
    """A certificate serves the election it was issued for: anywhere in that election's area,
    and where the county-by-county elections of one round are held the same day, in any of
    them (a migrant from another county is the usual holder)."""
    issued_for = certificate.election
    if election is None or election.pk == issued_for.pk:
        candidates = [issued_for]
    elif election.election_day == issued_for.election_day:
        candidates = [issued_for, election]
    else:
        candidates = []
    for candidate in candidates:
        lo, hi = candidate.region.subtree
        if lo <= district.code <= hi:
            return
    raise ServiceError(
        _("该选民资格证明是为“%(e)s”开具的，不能用于在“%(d)s”登记。")
        % {"e": certificate.election.name, "d": district.name},
        field="certificate_number",
    )


def certificate_close(*, actor: User, certificate: Certificate, district: District) -> None:
    """Registration in ``district`` uses the certificate: it is spent and the origin closed.

    Called before the new registration is inserted, so that one person never holds two
    active registrations, not even inside the transaction; inside tally.atomic().
    """
    origin = certificate.voter
    # An open transfer of this registration has nothing left to move (its row is locked
    # before the voter's: the lock order of services/transfers.py).
    transfers_close_for_voter(
        actor=actor, voter=origin, note=_("已凭选民资格证明在%(d)s登记") % {"d": district.name}
    )
    tally.watch(origin)
    origin.refresh_from_db(fields=["status", "district"])
    if origin.status != Status.CERTIFIED_OUT or origin.district_id != certificate.district_id:
        raise ServiceError(
            _("该证明对应的原登记已变更（如已转移或除名），证明不能再使用。"),
            field="certificate_number",
        )
    certificate.status = CertificateStatus.USED
    certificate.used_at = timezone.now()
    certificate.used_district = district
    certificate.save(update_fields=["status", "used_at", "used_district"])
    origin.status = Status.REMOVED
    origin.removal_reason = RemovalReason.MOVED_OUT
    origin.status_note = _("凭选民资格证明在%(d)s登记") % {"d": district.name}
    origin.save(update_fields=["status", "removal_reason", "status_note", "updated_at"])
    record_change(
        voter=origin,
        kind=ChangeKind.CERTIFICATE_USED,
        actor=actor,
        election=certificate.election,
        evidence=certificate.number,
        summary={"registered_in": district.code},
    )


def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Withdraw an unused certificate; the person is fully registered here again."""
    require(actor, Perm.VOTER_MANAGE, certificate.district_id)
    if certificate.status != CertificateStatus.ISSUED:
        raise ServiceError(_("只有未使用的证明可以作废。"))
    with tally.atomic():
        # Locked and read again: used or revoked meanwhile, it is not counted off twice.
        current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if current.status != CertificateStatus.ISSUED:
            raise ServiceError(_("只有未使用的证明可以作废。"))
        tally.watch(certificate.voter)
        tally.certificate_changed(certificate, -1)
        certificate.status = CertificateStatus.REVOKED
        certificate.save(update_fields=["status"])
        voter = certificate.voter
        if voter.status == Status.CERTIFIED_OUT:
            voter.status = Status.REGISTERED
            voter.save(update_fields=["status", "updated_at"])
        record_change(
            voter=voter,
            kind=ChangeKind.LIFTED,
            actor=actor,
            election=certificate.election,
            reason=reason,
            evidence=certificate.number,
            summary={"certificate_revoked": True},
        )
    return certificate
