"""Navigation entries of the voter register (each visible only with its permission)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.registry import NavItem, Visible, register_cards, register_nav


def register() -> None:
    from renda.voters.stats import home_cards
    from renda.voters.todo import todo_cards

    register_cards(home_cards)
    register_cards(todo_cards)

    def can(perm: Perm) -> Visible:
        return lambda user: access.has_perm(user, perm)

    section = _("选民登记")
    register_nav(NavItem(_("选民名册"), "voters:list", 11, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("批量导入选民"), "voters:import", 12, can(Perm.VOTER_MANAGE), section))
    register_nav(NavItem(_("名单公布"), "voters:lists", 12, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("申诉处理"), "voters:appeals", 13, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("转移申请"), "voters:transfers", 13, can(Perm.VOTER_VIEW), section))
    register_nav(NavItem(_("登记冲突"), "voters:conflicts", 13, can(Perm.VOTER_VIEW), section))
    register_nav(
        NavItem(_("自助登记申请"), "voters:selfservice", 14, can(Perm.VOTER_VIEW), section)
    )
    register_nav(
        NavItem(_("选民资格证明"), "voters:certificates", 14, can(Perm.VOTER_VIEW), section)
    )
    register_nav(
        NavItem(
            _("换届选举"),
            "voters:elections",
            15,
            lambda user: (
                access.has_perm(user, Perm.ELECTION_MANAGE)
                or access.has_perm(user, Perm.VOTER_VIEW)
            ),
            section,
        )
    )
