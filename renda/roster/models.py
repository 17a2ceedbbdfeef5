"""Base data (基础数据), reference lists and the review queue of cross-checks.

A ``BaseBatch`` is one imported file: the public-security household roster of an area (the
expected voters, 应登记) or a reference list (deceased, deprived, restored, suspended). Its rows
are ``BaseRecord``s, keyed like voters by the HMAC of the ID number (never in clear). Household
records are assigned to an electoral district by ``DistrictMapping`` and then confirmed (→ a
registration), or marked as exceptions, by the district. Everything that needs a person's
decision (a reference-list match, a name that disagrees with the roster, a fuzzy candidate, a
hit from another province) is a ``ReviewItem`` with its ``ReviewEvent`` history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.regions.models import District, Region
from renda.voters.ethnicity import CHOICES as ETHNICITY_CHOICES
from renda.voters.models import Election, Sex, Voter


class SourceKind(models.TextChoices):
    HOUSEHOLD = "household", _("公安户籍")
    DECEASED = "deceased", _("民政死亡")
    DEPRIVED = "deprived", _("法院剥夺政治权利")
    RESTORED = "restored", _("恢复政治权利")
    SUSPENDED = "suspended", _("停止行使选举权利")


REFERENCE_KINDS = (
    SourceKind.DECEASED,
    SourceKind.DEPRIVED,
    SourceKind.RESTORED,
    SourceKind.SUSPENDED,
)


class BaseBatch(models.Model):
    """One imported roster or reference-list file."""

    source = models.CharField(max_length=12, choices=SourceKind.choices, verbose_name=_("来源"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区域")
    )
    # The election whose day decides who is 18 (the roster); optional on reference lists.
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_run = models.OneToOneField(
        "imports.ImportRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(max_length=255, verbose_name=_("文件名"))
    # The issuing authority's reference (文号), shown as evidence when a match is applied.
    reference = models.CharField(max_length=200, blank=True, verbose_name=_("来源文号"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("导入时间"))
    total = models.PositiveIntegerField(default=0, verbose_name=_("读取行数"))
    accepted = models.PositiveIntegerField(default=0, verbose_name=_("入库"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("有误"))
    invalid_ids = models.PositiveIntegerField(default=0, verbose_name=_("身份证号无效"))
    skipped = models.PositiveIntegerField(default=0, verbose_name=_("已存在"))
    matched = models.PositiveIntegerField(default=0, verbose_name=_("比中"))

    class Meta:
        verbose_name = _("基础数据批次")
        verbose_name_plural = _("基础数据批次")
        indexes = [
            # The overview's batch list of a scope, newest first:
            # WHERE region_id BETWEEN lo AND hi ORDER BY id DESC
            models.Index(fields=["region", "-id"], name="basebatch_region"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.name}"


class RecordStatus(models.TextChoices):
    EXPECTED = "expected", _("待确认")
    CONFIRMED = "confirmed", _("已确认登记")
    EXCEPTION = "exception", _("已说明情况")


class ExceptionReason(models.TextChoices):
    LIVES_ELSEWHERE = "elsewhere", _("居住在外")
    DECEASED = "deceased", _("已死亡")
    NOT_LISTED = "not_listed", _("不列入名单")
    DEPRIVED = "deprived", _("被剥夺政治权利")
    UNDER_AGE = "under_age", _("未满十八周岁")
    OTHER = "other", _("其他")


class BaseRecord(models.Model):
    """One row of a roster or reference list. The ID number is never stored in clear."""

    # Foreign keys without their own index where a composite index below leads with them.
    batch = models.ForeignKey(
        BaseBatch, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    # Denormalised from the batch so the 10M-row reports filter without a join.
    source = models.CharField(max_length=12, choices=SourceKind.choices, verbose_name=_("来源"))
    row = models.PositiveIntegerField(default=0, verbose_name=_("行号"))
    # Null when the row had no usable ID number (kept for fuzzy matching, see id_valid).
    id_hash = models.BinaryField(max_length=32, null=True, blank=True)
    id_cipher = models.BinaryField(null=True, blank=True)  # of the text as given, even invalid
    id_valid = models.BooleanField(default=True, verbose_name=_("身份证号有效"))
    name = models.CharField(max_length=64, verbose_name=_("姓名"))  # clean_name + t2s
    name_pinyin = models.CharField(max_length=200, blank=True, verbose_name=_("姓名拼音"))
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True, verbose_name=_("性别"))
    birth_date = models.DateField(null=True, blank=True, verbose_name=_("出生日期"))
    ethnicity = models.PositiveSmallIntegerField(
        choices=ETHNICITY_CHOICES, default=1, verbose_name=_("民族")
    )
    household_address = models.CharField(max_length=200, blank=True, verbose_name=_("户籍地址"))
    village = models.CharField(max_length=64, blank=True, verbose_name=_("户籍所在村（居）"))
    county_code = models.BigIntegerField(verbose_name=_("县级区划代码"))
    township_code = models.BigIntegerField(null=True, blank=True, verbose_name=_("乡级区划代码"))
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("选区"),
        db_index=False,
    )
    status = models.CharField(
        max_length=12,
        choices=RecordStatus.choices,
        default=RecordStatus.EXPECTED,
        verbose_name=_("状态"),
    )
    voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exception_reason = models.CharField(
        max_length=12, choices=ExceptionReason.choices, blank=True, verbose_name=_("情况")
    )
    note = models.CharField(max_length=200, blank=True, verbose_name=_("说明"))
    # Reference lists: the date of death / of the judgment / of restoration, and the end of a
    # deprivation (剥夺政治权利至) when the court gave one.
    effective_date = models.DateField(null=True, blank=True, verbose_name=_("生效日期"))
    until_date = models.DateField(null=True, blank=True, verbose_name=_("截止日期"))
    document = models.CharField(max_length=100, blank=True, verbose_name=_("文书编号"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never looked up by; an index would cost every load of 10M rows
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("处理时间"))

    class Meta:
        verbose_name = _("基础数据")
        verbose_name_plural = _("基础数据")
        constraints = [
            # A county's roster holds a person once: re-pushing it skips the people it has.
            # (Two counties may both list someone who moved between pushes: the cross-check
            # reports that person as registered elsewhere, and the race test relies on it.)
            # Also serves the import's lookup: WHERE county_code = ? AND id_hash = ?
            models.UniqueConstraint(
                fields=["county_code", "id_hash"],
                condition=Q(source="household"),
                name="baserecord_one_per_county",
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", voter__isnull=False)
                | ~Q(status="confirmed") & Q(voter__isnull=True),
                name="baserecord_confirmed_has_voter",
            ),
            models.CheckConstraint(
                condition=Q(status="exception") & ~Q(exception_reason="")
                | ~Q(status="exception") & Q(exception_reason=""),
                name="baserecord_exception_has_reason",
            ),
        ]
        indexes = [
            # Reference-list matching and 错登/重登 reports join on the hash:
            # JOIN voters_voter v ON v.id_hash = r.id_hash (also the household uniqueness).
            models.Index(fields=["id_hash"], name="baserecord_id_hash"),
            # A district's expected list in pinyin order, keyset on (name_pinyin, id), and the
            # per-district counts: WHERE district_id = ? AND status = ? ORDER BY name_pinyin, id
            models.Index(
                fields=["district", "status", "name_pinyin", "id"], name="baserecord_district"
            ),
            # Per-county work (mapping, partitions, county roll-ups):
            # WHERE county_code = ? / township_code = ? AND district_id IS NULL
            models.Index(fields=["county_code", "township_code"], name="baserecord_county"),
            # A batch's rows (overview counts, reference matching): WHERE batch_id = ?
            models.Index(fields=["batch", "id"], name="baserecord_batch"),
            # Records without an ID number, for the fuzzy matcher: WHERE id_valid = false
            models.Index(
                fields=["county_code", "birth_date"],
                condition=Q(id_valid=False),
                name="baserecord_invalid_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MappingKind(models.TextChoices):
    VILLAGE = "village", _("村（居）委会名称")
    ADDRESS = "address", _("户籍地址包含")


class DistrictMapping(models.Model):
    """A rule of a township: records of this village (or whose address contains this text)
    belong to this district. Village rules win over address rules; longer patterns first."""

    township = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）")
    )
    kind = models.CharField(
        max_length=8,
        choices=MappingKind.choices,
        default=MappingKind.VILLAGE,
        verbose_name=_("匹配方式"),
    )
    value = models.CharField(max_length=100, verbose_name=_("村（居）名称或地址片段"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("选区")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        verbose_name = _("选区划分规则")
        verbose_name_plural = _("选区划分规则")
        ordering = ["township", "kind", "value"]
        constraints = [
            # Also serves the mapping editor and apply: WHERE township_id = ?
            models.UniqueConstraint(
                fields=["township", "kind", "value"], name="mapping_unique_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} → {self.district_id}"


class ReviewKind(models.TextChoices):
    DECEASED = "deceased", _("民政死亡名单比中")
    DEPRIVED = "deprived", _("剥夺政治权利名单比中")
    RESTORED = "restored", _("恢复政治权利名单比中")
    SUSPENDED = "suspended", _("停止行使选举权利名单比中")
    WRONG_DETAILS = "wrong_details", _("登记信息与户籍不符（错登）")
    DUPLICATE = "duplicate", _("疑似重复登记")
    FUZZY_CANDIDATE = "fuzzy_candidate", _("疑似同一人（模糊比对）")
    CROSS_PROVINCE = "cross_province", _("跨省比对")


class SuggestedAction(models.TextChoices):
    REMOVE_DECEASED = "remove_deceased", _("以死亡为由除名")
    REMOVE_DEPRIVED = "remove_deprived", _("以被剥夺政治权利为由除名")
    RESTORE = "restore", _("恢复政治权利后登记")
    SUSPEND = "suspend", _("停止行使选举权利")
    CORRECT = "correct", _("核对并更正登记信息")
    CHECK = "check", _("核实")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    APPLIED = "applied", _("已处理")
    DISMISSED = "dismissed", _("已排除")


class ReviewItem(models.Model):
    """Something a district must look at. Nothing is changed until a person applies it."""

    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("选区")
    )
    kind = models.CharField(max_length=16, choices=ReviewKind.choices, verbose_name=_("类型"))
    voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    base_record = models.ForeignKey(
        BaseRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suggested_action = models.CharField(
        max_length=16, choices=SuggestedAction.choices, verbose_name=_("建议")
    )
    # Ranking in the queue, higher first (1.0 = exact ID match; fuzzy evidence lower).
    strength = models.FloatField(default=1.0, verbose_name=_("匹配强度"))
    # What the reviewer needs to see (names, dates, which fields differ…); never a clear ID.
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.OPEN,
        verbose_name=_("状态"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("生成时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("处理时间"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("处理说明"))
    evidence = models.CharField(max_length=200, blank=True, verbose_name=_("依据"))

    class Meta:
        verbose_name = _("待核查事项")
        verbose_name_plural = _("待核查事项")
        constraints = [
            # Re-running a match or a cross-check never queues the same open item twice.
            models.UniqueConstraint(
                fields=["kind", "voter", "base_record"],
                condition=Q(status="open"),
                name="reviewitem_one_open",
            ),
        ]
        indexes = [
            # The review queue of a scope, strongest first:
            # WHERE district_id BETWEEN lo AND hi AND status = 'open' [AND kind = ?]
            # ORDER BY strength DESC, id
            models.Index(
                fields=["status", "district", "kind", "-strength", "id"], name="reviewitem_queue"
            ),
            # Items about a voter (the voter page, re-run dedup): WHERE voter_id = ?
            models.Index(fields=["voter"], name="reviewitem_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.district_id}"


class ReviewEvent(models.Model):
    """A transition of a review item (old → new status)."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="events")
    old = models.CharField(max_length=10, blank=True)
    new = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
