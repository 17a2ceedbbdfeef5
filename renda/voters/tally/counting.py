"""What one registration counts for: the columns, the age bands, the open elections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils import timezone

from renda.voters.models import ACTIVE, ChangeKind, Election, ResidenceKind, Sex, Status, Voter
from renda.voters.rules import Feb29Rule, age_on

HAN = 1
STATUSES = tuple(s.value for s in Status)  # a column each, named by the status
STRUCTURE = (
    "male",
    "female",
    "age_18_35",
    "age_36_59",
    "age_60_plus",
    "minority",
    "certificate_holders",
    "mobile_box",
)
CHANGE_KINDS = tuple(  # 三增三减: a column each, named by the kind
    k.value
    for k in (
        ChangeKind.NEWLY_18,
        ChangeKind.RESTORED,
        ChangeKind.MOVED_IN,
        ChangeKind.DECEASED,
        ChangeKind.DEPRIVED,
        ChangeKind.MOVED_OUT,
    )
)
COUNTERS = (*STATUSES, *STRUCTURE, "proxies", "certificates_issued", *CHANGE_KINDS)
# The voter fields the counters depend on: a change to any other field needs no watching.
COUNTED_FIELDS = frozenset(
    {"district_id", "status", "sex", "birth_date", "ethnicity", "residence_kind", "mobile_box"}
)
STATE_FIELDS = ("id", *sorted(COUNTED_FIELDS))
ALL_CODES = (0, 999_999_999_999)
CHUNK = 900  # ids per IN (…): SQLite takes 999 variables a statement

Key = tuple[int, int]  # (election id, district code)
Deltas = dict[Key, Counter[str]]
EthnicDeltas = Counter[tuple[int, int, int]]  # (election id, district code, ethnicity) → n


# --- What one voter counts for --------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """The fields of a registration the counters read."""

    district_id: int
    status: str
    sex: str
    birth_date: date
    ethnicity: int = HAN
    residence_kind: str = ResidenceKind.HOUSEHOLD
    mobile_box: bool = False

    @classmethod
    def of(cls, voter: Voter) -> State:
        return cls(
            voter.district_id,
            voter.status,
            voter.sex,
            voter.birth_date,
            voter.ethnicity,
            voter.residence_kind,
            voter.mobile_box,
        )

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class Bands:
    """The latest birth dates of people aged 18, 36 and 60 or more on an election day."""

    by18: date
    by36: date
    by60: date

    @staticmethod
    @lru_cache(maxsize=64)
    def of(day: date, feb29: str = Feb29Rule.FEB_28) -> Bands:
        return Bands(born_by(day, 18, feb29), born_by(day, 36, feb29), born_by(day, 60, feb29))

    def band(self, born: date) -> str | None:
        if born <= self.by60:
            return "age_60_plus"
        if born <= self.by36:
            return "age_36_59"
        if born <= self.by18:
            return "age_18_35"
        return None  # under 18 on this election's day (registered for an earlier one)


def born_by(day: date, years: int, feb29: str = Feb29Rule.FEB_28) -> date:
    """The latest birth date of a person ``years`` or more old on ``day`` (rules.age_on, so a
    29 February birthday follows the election's setting)."""
    try:
        latest = day.replace(year=day.year - years)
    except ValueError:  # day is 29 February, the year ``years`` earlier is common
        latest = date(day.year - years, 2, 28)
    after = latest + timedelta(days=1)
    return after if age_on(after, day, feb29) >= years else latest


def contribution(state: State, election_day: date, feb29: str = Feb29Rule.FEB_28) -> dict[str, int]:
    """The counters one registration adds to its district's row of an election."""
    out = {state.status: 1}
    if not state.active:
        return out
    out["male" if state.sex == Sex.MALE else "female"] = 1
    band = Bands.of(election_day, feb29).band(state.birth_date)
    if band:
        out[band] = 1
    if state.ethnicity != HAN:
        out["minority"] = 1
    if state.residence_kind == ResidenceKind.CERTIFICATE:
        out["certificate_holders"] = 1
    if state.mobile_box:
        out["mobile_box"] = 1
    return out


# --- Open elections -------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """An open election as the counters need it: its id, area and age bands."""

    pk: int
    lo: int
    hi: int
    bands: Bands
    day: date
    feb29: str

    @classmethod
    def of(cls, election: Election) -> Open:
        lo, hi = election.region.subtree
        bands = Bands.of(election.election_day, election.feb29_rule)
        return cls(election.pk, lo, hi, bands, election.election_day, election.feb29_rule)

    def covers(self, code: int) -> bool:
        return self.lo <= code <= self.hi


def open_elections() -> list[Open]:
    """Every election whose day has not passed (a handful at most)."""
    today = timezone.localdate()
    return [
        Open.of(e)
        for e in Election.objects.select_related("region").filter(election_day__gte=today)
    ]


def open_elections_for(codes: Iterable[int]) -> list[Election]:
    """The open elections covering at least one of the district ``codes``."""
    wanted = set(codes)
    today = timezone.localdate()
    return [
        e
        for e in Election.objects.select_related("region").filter(election_day__gte=today)
        if any(Open.of(e).covers(c) for c in wanted)
    ]
