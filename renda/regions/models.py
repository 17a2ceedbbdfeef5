from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from renda.regions.codes import Level, display_code, subtree_range


class Region(models.Model):
    """An administrative division from province down to township (乡、镇、街道)."""

    code = models.BigIntegerField(primary_key=True, verbose_name=_("区划代码"))
    name = models.CharField(max_length=64, verbose_name=_("名称"))
    level = models.PositiveSmallIntegerField(choices=Level.choices, verbose_name=_("层级"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("启用日期"))
    valid_to = models.DateField(null=True, blank=True, verbose_name=_("撤销日期"))

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            # Child lists on the region page and the breadcrumb walk: WHERE parent_id = ?
            models.Index(fields=["parent", "code"], name="region_parent_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=Level.PROVINCE, level__lte=Level.TOWNSHIP),
                name="region_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(parent__lt=F("code")),
                name="region_parent_precedes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_code(self) -> str:
        return display_code(self.code, self.level)

    @property
    def subtree(self) -> tuple[int, int]:
        return subtree_range(self.code, self.level)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class DistrictKind(models.TextChoices):
    RESIDENTIAL = "residential", _("居住地选区")
    WORK_UNIT = "work_unit", _("单位选区")


class District(models.Model):
    """An electoral district (选区) of a township; it elects one to three deputies."""

    code = models.BigIntegerField(primary_key=True, verbose_name=_("选区代码"))
    township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("所属乡镇"),
        limit_choices_to={"level": Level.TOWNSHIP},
    )
    name = models.CharField(max_length=64, verbose_name=_("名称"))
    seats = models.PositiveSmallIntegerField(default=1, verbose_name=_("应选代表名额"))
    population = models.PositiveIntegerField(default=0, verbose_name=_("人口数"))
    kind = models.CharField(
        max_length=16,
        choices=DistrictKind.choices,
        default=DistrictKind.RESIDENTIAL,
        verbose_name=_("选区类型"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("选区")
        verbose_name_plural = _("选区")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=3), name="district_seats"),
            # The code is the township's nine digits plus a sequence 001–999.
            models.CheckConstraint(
                condition=Q(code__gt=F("township_id"), code__lt=F("township_id") + 1000),
                name="district_code_in_township",
            ),
            models.UniqueConstraint(fields=["township", "name"], name="district_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sequence(self) -> int:
        return self.code % 1000

    @property
    def display_code(self) -> str:
        return display_code(self.code, Level.DISTRICT)


class AddressCode(models.Model):
    """A six-digit GB/T 2260 code and a name it carried, with the years it was in force.

    Kept apart from Region because abolished codes are needed only to check the address part of
    resident ID numbers, which never changes after issue.
    """

    code = models.CharField(max_length=6, verbose_name=_("代码"))
    name = models.CharField(max_length=64, verbose_name=_("名称"))
    first_year = models.PositiveSmallIntegerField(verbose_name=_("始见年份"))
    last_year = models.PositiveSmallIntegerField(verbose_name=_("终见年份"))

    class Meta:
        verbose_name = _("历史区划代码")
        verbose_name_plural = _("历史区划代码")
        constraints = [
            # Also serves the ID-number check: WHERE code = ?
            models.UniqueConstraint(fields=["code", "name"], name="address_code_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
