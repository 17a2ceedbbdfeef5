"""Region codes as numbers.

Every region and electoral district is keyed by its 12-digit statistical code read as an integer:
province 42 → 420000000000, city 4201 → 420100000000, county 420102 → 420102000000, township
420102001 → 420102001000, and electoral district 001 of that township → 420102001001. Because
the codes nest by prefix, a region's whole subtree — regions, districts and everything that
carries a district code — is one indexed range predicate: ``code BETWEEN lo AND hi``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    DISTRICT = 5, _("选区")


# How many codes one unit of each level spans.
SPAN: dict[int, int] = {
    Level.PROVINCE: 10**10,
    Level.CITY: 10**8,
    Level.COUNTY: 10**6,
    Level.TOWNSHIP: 10**3,
    Level.DISTRICT: 1,
}
# How many leading digits of the 12-digit code are significant at each level.
DIGITS: dict[int, int] = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.DISTRICT: 12,
}


def subtree_range(code: int, level: int) -> tuple[int, int]:
    """The inclusive code range covering a region and everything below it."""
    return code, code + SPAN[level] - 1


def short_code(code: int, level: int) -> str:
    """The code as people write it: 42, 4201, 420102, 420102001, 420102001001."""
    return f"{code:012d}"[: DIGITS[level]]


def display_code(code: int, level: int) -> str:
    """The code as printed on official forms: six digits down to county, then 9 or 12."""
    if level <= Level.COUNTY:
        return f"{code:012d}"[:6]
    return short_code(code, level)


def parse_code(text: str) -> int:
    """Read a code typed by a person (2, 4, 6, 9 or 12 digits) as a 12-digit integer.

    Raises ValueError for anything else.
    """
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) not in {2, 4, 6, 9, 12}:
        raise ValueError(text)
    return int(digits.ljust(12, "0"))
