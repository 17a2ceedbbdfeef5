"""Column normalisers for the voter import: pure polars, whole columns at once, no database.

Each function takes a text column (a ``pl.Series`` of Utf8, nulls allowed) and returns
normalised columns of the same length, row for row. They agree exactly with the scalar rules
the rest of the register uses:

- ``id_numbers`` with ``renda.voters.idnumbers.check_id`` (valid or not and why, normalised
  number, birth date, sex, flags); the property tests hold them to it;
- ``clean_names`` with ``renda.voters.names.clean_name``, then OpenCC t2s;
- ``of_age`` with ``renda.voters.rules.is_of_age`` (29 February under both settings);
- ``ethnicity_codes`` with ``renda.voters.ethnicity.ethnicity_code``.

Work is done only where it can change something: NFKC only on rows holding a character NFKC
can change (``unicode_tables``), white space removed only where there is some, the 15-digit
upgrade only on 15-digit rows, short keyword columns (sex, ethnicity, dates …) once per
distinct value and gathered back, OpenCC once per distinct name in a single call.

Deliberate differences from the scalar code, on input nobody types: digits are ASCII
``[0-9]`` after NFKC (``str.isdigit`` also accepts e.g. Arabic-Indic digits, which
``check_id`` would keep in its "normalised" number), and upper-casing follows polars' Unicode
tables rather than Python's (they differ only on code points assigned after Unicode 14).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

import polars as pl

from renda.voters.ethnicity import BY_NAME, ETHNICITIES
from renda.voters.idnumbers import EARLIEST_BIRTH, HMT_CODES, WEIGHTS
from renda.voters.importing.unicode_tables import regex_class
from renda.voters.names import MIDDLE_DOTS
from renda.voters.rules import VOTING_AGE, is_of_age

# Python's str.isspace() is Unicode White_Space (regex \s) plus the four separators 1C–1F.
SPACE = r"[\s\x1c-\x1f]"
ID_JUNK = r"[\s\x1c-\x1f\-_]"  # what idnumbers.normalize drops
DOTS = "[" + re.escape(MIDDLE_DOTS.replace("·", "")) + "]"
UNSTABLE = regex_class()

# ID error categories, in the order check_id tests them.
E_EMPTY = "empty"
E_NUMERIC = "numeric"  # a numeric Excel cell, or text in scientific notation
E_LENGTH = "length"
E_CHARSET = "charset"
E_FOREIGNER = "foreigner"
E_CHECK = "check"
E_BIRTH = "birth"

# Flags in the order check_id lists them: column of id_numbers() → FLAG_* value.
ID_FLAG_COLUMNS = ("centenarian", "legacy", "foreigner", "hmt", "unknown_address", "numeric_cell")

_EPOCH = date(1970, 1, 1)
_EXCEL_DAY0 = (date(1899, 12, 30) - _EPOCH).days  # serial 0 for serials after Excel's 1900-02-29
_EARLIEST = (EARLIEST_BIRTH - _EPOCH).days


def blank(n: int) -> pl.Series:
    """A column of ``n`` nulls (a column the file does not have)."""
    return pl.repeat(None, n, dtype=pl.String, eager=True)


def patch(s: pl.Series, mask: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``s`` with ``fn`` applied to the rows where ``mask`` holds, the others left alone."""
    mask = mask.fill_null(False)
    if not mask.any():
        return s
    rows = mask.arg_true()
    return s.clone().scatter(rows, fn(s.gather(rows)))


def fold(s: pl.Series) -> pl.Series:
    """NFKC (full-width → half-width …) on the rows holding a character NFKC can change."""
    s = s.cast(pl.String)
    if not (s.str.len_bytes() != s.str.len_chars()).any():  # ASCII only: nothing to do
        return s
    return patch(s, s.str.contains(UNSTABLE), lambda part: part.str.normalize("NFKC"))


def trimmed(s: pl.Series) -> pl.Series:
    """NFKC and surrounding white space removed; null stays null."""
    return fold(s).str.strip_chars()


