"""Navigation entry and audit-action names of the roster's cross-checks: fuzzy candidates,
the cross-province exchange and the seats page (registered by RosterConfig.ready)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.registry import NavItem, register_nav

AUDIT_LABELS: dict[str, str | Promise] = {
    "roster.fuzzy_run": _("模糊比对（疑似同一人）"),
    "roster.exchange_export": _("导出跨省比对文件"),
    "roster.exchange_import": _("导入跨省比对文件"),
}


def register() -> None:
    register_nav(
        NavItem(
            _("选区名额与人口"),
            "roster:seats_index",
            18,
            lambda user: access.has_perm(user, Perm.DISTRICT_VIEW),
            _("基础数据与核查"),
        )
    )
