"""The official voter-register template (选民登记表模板.xlsx) registrars download and fill in.

Built so that the mistakes the importer has to refuse are hard to make: every column is
formatted as text (an ID typed into it cannot become 4.40524E+17), 性别/民族/登记类型 are
drop-downs, the header is frozen and carries exactly the names the importer looks for
(columns.SYNONYMS lists them first), and a second sheet explains the rules.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.worksheet import Worksheet

from renda.voters.ethnicity import ETHNICITIES
from renda.voters.importing.columns import SYNONYMS
from renda.voters.importing.contract import (
    BIRTH_DATE,
    COURT_DATE,
    DISTRICT,
    ETHNICITY,
    GROUP,
    HOUSEHOLD_ADDRESS,
    ID_NUMBER,
    KIND,
    NAME,
    NOTE,
    PHONE,
    REQUIRED,
    RESIDENCE_ADDRESS,
    RESIDENCE_KIND,
    SEX,
)
from renda.voters.models import ResidenceKind

TITLE = "××村（居）第×选区选民登记表"
SHEET = "选民登记表"
LISTS_SHEET = "选项"  # hidden: the 民族 drop-down's source (too long for an inline list)
HELP_SHEET = "填写说明"
ROWS = 10_000  # rows prepared with drop-downs under the header
FIRST = 2  # 0-based row of the first data line: title on row 1, header on row 2

# (key, column width). Order follows the paper register: who, then where, then why.
COLUMNS: tuple[tuple[str, int], ...] = (
    (NAME, 12),
    (ID_NUMBER, 22),
    (SEX, 7),
    (ETHNICITY, 10),
    (BIRTH_DATE, 12),
    (HOUSEHOLD_ADDRESS, 32),
    (RESIDENCE_ADDRESS, 32),
    (PHONE, 15),
    (GROUP, 14),
    (RESIDENCE_KIND, 16),
    (KIND, 14),
    (COURT_DATE, 18),
    (DISTRICT, 14),
    (NOTE, 20),
)

RULES = (
    "1. 每行填写一名选民；第 1 行标题和第 2 行表头请勿修改、删除或移动。",
    "2. “姓名”和“公民身份号码”必须填写，其余各列能填则填。",
    "3. 公民身份号码请填写 18 位（老式 15 位也可），末位 X 大小写均可。本模板已将该列设为"
    "“文本”格式；从其他表格复制时请使用“选择性粘贴→数值”，不要把该列改成“数值”或“常规”"
    "格式，否则 Excel 会把号码变成 4.40524E+17 之类的数字，最后几位无法恢复。",
    "4. 出生日期请写成 2001-02-03（也接受 2001/2/3、20010203、2001年2月3日）；"
    "可以不填，系统会核对身份证号码中的出生日期。",
    "5. 性别、民族、登记类型请从下拉列表中选择；民族写“汉”或“汉族”均可。变动类型为"
    "“恢复政治权利”的，请同时填写恢复政治权利日期。",
    "6. 联系电话、选区代码等请按文本填写，保留开头的 0。",
    "7. 不要在表格中使用公式；如从其他表格计算得来，请先复制，再“选择性粘贴→数值”。",
    "8. 表格末尾的“合计”行和空行会被自动跳过；不要合并单元格，不要在中间插入小计。",
    "9. 可以一次上传 .xlsx、.xls、.ods 或 CSV（UTF-8 或 GBK 编码）文件，每个工作表最多 "
    "1,048,576 行；文件不超过 300 MB。",
    "10. 上传后系统先逐行校验：有误的行不会登记，可下载导入报告（含“错误原因”和“提示”列），"
    "修改后重新上传即可；已登记的人不会重复登记。",
)


def header_text(key: str) -> str:
    return SYNONYMS[key][0]


def voter_template_xlsx(rows: Sequence[Sequence[str]] = ()) -> bytes:
    """The template as .xlsx bytes; ``rows`` (text, in COLUMNS order) pre-fill the data lines."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet(SHEET)
    _register_sheet(book, sheet, rows)
    _lists_sheet(book)
    _help_sheet(book)
    sheet.activate()
    book.close()
    return buffer.getvalue()


