"""The registration progress card of the home dashboard, from the counters (one query)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renda.accounts.access import regions_for
from renda.accounts.scopes import Place
from renda.core.registry import Card, CardGroup
from renda.regions.codes import SPAN
from renda.stats.figures import Figures
from renda.stats.selectors import VIEW, election_for, grouped_figures, window_of


def home_cards(user: Any, place: Place | None) -> CardGroup | None:
    if place is None or not regions_for(user, VIEW).covers_range(*place.subtree):
        return None
    election = election_for(user, None)
    window = window_of(election, place) if election else None
    if election is None or window is None:
        return None
    groups = grouped_figures(election.pk, *window, SPAN[place.level])
    total = Figures.total(groups.values())
    url = reverse("stats:region", args=[place.code])
    rate = total.rate
    cards = [
        Card(_("应登记"), f"{total.expected:,}", url),
        Card(_("已登记"), f"{total.listed:,}", url),
        Card(_("登记率"), f"{rate}%" if rate is not None else "—", url),
        Card(_("选区"), f"{total.started:,} / {total.districts:,}", url, hint=_("已启动 / 全部")),
    ]
    todo = []
    if total.not_started:
        todo.append(
            Card(
                _("尚未启动登记的选区"),
                total.not_started,
                f"{url}#lagging",
                hint=_("请督促相关选区开展登记"),
                warn=True,
            )
        )
    return CardGroup(_("登记进度"), cards, order=14, todo=todo)
