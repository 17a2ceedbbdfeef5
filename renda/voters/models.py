from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.regions.models import District, Region
from renda.voters.ethnicity import CHOICES as ETHNICITY_CHOICES
from renda.voters.rules import Feb29Rule


class Levels(models.TextChoices):
    COUNTY = "county", _("县级人大代表")
    TOWNSHIP = "township", _("乡级人大代表")
    BOTH = "both", _("县乡两级人大代表")


class HmtPolicy(models.TextChoices):
    REVIEW = "review", _("交选举委员会审核，不自动登记")
    ALLOW = "allow", _("允许登记")
    DENY = "deny", _("不予登记")


class Election(models.Model):
    """One round of direct elections (换届选举) in an area, with its dates and policy settings."""

    code = models.SlugField(max_length=32, unique=True, verbose_name=_("代码"))
    name = models.CharField(max_length=100, verbose_name=_("名称"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("适用区域"))
    levels = models.CharField(
        max_length=16, choices=Levels.choices, default=Levels.BOTH, verbose_name=_("选举层级")
    )
    election_day = models.DateField(verbose_name=_("选举日"))
    registration_opens = models.DateField(verbose_name=_("登记开始日"))
    registration_closes = models.DateField(verbose_name=_("登记截止日"))
    publication_deadline = models.DateField(verbose_name=_("选民名单公布截止日"))
    appeal_days = models.PositiveSmallIntegerField(default=5, verbose_name=_("申诉期限（日）"))
    decision_days = models.PositiveSmallIntegerField(
        default=3, verbose_name=_("申诉处理期限（日）")
    )
    court_days_before = models.PositiveSmallIntegerField(
        default=5, verbose_name=_("向法院起诉最迟于选举日前（日）")
    )
    feb29_rule = models.CharField(
        max_length=8,
        choices=Feb29Rule.choices,
        default=Feb29Rule.FEB_28,
        verbose_name=_("2月29日出生者满周岁日"),
    )
    hmt_policy = models.CharField(
        max_length=8,
        choices=HmtPolicy.choices,
        default=HmtPolicy.REVIEW,
        verbose_name=_("港澳台居民居住证持有人"),
    )
    shift_holidays = models.BooleanField(
        default=True, verbose_name=_("期限末日为节假日的顺延至下一个工作日")
    )
    max_proxies = models.PositiveSmallIntegerField(default=3, verbose_name=_("每人最多受托人数"))
    transfer_days = models.PositiveSmallIntegerField(
        default=5, verbose_name=_("转移申请答复期限（工作日）")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("换届选举")
        verbose_name_plural = _("换届选举")
        ordering = ["-election_day", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_opens__lte=models.F("registration_closes"))
                & Q(publication_deadline__lt=models.F("election_day")),
                name="election_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HolidayOverride(models.Model):
    """A day whose working status differs from (or is missing in) chinese-calendar's data."""

    day = models.DateField(unique=True, verbose_name=_("日期"))
    is_workday = models.BooleanField(verbose_name=_("是否工作日"))
    note = models.CharField(max_length=100, blank=True, verbose_name=_("说明"))

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_workday else '休息日'}"


class CountyDistrict(models.Model):
    """A county-level electoral district for the county election: a set of township districts."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="county_districts"
    )
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=64, verbose_name=_("名称"))
    seats = models.PositiveSmallIntegerField(default=1, verbose_name=_("应选代表名额"))
    districts: models.ManyToManyField[District, CountyDistrictPart] = models.ManyToManyField(
        District, through="CountyDistrictPart", related_name="county_districts"
    )

    class Meta:
        verbose_name = _("县级选区")
        verbose_name_plural = _("县级选区")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "county", "name"], name="county_district_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=3), name="county_district_seats"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CountyDistrictPart(models.Model):
    """A township district (or the part of it given by ``note``, e.g. a work unit) in a
    county-level district."""

    county_district = models.ForeignKey(CountyDistrict, on_delete=models.CASCADE)
    district = models.ForeignKey(District, on_delete=models.PROTECT)
    whole = models.BooleanField(default=True, verbose_name=_("整个选区"))
    note = models.CharField(max_length=100, blank=True, verbose_name=_("划入部分说明"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county_district", "district"], name="county_district_part_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_district_id} ← {self.district_id}"


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    NOT_LISTED = "not_listed", _("不列入名单")  # mental illness, confirmed by the committee
    SUSPENDED = "suspended", _("停止行使选举权利")
    CERTIFIED_OUT = "certified_out", _("已开具选民资格证明")  # may register elsewhere
    REMOVED = "removed", _("已除名")


# Holding one of these, a person counts as registered here: nobody may register them elsewhere.
ACTIVE = (Status.REGISTERED, Status.NOT_LISTED, Status.SUSPENDED, Status.CERTIFIED_OUT)


class ResidenceKind(models.TextChoices):
    HOUSEHOLD = "household", _("户籍在本选区")
    CERTIFICATE = "certificate", _("持选民资格证明")
    RESIDENT = "resident", _("居住一年以上")
    WORK_UNIT = "work_unit", _("单位选区")


class Source(models.TextChoices):
    MANUAL = "manual", _("手工登记")
    IMPORT = "import", _("批量导入")
    BASE = "base", _("基础数据确认")
    SELF = "self", _("选民自助")
    TRANSFER = "transfer", _("转移登记")
    DEMO = "demo", _("演示数据")


class RemovalReason(models.TextChoices):
    DECEASED = "deceased", _("死亡")
    DEPRIVED = "deprived", _("被剥夺政治权利")
    MOVED_OUT = "moved_out", _("迁出")
    DUPLICATE = "duplicate", _("重复登记")
    ERROR = "error", _("错登")


class Voter(models.Model):
    """One person's registration in one district. The ID number is never stored in clear."""

    id_hash = models.BinaryField(max_length=32, verbose_name=_("身份证号码摘要"))
    id_cipher = models.BinaryField(verbose_name=_("身份证号码密文"))
    name = models.CharField(max_length=64, verbose_name=_("姓名"))
    name_pinyin = models.CharField(max_length=200, verbose_name=_("姓名拼音"))
    name_initials = models.CharField(max_length=64, verbose_name=_("拼音首字母"))
    sex = models.CharField(max_length=1, choices=Sex.choices, verbose_name=_("性别"))
    birth_date = models.DateField(verbose_name=_("出生日期"))
    ethnicity = models.PositiveSmallIntegerField(
        choices=ETHNICITY_CHOICES, default=1, verbose_name=_("民族")
    )
    household_address = models.CharField(max_length=200, blank=True, verbose_name=_("户籍地址"))
    residence_address = models.CharField(max_length=200, blank=True, verbose_name=_("现住址"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("联系电话"))
    group = models.CharField(max_length=64, blank=True, verbose_name=_("村（居）民小组"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="voters", verbose_name=_("选区")
    )
    residence_kind = models.CharField(
        max_length=16,
        choices=ResidenceKind.choices,
        default=ResidenceKind.HOUSEHOLD,
        verbose_name=_("登记类型"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.REGISTERED, verbose_name=_("状态")
    )
    removal_reason = models.CharField(
        max_length=16, choices=RemovalReason.choices, blank=True, verbose_name=_("除名原因")
    )
    status_note = models.CharField(max_length=200, blank=True, verbose_name=_("状态说明"))
    mobile_box = models.BooleanField(default=False, verbose_name=_("流动票箱"))
    source = models.CharField(
        max_length=8, choices=Source.choices, default=Source.MANUAL, verbose_name=_("来源")
    )
    registered_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        verbose_name = _("选民")
        verbose_name_plural = _("选民")
        constraints = [
            # 选举法 Art 5: one person, one active registration in the province.
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=Q(status__in=ACTIVE),
                name="voter_one_active_registration",
            ),
        ]
        indexes = [
            # Lookup by ID number (through its hash), active or not: WHERE id_hash = ?
            models.Index(fields=["id_hash"], name="voter_id_hash"),
            # A district's list in pinyin order, keyset on (name_pinyin, id):
            # WHERE district_id = ? ORDER BY name_pinyin, id
            models.Index(fields=["district", "name_pinyin", "id"], name="voter_district_pinyin"),
            # A township's, county's or city's list in pinyin order: the scan walks this index
            # and keeps the rows in range, WHERE district_id BETWEEN lo AND hi ORDER BY
            # name_pinyin, id (a county of 1M: first page 4 ms instead of 1 s sorting them all;
            # bench/voter_search.py).
            models.Index(fields=["name_pinyin", "id"], name="voter_pinyin"),
            # Searches by prefix within a scope: name_initials LIKE 'zs%' (zs → 张三),
            # name_pinyin LIKE 'wangwei%', name LIKE '王%' (and name = ?). The pattern operator
            # classes let PostgreSQL use them for LIKE whatever the database's collation;
            # SQLite ignores operator classes.
            models.Index(
                fields=["name_initials", "district"],
                name="voter_initials",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["name_pinyin", "district"],
                name="voter_pinyin_prefix",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["name", "district"],
                name="voter_name",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def age_on(self, day: date) -> int:
        from renda.voters.rules import age_on

        return age_on(self.birth_date, day)


class ChangeKind(models.TextChoices):
    # 三增
    NEWLY_18 = "newly_18", _("新满十八周岁")
    RESTORED = "restored", _("恢复政治权利")
    MOVED_IN = "moved_in", _("迁入")
    # 三减
    DECEASED = "deceased", _("死亡")
    DEPRIVED = "deprived", _("被剥夺政治权利")
    MOVED_OUT = "moved_out", _("迁出")
    # and the rest of a register's life
    REGISTERED = "registered", _("登记")
    CORRECTED = "corrected", _("更正")
    NOT_LISTED = "not_listed", _("确认不列入名单")
    SUSPENDED = "suspended", _("停止行使选举权利")
    LIFTED = "lifted", _("恢复行使选举权利")
    CERTIFICATE_ISSUED = "certificate_issued", _("开具选民资格证明")
    CERTIFICATE_USED = "certificate_used", _("凭证明在他处登记")
    PROXY = "proxy", _("委托投票")
    MOBILE_BOX = "mobile_box", _("流动票箱")
    REMOVED = "removed", _("除名")


ADDITIONS = frozenset(
    {ChangeKind.NEWLY_18, ChangeKind.RESTORED, ChangeKind.MOVED_IN, ChangeKind.REGISTERED}
)
REMOVALS = frozenset(
    {ChangeKind.DECEASED, ChangeKind.DEPRIVED, ChangeKind.MOVED_OUT, ChangeKind.REMOVED}
)


class VoterChange(models.Model):
    """Every change to the register, by whom, when, why — single edits and bulk paths alike."""

    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="changes")
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ChangeKind.choices, verbose_name=_("变动类型"))
    district_code = models.BigIntegerField(verbose_name=_("选区代码"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("时间"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("原因"))
    evidence = models.CharField(max_length=200, blank=True, verbose_name=_("依据"))
    effective_date = models.DateField(null=True, blank=True, verbose_name=_("生效日期"))
    summary = models.JSONField(default=dict, blank=True, verbose_name=_("变更摘要"))
    import_run = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The supplement (补充名单) that published this change; null while pending.
    published_in = models.ForeignKey(
        "VoterList", null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )

    class Meta:
        verbose_name = _("选民变动")
        verbose_name_plural = _("选民变动")
        indexes = [
            # A voter's history: WHERE voter_id = ? ORDER BY id
            models.Index(fields=["voter", "id"], name="change_voter"),
            # Changes of a district, by kind (supplements, statistics):
            # WHERE district_code BETWEEN lo AND hi AND kind = ?
            models.Index(fields=["district_code", "kind"], name="change_district_kind"),
            # Changes waiting for the next supplement: WHERE published_in IS NULL
            models.Index(
                fields=["district_code"],
                condition=Q(published_in__isnull=True),
                name="change_unpublished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.voter_id}"


class Proxy(models.Model):
    """A voter who entrusts another voter to vote for them in an election (Art 42)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="proxies")
    principal = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="proxies_given")
    holder = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="proxies_held")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("委托投票")
        verbose_name_plural = _("委托投票")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "principal"],
                condition=Q(revoked_at__isnull=True),
                name="proxy_one_per_principal",
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("holder")), name="proxy_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal_id} → {self.holder_id}"


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("有效")
    USED = "used", _("已使用")
    REVOKED = "revoked", _("已作废")


class Certificate(models.Model):
    """选民资格证明: lets a person registered here register where they live."""

    number = models.CharField(max_length=32, unique=True, verbose_name=_("证明编号"))
    verify_code = models.CharField(max_length=16, unique=True, verbose_name=_("验证码"))
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="certificates")
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("开具选区")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True, verbose_name=_("开具时间"))
    valid_until = models.DateField(verbose_name=_("有效期至"))
    status = models.CharField(
        max_length=8,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ISSUED,
        verbose_name=_("状态"),
    )
    used_at = models.DateTimeField(null=True, blank=True)
    used_district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记选区"),
    )

    class Meta:
        verbose_name = _("选民资格证明")
        verbose_name_plural = _("选民资格证明")

    def __str__(self) -> str:
        return self.number


class ListKind(models.TextChoices):
    FIRST = "first", _("选民名单（第一榜）")
    SUPPLEMENT = "supplement", _("补充名单")


class ListOrder(models.TextChoices):
    PINYIN = "pinyin", _("按姓名拼音")
    GROUP = "group", _("按村（居）民小组")


class VoterList(models.Model):
    """A published list of one district: the first list or a numbered supplement. Immutable."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="lists")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="lists")
    number = models.PositiveSmallIntegerField(verbose_name=_("序号"))  # 0 = first list
    kind = models.CharField(max_length=12, choices=ListKind.choices, verbose_name=_("类型"))
    published_at = models.DateTimeField(verbose_name=_("公布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entry_count = models.PositiveIntegerField(default=0, verbose_name=_("人数"))
    order = models.CharField(
        max_length=8,
        choices=ListOrder.choices,
        default=ListOrder.PINYIN,
        verbose_name=_("排序方式"),
    )

    class Meta:
        verbose_name = _("公布名单")
        verbose_name_plural = _("公布名单")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "district", "number"], name="voter_list_number_unique"
            ),
        ]

    def __str__(self) -> str:
        if self.number == 0:
            return str(ListKind.FIRST.label)
        return f"补充名单（第{self.number}号）"


class EntryAction(models.TextChoices):
    LISTED = "listed", _("列入")
    ADDED = "added", _("增加")
    REMOVED = "removed", _("删除")
    CORRECTED = "corrected", _("更正")


class VoterListEntry(models.Model):
    """One line of a posted list: what was posted, frozen (no ID number, ever)."""

    voter_list = models.ForeignKey(VoterList, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField(verbose_name=_("序号"))
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=64)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField()
    birth_month = models.PositiveSmallIntegerField()
    age = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=64, blank=True)
    name_pinyin = models.CharField(max_length=200)
    action = models.CharField(
        max_length=10, choices=EntryAction.choices, default=EntryAction.LISTED
    )
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            # Also serves rendering a list in order: WHERE voter_list_id = ? ORDER BY seq
            models.UniqueConstraint(fields=["voter_list", "seq"], name="list_entry_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.name}"


class AppealKind(models.TextChoices):
    OMITTED = "omitted", _("应列入而未列入")
    WRONGLY_LISTED = "wrongly_listed", _("不应列入而列入")
    WRONG_DETAILS = "wrong_details", _("登记信息有误")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    UPHELD = "upheld", _("申诉成立")
    DISMISSED = "dismissed", _("申诉不成立")


class Appeal(models.Model):
    """申诉 against a published list (Art 29): decided by the election committee in 3 days."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="appeals")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="appeals")
    voter_list = models.ForeignKey(VoterList, on_delete=models.PROTECT, related_name="appeals")
    voter = models.ForeignKey(
        Voter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("涉及选民"),
    )
    kind = models.CharField(max_length=16, choices=AppealKind.choices, verbose_name=_("申诉类型"))
    appellant = models.CharField(max_length=64, verbose_name=_("申诉人"))
    appellant_phone = models.CharField(max_length=20, blank=True, verbose_name=_("联系电话"))
    subject_name = models.CharField(max_length=64, verbose_name=_("涉及人员姓名"))
    content = models.TextField(verbose_name=_("申诉事项"))
    received_on = models.DateField(verbose_name=_("受理日期"))
    decide_by = models.DateField(verbose_name=_("处理期限"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12,
        choices=AppealStatus.choices,
        default=AppealStatus.RECEIVED,
        verbose_name=_("状态"),
    )
    decision = models.TextField(blank=True, verbose_name=_("处理决定"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("决定时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        indexes = [
            # Open appeals of a scope by deadline (dashboard, overdue list):
            # WHERE district_id BETWEEN lo AND hi AND status = 'received' ORDER BY decide_by
            models.Index(fields=["status", "decide_by", "district"], name="appeal_open"),
        ]

    def __str__(self) -> str:
        return f"{self.appellant} · {self.get_kind_display()}"


class AppealEvent(models.Model):
    """A transition of an appeal (old → new status), like every workflow in Renda."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    old = models.CharField(max_length=12, blank=True)
    new = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class VoterTally(models.Model):
    """The registration counters of one district in one election (统计), kept by
    renda/voters/tally.py in the transaction of every change; dashboards read these rows and
    never count voters. A region's figures: SUM over district_id BETWEEN region.lo AND hi."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    expected = models.IntegerField(default=0, verbose_name=_("应登记"))
    registered = models.IntegerField(default=0, verbose_name=_("已登记"))
    not_listed = models.IntegerField(default=0, verbose_name=_("不列入名单"))
    suspended = models.IntegerField(default=0, verbose_name=_("停止行使选举权利"))
    certified_out = models.IntegerField(default=0, verbose_name=_("开具证明待他处登记"))
    removed = models.IntegerField(default=0, verbose_name=_("已除名"))
    male = models.IntegerField(default=0, verbose_name=_("男"))
    female = models.IntegerField(default=0, verbose_name=_("女"))
    age_18_35 = models.IntegerField(default=0, verbose_name=_("18—35岁"))
    age_36_59 = models.IntegerField(default=0, verbose_name=_("36—59岁"))
    age_60_plus = models.IntegerField(default=0, verbose_name=_("60岁以上"))
    minority = models.IntegerField(default=0, verbose_name=_("少数民族"))
    certificate_holders = models.IntegerField(default=0, verbose_name=_("持证登记"))
    mobile_box = models.IntegerField(default=0, verbose_name=_("流动票箱"))
    proxies = models.IntegerField(default=0, verbose_name=_("委托投票"))
    certificates_issued = models.IntegerField(default=0, verbose_name=_("开具选民资格证明"))
    newly_18 = models.IntegerField(default=0, verbose_name=_("新满十八周岁"))
    restored = models.IntegerField(default=0, verbose_name=_("恢复政治权利"))
    moved_in = models.IntegerField(default=0, verbose_name=_("迁入"))
    deceased = models.IntegerField(default=0, verbose_name=_("死亡"))
    deprived = models.IntegerField(default=0, verbose_name=_("被剥夺政治权利"))
    moved_out = models.IntegerField(default=0, verbose_name=_("迁出"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("选民登记统计")
        verbose_name_plural = _("选民登记统计")
        constraints = [
            # The UPSERT's conflict target, and a region's roll-up:
            # WHERE election_id = ? AND district_id BETWEEN lo AND hi
            models.UniqueConstraint(
                fields=["election", "district"], name="voter_tally_election_district"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id} · {self.district_id}"

    @property
    def listed(self) -> int:
        """已登记 as reported: on the list (registered or suspended)."""
        return self.registered + self.suspended


class VoterTallyEthnicity(models.Model):
    """Active voters of one ethnicity in one district and election; zero rows are deleted."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    ethnicity = models.PositiveSmallIntegerField(choices=ETHNICITY_CHOICES)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("选民民族构成统计")
        verbose_name_plural = _("选民民族构成统计")
        constraints = [
            # The UPSERT's conflict target, and a region's structure by ethnicity:
            # WHERE election_id = ? AND district_id BETWEEN lo AND hi GROUP BY ethnicity
            models.UniqueConstraint(
                fields=["election", "district", "ethnicity"],
                name="voter_tally_ethnicity_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id} · {self.district_id} · {self.ethnicity}: {self.count}"


# Transfers, registration conflicts and self-service requests live in their own module; the
# names are re-exported so the rest of Renda imports every voter model from here.
from renda.voters.models_transfers import ConflictSource as ConflictSource  # noqa: E402
from renda.voters.models_transfers import EvidenceKind as EvidenceKind  # noqa: E402
from renda.voters.models_transfers import (  # noqa: E402
    RegistrationConflict as RegistrationConflict,
)
from renda.voters.models_transfers import SelfServiceRequest as SelfServiceRequest  # noqa: E402
from renda.voters.models_transfers import SelfServiceStatus as SelfServiceStatus  # noqa: E402
from renda.voters.models_transfers import Transfer as Transfer  # noqa: E402
from renda.voters.models_transfers import TransferDirection as TransferDirection  # noqa: E402
from renda.voters.models_transfers import TransferEvent as TransferEvent  # noqa: E402
from renda.voters.models_transfers import TransferStatus as TransferStatus  # noqa: E402
