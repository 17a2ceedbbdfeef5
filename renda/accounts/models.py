from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.accounts.roles import Role
from renda.regions.codes import Level, subtree_range
from renda.regions.models import District, Region


class User(AbstractUser):
    """A person who logs in. What they may do comes only from their role assignments."""

    real_name = models.CharField(max_length=64, verbose_name=_("姓名"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("手机号码"))
    must_change_password = models.BooleanField(default=False, verbose_name=_("须修改密码"))
    created_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    # The region an account belongs to: staff may manage accounts homed in their subtree.
    home_code = models.BigIntegerField(null=True, blank=True, verbose_name=_("所属区划"))

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        indexes = [
            # The scoped account list: WHERE home_code BETWEEN lo AND hi ORDER BY id
            models.Index(fields=["home_code", "id"], name="user_home_code"),
        ]

    def __str__(self) -> str:
        return f"{self.real_name}（{self.username}）" if self.real_name else self.username


class RoleAssignment(models.Model):
    """One role held by one user on one region or electoral district."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=32, choices=Role.choices, verbose_name=_("角色"))
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("区划")
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("选区")
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=True, district__isnull=False)
                | Q(region__isnull=False, district__isnull=True),
                name="assignment_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="assignment_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=Q(district__isnull=False),
                name="assignment_unique_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.scope_name}"

    @property
    def scope_code(self) -> int:
        if self.district_id is not None:
            return self.district_id
        assert self.region_id is not None
        return self.region_id

    @property
    def scope_level(self) -> int:
        if self.district_id is not None:
            return Level.DISTRICT
        assert self.region is not None
        return self.region.level

    @property
    def scope_name(self) -> str:
        if self.district is not None:
            return f"{self.district.township.name}{self.district.name}"
        return str(self.region)

    @property
    def subtree(self) -> tuple[int, int]:
        return subtree_range(self.scope_code, self.scope_level)
