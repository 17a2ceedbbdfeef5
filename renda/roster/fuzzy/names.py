"""How alike two names are, for people already known to share a birth date and sex.

Names are compared as the register normalises them — NFKC, one middle dot, traditional
characters as simplified (OpenCC t2s) — and by their pinyin (``voters.names.pinyin_of``, the
``name_pinyin`` the register stores). An edit distance on the characters themselves says
little (张伟 and 章伟 are two edits apart in UTF-8 bytes and one in characters, yet sound the
same and are often written for each other), so the rules speak of pinyin and of characters:

- ``same_name``: the same characters once simplified (張偉 = 张伟);
- ``same_pinyin``: the same sound written differently (homophones, 同音: 张伟 / 章伟);
- ``pinyin_one_edit``: the pinyin one edit apart — a typing slip or a dialect's l/n, in/ing
  (刘/牛 liu/niu, 金/京 jin/jing);
- ``one_char``: names of three or more characters that differ in exactly one character
  (one syllable): 李建国 / 李建华.

Pure functions, no database.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from renda.roster.fuzzy.variants import within_one_edit
from renda.voters.names import clean_name, pinyin_of


class NameRule(StrEnum):
    SAME_NAME = "same_name"
    SAME_PINYIN = "same_pinyin"
    PINYIN_ONE_EDIT = "pinyin_one_edit"
    ONE_CHAR = "one_char"
    DIFFERENT = "different"


# The rules in order of strength; a pair is described by the first that holds.
ORDER = (
    NameRule.SAME_NAME,
    NameRule.SAME_PINYIN,
    NameRule.PINYIN_ONE_EDIT,
    NameRule.ONE_CHAR,
    NameRule.DIFFERENT,
)
ONE_CHAR_MIN_LENGTH = 3  # in a two-character name one differing character leaves the surname


@cache
def _t2s_converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(name: str) -> str:
    """``clean_name`` and then traditional → simplified, as the importers store names."""
    cleaned = clean_name(name)
    if cleaned.isascii():
        return cleaned
    return str(_t2s_converter().convert(cleaned))  # type: ignore[attr-defined]


def pinyin(name: str) -> str:
    return pinyin_of(simplified(name))[0]


def compare(name_a: str, pinyin_a: str, name_b: str, pinyin_b: str) -> NameRule:
    """The strongest rule two names meet. ``name_*`` simplified, ``pinyin_*`` as stored."""
    if name_a == name_b:
        return NameRule.SAME_NAME
    if pinyin_a and pinyin_a == pinyin_b:
        return NameRule.SAME_PINYIN
    if pinyin_a and pinyin_b and within_one_edit(pinyin_a, pinyin_b):
        return NameRule.PINYIN_ONE_EDIT
    if (
        len(name_a) == len(name_b) >= ONE_CHAR_MIN_LENGTH
        and sum(a != b for a, b in zip(name_a, name_b, strict=True)) == 1
    ):
        return NameRule.ONE_CHAR
    return NameRule.DIFFERENT


def may_meet(name_a: str, pinyin_a: str, name_b_length: int, pinyin_b_length: int) -> bool:
    """Could a name of these lengths meet any rule but DIFFERENT? (What the database filters
    on before names are fetched: pinyin lengths within one, or the same number of
    characters.)"""
    if abs(len(pinyin_a) - pinyin_b_length) <= 1:
        return True
    return len(name_a) == name_b_length >= ONE_CHAR_MIN_LENGTH