def squeezed(s: pl.Series) -> pl.Series:
    """NFKC with every white-space character removed; null stays null."""
    s = fold(s)
    return patch(s, s.str.contains(SPACE), lambda part: part.str.replace_all(SPACE, ""))


def per_value(
    s: pl.Series, fn: Callable[[pl.Series], pl.DataFrame], *, empty: str = ""
) -> pl.DataFrame:
    """``fn`` (distinct values → one result row each) computed once per distinct value of ``s``
    and gathered back row for row. Null counts as ``empty``. For short, repetitive columns."""
    s = s.cast(pl.String)
    n = len(s)
    if s.null_count() == n:  # a column the file does not have
        return fn(pl.Series(values=[empty])).select(
            pl.all().gather(pl.zeros(n, pl.UInt32, eager=True))
        )
    values = s.drop_nulls().unique(maintain_order=True)
    result = fn(pl.concat([values, pl.Series(values=[empty])]))  # the last row: null
    index = s.replace_strict(values, pl.int_range(len(values), eager=True, dtype=pl.UInt32))
    return result.select(pl.all().gather(index.fill_null(len(values))))


# --- calendar arithmetic -------------------------------------------------------------------


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 (H. Hinnant's days_from_civil; proleptic Gregorian, any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _leap(y: int) -> bool:
    return (y % 4 == 0 and y % 100 != 0) or y % 400 == 0


# Lookup tables: a date from integers is a few gathers, not a conversion per row.
_YEARS = 10000
_YEAR_START = pl.Series([_days_from_civil(y, 1, 1) for y in range(_YEARS)], dtype=pl.Int64)
_YEAR_LEAP = pl.Series([16 if _leap(y) else 0 for y in range(_YEARS)], dtype=pl.Int64)
# Indexed by 16 * leap + month; months 0 and 13–15 do not exist (length 0).
_MONTH_LENGTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0)
_DIM = pl.Series(
    [_MONTH_LENGTH[m] + (leap and m == 2) for leap in (0, 1) for m in range(16)],
    dtype=pl.Int64,
)
_MONTH_START = pl.Series(
    [sum(_DIM[16 * leap : 16 * leap + m]) for leap in (0, 1) for m in range(16)],
    dtype=pl.Int64,
)


def civil_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """The Date of year/month/day (integer expressions), null where that day does not exist
    (or the year is outside 0–9999)."""
    y, m, d = y.cast(pl.Int64), m.cast(pl.Int64), d.cast(pl.Int64)
    year = y.clip(0, _YEARS - 1)
    key = pl.lit(_YEAR_LEAP).gather(year) + m.clip(0, 15)
    days = pl.lit(_YEAR_START).gather(year) + pl.lit(_MONTH_START).gather(key) + d - 1
    exists = (y >= 0) & (y < _YEARS) & (d >= 1) & (d <= pl.lit(_DIM).gather(key))
    return pl.when(exists).then(days.cast(pl.Int32, strict=False).cast(pl.Date))


def days_in_month(y: pl.Expr, m: pl.Expr) -> pl.Expr:
    year = y.cast(pl.Int64).clip(0, _YEARS - 1)
    return pl.lit(_DIM).gather(pl.lit(_YEAR_LEAP).gather(year) + m.cast(pl.Int64).clip(0, 15))


def age_cutoff(election_day: date, feb29: str) -> date:
    """The latest birth date that is 18 or more on election day (``rules.is_of_age``).

    Coming of age is monotonic in the birth date (a 29 February birthday falls on 28 February
    or 1 March of a common year, never past a later-born person's), so "of age" over a whole
    column is one comparison, ``born <= age_cutoff(...)``, found here with the scalar rule
    itself."""
    year = election_day.year - VOTING_AGE
    born = date(year, election_day.month, min(election_day.day, 28))
    while is_of_age(born + timedelta(days=1), election_day, feb29):
        born += timedelta(days=1)
    while not is_of_age(born, election_day, feb29):
        born -= timedelta(days=1)
    return born


# --- resident ID numbers -------------------------------------------------------------------


