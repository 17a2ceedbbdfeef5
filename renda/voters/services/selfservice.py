"""选民自助: a citizen asks to be registered where they live; the district reviews the request.

Submitted on a public page (no account), so the service trusts nothing: the ID number is
checked like a registration's and sealed at once, the evidence scan is checked by its first
bytes and stored encrypted. Accepting registers the person through ``voter_register``
(source 选民自助); a person active in another district becomes a transfer request instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core import privatefiles
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.core.notifications import notify
from renda.regions.models import District
from renda.voters import pii
from renda.voters.ethnicity import ETHNICITIES
from renda.voters.models import (
    ACTIVE,
    ChangeKind,
    ConflictSource,
    Election,
    EvidenceKind,
    ResidenceKind,
    SelfServiceRequest,
    SelfServiceStatus,
    Source,
    Transfer,
    Voter,
)
from renda.voters.names import clean_name
from renda.voters.services.common import require, require_covers, require_open
from renda.voters.services.conflicts import ActiveElsewhere, conflict_record, conflicts_resolve
from renda.voters.services.register import Person, validate_id, voter_register
from renda.voters.services.transfers import district_office, place_name, transfer_request

MAX_FILE_BYTES = 5 * 1024 * 1024
# What an evidence scan may be, recognised by its first bytes (the name can say anything).
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # read over the phone: no look-alikes
REFERENCE_LENGTH = 10


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Application:
    """What the citizen types on the public form."""

    id_number: str
    name: str
    phone: str
    residence_address: str
    evidence: str
    household_address: str = ""
    ethnicity: int = 1


def selfservice_submit(
    *, election: Election, district: District, application: Application, upload: Upload | None
) -> SelfServiceRequest:
    """Record a citizen's request in the district's review queue; the answer is a reference."""
    require_covers(election, district)
    require_open(election)
    name = clean_name(application.name)
    if not name or len(name) > 64:
        raise ServiceError(_("请填写姓名（不超过 64 字）。"), field="name")
    check = validate_id(application.id_number, election)
    assert check.normalized is not None and check.birth_date is not None and check.sex
    phone = application.phone.strip()
    if not (7 <= len(phone) <= 20) or not all(c.isdigit() or c in "-+ " for c in phone):
        raise ServiceError(_("请填写有效的联系电话。"), field="phone")
    if not application.residence_address.strip():
        raise ServiceError(_("请填写现住址。"), field="residence_address")
    if not application.evidence.strip():
        raise ServiceError(
            _("请说明居住证明（如居住证、房产证、租赁合同）及其编号。"), field="evidence"
        )
    if application.ethnicity not in ETHNICITIES:
        raise ServiceError(_("民族无效。"), field="ethnicity")
    suffix = _checked_upload(upload)
    sealed = pii.seal(check.normalized)
    stored = privatefiles.store(upload.data, folder="selfservice") if upload else ""
    try:
        with transaction.atomic():
            request = SelfServiceRequest.objects.create(
                reference=_reference(),
                election=election,
                district=district,
                name=name,
                sex=check.sex,
                birth_date=check.birth_date,
                ethnicity=application.ethnicity,
                id_hash=sealed.hash,
                id_cipher=sealed.cipher,
                phone=phone,
                residence_address=application.residence_address.strip()[:200],
                household_address=application.household_address.strip()[:200],
                evidence=application.evidence.strip()[:300],
                evidence_file=stored,
                evidence_filename=_safe_name(upload.name, suffix) if upload else "",
            )
            audit_record(
                actor=None,
                action="selfservice.submit",
                target=request,
                region_code=district.code,
                summary={"reference": request.reference, "file": bool(stored)},
            )
            notify(
                recipients=district_office(district.code),
                text=_("收到选民自助登记申请：%(name)s（受理编号 %(ref)s），请审核。")
                % {"name": name, "ref": request.reference},
                url=reverse("voters:selfservice_detail", args=[request.pk]),
                region_code=district.code,
            )
    except IntegrityError:
        privatefiles.remove(stored)
        raise ServiceError(
            _("该身份证号码已有一份待审核的申请，请勿重复提交；如需补充材料，请与选区登记员联系。"),
            field="id_number",
        ) from None
    return request


def _checked_upload(upload: Upload | None) -> str:
    if upload is None:
        return ""
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in SIGNATURES:
        raise ServiceError(_("附件只接受 PDF、JPG 或 PNG 文件。"), field="evidence_file")
    if len(upload.data) > MAX_FILE_BYTES:
        raise ServiceError(_("附件不能超过 5 MB。"), field="evidence_file")
    if not any(upload.data.startswith(sig) for sig in SIGNATURES[suffix]):
        raise ServiceError(
            _("附件内容与文件类型不符，请上传原始的 PDF、JPG 或 PNG 文件。"),
            field="evidence_file",
        )
    return suffix


def _safe_name(name: str, suffix: str) -> str:
    stem = "".join(c for c in PurePath(name).stem if c.isalnum() or c in "-_ ")[:80]
    return f"{stem or 'evidence'}{suffix}"


def _reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def content_type_of(request: SelfServiceRequest) -> str:
    return CONTENT_TYPES.get(PurePath(request.evidence_filename).suffix.lower(), "")


# --- Review ---------------------------------------------------------------------------------


def selfservice_accept(
    *,
    actor: User,
    request: SelfServiceRequest,
    residence_kind: str = ResidenceKind.RESIDENT,
    group: str = "",
    certificate_number: str = "",
) -> Voter:
    """Register the person as asked. Refused like any registration; a person active in another
    district is recorded as a conflict (offer a transfer instead)."""
    require(actor, Perm.VOTER_MANAGE, request.district_id, _("您无权审核该选区的申请。"))
    person = Person(
        id_number=pii.reveal(request.id_cipher),
        name=request.name,
        sex=request.sex,
        birth_date=request.birth_date,
        ethnicity=request.ethnicity,
        household_address=request.household_address,
        residence_address=request.residence_address,
        phone=request.phone,
        group=group,
        residence_kind=residence_kind,
    )
    try:
        with transaction.atomic():
            current = _lock_open(request)
            voter = voter_register(
                actor=actor,
                election=current.election,
                district=current.district,
                person=person,
                kind=ChangeKind.REGISTERED,
                certificate_number=certificate_number.strip(),
                evidence=_("选民自助登记申请 %(ref)s：%(e)s")
                % {"ref": current.reference, "e": current.evidence},
                source=Source.SELF,
            )
            _decide(actor, current, SelfServiceStatus.ACCEPTED, _("已登记"), voter=voter)
    except ActiveElsewhere as refusal:
        # Its registration rolled back with the rest; the conflict is kept on its own.
        conflict_record(
            actor=actor,
            election=request.election,
            district=request.district,
            holder=refusal.holder,
            name=request.name,
            id_hash=bytes(request.id_hash),
            source=ConflictSource.SELF_SERVICE,
        )
        raise
    return voter


def selfservice_reject(*, actor: User, request: SelfServiceRequest, note: str) -> None:
    require(actor, Perm.VOTER_MANAGE, request.district_id, _("您无权审核该选区的申请。"))
    if not note.strip():
        raise ServiceError(_("请填写不予登记的理由，申请人查询时可以看到。"), field="note")
    with transaction.atomic():
        _decide(actor, _lock_open(request), SelfServiceStatus.REJECTED, note.strip())


def selfservice_transfer(*, actor: User, request: SelfServiceRequest) -> Transfer:
    """The person is registered in another district: ask that district to transfer them."""
    require(actor, Perm.VOTER_MANAGE, request.district_id, _("您无权审核该选区的申请。"))
    holder = active_registration(request)
    if holder is None or holder.district_id == request.district_id:
        raise ServiceError(_("此人未在其他选区登记，请直接审核登记。"))
    with transaction.atomic():
        current = _lock_open(request)
        transfer = transfer_request(
            actor=actor,
            election=current.election,
            voter=holder,
            to_district=current.district,
            evidence_kind=EvidenceKind.SELF_SERVICE,
            evidence=_("自助申请 %(ref)s：%(e)s")
            % {"ref": current.reference, "e": current.evidence},
            residence_kind=ResidenceKind.RESIDENT,
            residence_address=current.residence_address,
        )
        conflicts_resolve(
            actor=actor,
            district_code=current.district_id,
            id_hash=bytes(current.id_hash),
            transfer_id=transfer.pk,
        )
        _decide(
            actor,
            current,
            SelfServiceStatus.ACCEPTED,
            _("此人已在%(where)s登记，已发起转移申请第 %(n)d 号")
            % {"where": place_name(holder.district), "n": transfer.pk},
            transfer=transfer,
        )
    return transfer


def selfservice_evidence(*, actor: User, request: SelfServiceRequest) -> bytes:
    """The uploaded scan, for the reviewing district only; every download is audited."""
    require(actor, Perm.VOTER_MANAGE, request.district_id, _("您无权查看该申请的附件。"))
    if not request.evidence_file or not privatefiles.exists(request.evidence_file):
        raise ServiceError(_("该申请没有附件。"))
    audit_record(
        actor=actor,
        action="selfservice.evidence",
        target=request,
        region_code=request.district_id,
        summary={"reference": request.reference},
    )
    return privatefiles.load(request.evidence_file)


def active_registration(request: SelfServiceRequest) -> Voter | None:
    """Where the applicant is registered now, if anywhere (for the reviewer)."""
    return (
        Voter.objects.select_related("district__township")
        .filter(id_hash=request.id_hash, status__in=ACTIVE)
        .first()
    )


def _lock_open(request: SelfServiceRequest) -> SelfServiceRequest:
    current = (
        SelfServiceRequest.objects.select_for_update(of=("self",))
        .select_related("election__region", "district__township")
        .get(pk=request.pk)
    )
    if current.status != SelfServiceStatus.OPEN:
        raise ServiceError(_("该申请已审核，无需重复办理。"))
    return current


def _decide(
    actor: User,
    request: SelfServiceRequest,
    status: SelfServiceStatus,
    note: str,
    *,
    voter: Voter | None = None,
    transfer: Transfer | None = None,
) -> None:
    request.status = status
    request.note = note[:200]
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.voter = voter
    request.transfer = transfer
    request.save(update_fields=["status", "note", "decided_by", "decided_at", "voter", "transfer"])
    audit_record(
        actor=actor,
        action=f"selfservice.{status}",
        target=request,
        region_code=request.district_id,
        summary={"reference": request.reference, "voter": voter.pk if voter else None},
    )
