"""Turning a typed region or district code into the place a role is granted on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from renda.core.errors import ServiceError
from renda.regions.codes import Level, display_code, parse_code, subtree_range
from renda.regions.models import District, Region


@dataclass(frozen=True)
class Place:
    code: int
    level: int
    name: str
    region: Region | None
    district: District | None

    @property
    def subtree(self) -> tuple[int, int]:
        return subtree_range(self.code, self.level)

    @property
    def label(self) -> str:
        return f"{self.name}（{display_code(self.code, self.level)}）"


def place_of(target: Region | District) -> Place:
    if isinstance(target, District):
        return Place(target.code, Level.DISTRICT, target.name, None, target)
    return Place(target.code, target.level, target.name, target, None)


def places(codes: Iterable[int]) -> dict[int, Place]:
    """The current regions and the districts among ``codes``, in two queries."""
    wanted = sorted(set(codes))
    found: dict[int, Place] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        for region in Region.objects.filter(code__in=chunk, valid_to__isnull=True):
            found[region.code] = place_of(region)
        for district in District.objects.filter(code__in=chunk):
            found[district.code] = place_of(district)
    return found


def place_from_text(text: str) -> Place:
    """The place whose code a person typed (2–12 digits), or a ServiceError."""
    try:
        code = parse_code(text)
    except ValueError:
        raise ServiceError(
            _("“%(code)s”不是有效的区划或选区代码。") % {"code": text}, field="scope"
        ) from None
    found = places([code]).get(code)
    if found is None:
        raise ServiceError(
            _("找不到代码为 %(code)s 的区划或选区。") % {"code": text}, field="scope"
        )
    return found
