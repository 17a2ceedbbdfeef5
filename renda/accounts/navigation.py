"""Navigation entries of the foundation modules (each visible only with the permission)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.registry import NavItem, register_cards, register_nav


def _can(perm: Perm) -> Any:
    return lambda user: access.has_perm(user, perm)


def register() -> None:
    from renda.accounts.stats import home_cards as account_cards
    from renda.regions.stats import home_cards as region_cards

    register_nav(NavItem(_("首页"), "home", 0, lambda user: True))
    register_nav(NavItem(_("区划与选区"), "regions:index", 10, _can(Perm.REGION_VIEW)))
    register_nav(
        NavItem(_("账号管理"), "accounts:list", 20, _can(Perm.ACCOUNT_VIEW), section=_("管理"))
    )
    register_nav(
        NavItem(
            _("导入任务"),
            "imports:list",
            30,
            lambda user: (
                access.has_perm(user, Perm.ACCOUNT_MANAGE)
                or access.has_perm(user, Perm.VOTER_MANAGE)
            ),
            section=_("管理"),
        )
    )
    register_nav(
        NavItem(
            _("登录安全"), "accounts:lockouts", 40, _can(Perm.SECURITY_MANAGE), section=_("管理")
        )
    )
    register_nav(NavItem(_("审计日志"), "core:audit", 50, _can(Perm.AUDIT_VIEW), section=_("管理")))
    register_nav(NavItem(_("接口令牌"), "api_tokens", 90, lambda user: True, section=_("个人")))
    register_cards(region_cards)
    register_cards(account_cards)
