"""ID numbers one typing error away: generated, never searched for.

The register keeps only keyed hashes of ID numbers, so "which registered number is within one
edit of this one?" cannot be asked of the database. It can be turned around: write down every
*valid* number one edit away from the typed one (there are few), hash each with the register's
key and look the hashes up. That is exact for the rule and needs no clear number of anyone
else.

An edit is one substitution, insertion, deletion, or swap of two adjacent characters
(Damerau–Levenshtein distance 1). GB 11643's check character (ISO 7064 MOD 11-2) catches every
single substitution and every adjacent swap, so a typo in a valid number always gives an
invalid one, and a valid number has no valid neighbour at all: the rule only ever fires for
numbers that fail the check (or have a wrong length), which is exactly what needs it.

Pure functions, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from renda.voters.idnumbers import CHECK_CHARS, EARLIEST_BIRTH, WEIGHTS, check_char

DIGITS = "0123456789"
CHECK_ALPHABET = DIGITS + "X"
# The sum of a valid number's weighted digits, mod 11, given its check character.
_REQUIRED = {c: i for i, c in enumerate(CHECK_CHARS)}
_INVERSE = {w: pow(w, -1, 11) for w in set(WEIGHTS)}

SUBSTITUTION = "substitution"
TRANSPOSITION = "transposition"
INSERTION = "insertion"
DELETION = "deletion"
LEGACY = "legacy_15"  # a 15-digit number written as 18


@dataclass(frozen=True)
class Variant:
    """A valid 18-character number, the edit that leads to it and where (1-based)."""

    number: str
    op: str
    position: int


def birth_of(number: str) -> date | None:
    """The birth date written in an 18-character number, if those digits form one."""
    digits = number[6:14]
    if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def is_valid(number: str, today: date) -> bool:
    """GB 11643: 17 ASCII digits and the right check character, a real birth date between
    1850 and today, and not a foreigner's permanent-residence number (those start with 9)."""
    if len(number) != 18 or number[0] == "9":
        return False
    first17 = number[:17]
    if not (first17.isascii() and first17.isdigit()) or check_char(first17) != number[17]:
        return False
    born = birth_of(number)
    return born is not None and EARLIEST_BIRTH <= born <= today


def _plausible(number: str, today: date) -> bool:
    """``is_valid`` for a number whose check character is known to be right."""
    born = birth_of(number)
    return number[0] != "9" and born is not None and EARLIEST_BIRTH <= born <= today


def _weighted(first17: str) -> int | None:
    if not (first17.isascii() and first17.isdigit()):
        return None
    return sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))


def _substitutions(number: str) -> list[Variant]:
    """Change one character so the check holds: for each of the first 17 positions the
    missing digit is one modular division away; the check position takes its right value."""
    found = []
    first17, last = number[:17], number[17]
    total = _weighted(first17)
    if total is not None:
        right = check_char(first17)
        if right != last:
            found.append(Variant(first17 + right, SUBSTITUTION, 18))
    required = _REQUIRED.get(last)
    if required is None:
        return found
    bad = [i for i, c in enumerate(first17) if not (c.isascii() and c.isdigit())]
    if len(bad) > 1:  # two wrong characters: no single substitution helps
        return found
    known = [
        int(c) * w if j not in bad else 0
        for j, (c, w) in enumerate(zip(first17, WEIGHTS, strict=True))
    ]
    weighted = sum(known)
    for i in bad or range(17):  # a non-digit can only be fixed where it stands
        rest = weighted - known[i]
        digit = (required - rest) * _INVERSE[WEIGHTS[i]] % 11
        if digit < 10 and str(digit) != first17[i]:
            found.append(Variant(first17[:i] + str(digit) + number[i + 1 :], SUBSTITUTION, i + 1))
    return found


def _transpositions(number: str) -> list[Variant]:
    found = []
    for i in range(len(number) - 1):
        a, b = number[i], number[i + 1]
        if a != b:
            swapped = number[:i] + b + a + number[i + 2 :]
            found.append(Variant(swapped, TRANSPOSITION, i + 1))
    return found


