"""Transfers between districts (线上转移, 键对键), registration conflicts, self-service requests.

Kept apart from models.py (which imports these at its end, so Django finds them) because the
register's models file is long enough already. Foreign keys name their models as strings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    CONFIRMED = "confirmed", _("已确认转移")
    REFUSED = "refused", _("已拒绝")
    CANCELLED = "cancelled", _("已撤回")
    EXPIRED = "expired", _("已失效")  # registration closed while it waited


class TransferDirection(models.TextChoices):
    # The destination asks, the origin answers (the usual case: a migrant registers where
    # they live); or the origin hands the person over and the destination accepts.
    REQUESTED_BY_DESTINATION = "requested_by_destination", _("迁入地申请")
    STARTED_BY_ORIGIN = "started_by_origin", _("迁出地发起")


class EvidenceKind(models.TextChoices):
    CERTIFICATE = "certificate", _("选民资格证明")
    RESIDENCE = "residence", _("居住证明（居住证、房产证、租赁合同等）")
    HOUSEHOLD = "household", _("户籍迁移")
    CONFLICT = "conflict", _("登记冲突（导入或登记时发现已在他处登记）")
    SELF_SERVICE = "self_service", _("选民自助登记申请")


class Transfer(models.Model):
    """One request to move a person's registration from one district to another."""

    voter = models.ForeignKey(
        "voters.Voter",
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("原登记"),
    )
    # The registration opened at the destination on confirmation.
    new_voter = models.ForeignKey(
        "voters.Voter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("新登记"),
    )
    election = models.ForeignKey("voters.Election", on_delete=models.PROTECT, related_name="+")
    from_district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁出选区")
    )
    to_district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入选区")
    )
    direction = models.CharField(
        max_length=24, choices=TransferDirection.choices, verbose_name=_("发起方")
    )
    evidence_kind = models.CharField(
        max_length=16, choices=EvidenceKind.choices, verbose_name=_("依据类型")
    )
    evidence = models.CharField(max_length=200, verbose_name=_("依据"))
    # How the person will be registered at the destination.
    residence_kind = models.CharField(max_length=16, verbose_name=_("迁入后登记类型"))
    residence_address = models.CharField(max_length=200, blank=True, verbose_name=_("现住址"))
    group = models.CharField(max_length=64, blank=True, verbose_name=_("村（居）民小组"))
    import_run = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.REQUESTED,
        verbose_name=_("状态"),
    )
    respond_by = models.DateField(verbose_name=_("答复期限"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("催办时间"))
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("上报县级时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("申请时间"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("答复时间"))
    response_note = models.CharField(max_length=200, blank=True, verbose_name=_("答复意见"))

    class Meta:
        verbose_name = _("选民转移")
        verbose_name_plural = _("选民转移")
        constraints = [
            # At most one open transfer per registration: two districts cannot both be
            # waiting for the same person.
            models.UniqueConstraint(
                fields=["voter"],
                condition=Q(status="requested"),
                name="transfer_one_open_per_voter",
            ),
            models.CheckConstraint(
                condition=~Q(from_district=models.F("to_district")),
                name="transfer_between_two_districts",
            ),
        ]
        indexes = [
            # Open transfers a district must answer or is waiting on (banner, to-do, the top
            # of the transfers page): WHERE status = 'requested' AND from_district_id BETWEEN
            # lo AND hi (and the same on to_district_id).
            models.Index(
                fields=["from_district"],
                condition=Q(status="requested"),
                name="transfer_open_from",
            ),
            models.Index(
                fields=["to_district"], condition=Q(status="requested"), name="transfer_open_to"
            ),
            # The timer's reminders and escalations: WHERE status = 'requested' AND
            # respond_by <= ?
            models.Index(
                fields=["respond_by"], condition=Q(status="requested"), name="transfer_open_due"
            ),
        ]

    def __str__(self) -> str:
        return gettext("转移申请第 %(n)s 号") % {"n": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.REQUESTED

    @property
    def responder_code(self) -> int:
        """The district whose answer the transfer waits for."""
        if self.direction == TransferDirection.REQUESTED_BY_DESTINATION:
            return int(self.from_district_id)
        return int(self.to_district_id)

    @property
    def initiator_code(self) -> int:
        if self.direction == TransferDirection.REQUESTED_BY_DESTINATION:
            return int(self.to_district_id)
        return int(self.from_district_id)


class TransferEvent(models.Model):
    """A step of a transfer: each transition, and the timer's reminder and escalation."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    old = models.CharField(max_length=12, blank=True)
    new = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class ConflictSource(models.TextChoices):
    IMPORT = "import", _("批量导入")
    REGISTER = "register", _("逐人登记")
    SELF_SERVICE = "self_service", _("选民自助申请")


class RegistrationConflict(models.Model):
    """Someone tried to register a person here who is active in another district.

    Recorded so that it can become a transfer request in one click; resolved by that request
    or dismissed.
    """

    election = models.ForeignKey("voters.Election", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请登记选区"),
    )
    voter = models.ForeignKey(
        "voters.Voter", on_delete=models.PROTECT, related_name="+", verbose_name=_("现有登记")
    )
    name = models.CharField(max_length=64, verbose_name=_("姓名"))
    id_hash = models.BinaryField(max_length=32)
    source = models.CharField(
        max_length=16, choices=ConflictSource.choices, verbose_name=_("发现途径")
    )
    import_run = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    row = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("行号"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("发现时间"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("处理时间"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="conflicts"
    )

    class Meta:
        verbose_name = _("登记冲突")
        verbose_name_plural = _("登记冲突")
        constraints = [
            # The same person refused in the same district again (a file imported twice)
            # adds nothing while the first is unresolved: writers insert with ON CONFLICT
            # DO NOTHING.
            models.UniqueConstraint(
                fields=["district", "id_hash"],
                condition=Q(resolved_at__isnull=True),
                name="conflict_one_open_per_person",
            ),
        ]
        indexes = [
            # Open conflicts of a scope (list, to-do): WHERE resolved_at IS NULL AND
            # district_id BETWEEN lo AND hi ORDER BY id
            models.Index(
                fields=["district", "id"],
                condition=Q(resolved_at__isnull=True),
                name="conflict_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.district_id}"


class SelfServiceStatus(models.TextChoices):
    OPEN = "open", _("待审核")
    ACCEPTED = "accepted", _("已登记")
    REJECTED = "rejected", _("未予登记")


class SelfServiceRequest(models.Model):
    """A citizen's own request (选民自助) to be registered where they live, with evidence."""

    reference = models.CharField(max_length=16, unique=True, verbose_name=_("受理编号"))
    election = models.ForeignKey("voters.Election", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请选区")
    )
    name = models.CharField(max_length=64, verbose_name=_("姓名"))
    sex = models.CharField(max_length=1, verbose_name=_("性别"))
    birth_date = models.DateField(verbose_name=_("出生日期"))
    ethnicity = models.PositiveSmallIntegerField(default=1, verbose_name=_("民族"))
    id_hash = models.BinaryField(max_length=32)
    id_cipher = models.BinaryField()
    phone = models.CharField(max_length=20, verbose_name=_("联系电话"))
    residence_address = models.CharField(max_length=200, verbose_name=_("现住址"))
    household_address = models.CharField(max_length=200, blank=True, verbose_name=_("户籍地址"))
    evidence = models.CharField(max_length=300, verbose_name=_("居住证明"))
    # An uploaded scan, encrypted at rest (renda.core.privatefiles); empty when none.
    evidence_file = models.CharField(max_length=200, blank=True)
    evidence_filename = models.CharField(max_length=200, blank=True, verbose_name=_("附件"))
    status = models.CharField(
        max_length=8,
        choices=SelfServiceStatus.choices,
        default=SelfServiceStatus.OPEN,
        verbose_name=_("状态"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("提交时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("审核时间"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("审核意见"))
    voter = models.ForeignKey(
        "voters.Voter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the person is registered elsewhere, the request becomes a transfer request.
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("选民自助登记申请")
        verbose_name_plural = _("选民自助登记申请")
        constraints = [
            # One open request per person in the province: a form sent twice is one request.
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=Q(status="open"),
                name="selfservice_one_open_per_person",
            ),
        ]
        indexes = [
            # A district's review queue: WHERE status = 'open' AND district_id BETWEEN lo AND
            # hi ORDER BY id
            models.Index(
                fields=["district", "id"], condition=Q(status="open"), name="selfservice_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.name}"
