"""Navigation entries and audit-action names of the roster module."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.registry import NavItem, Visible, register_nav

AUDIT_LABELS: dict[str, str | Promise] = {
    "base_batch.load": _("导入基础数据"),
    "base_record.confirm": _("确认基础数据（登记选民）"),
    "base_record.exception": _("基础数据情况说明"),
    "base_record.reopen": _("撤销基础数据情况说明"),
    "district_mapping.save": _("设置选区划分规则"),
    "district_mapping.set_villages": _("按村（居）划分选区"),
    "district_mapping.delete": _("删除选区划分规则"),
    "review_item.applied": _("处理核查事项"),
    "review_item.dismissed": _("排除核查事项"),
    "crosscheck.run": _("运行校验比对"),
}


def register() -> None:
    # Between the register (11–15) and administration (20); equal orders keep this order.
    def can(perm: Perm) -> Visible:
        return lambda user: access.has_perm(user, perm)

    section = _("基础数据与核查")
    register_nav(NavItem(_("基础数据"), "roster:overview", 16, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("应登记名单"), "roster:expected", 16, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("待核查事项"), "roster:review", 17, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("校验比对"), "roster:report", 17, can(Perm.VOTER_VIEW), section))
    register_nav(
        NavItem(_("选区划分规则"), "roster:mapping", 18, can(Perm.DISTRICT_MANAGE), section)
    )
    register_nav(
        NavItem(_("导入基础数据"), "roster:upload", 19, can(Perm.BASE_DATA_MANAGE), section)
    )