def _swaps(number: str) -> list[Variant]:
    """Adjacent swaps of an 18-character number that satisfy the check: swapping digits a, b
    at weights w, w' moves the weighted sum by (b - a)(w - w'), so no number is rebuilt to
    be tested (only the swap with the check character is checked in full)."""
    first17, last = number[:17], number[17]
    required = _REQUIRED.get(last)
    total = _weighted(first17)
    found = []
    if required is not None and total is not None:
        for i in range(16):
            a, b = int(first17[i]), int(first17[i + 1])
            if a != b and (total + (b - a) * (WEIGHTS[i] - WEIGHTS[i + 1])) % 11 == required:
                swapped = first17[:i] + first17[i + 1] + first17[i] + number[i + 2 :]
                found.append(Variant(swapped, TRANSPOSITION, i + 1))
    if number[16] != last:
        swapped = number[:16] + last + number[16]
        if _weighted(swapped[:17]) is not None and check_char(swapped[:17]) == swapped[17]:
            found.append(Variant(swapped, TRANSPOSITION, 17))
    return found


def _insertions(number: str) -> list[Variant]:
    """A 17-character number missing one character, anywhere."""
    found = []
    for i in range(18):
        for c in CHECK_ALPHABET if i == 17 else DIGITS:
            found.append(Variant(number[:i] + c + number[i:], INSERTION, i + 1))
    return found


def _deletions(number: str) -> list[Variant]:
    """A 19-character number with one character too many."""
    return [Variant(number[:i] + number[i + 1 :], DELETION, i + 1) for i in range(19)]


def one_edit_variants(number: str, *, today: date) -> list[Variant]:
    """Every valid 18-character number one edit away from ``number`` (normalised: upper case,
    no spaces; see ``idnumbers.normalize``), each once, in a stable order. Empty when
    ``number`` is itself valid (MOD 11-2 leaves a valid number no valid neighbour)."""
    if len(number) == 18:  # built to satisfy the check: only the date is left to test
        raw, test = _substitutions(number) + _swaps(number), _plausible
    elif len(number) == 17:
        raw, test = _insertions(number), is_valid
    elif len(number) == 19:
        raw, test = _deletions(number), is_valid
    else:
        return []
    seen: set[str] = {number}
    found = []
    for v in raw:
        if v.number not in seen and test(v.number, today):
            seen.add(v.number)
            found.append(v)
    return found


def _upgrade(number15: str, century: str) -> str:
    first17 = number15[:6] + century + number15[6:]
    return first17 + check_char(first17)


def legacy_upgrades(number: str, *, today: date) -> list[Variant]:
    """A 15-digit number as 18: '19' after the address code, or '18' too when the sequence is
    996–999 (centenarians, GB 11643's note) — both offered, none guessed."""
    if len(number) != 15 or not (number.isascii() and number.isdigit()):
        return []
    centuries = ("19", "18") if number[12:15] in {"996", "997", "998", "999"} else ("19",)
    upgraded = [Variant(_upgrade(number, c), LEGACY, 7) for c in centuries]
    return [v for v in upgraded if is_valid(v.number, today)]


def legacy_one_edit_variants(number: str, *, today: date) -> list[Variant]:
    """A 15-digit number has no check digit: any one substitution or adjacent swap of it is
    another well-formed number. Each such neighbour, written as 18 digits."""
    if len(number) != 15 or not (number.isascii() and number.isdigit()):
        return []
    edits = [
        Variant(number[:i] + d + number[i + 1 :], SUBSTITUTION, i + 1)
        for i in range(15)
        for d in DIGITS
        if d != number[i]
    ] + _transpositions(number)
    exact = {v.number for v in legacy_upgrades(number, today=today)}
    found, seen = [], set(exact)
    for v in edits:
        upgraded = _upgrade(v.number, "19")
        if upgraded not in seen and is_valid(upgraded, today):
            seen.add(upgraded)
            found.append(Variant(upgraded, v.op, v.position))
    return found


def agrees(number: str, birth_date: date | None, sex: str) -> bool:
    """Does the number carry this birth date and sex (odd sequence = male)? Unknown values
    (None, "") do not narrow."""
    if birth_date is not None and number[6:14] != f"{birth_date:%Y%m%d}":
        return False
    if sex in ("M", "F"):
        return (int(number[16]) % 2 == 1) == (sex == "M")
    return True


def within_one_edit(a: str, b: str) -> bool:
    """Is ``distance(a, b) <= 1``? In one pass, for the millions of name pairs of a run."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    shortest = min(la, lb)
    while i < shortest and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True  # one substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]


def distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau–Levenshtein distance (optimal string alignment), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
        if min(previous) >= limit:
            return limit
    return min(previous[-1], limit)
