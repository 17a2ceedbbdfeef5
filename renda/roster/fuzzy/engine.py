"""Fuzzy candidates: residual records against the whole register, in two set-based lookups.

A *residual* is a record the exact cross-check could not place: its ID number is missing or
invalid, or valid but held by no active registration. For each one the engine finds the
registered voters that may be the same person:

1. **By ID number** (no clear number of any voter is read): the valid numbers one edit away
   from the typed one (``variants``), or a 15-digit number written as 18, keeping only those
   that carry the record's birth date and sex; each is hashed with the register's key and the
   hashes are joined to ``voters_voter.id_hash`` through one staging table.
2. **By name**: voters with the record's birth date and sex (the block), whose name is close by
   the rules of ``names`` — one staging table joined on (birth_date, sex), the database keeping
   only names whose length could meet a rule.

Every pair gets a strength from ``STRENGTH``: what the ID evidence says, then the name. Nothing
here writes; ``services.fuzzy_candidates_run`` turns candidates into review items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db import connection, transaction

from renda.roster.fuzzy import variants as v
from renda.roster.fuzzy.names import NameRule, compare, pinyin, simplified
from renda.roster.staging import index_probes, staged
from renda.voters import pii
from renda.voters.idnumbers import mask, normalize
from renda.voters.models import ACTIVE, Voter

# What ties a residual to a voter through the ID number.
ID_LEGACY = "legacy_15"  # the 15-digit number, written as 18, is the voter's
ID_ONE_EDIT = "id_one_edit"  # the voter's number is one edit from the typed one
ID_LEGACY_ONE_EDIT = "legacy_15_one_edit"  # one edit from the 15-digit number, as 18
NO_ID = "no_id"  # name only; the record's number is missing or invalid
OTHER_ID = "other_id"  # name only; the record has a valid number, not the voter's

# Strength (ReviewItem.strength, 1.0 being an exact ID match) by ID evidence and name rule.
# None: not a candidate. Birth date and sex agree in every row (the block, or the variant
# filter). Name + birth date + sex alone is weak at province scale, hence the low name-only
# figures; a valid number that differs from the voter's counts against the pair.
N = NameRule
STRENGTH: dict[str, dict[NameRule, float | None]] = {
    ID_LEGACY: {
        N.SAME_NAME: 0.99,
        N.SAME_PINYIN: 0.97,
        N.PINYIN_ONE_EDIT: 0.95,
        N.ONE_CHAR: 0.90,
        N.DIFFERENT: 0.85,
    },
    ID_ONE_EDIT: {
        N.SAME_NAME: 0.95,
        N.SAME_PINYIN: 0.92,
        N.PINYIN_ONE_EDIT: 0.88,
        N.ONE_CHAR: 0.80,
        N.DIFFERENT: 0.50,
    },
    ID_LEGACY_ONE_EDIT: {
        N.SAME_NAME: 0.90,
        N.SAME_PINYIN: 0.85,
        N.PINYIN_ONE_EDIT: 0.80,
        N.ONE_CHAR: 0.70,
        N.DIFFERENT: 0.40,
    },
    NO_ID: {
        N.SAME_NAME: 0.70,
        N.SAME_PINYIN: 0.60,
        N.PINYIN_ONE_EDIT: 0.40,
        N.ONE_CHAR: 0.30,
        N.DIFFERENT: None,
    },
    OTHER_ID: {
        N.SAME_NAME: 0.45,
        N.SAME_PINYIN: 0.35,
        N.PINYIN_ONE_EDIT: None,
        N.ONE_CHAR: None,
        N.DIFFERENT: None,
    },
}
# Name-only pairs whose two numbers are two edits apart (two slips, or a swap across a
# digit) are likelier the same person; never above an ID rule with the same name.
TWO_EDIT_BONUS = 0.15
TWO_EDIT_CAP = 0.94
NAME_ONLY_LIMIT = 10  # name-only candidates kept per residual, strongest first
# 18-digit numbers replaced the 15-digit ones from 1999; nobody born later held one.
LAST_FIFTEEN_BIRTH_YEAR = 1990

VARIANT_TABLE = "renda_fuzzy_variants"
BLOCK_TABLE = "renda_fuzzy_blocks"


@dataclass(frozen=True)
class Residual:
    """A record to place. ``number`` is the typed ID number normalised (None if none)."""

    key: int
    name: str
    birth_date: date | None
    sex: str  # "M", "F" or ""
    number: str | None = None
    name_pinyin: str = ""
    district_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # carried into the details

    @cached_property
    def simple_name(self) -> str:
        return simplified(self.name)

    @cached_property
    def pinyin(self) -> str:
        return self.name_pinyin or pinyin(self.name)

    @cached_property
    def valid_number(self) -> bool:
        return (
            self.number is not None and len(self.number) == 18 and v.is_valid(self.number, _today())
        )

    def effective_birth(self) -> tuple[date | None, bool]:
        """The birth date to compare on, and whether it came from the typed number."""
        if self.birth_date is not None:
            return self.birth_date, False
        if self.number is None:
            return None, False
        text = self.number if len(self.number) == 18 else ""
        if len(self.number) == 15 and self.number.isascii() and self.number.isdigit():
            text = self.number[:6] + "19" + self.number[6:]
        born = v.birth_of(text) if text else None
        return born, born is not None

    def effective_sex(self) -> str:
        if self.sex in ("M", "F") or self.number is None:
            return self.sex
        digit = self.number[16:17] if len(self.number) == 18 else self.number[14:15]
        if digit.isascii() and digit.isdigit():
            return "M" if int(digit) % 2 else "F"
        return ""


@dataclass(frozen=True)
class VoterRow:
    id: int
    name: str
    name_pinyin: str
    birth_date: date
    sex: str
    district_id: int


@dataclass(frozen=True)
class Candidate:
    residual: Residual
    voter: VoterRow
    id_rule: str
    name_rule: NameRule
    strength: float
    edit: v.Variant | None = None
    id_distance: int | None = None  # between the two numbers, when the record has one
    voter_id_masked: str = ""

    @property
    def rule(self) -> str:
        return self.id_rule if self.id_rule not in (NO_ID, OTHER_ID) else self.name_rule.value


def _today() -> date:
    return date.today()


def _as_fifteen(r: Residual) -> str | None:
    """The 15-digit number a record may have been typed as: the number itself, or a valid
    18-digit one of a person old enough to have held a 15-digit card (the import writes those
    as 18, so a slip in the 15 digits arrives as a valid number, two edits from the truth)."""
    number = r.number or ""
    if len(number) == 15:
        return number
    if r.valid_number and number[6:8] == "19" and int(number[6:10]) <= LAST_FIFTEEN_BIRTH_YEAR:
        return number[:6] + number[8:17]
    return None


def _id_variants(r: Residual, today: date) -> list[tuple[str, v.Variant]]:
    """(ID rule, variant) of a residual, narrowed to its birth date and sex."""
    if r.number is None:
        return []
    born, sex = r.effective_birth()[0], r.effective_sex()
    found = [(ID_LEGACY, x) for x in v.legacy_upgrades(r.number, today=today)]
    fifteen = _as_fifteen(r)
    if fifteen is not None:
        found += [(ID_LEGACY_ONE_EDIT, x) for x in v.legacy_one_edit_variants(fifteen, today=today)]
    found += [(ID_ONE_EDIT, x) for x in v.one_edit_variants(r.number, today=today)]
    return [(rule, x) for rule, x in found if v.agrees(x.number, born, sex)]


_VOTER_COLUMNS = ("id", "name", "name_pinyin", "birth_date", "sex", "district_id")


def _voter_row(values: Sequence[Any]) -> VoterRow:
    born = values[3]
    if isinstance(born, str):  # SQLite through a raw cursor
        born = date.fromisoformat(born)
    return VoterRow(values[0], values[1], values[2], born, values[4], values[5])


def _active_marks() -> str:
    return ", ".join(["%s"] * len(ACTIVE))


def by_id(
    residuals: Sequence[Residual], today: date
) -> dict[int, list[tuple[str, v.Variant, VoterRow]]]:
    """residual key → (ID rule, variant, voter) for every active voter holding a variant."""
    wanted: list[tuple[int, str, v.Variant]] = []
    for r in residuals:
        wanted += [(r.key, rule, x) for rule, x in _id_variants(r, today)]
    found: dict[int, list[tuple[str, v.Variant, VoterRow]]] = defaultdict(list)
    if not wanted:
        return found
    rows = [(i, pii.id_hash(x.number)) for i, (_, _, x) in enumerate(wanted)]
    rows.sort(key=lambda row: row[1])  # walk the id_hash index front to back
    quote = connection.ops.quote_name
    columns = ", ".join(f"v.{quote(c)}" for c in _VOTER_COLUMNS)
    with transaction.atomic(), staged(VARIANT_TABLE, [("i", "int"), ("h", "bytes")], rows) as t:
        sql = (
            f"SELECT k.i, {columns} FROM {t} k "  # noqa: S608 — our own names
            f"JOIN {quote(Voter._meta.db_table)} v ON v.id_hash = k.h "
            f"WHERE v.status IN ({_active_marks()})"
        )
        with index_probes(), connection.cursor() as cursor:
            cursor.execute(sql, list(ACTIVE))
            hits = cursor.fetchall()
    for i, *voter in hits:
        key, rule, variant = wanted[i]
        found[key].append((rule, variant, _voter_row(voter)))
    return found


def by_name(residuals: Sequence[Residual]) -> dict[int, list[tuple[NameRule, VoterRow]]]:
    """residual key → (name rule, voter) for active voters of the same birth date and sex
    whose name meets a rule the residual allows (a valid number of its own: the two
    strongest only)."""
    blocks = []
    for r in residuals:
        born, sex = r.effective_birth()[0], r.effective_sex()
        if born is None or sex not in ("M", "F") or not r.name:
            continue
        strict = int(r.valid_number)
        blocks.append((r.key, born, sex, len(r.pinyin), len(r.simple_name), strict, r.pinyin))
    found: dict[int, list[tuple[NameRule, VoterRow]]] = defaultdict(list)
    if not blocks:
        return found
    by_key = {r.key: r for r in residuals}
    quote = connection.ops.quote_name
    columns = ", ".join(f"v.{quote(c)}" for c in _VOTER_COLUMNS)
    spec = [
        ("r", "int"),
        ("born", "date"),
        ("sex", "text"),
        ("plen", "int"),
        ("nlen", "int"),
        ("strict", "int"),
        ("pinyin", "text"),
    ]
    sql = (
        f"SELECT k.r, {columns} FROM {{t}} k "  # noqa: S608 — our own names
        f"JOIN {quote(Voter._meta.db_table)} v ON v.birth_date = k.born AND v.sex = k.sex "
        f"WHERE v.status IN ({_active_marks()}) AND ("
        "(k.strict = 1 AND v.name_pinyin = k.pinyin) OR (k.strict = 0 AND ("
        "LENGTH(v.name_pinyin) BETWEEN k.plen - 1 AND k.plen + 1"
        " OR (k.nlen >= 3 AND LENGTH(v.name) = k.nlen))))"
    )
    with (
        transaction.atomic(),
        staged(BLOCK_TABLE, spec, blocks) as t,
        connection.cursor() as cursor,
    ):
        cursor.execute(sql.format(t=t), list(ACTIVE))
        hits = cursor.fetchall()
    for key, *values in hits:
        r, voter = by_key[key], _voter_row(values)
        rule = compare(r.simple_name, r.pinyin, _fast_simplified(voter.name), voter.name_pinyin)
        if rule is not NameRule.DIFFERENT:
            found[key].append((rule, voter))
    return found


_char_t2s: dict[str, str] = {}


def _fast_simplified(name: str) -> str:
    """``simplified`` one character at a time, cached: the register's names are mostly
    simplified already, and a million OpenCC calls would cost seconds."""
    out = []
    for c in name:
        s = _char_t2s.get(c)
        if s is None:
            s = _char_t2s[c] = simplified(c) or c
        out.append(s)
    return "".join(out)


def _strength(id_rule: str, name_rule: NameRule, id_distance: int | None) -> float | None:
    strength = STRENGTH[id_rule][name_rule]
    if strength is not None and id_rule in (NO_ID, OTHER_ID) and id_distance == 2:
        strength = min(strength + TWO_EDIT_BONUS, TWO_EDIT_CAP)
    return strength


def _numbers_of(voter_ids: Iterable[int]) -> dict[int, str]:
    """The clear numbers of the few candidate voters (to mask, and to measure their distance
    from the typed number); read in memory only."""
    ids = sorted(set(voter_ids))
    numbers: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for pk, cipher in Voter.objects.filter(pk__in=chunk).values_list("pk", "id_cipher"):
            numbers[pk] = pii.reveal(cipher)
    return numbers


def find_candidates(residuals: Sequence[Residual], *, today: date | None = None) -> list[Candidate]:
    """Every candidate pair of ``residuals`` and active voters, strongest first."""
    today = today or date.today()
    id_hits = by_id(residuals, today)
    name_hits = by_name(residuals)
    voter_ids = [hit[2].id for hits in id_hits.values() for hit in hits]
    voter_ids += [hit[1].id for hits in name_hits.values() for hit in hits]
    numbers = _numbers_of(voter_ids)
    found: list[Candidate] = []
    for r in residuals:
        found += _pair_up(r, id_hits.get(r.key, []), name_hits.get(r.key, []), numbers)
    found.sort(key=lambda c: (-c.strength, c.residual.key, c.voter.id))
    return found


def _pair_up(
    r: Residual,
    id_hits: list[tuple[str, v.Variant, VoterRow]],
    name_hits: list[tuple[NameRule, VoterRow]],
    numbers: dict[int, str],
) -> list[Candidate]:
    by_id_rule: list[Candidate] = []
    seen: set[int] = set()
    for id_rule, variant, voter in id_hits:
        name_rule = compare(
            r.simple_name, r.pinyin, _fast_simplified(voter.name), voter.name_pinyin
        )
        if r.valid_number and name_rule is NameRule.DIFFERENT:
            # A valid number two edits from another valid one is mostly a neighbour in the
            # sequence (born the same day, same county): only a name makes it a candidate.
            continue
        strength = _strength(id_rule, name_rule, None)
        assert strength is not None
        seen.add(voter.id)
        by_id_rule.append(
            Candidate(
                r,
                voter,
                id_rule,
                name_rule,
                strength,
                variant,
                None if id_rule == ID_LEGACY else 1,
                _masked(numbers, voter),
            )
        )
    name_only: list[Candidate] = []
    id_rule = OTHER_ID if r.valid_number else NO_ID
    for name_rule, voter in name_hits:
        if voter.id in seen:
            continue
        theirs = numbers.get(voter.id)
        apart = v.distance(r.number, theirs) if r.number and theirs else None
        strength = _strength(id_rule, name_rule, apart)
        if strength is not None:
            name_only.append(
                Candidate(
                    r, voter, id_rule, name_rule, strength, None, apart, _masked(numbers, voter)
                )
            )
    name_only.sort(key=lambda c: (-c.strength, c.voter.id))
    return by_id_rule + name_only[:NAME_ONLY_LIMIT]


def _masked(numbers: dict[int, str], voter: VoterRow) -> str:
    number = numbers.get(voter.id)
    return mask(number) if number else ""


def residual_number(cipher: bytes | memoryview | None) -> str | None:
    """The typed number of a record, normalised, from its ciphertext (None if there is none)."""
    if cipher is None or not bytes(cipher):
        return None
    number = normalize(pii.reveal(cipher))
    return number or None
