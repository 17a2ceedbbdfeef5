"""The vectorised normalisers agree with the scalar rules, on any input hypothesis finds.

No database: plain functions (gettext only needs the settings)."""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renda.voters.ethnicity import ETHNICITIES, ethnicity_code
from renda.voters.idnumbers import IdCheck, check_char, check_id
from renda.voters.importing import normalize as nz
from renda.voters.importing.unicode_tables import NFKC_UNSTABLE_RANGES, unstable_ranges
from renda.voters.names import clean_name
from renda.voters.rules import Feb29Rule, is_of_age

TODAY = date(2026, 5, 1)
KNOWN = frozenset({"110105", "440524", "420100", "420102", "310101", "810000"})
ADDRESSES = [*sorted(KNOWN), "420101", "430101", "999999", "820000", "830000", "912345", "000000"]
FLAG_OF = {
    "centenarian": "centenarian_review",
    "legacy": "legacy_15",
    "foreigner": "foreigner",
    "hmt": "hmt_permit",
    "unknown_address": "unknown_address",
    "numeric_cell": "numeric_cell",
}
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def known_address(code: str) -> bool:
    """renda.regions.selectors.address_code_known over KNOWN."""
    return code in KNOWN or (code.endswith("01") and code[:4] + "00" in KNOWN)


def category(check: IdCheck) -> str | None:
    """Which of check_id's refusals this is, from its message."""
    if check.valid:
        return None
    assert check.error is not None
    for words, kind in (
        ("为空", nz.E_EMPTY),
        ("Excel", nz.E_NUMERIC),
        ("应为 18 位", nz.E_LENGTH),
        ("只能由数字", nz.E_CHARSET),
        ("外国人", nz.E_FOREIGNER),
        ("校验位", nz.E_CHECK),
        ("出生日期", nz.E_BIRTH),
    ):
        if words in check.error:
            return kind
    raise AssertionError(check.error)


def vectorised(texts: list[str]) -> list[dict[str, Any]]:
    frame = nz.id_numbers(pl.Series(texts, dtype=pl.String), today=TODAY, known_address_codes=KNOWN)
    return frame.to_dicts()


def assert_agrees(texts: list[str]) -> None:
    for text, row in zip(texts, vectorised(texts), strict=True):
        scalar = check_id(text, known_address=known_address, today=TODAY)
        flags = tuple(FLAG_OF[column] for column in nz.ID_FLAG_COLUMNS if row[column])
        got = (row["error"], row["normalized"], row["birth"], row["sex"], flags)
        want = (category(scalar), scalar.normalized, scalar.birth_date, scalar.sex, scalar.flags)
        assert got == want, text
        if scalar.address_code is not None and row["address"] is not None:
            assert f"{row['address']:06d}" == scalar.address_code


# --- strategies ----------------------------------------------------------------------------

births = st.dates(min_value=date(1840, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def id18(draw: st.DrawFn, *, right: bool = True) -> str:
    first17 = (
        f"{draw(st.sampled_from(ADDRESSES))}{draw(births):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    )
    check = check_char(first17)
    if not right:
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    return first17 + check


@st.composite
def id15(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)))
    sequence = draw(st.one_of(st.integers(0, 999), st.integers(990, 999)))
    return f"{draw(st.sampled_from(ADDRESSES))}{born:%y%m%d}{sequence:03d}"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def disguised(draw: st.DrawFn, number: str) -> str:
    """The same number as people type it: lower-case x, full-width, spaces and dashes."""
    if draw(st.booleans()):
        number = number.lower()
    if draw(st.booleans()):
        number = full_width(number)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(number)))
        number = (
            number[:at]
            + draw(st.sampled_from([" ", "-", "\u3000", "\t", "_", "\xa0"]))
            + number[at:]
        )
    return number


def typeable(char: str) -> bool:
    """Characters on which Python 3.11's Unicode tables and polars' agree: assigned in Unicode
    14, and no digits but ASCII once folded (str.isdigit also takes e.g. Arabic-Indic digits)."""
    if unicodedata.category(char) == "Cn":
        return False
    folded = unicodedata.normalize("NFKC", char)
    return not any(c.isdigit() and not c.isascii() for c in folded)


JUNK = "0123456789xX-_ .E+·abcZ张三\u3000\xa0\t\x1c０１９Ｘｘ"
junk = st.one_of(
    st.text(alphabet=JUNK, max_size=22),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]).filter(typeable), max_size=20),
)
scientific = st.builds(
    lambda m, f, e: f"{m}{f}E{e}",
    st.integers(1, 9),
    st.sampled_from(["", ".40524", ".2"]),
    st.sampled_from(["+17", "17", "+5"]),
)


# --- ID numbers ----------------------------------------------------------------------------


def test_the_standards_vectors_agree() -> None:
    assert_agrees(
        [
            "11010519491231002X",
            "440524188001010014",
            "110105194912310029",
            "110105491231002",
            "11010519491231002x",
            "１１０１０５１９４９１２３１００２Ｘ",
            " 110105 19491231 002X ",
            "",
            "4.40524E+17",
            "912345199001010011",
            "810000199001010016",
            "110105001231996",
        ]
    )


