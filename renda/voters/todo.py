"""To-do counters on the home dashboard: what waits for this person, in the place they chose.

Transfers their districts must answer (and the overdue ones, escalated to the county), open
self-service requests, open registration conflicts, the roster's review items and unread
notifications. Only non-zero counters are shown; each opens its list. (Open and overdue
appeals are counted by stats.home_cards.)
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.accounts.scopes import Place
from renda.core.notifications import unread_count
from renda.core.registry import Card, CardGroup
from renda.voters import selectors_transfers as reads


def review_items_open(user: Any, lo: int, hi: int) -> int | None:
    """Open review items of the roster's cross-checks in the user's scope, or None while the
    roster module does not provide them."""
    try:
        from renda.roster.models import ReviewItem  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    scope = access.regions_for(user, Perm.VOTER_VIEW)
    return int(
        ReviewItem.objects.filter(
            scope.q("district_id"), status="open", district_id__gte=lo, district_id__lte=hi
        ).count()
    )


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def todo_cards(user: Any, place: Place | None) -> CardGroup | None:
    if place is None or not access.has_perm(user, Perm.VOTER_VIEW, place.code):
        return None
    lo, hi = place.subtree
    cards: list[Card] = []
    awaiting = reads.transfers_awaiting_count(user, lo, hi)
    if awaiting:
        cards.append(
            Card(
                _("待确认的转移申请"),
                awaiting,
                reverse("voters:transfers"),
                hint=_("请在答复期限内确认或拒绝"),
            )
        )
    overdue = reads.transfers_escalated_count(user, lo, hi)
    if overdue:
        cards.append(
            Card(
                _("逾期未答复的转移申请"),
                overdue,
                reverse("voters:transfers"),
                hint=_("已上报县级督办"),
                warn=True,
            )
        )
    requests = reads.selfservice_open_count(user, lo, hi)
    if requests:
        cards.append(Card(_("待审核的自助登记申请"), requests, reverse("voters:selfservice")))
    conflicts = reads.conflicts_open_count(user, lo, hi)
    if conflicts:
        cards.append(
            Card(
                _("未处理的登记冲突"),
                conflicts,
                reverse("voters:conflicts"),
                hint=_("已在他处登记的人员，可一键申请转移"),
            )
        )
    review = review_items_open(user, lo, hi)
    if review:
        cards.append(Card(_("待核查事项"), review, _url("roster:review")))
    unread = unread_count(user)
    if unread:
        cards.append(Card(_("未读通知"), unread, reverse("notifications")))
    if not cards:
        return None
    return CardGroup(_("待办事项"), [], order=1, todo=cards)
