"""The figures of one area, and the arithmetic on them (pure: no database).

The counters are the columns of ``voters.VoterTally`` (see the counters contract in the voters
README); an area's figures are their sums. Two figures are derived, never stored: 已登记, the
people on the list (registered + suspended; 不列入 and 开具证明 are not on it), and 登记率,
已登记 / 应登记 — none when nothing is expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# The counter columns of VoterTally, in the order the report table shows them.
COUNTERS: tuple[str, ...] = (
    "expected",
    "registered",
    "not_listed",
    "suspended",
    "certified_out",
    "removed",
    "male",
    "female",
    "age_18_35",
    "age_36_59",
    "age_60_plus",
    "minority",
    "certificate_holders",
    "mobile_box",
    "proxies",
    "certificates_issued",
    "newly_18",
    "restored",
    "moved_in",
    "deceased",
    "deprived",
    "moved_out",
)
ADDITIONS = ("newly_18", "restored", "moved_in")
REMOVALS = ("deceased", "deprived", "moved_out")
PERCENT = Decimal("0.01")


def rate_of(listed: int, expected: int) -> Decimal | None:
    """登记率 as a percentage rounded half up to two places (95.37), or None without a base."""
    if expected <= 0:
        return None
    return (Decimal(listed) * 100 / Decimal(expected)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """Sums of the counters over an area, with its districts and those not yet started."""

    expected: int = 0
    registered: int = 0
    not_listed: int = 0
    suspended: int = 0
    certified_out: int = 0
    removed: int = 0
    male: int = 0
    female: int = 0
    age_18_35: int = 0
    age_36_59: int = 0
    age_60_plus: int = 0
    minority: int = 0
    certificate_holders: int = 0
    mobile_box: int = 0
    proxies: int = 0
    certificates_issued: int = 0
    newly_18: int = 0
    restored: int = 0
    moved_in: int = 0
    deceased: int = 0
    deprived: int = 0
    moved_out: int = 0
    districts: int = 0  # electoral districts in the area
    not_started: int = 0  # of which nobody is registered yet

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Figures:
        """From a mapping (a snapshot's JSON, a row); unknown keys are ignored, gaps are 0."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v or 0) for k, v in values.items() if k in names})

    @classmethod
    def total(cls, parts: Iterable[Figures]) -> Figures:
        result = cls()
        for part in parts:
            result = result + part
        return result

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def listed(self) -> int:
        """已登记: on the voter list."""
        return self.registered + self.suspended

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.listed, self.expected)

    @property
    def gap(self) -> int:
        """Still to register against the base data (never negative)."""
        return max(0, self.expected - self.listed)

    @property
    def added(self) -> int:
        return sum(getattr(self, name) for name in ADDITIONS)

    @property
    def subtracted(self) -> int:
        return sum(getattr(self, name) for name in REMOVALS)

    @property
    def active(self) -> int:
        """Everyone holding a registration here (the base of the structure figures)."""
        return self.registered + self.not_listed + self.suspended + self.certified_out

    @property
    def started(self) -> int:
        return self.districts - self.not_started

    def as_dict(self) -> dict[str, Any]:
        """Every counter plus the derived figures; the rate as a number or None (JSON, API)."""
        rate = self.rate
        return {
            **asdict(self),
            "listed": self.listed,
            "rate": float(rate) if rate is not None else None,
        }
