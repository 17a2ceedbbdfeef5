"""Voter register figures for the home dashboard: the place's subtree, within the user's scope."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.accounts.scopes import Place
from renda.core.registry import Card, CardGroup
from renda.regions.codes import short_code
from renda.voters import selectors
from renda.voters.models import ACTIVE, CertificateStatus, Status


def _list_url(place: Place, **params: str) -> str:
    query = {"district": short_code(place.code, place.level), **params}
    return f"{reverse('voters:list')}?{urlencode(query)}"


def register_counts(user: Any, lo: int, hi: int) -> dict[str, int]:
    """One pass over the scope's voters, one over its certificates, one over its appeals."""
    voters = selectors.voters_for(user).filter(district_id__gte=lo, district_id__lte=hi)
    counts = voters.aggregate(
        registered=Count("pk", filter=Q(status=Status.REGISTERED)),
        not_listed=Count("pk", filter=Q(status=Status.NOT_LISTED)),
        suspended=Count("pk", filter=Q(status=Status.SUSPENDED)),
        mobile_box=Count("pk", filter=Q(mobile_box=True, status__in=ACTIVE)),
    )
    counts["certificates"] = (
        selectors.certificates_for(user)
        .filter(district_id__gte=lo, district_id__lte=hi)
        .exclude(status=CertificateStatus.REVOKED)
        .count()
    )
    appeals = selectors.appeals_for(user, open_only=True).filter(
        district_id__gte=lo, district_id__lte=hi
    )
    counts.update(
        appeals.aggregate(
            open_appeals=Count("pk"),
            overdue_appeals=Count("pk", filter=Q(decide_by__lt=timezone.localdate())),
        )
    )
    return {key: value or 0 for key, value in counts.items()}


def home_cards(user: Any, place: Place | None) -> CardGroup | None:
    if place is None or not access.has_perm(user, Perm.VOTER_VIEW, place.code):
        return None
    n = register_counts(user, *place.subtree)
    certificates = reverse("voters:certificates")
    appeals = reverse("voters:appeals")
    cards = [
        Card(_("已登记选民"), n["registered"], _list_url(place, status=Status.REGISTERED)),
        Card(_("不列入名单"), n["not_listed"], _list_url(place, status=Status.NOT_LISTED)),
        Card(_("停止行使选举权利"), n["suspended"], _list_url(place, status=Status.SUSPENDED)),
        Card(_("开具选民资格证明"), n["certificates"], certificates),
        Card(_("流动票箱"), n["mobile_box"], _list_url(place)),
    ]
    todo = []
    if n["open_appeals"]:
        todo.append(
            Card(
                _("待处理的申诉"),
                n["open_appeals"],
                appeals,
                hint=_("选举委员会应在三日内作出处理决定"),
            )
        )
    if n["overdue_appeals"]:
        todo.append(
            Card(
                _("已超过处理期限的申诉"),
                n["overdue_appeals"],
                appeals,
                hint=_("请立即处理"),
                warn=True,
            )
        )
    return CardGroup(_("选民登记"), cards, order=15, todo=todo)