def _chunk_table(first: int, width: int) -> pl.Series:
    """The weighted sum (mod 11) of the ``width`` digits from position ``first``, for every
    value those digits can take."""
    value = pl.int_range(10**width, dtype=pl.Int64)
    total = pl.lit(0, pl.Int64)
    for i, weight in enumerate(WEIGHTS[first : first + width]):
        total = total + (value // 10 ** (width - 1 - i)) % 10 * weight
    return pl.select(total % 11).to_series()


_CHUNKS = ((0, 4), (4, 4), (8, 4), (12, 4), (16, 1))  # the 17 digits as 4 + 4 + 4 + 4 + 1
_CHUNK_TABLES = tuple(_chunk_table(first, width) for first, width in _CHUNKS)


def _check_value(first17: pl.Expr) -> pl.Expr:
    """The check value (0–10, X = 10) of the first 17 digits held as one UInt64: the weighted
    sum by table lookups, four digits at a time."""
    total = pl.lit(0, pl.Int64)
    for (first, width), table in zip(_CHUNKS, _CHUNK_TABLES, strict=True):
        chunk = (first17 // 10 ** (17 - first - width)) % 10**width
        total = total + pl.lit(table).gather(chunk)
    return (12 - total % 11) % 11  # CHECK_CHARS[sum % 11] as a number: "10X98765432"


def check_text(value: pl.Expr) -> pl.Expr:
    """A check value 0–10 as its character, 10 as "X"."""
    return pl.when(value == 10).then(pl.lit("X")).otherwise(value.cast(pl.String))


def id_numbers(
    raw: pl.Series,
    numeric: pl.Series | None = None,
    *,
    today: date,
    known_address_codes: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """``check_id`` over a whole column. One row out per row in, with the columns:

    - ``number``: the typed text normalised (NFKC, no spaces or dashes, upper case);
    - ``normalized``: the 18-character number where ``check_id`` gives one, else null;
    - ``error``: null when valid, else one of the ``E_*`` categories;
    - ``birth`` (Date), ``sex`` ("M"/"F"): for valid numbers;
    - ``address`` (Int64): the six-digit address code once the number has 18 digits;
    - ``expected`` (Int64, X = 10): the check character the number should end with;
    - ``centenarian``, ``legacy``, ``foreigner``, ``hmt``, ``unknown_address``,
      ``numeric_cell``: the ``FLAG_*`` of ``check_id`` as booleans;
    - ``key`` (UInt64): equal exactly when ``normalized`` is (hashes faster than text).

    ``numeric`` marks cells Excel stored as numbers (rejected whatever they hold). With an
    empty ``known_address_codes`` address codes are not checked (``known_address=None``).
    """
    text = raw.cast(pl.String).fill_null("")
    usual = text.str.contains(r"^[0-9]{17}[0-9Xx]$")  # nothing to fold or remove
    number = patch(text, ~usual, lambda s: fold(s).str.replace_all(ID_JUNK, "").str.to_uppercase())
    number = patch(number, number.str.ends_with("x"), lambda s: s.str.to_uppercase())
    length = number.str.len_chars()
    as_number = number.str.contains("E", literal=True)  # 4.40524E+17: Excel's digits are gone
    if as_number.any():
        as_number = as_number & number.str.contains(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$")
    if numeric is not None:
        as_number = as_number | numeric.cast(pl.Boolean).fill_null(False)
    numeric_cell = as_number & (length > 0)
    shaped = usual  # 17 digits and a digit or X
    legacy = pl.repeat(False, len(text), dtype=pl.Boolean, eager=True)  # 15 digits
    if not usual.all():
        rows = (~usual).arg_true()
        odd = number.gather(rows)
        shaped = usual.clone().scatter(rows, odd.str.contains(r"^[0-9]{17}[0-9X]$"))
        legacy = legacy.scatter(rows, odd.str.contains(r"^[0-9]{15}$"))
    frame = pl.DataFrame(
        {
            "number": number,
            "length": length,
            "numeric_cell": numeric_cell,
            "shaped": shaped & ~numeric_cell,
            "legacy": legacy & ~numeric_cell,
        }
    )
    c = pl.col
    as15 = c("number").cast(pl.UInt64, strict=False)
    first17 = (
        pl.when(c("legacy"))
        .then((as15 // 10**9) * 10**11 + 19 * 10**9 + as15 % 10**9)
        .when(c("shaped"))
        .then(c("number").str.head(17).cast(pl.UInt64, strict=False))
    )
    last = c("number").str.slice(17, 1)
    frame = frame.with_columns(first17=first17.cast(pl.UInt64)).with_columns(
        expected=_check_value(c("first17")),
        given=pl.when(last == "X").then(10).otherwise(last.cast(pl.Int64, strict=False)),
        usable=c("legacy") | c("shaped"),
    )
    frame = frame.with_columns(
        given=pl.when(c("legacy")).then(c("expected")).otherwise(c("given")),
        address=(c("first17") // 10**11).cast(pl.Int64),
        born=civil_date(
            c("first17") // 10**7 % 10**4,
            c("first17") // 10**5 % 100,
            c("first17") // 1000 % 100,
        ),
        centenarian=c("legacy") & ((c("first17") % 1000) >= 996),
    )
    frame = frame.with_columns(foreigner=c("usable") & (c("address") // 100000 == 9))
    days = c("born").cast(pl.Int32)
    bad_birth = c("born").is_null() | (days < _EARLIEST) | (days > (today - _EPOCH).days)
    frame = frame.with_columns(
        error=pl.when(c("length") == 0)
        .then(pl.lit(E_EMPTY))
        .when(c("numeric_cell"))
        .then(pl.lit(E_NUMERIC))
        .when(~c("legacy") & (c("length") != 18))
        .then(pl.lit(E_LENGTH))
        .when(~c("usable"))
        .then(pl.lit(E_CHARSET))
        .when(c("foreigner"))
        .then(pl.lit(E_FOREIGNER))
        .when(c("given") != c("expected"))
        .then(pl.lit(E_CHECK))
        .when(bad_birth)
        .then(pl.lit(E_BIRTH))
    )
    valid = c("error").is_null()
    hmt = valid & c("address").is_in([int(code) for code in HMT_CODES])
    if known_address_codes:
        known = [int(code) for code in known_address_codes if code.isascii() and code.isdigit()]
        # the 市辖区 code xxxx01 counts as known when its city xxxx00 is (address_code_known)
        is_known = c("address").is_in(known) | (
            (c("address") % 100 == 1) & (c("address") - 1).is_in(known)
        )
        unknown = valid & ~hmt & ~is_known
    else:
        unknown = pl.lit(False)
    frame = frame.with_columns(
        normalized=pl.when(c("shaped")).then(c("number")),
        birth=pl.when(valid).then(c("born")),
        sex=pl.when(valid).then(
            pl.when(c("first17") % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))
        ),
        address=pl.when(c("usable")).then(c("address")),
        hmt=hmt,
        unknown_address=unknown,
        key=pl.when(c("usable")).then(c("first17") * 11 + c("given").cast(pl.UInt64)),
    )
    normalized = frame.get_column("normalized")
    legacy = frame.get_column("legacy")
    if legacy.any():  # the 15-digit ones, upgraded: built only for them
        upgraded = frame.filter(c("legacy")).select(
            pl.concat_str(c("first17").cast(pl.String).str.zfill(17), check_text(c("expected")))
        )
        normalized = normalized.clone().scatter(legacy.arg_true(), upgraded.to_series())
    return frame.with_columns(normalized=normalized).select(
        "number",
        "normalized",
        "error",
        "birth",
        "sex",
        "address",
        "expected",
        *ID_FLAG_COLUMNS,
        "key",
    )


# --- dates ---------------------------------------------------------------------------------

_TIME = r"(?:T|\s+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$"
_DATE = (
    r"^(?:([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?"  # 2001-2-3, 2001-2 (once folded)
    r"|([0-9]{4})([0-9]{2})([0-9]{2})?)$"  # 20010203, 200102
)


def parse_dates(raw: pl.Series) -> pl.DataFrame:
    """Dates as people and spreadsheets write them. One row out per row in:

    - ``present``: the cell holds something;
    - ``year``, ``month`` (Int64), ``date`` (Date): a whole date that exists gives all
      three, a year and month (2001年2月) only the first two;
    - ``first``, ``last`` (Date): the days the text allows — the date itself, or the first
      and last day of the month;
    - ``ok``: empty, or understood (an existing date, or a year and a month 1–12);
    - ``text``: ISO "2001-02-03", or "2001-02" for a year and month; null otherwise.

    Understood: 2001-02-03, 2001/2/3, 2001.2.3, 20010203, 2001年2月3日 (or 号), the same
    followed by a time ("2001-02-03 00:00:00", ISO "T"), year-month forms 2001-2, 2001/2,
    2001.2, 200102, 2001年2月, and Excel serial numbers (1900 date system: 36925 is
    2001-02-03; serial 60 is Excel's fictitious 1900-02-29 and is refused, like 0; a number
    from 1850 to 2100 is a year alone and refused, not read as a day in 1905).
    Computed once per distinct value.
    """
    return per_value(raw, _parse_distinct_dates)


def _parse_distinct_dates(raw: pl.Series) -> pl.DataFrame:
    plain = trimmed(raw).str.replace(_TIME, "").str.replace_all(SPACE, "")
    text = plain.str.replace_all(r"[年月/.]", "-").str.strip_chars_end("日号-")
    c = pl.col
    g = c("g").struct
    frame = pl.DataFrame({"t": text, "plain": plain}).with_columns(
        g=c("t").str.extract_groups(_DATE)
    )
    frame = frame.with_columns(
        y=pl.coalesce(g.field("1"), g.field("4")).cast(pl.Int64),
        m=pl.coalesce(g.field("2"), g.field("5")).cast(pl.Int64),
        d=pl.coalesce(g.field("3"), g.field("6")).cast(pl.Int64),
        # a number of up to five digits, maybe with a fraction of a day: an Excel serial,
        # unless it reads as a year and month (1990.5)
        serial=c("plain").str.extract(r"^([0-9]{1,5})(?:\.[0-9]+)?$", 1).cast(pl.Int64),
    )
    frame = frame.with_columns(
        date=civil_date(c("y"), c("m"), c("d")),
        month_only=(c("d").is_null() & c("m").is_between(1, 12)).fill_null(False),
    )
    s = c("serial")
    serial_date = (
        pl.when(s.is_between(1850, 2100))  # 1990 is a year, not Excel's 1905-06-12: refused
        .then(None)
        .when((s >= 1) & (s < 60))
        .then(s + _EXCEL_DAY0 + 1)  # before Excel's fictitious 1900-02-29, one day less
        .when(s > 60)
        .then(s + _EXCEL_DAY0)
        .cast(pl.Int32, strict=False)
        .cast(pl.Date)
    )
    frame = frame.with_columns(
        date=pl.when(c("date").is_null() & ~c("month_only")).then(serial_date).otherwise(c("date"))
    )
    month_only = c("month_only")
    whole = c("date").is_not_null()
    return frame.select(
        present=c("t") != "",
        year=pl.when(whole).then(c("date").dt.year().cast(pl.Int64)).when(month_only).then("y"),
        month=pl.when(whole).then(c("date").dt.month().cast(pl.Int64)).when(month_only).then("m"),
        date="date",
        first=pl.when(whole)
        .then("date")
        .when(month_only)
        .then(civil_date(c("y"), c("m"), pl.lit(1))),
        last=pl.when(whole)
        .then("date")
        .when(month_only)
        .then(civil_date(c("y"), c("m"), days_in_month(c("y"), c("m")))),
        ok=(c("t") == "") | whole | month_only,
        text=pl.when(whole)
        .then(c("date").dt.to_string("%Y-%m-%d"))
        .when(month_only)
        .then(
            pl.concat_str(
                c("y").cast(pl.String).str.zfill(4),
                pl.lit("-"),
                c("m").cast(pl.String).str.zfill(2),
            )
        ),
    )


# --- names and keywords --------------------------------------------------------------------


@cache
def _t2s() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def to_simplified(s: pl.Series) -> pl.Series:
    """OpenCC t2s, run once per distinct value in a single call, then mapped back."""
    distinct = s.drop_nulls().unique(maintain_order=True)
    if distinct.is_empty():
        return s
    values = distinct.to_list()
    convert = _t2s()
    converted = convert("\n".join(values)).split("\n")
    if len(converted) != len(values):  # a value held a line break: convert one by one
        converted = [convert(v) for v in values]
    changed = {a: b for a, b in zip(values, converted, strict=True) if a != b}
    if not changed:
        return s
    return s.replace(list(changed), list(changed.values()))


def clean_names(raw: pl.Series) -> pl.Series:
    """``names.clean_name`` (NFKC, no spaces, one middle dot "·"), then traditional →
    simplified. Null stays null."""
    raw = raw.cast(pl.String)
    messy = raw.str.contains(f"{UNSTABLE}|{SPACE}|{DOTS}")
    cleaned = patch(
        raw,
        messy,
        lambda s: s.str.normalize("NFKC").str.replace_all(SPACE, "").str.replace_all(DOTS, "·"),
    )
    return to_simplified(cleaned)


SEXES = {"男": "M", "女": "F", "M": "M", "F": "F", "1": "M", "2": "F"}
SEXES |= {"男性": "M", "女性": "F", "MALE": "M", "FEMALE": "F"}


def sexes(raw: pl.Series) -> pl.DataFrame:
    """``text`` (folded, no spaces) and ``sex``: 男/女/M/F/1/2 → "M"/"F", null where empty or
    not understood. Once per distinct value."""
    return per_value(
        raw,
        lambda values: pl.DataFrame({"text": squeezed(values)}).with_columns(
            sex=pl.col("text").str.to_uppercase().replace_strict(SEXES, default=None)
        ),
    )


def ethnicity_codes(raw: pl.Series) -> pl.DataFrame:
    """``text`` (folded, no spaces) and ``code``: the GB 3304 code (Int64) of 汉族 / 汉 / 01 /
    漢族 …, null where empty or not understood. Once per distinct value."""

    def distinct(values: pl.Series) -> pl.DataFrame:
        text = squeezed(values)
        simplified = to_simplified(text)
        number = text.cast(pl.Int64, strict=False)
        by_number = text.str.contains(r"^[0-9]+$") & number.is_in(list(ETHNICITIES))
        by_name = simplified.replace_strict(BY_NAME, default=None, return_dtype=pl.Int64)
        return pl.DataFrame({"text": text, "n": number, "ok": by_number, "b": by_name}).select(
            "text", code=pl.when(pl.col("ok")).then(pl.col("n")).otherwise(pl.col("b"))
        )

    return per_value(raw, distinct)


def keywords(raw: pl.Series, mapping: dict[str, str]) -> pl.DataFrame:
    """``text`` (folded, no spaces) and ``value``: ``mapping[text]``, null where empty or
    unknown. Once per distinct value."""
    return per_value(
        raw,
        lambda values: pl.DataFrame({"text": squeezed(values)}).with_columns(
            value=pl.col("text").replace_strict(mapping, default=None, return_dtype=pl.String)
        ),
    )


MOBILE = r"^(?:\+?86-?)?1[3-9][0-9]{9}$"
LANDLINE = r"^(?:0[1-9][0-9]{1,2}-?)?[2-9][0-9]{6,7}(?:(?:-|转)[0-9]{1,6})?$"


def phones(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(normalised phone or "", looks like a mainland mobile or landline number or is empty)."""
    text = squeezed(raw.cast(pl.String)).fill_null("")
    text = patch(
        text, text.str.starts_with("("), lambda s: s.str.replace(r"^\((0[0-9]{2,3})\)", "$1-")
    )
    plausible = (text == "") | text.str.contains(MOBILE)
    if not plausible.all():
        others = ~plausible
        plausible = plausible.clone().scatter(
            others.arg_true(), text.filter(others).str.contains(LANDLINE)
        )
    return text, plausible
