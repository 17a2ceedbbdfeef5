"""Region and district figures for the home dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.accounts.scopes import Place
from renda.core.registry import Card, CardGroup
from renda.regions.codes import Level
from renda.regions.selectors import counts_in


def home_cards(user: Any, place: Place | None) -> CardGroup | None:
    if place is None or not access.has_perm(user, Perm.REGION_VIEW, place.code):
        return None
    n = counts_in(user, *place.subtree)
    url = (
        reverse("regions:district", args=[place.code])
        if place.level == Level.DISTRICT
        else reverse("regions:detail", args=[place.code])
    )
    cards = []
    if place.level < Level.CITY:
        cards.append(Card(_("市级区划"), n["cities"], url))
    if place.level < Level.COUNTY:
        cards.append(Card(_("县级区划"), n["counties"], url))
    if place.level < Level.TOWNSHIP:
        cards.append(Card(_("乡镇（街道）"), n["townships"], url))
    cards.append(Card(_("选区"), n["districts"], url))
    todo = []
    if n["townships_without_districts"] and access.has_perm(user, Perm.DISTRICT_MANAGE, place.code):
        todo.append(
            Card(
                _("尚未划分选区的乡镇"),
                n["townships_without_districts"],
                url,
                hint=_("请为这些乡镇（街道）设立选区"),
                warn=True,
            )
        )
    return CardGroup(_("区划与选区"), cards, order=10, todo=todo)
