"""GB 11643-1999 in code: the standard's vectors, legacy numbers, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renda.voters.idnumbers import (
    FLAG_CENTENARIAN,
    FLAG_FOREIGNER,
    FLAG_HMT,
    FLAG_LEGACY_15,
    FLAG_UNKNOWN_ADDRESS,
    check_char,
    check_id,
    mask,
    normalize,
    upgrade_15,
)


@pytest.mark.parametrize(
    ("text", "valid", "normalized", "born", "sex"),
    [
        ("11010519491231002X", True, "11010519491231002X", date(1949, 12, 31), "F"),
        ("440524188001010014", True, "440524188001010014", date(1880, 1, 1), "M"),
        ("110105194912310029", False, "110105194912310029", None, None),
        ("110105491231002", True, "11010519491231002X", date(1949, 12, 31), "F"),
        ("11010519491231002x", True, "11010519491231002X", date(1949, 12, 31), "F"),
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            True,
            "11010519491231002X",
            date(1949, 12, 31),
            "F",
        ),
        (" 110105 19491231 002X ", True, "11010519491231002X", date(1949, 12, 31), "F"),
    ],
)
def test_standard_vectors(
    text: str, valid: bool, normalized: str, born: date | None, sex: str | None
) -> None:
    result = check_id(text)
    assert result.valid is valid
    assert result.normalized == normalized
    assert result.birth_date == born
    assert result.sex == sex
    if not valid:
        assert result.error and "校验位" in result.error


def test_legacy_15_is_flagged_and_centenarian_sequences_are_flagged_for_review() -> None:
    assert FLAG_LEGACY_15 in check_id("110105491231002").flags
    old = check_id("110105001231996")  # sequence 996: may be a centenarian born in 18xx
    assert FLAG_CENTENARIAN in old.flags


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "为空"),
        ("1101051949123100", "18 位"),
        ("4.40524E+17", "文本格式"),
        ("11010519491231002Y", "数字"),
        ("110105194913320021", "出生日期"),  # 13th month, check character recomputed below
    ],
)
def test_refusals_are_chinese_and_specific(text: str, fragment: str) -> None:
    if fragment == "出生日期":
        text = text[:17] + check_char(text[:17])
    result = check_id(text)
    assert not result.valid
    assert result.error is not None and fragment in result.error


def test_digits_of_other_scripts_are_refused_not_crashed_on() -> None:
    assert not check_id("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X").valid
    assert not check_id("፩" * 18).valid


def test_future_birth_date_is_refused() -> None:
    born = date.today() + timedelta(days=400)
    first17 = f"110105{born:%Y%m%d}001"
    assert not check_id(first17 + check_char(first17)).valid


def test_foreigner_hmt_and_unknown_address() -> None:
    first17 = "91010519491231002"
    foreigner = check_id(first17 + check_char(first17))
    assert not foreigner.valid and FLAG_FOREIGNER in foreigner.flags
    first17 = "81000019900101001"
    hk = check_id(first17 + check_char(first17))
    assert hk.valid and FLAG_HMT in hk.flags
    first17 = "12345619900101001"
    unknown = check_id(first17 + check_char(first17), known_address=lambda code: False)
    assert unknown.valid and FLAG_UNKNOWN_ADDRESS in unknown.flags and not unknown.address_known


def test_mask_shows_four_and_four() -> None:
    assert mask("11010519491231002X") == "1101**********002X"


addresses = st.sampled_from(["110105", "420102", "420502", "440524", "652101"])
births = st.dates(min_value=date(1901, 1, 1), max_value=date(2008, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(addresses, births, sequences)
def test_every_well_formed_number_is_valid_and_round_trips(
    address: str, born: date, seq: int
) -> None:
    first17 = f"{address}{born:%Y%m%d}{seq:03d}"
    number = first17 + check_char(first17)
    result = check_id(number.lower())
    assert result.valid
    assert result.normalized == number
    assert result.birth_date == born
    assert result.sex == ("M" if seq % 2 else "F")


@given(addresses, births, sequences, st.integers(min_value=1, max_value=10))
def test_a_wrong_check_character_is_always_caught(
    address: str, born: date, seq: int, shift: int
) -> None:
    first17 = f"{address}{born:%Y%m%d}{seq:03d}"
    chars = "10X98765432"
    wrong = chars[(chars.index(check_char(first17)) + shift) % 11]
    assert not check_id(first17 + wrong).valid


@given(addresses, st.dates(min_value=date(1901, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_fifteen_digit_numbers_upgrade_to_the_eighteen_digit_form(
    address: str, born: date, seq: int
) -> None:
    legacy = f"{address}{born:%y%m%d}{seq:03d}"
    upgraded = upgrade_15(legacy)
    assert len(upgraded) == 18
    assert check_id(upgraded).valid
    assert check_id(legacy).normalized == upgraded


@given(st.text(max_size=40))
def test_normalize_and_check_never_crash(text: str) -> None:
    normalize(text)
    result = check_id(text)
    assert result.valid or result.error
