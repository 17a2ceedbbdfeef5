"""Account figures for the home dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.accounts.scopes import Place
from renda.accounts.selectors import accounts_for
from renda.core.registry import Card, CardGroup


def home_cards(user: Any, place: Place | None) -> CardGroup | None:
    if place is None or not access.has_perm(user, Perm.ACCOUNT_VIEW, place.code):
        return None
    qs = accounts_for(user, lo=place.subtree[0], hi=place.subtree[1])
    url = reverse("accounts:list")
    total = qs.count()
    pending = qs.filter(is_active=True, must_change_password=True).count()
    inactive = qs.filter(is_active=False).count()
    todo = []
    if pending:
        todo.append(
            Card(
                _("尚未首次登录改密的账号"),
                pending,
                url,
                hint=_("请督促相关人员登录并修改初始密码"),
            )
        )
    return CardGroup(
        _("账号"),
        [Card(_("账号总数"), total, url), Card(_("已停用"), inactive, url)],
        order=20,
        todo=todo,
    )
