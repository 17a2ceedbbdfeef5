"""What modules plug into the shell: navigation entries and home-dashboard cards.

Each module registers its entries in its AppConfig.ready(), so the shell never imports a
module that sits above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

Visible = Callable[[Any], bool]


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    order: int
    visible: Visible
    section: str | Promise = ""


@dataclass(frozen=True)
class Card:
    """One figure on the home dashboard; ``url`` opens what it counts."""

    label: str | Promise
    value: int | str
    url: str = ""
    hint: str | Promise = ""
    warn: bool = False


@dataclass(frozen=True)
class CardGroup:
    title: str | Promise
    cards: list[Card]
    order: int = 100
    todo: list[Card] = field(default_factory=list)


CardProvider = Callable[[Any, Any], CardGroup | None]

_nav: list[NavItem] = []
_cards: list[CardProvider] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _nav):
        _nav.append(item)


def register_cards(provider: CardProvider) -> None:
    if provider not in _cards:
        _cards.append(provider)


def nav_for(user: Any) -> list[NavItem]:
    return sorted((i for i in _nav if i.visible(user)), key=lambda i: i.order)


def cards_for(user: Any, scope: Any) -> list[CardGroup]:
    groups = [g for provider in _cards if (g := provider(user, scope)) is not None]
    return sorted(groups, key=lambda g: g.order)