@PROPERTY
@given(st.lists(st.one_of(id18(), id18(right=False), id15()), min_size=1, max_size=20))
def test_numbers_agree_with_check_id(texts: list[str]) -> None:
    assert_agrees(texts)


@PROPERTY
@given(st.lists(st.one_of(id18(), id15()).flatmap(disguised), min_size=1, max_size=20))
def test_disguised_numbers_agree_with_check_id(texts: list[str]) -> None:
    assert_agrees(texts)


@PROPERTY
@given(st.lists(st.one_of(junk, scientific), min_size=1, max_size=20))
def test_junk_agrees_with_check_id(texts: list[str]) -> None:
    assert_agrees(texts)


def test_numeric_cells_are_refused_whatever_they_hold() -> None:
    texts = ["11010519491231002X", "440524188001010000", ""]
    frame = nz.id_numbers(
        pl.Series(texts), pl.Series([False, True, True]), today=TODAY, known_address_codes=KNOWN
    )
    assert frame["error"].to_list() == [None, nz.E_NUMERIC, nz.E_EMPTY]
    assert frame["numeric_cell"].to_list() == [False, True, False]
    assert frame["normalized"].to_list() == ["11010519491231002X", None, None]


def test_without_a_code_list_addresses_are_not_checked() -> None:
    frame = nz.id_numbers(pl.Series(["11010519491231002X"]), today=TODAY)
    assert frame["unknown_address"].to_list() == [False]


def test_equal_keys_mean_equal_numbers() -> None:
    texts = ["11010519491231002X", "110105491231002", "110105194912310029", "110105194912310037"]
    frame = nz.id_numbers(pl.Series(texts), today=TODAY)
    keys = frame["key"].to_list()
    assert keys[0] == keys[1]
    assert len({keys[0], keys[2], keys[3]}) == 3


def test_the_nfkc_table_matches_this_pythons_unicode() -> None:
    assert unstable_ranges() == NFKC_UNSTABLE_RANGES


# --- dates ---------------------------------------------------------------------------------


def excel_serial(day: date) -> int:
    """Excel's 1900 date system, with its fictitious 1900-02-29 (serial 60)."""
    if day < date(1900, 3, 1):
        return (day - date(1899, 12, 31)).days
    return (day - date(1899, 12, 30)).days


def renderings(day: date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    forms = [
        f"{day:%Y-%m-%d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}-{m}-{d}",
        f"{day:%Y%m%d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}号",
        f"{day:%Y-%m-%d} 00:00:00",
        f"{day:%Y-%m-%d}T13:45:10.250",
        f"{day:%Y/%m/%d} 8:05",
        full_width(f"{day:%Y-%m-%d}"),
        f" {y} 年 {m} 月 {d} 日 ",
    ]
    serial = excel_serial(day) if day >= date(1900, 1, 1) else 0
    if 2100 < serial <= 99999:  # 1850–2100 would be a bare year
        forms += [str(serial), f"{serial}.0"]
    if 10000 <= serial <= 99999:  # 9863.5 reads as the year 9863, May
        forms.append(f"{serial}.5")
    return forms


def year_month_renderings(y: int, m: int) -> list[str]:
    return [f"{y}-{m}", f"{y}-{m:02d}", f"{y}.{m}", f"{y}/{m}", f"{y}年{m}月", f"{y}{m:02d}"]


def parse(texts: list[str | None]) -> list[dict[str, Any]]:
    return nz.parse_dates(pl.Series(texts, dtype=pl.String)).to_dicts()


@PROPERTY
@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_every_date_form_parses_back_to_the_date(day: date) -> None:
    forms = renderings(day)
    for text, row in zip(forms, parse(list(forms)), strict=True):
        assert row["date"] == day, text
        assert (row["year"], row["month"]) == (day.year, day.month), text
        assert row["first"] == row["last"] == day, text
        assert row["ok"] and row["present"], text
        assert row["text"] == day.isoformat(), text


@PROPERTY
@given(st.integers(1000, 9999), st.integers(1, 12))
def test_year_month_forms_give_year_and_month(y: int, m: int) -> None:
    forms = year_month_renderings(y, m)
    last = date(y, m, calendar.monthrange(y, m)[1])
    for text, row in zip(forms, parse(list(forms)), strict=True):
        assert row["date"] is None, text
        assert (row["year"], row["month"]) == (y, m), text
        assert (row["first"], row["last"]) == (date(y, m, 1), last), text
        assert row["ok"], text
        assert row["text"] == f"{y:04d}-{m:02d}", text


def test_excel_serials_including_the_fictitious_29_february_1900() -> None:
    rows = parse(["36925", "43831", "1", "59", "60", "61", "0", "36925.75", "9863.0"])
    assert [r["date"] for r in rows] == [
        date(2001, 2, 3),
        date(2020, 1, 1),
        date(1900, 1, 1),
        date(1900, 2, 28),
        None,  # Excel's 1900-02-29 never existed
        date(1900, 3, 1),
        None,
        date(2001, 2, 3),
        date(1927, 1, 1),
    ]
    assert [r["ok"] for r in rows][4] is False


def test_what_is_not_a_date() -> None:
    texts: list[str | None] = ["abc", "2001-02-30", "2001-13", "20011301", "2001年2月30日"]
    texts += ["1234567", "1990"]
    texts += ["1990.13", "2001-2-3-4", None, "  "]
    rows = parse(texts)
    assert [r["ok"] for r in rows] == [False] * 9 + [True, True]
    assert [r["present"] for r in rows] == [True] * 9 + [False, False]
    assert all(r["date"] is None and r["year"] is None for r in rows)


@PROPERTY
@given(st.lists(st.text(alphabet="0123456789-/.年月日号 T:E", max_size=14), max_size=30))
def test_dates_never_crash_and_round_trip_what_they_accept(texts: list[str]) -> None:
    for text, row in zip(texts, parse(list(texts)), strict=True):
        if row["date"] is not None:
            assert parse([row["text"]])[0]["date"] == row["date"], text
        assert row["ok"] == (not row["present"] or row["year"] is not None), text


# --- age -----------------------------------------------------------------------------------


@PROPERTY
@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    st.dates(min_value=date(2008, 1, 1), max_value=date(2048, 12, 31)),
    st.sampled_from(list(Feb29Rule)),
)
def test_age_cutoff_agrees_with_is_of_age(born: date, day: date, rule: str) -> None:
    assert (born <= nz.age_cutoff(day, rule)) is is_of_age(born, day, rule)


