"""validate(): every rule of the register over a whole table, each message naming the row's
values. Tables are built straight from polars frames; no files, no database."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from renda.voters.idnumbers import (
    FLAG_CENTENARIAN,
    FLAG_HMT,
    FLAG_LEGACY_15,
    FLAG_NUMERIC_CELL,
    FLAG_UNKNOWN_ADDRESS,
    NUMERIC_CELL_MESSAGE,
    check_char,
)
from renda.voters.importing.contract import (
    BIRTH_DATE,
    BIRTH_FROM_ID,
    COURT_DATE,
    DISTRICT,
    EFFECTIVE_DATE,
    ERRORS,
    ETHNICITY,
    ETHNICITY_CODE,
    FLAGS,
    GROUP,
    HOUSEHOLD_ADDRESS,
    ID_NORMALIZED,
    ID_NUMBER,
    ID_NUMERIC,
    KIND,
    NAME,
    PHONE,
    RESIDENCE_KIND,
    ROW,
    SEX,
    SEX_FROM_ID,
    WARNINGS,
    Checked,
    Context,
    Table,
)
from renda.voters.importing.validate import validate
from renda.voters.models import ChangeKind, HmtPolicy, ResidenceKind
from renda.voters.rules import Feb29Rule

ELECTION_DAY = date(2026, 11, 1)
KNOWN = frozenset({"110105", "440524", "420100", "420102", "430102"})


def make_id(address: str = "420102", born: date = date(1990, 5, 17), seq: int = 1) -> str:
    first17 = f"{address}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


MAN = make_id(seq=11)  # odd sequence: male, born 1990-05-17
WOMAN = make_id(seq=12)


def context(**changes: Any) -> Context:
    values: dict[str, Any] = {
        "election_day": ELECTION_DAY,
        "feb29_rule": Feb29Rule.FEB_28,
        "hmt_policy": HmtPolicy.REVIEW,
        "known_address_codes": KNOWN,
        "today": date(2026, 5, 1),
    }
    return Context(**(values | changes))


def table(columns: dict[str, list[Any]], numeric: list[bool] | None = None) -> Table:
    """Data rows from sheet row 2 on (row 1 holds the header), every cell text."""
    n = len(next(iter(columns.values())))
    frame = pl.DataFrame(
        {key: pl.Series(values, dtype=pl.String) for key, values in columns.items()}
    ).with_columns(
        pl.Series(ROW, range(2, n + 2), dtype=pl.Int64),
        pl.Series(ID_NUMERIC, numeric or [False] * n, dtype=pl.Boolean),
    )
    keys = list(columns)
    return Table(frame=frame, headers=keys, mapping={k: k for k in keys}, header_row=1, sheet="")


def check(columns: dict[str, list[Any]], ctx: Context | None = None) -> Checked:
    n = len(columns[ID_NUMBER])
    return validate(
        table({NAME: ["张三"] * n, ETHNICITY: ["汉族"] * n} | columns), ctx or context()
    )


def by_row(checked: Checked, column: str = ERRORS) -> dict[int, list[str]]:
    """Sheet row → its messages, only for rows that have some."""
    return {
        row: messages for row, messages in checked.frame.select(ROW, column).iter_rows() if messages
    }


def only(checked: Checked, column: str = ERRORS) -> str:
    found = by_row(checked, column)
    assert len(found) == 1, found
    (messages,) = found.values()
    assert len(messages) == 1, messages
    return messages[0]


# --- the happy path and the frame's shape --------------------------------------------------


def test_a_clean_row_is_accepted_and_normalised() -> None:
    checked = check(
        {
            ID_NUMBER: [f" {MAN[:6]} {MAN[6:14]} {MAN[14:].lower()} "],
            NAME: ["張　三"],
            SEX: ["男"],
            BIRTH_DATE: ["1990年5月17日"],
            ETHNICITY: ["回"],
            PHONE: ["138 0013 8000"],
            HOUSEHOLD_ADDRESS: ["  湖北省武汉市江岸区１号  "],
            GROUP: [None],
            "备注列": ["original text stays"],
        }
    )
    assert checked.rejected.is_empty() and checked.accepted.height == 1
    row = checked.frame.row(0, named=True)
    assert row[ID_NORMALIZED] == MAN
    assert row[BIRTH_FROM_ID] == date(1990, 5, 17)
    assert row[SEX_FROM_ID] == "M"
    assert row[NAME] == "张三"
    assert row[SEX] == "M"
    assert row[BIRTH_DATE] == "1990-05-17"
    assert (row[ETHNICITY], row[ETHNICITY_CODE]) == ("回族", 3)
    assert row[PHONE] == "13800138000"
    assert row[HOUSEHOLD_ADDRESS] == "湖北省武汉市江岸区1号"
    assert row[GROUP] == ""
    assert row[KIND] == ChangeKind.REGISTERED
    assert row[RESIDENCE_KIND] == ResidenceKind.HOUSEHOLD
    assert row[EFFECTIVE_DATE] is None
    assert row["备注列"] == "original text stays"
    assert (row[ERRORS], row[WARNINGS], row[FLAGS]) == ([], [], [])
    assert checked.warnings == ()


def test_the_frame_keeps_every_row_in_order_and_the_table_untouched() -> None:
    numbers = [MAN, "bad", WOMAN]
    source = table({ID_NUMBER: numbers, NAME: ["甲", "乙", "丙"], ETHNICITY: ["汉"] * 3})
    checked = validate(source, context())
    assert checked.frame[ROW].to_list() == [2, 3, 4]
    assert checked.table is source
    assert source.frame[ID_NUMBER].to_list() == numbers
    assert checked.frame.schema[ERRORS] == pl.List(pl.String)
    assert checked.frame.schema[BIRTH_FROM_ID] == pl.Date
    assert [r[0] for r in checked.rejected.select(ROW).iter_rows()] == [3]


def test_an_empty_table() -> None:
    checked = check({ID_NUMBER: [], NAME: [], ETHNICITY: []})
    assert checked.frame.height == 0
    assert ERRORS in checked.frame.columns


# --- ID numbers ----------------------------------------------------------------------------

FOREIGNER = make_id(address="912345")
HMT = make_id(address="810000")
UNKNOWN = make_id(address="520102")
CITY_01 = make_id(address="420101")  # 市辖区: known because 420100 is
WRONG_CHECK = MAN[:-1] + ("0" if MAN[-1] != "0" else "1")
IMPOSSIBLE = "420102" + "19900230" + "011"
IMPOSSIBLE += check_char(IMPOSSIBLE)
FUTURE = make_id(born=date(2027, 1, 1))


@pytest.mark.parametrize(
    ("number", "numeric", "words"),
    [
        ("", False, ["身份证号码为空"]),
        (None, False, ["身份证号码为空"]),
        ("420102199005170111", True, ["“420102199005170111”", NUMERIC_CELL_MESSAGE]),
        ("4.20102E+17", False, ["“4.20102E+17”", NUMERIC_CELL_MESSAGE]),
        ("4201021990", False, ["“4201021990”", "实际 10 位"]),
        ("42010219900517A11X", False, ["“42010219900517A11X”", "数字和末位的 X"]),
        (FOREIGNER, False, [f"“{FOREIGNER}”", "外国人永久居留身份证"]),
        (WRONG_CHECK, False, [f"“{WRONG_CHECK}”", f"末位应为 {MAN[-1]}"]),
        (IMPOSSIBLE, False, [f"“{IMPOSSIBLE}”", "出生日期 19900230 不是有效日期"]),
        (FUTURE, False, [f"“{FUTURE}”", "出生日期 20270101 不是有效日期"]),
        ("420102900517998", False, ["“420102900517998”", "996–999", "18 位号码"]),
    ],
)
def test_each_id_refusal_names_the_number(
    number: str | None, numeric: bool, words: list[str]
) -> None:
    checked = validate(
        table(
            {ID_NUMBER: [MAN, number], NAME: ["甲", "乙"], ETHNICITY: ["汉"] * 2},
            [False, numeric],
        ),
        context(),
    )
    assert list(by_row(checked)) == [3]
    message = only(checked)
    for word in words:
        assert word in message, message
    assert message.startswith("身份证号码")
    if "996–999" not in words:  # the number itself is wrong: nothing derived from it
        assert checked.frame[ID_NORMALIZED].to_list() == [MAN, None]
        assert checked.frame[BIRTH_FROM_ID].to_list()[1] is None


def test_numeric_cells_and_centenarians_are_flagged() -> None:
    checked = validate(
        table(
            {
                ID_NUMBER: ["420102199005170111", "420102900517998", "420102900517011"],
                NAME: ["甲", "乙", "丙"],
                ETHNICITY: ["汉"] * 3,
            },
            [True, False, False],
        ),
        context(),
    )
    assert checked.frame[FLAGS].to_list() == [
        [FLAG_NUMERIC_CELL],
        [FLAG_CENTENARIAN, FLAG_LEGACY_15],
        [FLAG_LEGACY_15],
    ]
    assert checked.frame[ID_NORMALIZED].to_list()[2] == "420102199005170111"[:17] + check_char(
        "42010219900517011"
    )
    assert list(by_row(checked)) == [2, 3]


def test_legacy_15_digit_numbers_are_upgraded() -> None:
    checked = check({ID_NUMBER: ["110105491231002"], SEX: ["女"], BIRTH_DATE: ["1949-12-31"]})
    assert checked.frame[ID_NORMALIZED].to_list() == ["11010519491231002X"]
    assert checked.frame[FLAGS].to_list() == [[FLAG_LEGACY_15]]
    assert checked.rejected.is_empty()


def test_full_width_digits_and_lower_case_x() -> None:
    checked = check({ID_NUMBER: ["１１０１０５１９４９１２３１００２ｘ", "11010519491231002x"]})
    assert checked.frame[ID_NORMALIZED].to_list() == ["11010519491231002X"] * 2
    assert checked.frame[ID_NUMBER].to_list() == ["11010519491231002X"] * 2


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        (HmtPolicy.REVIEW, "须由选举委员会审核"),
        (HmtPolicy.DENY, "不在本地登记"),
        (HmtPolicy.ALLOW, None),
    ],
)
def test_hong_kong_macao_taiwan_numbers_follow_the_elections_policy(
    policy: str, words: str | None
) -> None:
    checked = check({ID_NUMBER: [MAN, HMT]}, context(hmt_policy=policy))
    assert checked.frame[FLAGS].to_list() == [[], [FLAG_HMT]]
    if words is None:
        assert by_row(checked) == {}
    else:
        message = only(checked)
        assert list(by_row(checked)) == [3]
        assert words in message and HMT in message and "港澳台居民居住证" in message


def test_an_unknown_address_code_is_a_warning_not_an_error() -> None:
    checked = check({ID_NUMBER: [MAN, UNKNOWN, CITY_01]})
    assert by_row(checked) == {}
    assert list(by_row(checked, WARNINGS)) == [3]
    assert "520102" in only(checked, WARNINGS)
    assert checked.frame[FLAGS].to_list() == [[], [FLAG_UNKNOWN_ADDRESS], []]


def test_without_a_code_list_no_address_is_unknown() -> None:
    checked = check({ID_NUMBER: [UNKNOWN]}, context(known_address_codes=frozenset()))
    assert by_row(checked, WARNINGS) == {}


# --- the birth date and sex columns --------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "1990-05-17",
        "1990/5/17",
        "1990.5.17",
        "19900517",
        "1990年5月17日",
        "1990-05-17 00:00:00",
        "33010",  # Excel's serial number of 1990-05-17
        "33010.0",
        "1990-5",
        "1990.5",
        "1990年5月",
        "199005",
        "",
        None,
    ],
)
def test_birth_dates_in_every_common_form_agree_with_the_number(written: str | None) -> None:
    checked = check({ID_NUMBER: [MAN], BIRTH_DATE: [written]})
    assert by_row(checked) == {}


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("1990-05-18", "出生日期 1990-05-18 与身份证号码显示的 1990-05-17 不一致。"),
        ("19900518", "出生日期 1990-05-18 与身份证号码显示的 1990-05-17 不一致。"),
        ("1990年6月", "出生日期 1990-06 与身份证号码显示的 1990-05 不一致。"),
        ("1991.5", "出生日期 1991-05 与身份证号码显示的 1990-05 不一致。"),
        ("明年", "出生日期“明年”无法识别，请写成 2001-02-03 的形式。"),
        ("1990-02-30", "出生日期“1990-02-30”无法识别，请写成 2001-02-03 的形式。"),
        ("60", "出生日期“60”无法识别，请写成 2001-02-03 的形式。"),
    ],
)
def test_birth_date_disagreements_name_both_values(written: str, message: str) -> None:
    checked = check({ID_NUMBER: [WOMAN, MAN], BIRTH_DATE: ["1990-05-17", written]})
    assert by_row(checked) == {3: [message]}


@pytest.mark.parametrize(
    ("written", "sex"), [("男", "M"), ("M", "M"), ("m", "M"), ("1", "M"), ("男性", "M")]
)
def test_sex_columns_agree(written: str, sex: str) -> None:
    checked = check({ID_NUMBER: [MAN], SEX: [written]})
    assert by_row(checked) == {}
    assert checked.frame[SEX].to_list() == [sex]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("女", "性别“女”与身份证号码显示的“男”不一致。"),
        ("2", "性别“女”与身份证号码显示的“男”不一致。"),
        ("F", "性别“女”与身份证号码显示的“男”不一致。"),
        ("未知", "性别“未知”无法识别，请填写“男”或“女”。"),
    ],
)
def test_sex_disagreements_name_both_values(written: str, message: str) -> None:
    checked = check({ID_NUMBER: [WOMAN, MAN], SEX: ["女", written]})
    assert by_row(checked) == {3: [message]}


def test_every_error_of_a_row_is_listed() -> None:
    checked = check({ID_NUMBER: [MAN], SEX: ["女"], BIRTH_DATE: ["1990-05-18"], NAME: [""]})
    assert len(by_row(checked)[2]) == 3


# --- age on election day -------------------------------------------------------------------


def test_exactly_eighteen_on_election_day_is_of_age_one_day_less_is_not() -> None:
    eighteen = make_id(born=date(2008, 11, 1))
    too_young = make_id(born=date(2008, 11, 2))
    checked = check({ID_NUMBER: [eighteen, too_young]})
    assert by_row(checked) == {
        3: ["至选举日（2026-11-01）未满十八周岁（2008-11-02 出生），不能登记为选民。"]
    }


@pytest.mark.parametrize(
    ("rule", "day", "of_age"),
    [
        (Feb29Rule.FEB_28, date(2026, 2, 28), True),
        (Feb29Rule.MAR_1, date(2026, 2, 28), False),
        (Feb29Rule.MAR_1, date(2026, 3, 1), True),
        (Feb29Rule.FEB_28, date(2026, 2, 27), False),
    ],
)
def test_29_february_birthdays_under_both_settings(rule: str, day: date, of_age: bool) -> None:
    leap_born = make_id(born=date(2008, 2, 29))
    checked = check({ID_NUMBER: [leap_born]}, context(election_day=day, feb29_rule=rule))
    assert checked.rejected.is_empty() is of_age
    if not of_age:
        assert "2008-02-29 出生" in only(checked)


# --- names, ethnicity, phone ---------------------------------------------------------------


def test_names_are_required_cleaned_and_simplified() -> None:
    checked = check(
        {
            ID_NUMBER: [MAN, WOMAN, make_id(seq=13), make_id(seq=15)],
            NAME: ["張偉", "阿依古丽 • 买买提", None, "长" * 65],
        }
    )
    assert checked.frame[NAME].to_list()[:2] == ["张伟", "阿依古丽·买买提"]
    assert by_row(checked) == {4: ["姓名为空。"], 5: [f"姓名“{'长' * 65}”超过 64 字。"]}


@pytest.mark.parametrize(
    ("written", "code"),
    [("汉族", 1), ("汉", 1), ("維吾爾族", 5), ("维吾尔", 5), ("03", 3), ("3", 3), (" 蒙古族 ", 2)],
)
def test_ethnicities_with_or_without_zu_or_as_numbers(written: str, code: int) -> None:
    checked = check({ID_NUMBER: [MAN], ETHNICITY: [written]})
    assert by_row(checked) == {}
    assert checked.frame[ETHNICITY_CODE].to_list() == [code]


def test_an_unknown_ethnicity_is_an_error_naming_it_and_a_blank_one_a_warning() -> None:
    checked = check({ID_NUMBER: [MAN, WOMAN], ETHNICITY: ["火星族", ""]})
    assert by_row(checked) == {
        2: ["民族“火星族”无法识别，请填写民族名称（如“汉族”“蒙古族”）或其代码。"]
    }
    assert by_row(checked, WARNINGS) == {3: ["民族未填写，按汉族登记，请核对。"]}
    assert checked.frame[ETHNICITY_CODE].to_list() == [None, 1]


def test_no_ethnicity_column_means_han_with_one_warning_for_the_file() -> None:
    checked = validate(table({ID_NUMBER: [MAN, WOMAN], NAME: ["甲", "乙"]}), context())
    assert checked.frame[ETHNICITY_CODE].to_list() == [1, 1]
    assert by_row(checked) == {} and by_row(checked, WARNINGS) == {}
    assert len(checked.warnings) == 1 and "民族" in checked.warnings[0]


@pytest.mark.parametrize(
    ("written", "plausible"),
    [
        ("13800138000", True),
        ("+86 138 0013 8000", True),
        ("027-88886666", True),
        ("（027）88886666", True),
        ("88886666", True),
        ("0755-8888666-123", True),
        ("12345", False),
        ("无", False),
    ],
)
def test_phones_that_look_wrong_are_warnings(written: str, plausible: bool) -> None:
    checked = check({ID_NUMBER: [MAN], PHONE: [written]})
    assert by_row(checked) == {}
    assert bool(by_row(checked, WARNINGS)) is not plausible
    if not plausible:
        assert f"“{written}”" in only(checked, WARNINGS)


# --- duplicates within the file ------------------------------------------------------------


def test_duplicates_name_each_other() -> None:
    legacy = "420102900517011"  # MAN before the 18-digit numbers: the same person
    checked = check(
        {
            ID_NUMBER: [MAN, make_id(seq=21), MAN.lower(), WOMAN, MAN, legacy, f" {MAN} "],
            NAME: ["甲", "乙", "丙", "丁", "戊", "己", "庚"],
        }
    )
    duplicate = "与第 %s 行身份证号码重复。"
    assert by_row(checked) == {
        2: [duplicate % "4、6、7、8"],
        4: [duplicate % "2、6、7、8"],
        6: [duplicate % "2、4、7、8"],
        7: [duplicate % "2、4、6、8"],
        8: [duplicate % "2、4、6、7"],
    }


def test_a_15_digit_number_duplicates_its_18_digit_form() -> None:
    checked = check({ID_NUMBER: ["110105491231002", "11010519491231002X", WOMAN]})
    assert by_row(checked) == {
        2: ["与第 3 行身份证号码重复。"],
        3: ["与第 2 行身份证号码重复。"],
    }


def test_many_duplicates_name_the_first_ten() -> None:
    checked = check({ID_NUMBER: [MAN] * 13})
    messages = by_row(checked)
    assert len(messages) == 13
    assert messages[2] == ["与第 3、4、5、6、7、8、9、10、11、12 等 12 行身份证号码重复。"]


# --- change kind, district -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("新满十八周岁", ChangeKind.NEWLY_18),
        ("迁入", ChangeKind.MOVED_IN),
        ("登记", ChangeKind.REGISTERED),
        ("", ChangeKind.REGISTERED),
        ("moved_in", ChangeKind.MOVED_IN),
    ],
)
def test_change_kinds(written: str, kind: str) -> None:
    checked = check({ID_NUMBER: [MAN], KIND: [written]})
    assert by_row(checked) == {}
    assert checked.frame[KIND].to_list() == [kind]


def test_an_unknown_change_kind_is_an_error_naming_it() -> None:
    checked = check({ID_NUMBER: [MAN], KIND: ["死亡"]})
    assert "变动类型“死亡”无法识别" in only(checked)


def test_restored_rights_need_the_courts_date() -> None:
    without_column = check({ID_NUMBER: [MAN, WOMAN], KIND: ["迁入", "恢复政治权利"]})
    assert list(by_row(without_column)) == [3]
    assert "表中没有“恢复政治权利日期”列" in only(without_column)

    checked = check(
        {
            ID_NUMBER: [MAN, WOMAN, make_id(seq=13), make_id(seq=15)],
            KIND: ["恢复政治权利"] * 4,
            COURT_DATE: ["2025年3月4日", "", "上个月", "2099-01-01"],
        }
    )
    errors = by_row(checked)
    assert list(errors) == [3, 4, 5]
    assert "请在“恢复政治权利日期”列填写" in errors[3][0]
    assert "恢复政治权利日期“上个月”无法识别" in errors[4][0]
    assert "恢复政治权利日期 2099-01-01 晚于今天" in errors[5][0]
    row = checked.frame.row(0, named=True)
    assert row[KIND] == ChangeKind.RESTORED
    assert row[EFFECTIVE_DATE] == date(2025, 3, 4)
    assert row[COURT_DATE] == "2025-03-04"


def test_district_codes_are_normalised_and_malformed_ones_refused() -> None:
    checked = check(
        {
            ID_NUMBER: [MAN, WOMAN, make_id(seq=13), make_id(seq=15)],
            DISTRICT: ["420102001001", "４２０１０２００１００２", "420102001003.0", "4201"],
        }
    )
    assert checked.frame[DISTRICT].to_list() == [
        "420102001001",
        "420102001002",
        "420102001003",
        None,
    ]
    assert by_row(checked) == {5: ["选区代码“4201”应为 12 位数字。"]}


def test_residence_kinds() -> None:
    checked = check(
        {ID_NUMBER: [MAN, WOMAN, make_id(seq=13)], RESIDENCE_KIND: ["持选民资格证明", "", "外星"]}
    )
    assert checked.frame[RESIDENCE_KIND].to_list() == [
        ResidenceKind.CERTIFICATE,
        ResidenceKind.HOUSEHOLD,
        None,
    ]
    assert list(by_row(checked)) == [4]
    assert "登记类型“外星”无法识别" in only(checked)