def _register_sheet(
    book: xlsxwriter.Workbook, sheet: Worksheet, rows: Sequence[Sequence[str]]
) -> None:
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format(
        {"bold": True, "bg_color": "#DDE7F3", "border": 1, "align": "center", "text_wrap": True}
    )
    required = book.add_format(
        {
            "bold": True,
            "bg_color": "#DDE7F3",
            "border": 1,
            "align": "center",
            "font_color": "#C00000",
        }
    )
    text = book.add_format({"num_format": 49})  # Excel's built-in "@" (文本)
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, TITLE, title)
    sheet.set_row(0, 32)
    for col, (key, width) in enumerate(COLUMNS):
        sheet.write_string(1, col, header_text(key), required if key in REQUIRED else head)
        # "@" on the whole column: what is typed or pasted as values stays text
        sheet.set_column(col, col, width, text)
    for r, row in enumerate(rows, start=FIRST):
        for col, value in enumerate(row):
            sheet.write_string(r, col, value, text)
    id_col = _column(ID_NUMBER)
    sheet.data_validation(
        FIRST,
        id_col,
        FIRST + ROWS - 1,
        id_col,
        {
            "validate": "length",
            "criteria": "between",
            "minimum": 15,
            "maximum": 18,
            "input_title": header_text(ID_NUMBER),
            "input_message": _("18 位号码（或老式 15 位），按文本填写"),
            "error_type": "warning",
            "error_title": header_text(ID_NUMBER),
            "error_message": _("公民身份号码应为 18 位（或老式 15 位）。"),
        },
    )
    _drop_down(sheet, SEX, ["男", "女"], "stop")
    _drop_down(sheet, ETHNICITY, f"='{LISTS_SHEET}'!$A$1:$A${len(_ethnicities())}", "warning")
    _drop_down(sheet, RESIDENCE_KIND, [str(label) for label in ResidenceKind.labels], "warning")
    sheet.freeze_panes(FIRST, 0)
    sheet.autofilter(1, 0, 1, last)


def _column(key: str) -> int:
    return next(i for i, (k, _width) in enumerate(COLUMNS) if k == key)


def _drop_down(sheet: Worksheet, key: str, source: list[str] | str, error_type: str) -> None:
    col = _column(key)
    sheet.data_validation(
        FIRST,
        col,
        FIRST + ROWS - 1,
        col,
        {
            "validate": "list",
            "source": source,
            "error_type": error_type,
            "error_title": header_text(key),
            "error_message": _("请从下拉列表中选择。"),
        },
    )


def _ethnicities() -> list[str]:
    """The 56 groups in GB 3304 order, then 其他."""
    return [name for code, name in sorted(ETHNICITIES.items()) if code <= 56 or name == "其他"]


def _lists_sheet(book: xlsxwriter.Workbook) -> None:
    sheet = book.add_worksheet(LISTS_SHEET)
    for row, name in enumerate(_ethnicities()):
        sheet.write_string(row, 0, name)
    sheet.hide()


def _help_sheet(book: xlsxwriter.Workbook) -> None:
    sheet = book.add_worksheet(HELP_SHEET)
    bold = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 100, wrap)
    sheet.write_string(0, 0, _("选民登记表填写说明"), bold)
    for row, rule in enumerate(RULES, start=2):
        sheet.write_string(row, 0, rule, wrap)
    row = len(RULES) + 3
    sheet.write_string(row, 0, _("各列名称（系统也认得括号中的其他写法）："), bold)
    for offset, (key, _width) in enumerate(COLUMNS, start=1):
        names = SYNONYMS[key]
        others = "、".join(names[1:])
        sheet.write_string(row + offset, 0, f"{names[0]}（{others}）" if others else names[0])