def test_age_cutoff_on_29_february() -> None:
    # born 2008-02-29: 18 on 2026-02-28 (default) or on 2026-03-01 (the other setting)
    assert nz.age_cutoff(date(2026, 2, 28), Feb29Rule.FEB_28) == date(2008, 2, 29)
    assert nz.age_cutoff(date(2026, 2, 28), Feb29Rule.MAR_1) == date(2008, 2, 28)
    assert nz.age_cutoff(date(2026, 3, 1), Feb29Rule.MAR_1) == date(2008, 3, 1)
    assert nz.age_cutoff(date(2028, 2, 29), Feb29Rule.MAR_1) == date(2010, 2, 28)


# --- names and keywords --------------------------------------------------------------------

NAME_CHARS = "張偉张伟李麗丽王五阿依古麗買買提·•‧∙⋅・･．. \u3000\tＡｂＣ乾燥隆後后"


@PROPERTY
@given(st.lists(st.one_of(st.text(alphabet=NAME_CHARS, max_size=10), st.none()), max_size=20))
def test_names_agree_with_clean_name_then_t2s(texts: list[str | None]) -> None:
    got = nz.clean_names(pl.Series(texts, dtype=pl.String)).to_list()
    convert = nz._t2s()
    assert got == [None if t is None else convert(clean_name(t)) for t in texts]


def test_traditional_names_become_simplified_once_per_distinct_name() -> None:
    names = ["張偉", "張偉", "阿依古麗•買買提", "王 五", "李四"]
    assert nz.clean_names(pl.Series(names)).to_list() == [
        "张伟",
        "张伟",
        "阿依古丽·买买提",
        "王五",
        "李四",
    ]


def test_every_middle_dot_becomes_one() -> None:
    dots = ["·", "•", "‧", "∙", "⋅", "・", "･", "．", "."]
    names = [f"阿依古丽{dot}买买提" for dot in dots]
    assert set(nz.clean_names(pl.Series(names)).to_list()) == {"阿依古丽·买买提"}


ETHNIC_TEXTS = [
    *ETHNICITIES.values(),
    *(name.removesuffix("族") for name in ETHNICITIES.values()),
    *(str(code) for code in ETHNICITIES),
    *(f"{code:02d}" for code in ETHNICITIES),
    "0",
    "99",
    "火星族",
    "",
    "汉 族",
]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(ETHNIC_TEXTS),
            st.text(alphabet=st.characters(exclude_categories=["Cs"]).filter(typeable), max_size=4),
        ),
        max_size=20,
    )
)
def test_ethnicity_codes_agree_with_ethnicity_code(texts: list[str]) -> None:
    """Folded (NFKC, no spaces) and simplified first, then exactly ethnicity_code."""
    got = nz.ethnicity_codes(pl.Series(texts, dtype=pl.String))["code"].to_list()
    convert = nz._t2s()
    folded = ["".join(unicodedata.normalize("NFKC", t).split()) for t in texts]
    assert got == [ethnicity_code(convert(t)) for t in folded]


def test_ethnicity_in_traditional_characters() -> None:
    got = nz.ethnicity_codes(pl.Series(["維吾爾族", "漢", "蒙古", None]))
    assert got["code"].to_list() == [5, 1, 2, None]
