"""The report table as a workbook and a PDF, read back; the analysts' CSV files: scoped,
streamed, masked, formula-escaped and audited."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from renda.accounts.scopes import place_of
from renda.core.models import AuditEvent
from renda.core.spreadsheets import FORMULA_PREFIXES
from renda.core.testing import (
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    SIBLING_DISTRICT,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.regions.models import Region
from renda.stats import exports
from renda.stats.exports import csvfiles
from renda.stats.selectors import area_report
from renda.voters.idnumbers import mask
from renda.voters.models import Election
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db

TITLE_ROWS = 2  # title, subtitle
CITY_CODE = 420100000000
HEADER_ROWS = 2


def workbook(data: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    )
    return rows


def county_xlsx(election: Election) -> bytes:
    return exports.report_xlsx(area_report(election, place_of(Region.objects.get(code=COUNTY))))


def get(cast: Cast, who: str, name: str, code: int, **params: Any) -> Any:
    return cast.client(getattr(cast, who)).get(reverse(f"stats:{name}", args=[code]), params)


def streamed(response: Any) -> str:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return text[1:]


# --- The workbook ---------------------------------------------------------------------------


def test_workbook_headers_rows_and_totals(tallies: Election) -> None:
    rows = workbook(county_xlsx(tallies))
    assert rows[0][0] == "江岸区选民登记情况统计表"
    assert tallies.name in rows[1][0] and "单位：人" in rows[1][0]
    top, sub = rows[2], rows[3]
    assert top[:5] == ["地区", "选区数", "应登记", "已登记", "登记率"]
    assert top[5] == "新增" and sub[5:8] == ["新满18周岁", "恢复政治权利", "迁入"]
    assert top[8] == "减少" and sub[8:11] == ["死亡", "被剥夺政治权利", "迁出"]
    assert top[11:17] == ["不列入", "停止行使", "开具证明", "持证登记", "委托投票", "流动票箱"]
    assert top[17] == "性别" and sub[17:19] == ["男", "女"]
    assert top[19] == "年龄" and sub[19:22] == ["18—35岁", "36—59岁", "60岁以上"]
    assert top[22] == "少数民族"
    body = rows[TITLE_ROWS + HEADER_ROWS :]
    dazhi, yiyuan, total = body[0], body[1], body[2]
    assert dazhi[:5] == ["大智街道", 2, 100, 82, 0.82]
    assert yiyuan[:5] == ["一元街道", 1, 50, 45, 0.9]
    assert total[0] == "合计"
    for col in range(1, len(top)):
        if col == 4:  # the rate is not a sum: listed / expected of the total
            assert total[col] == 0.8467  # ROUND(127 / 150, 4), as the page shows 84.67%
        else:
            assert total[col] == dazhi[col] + yiyuan[col], top[col] or sub[col]
    assert total[1:4] == [3, 150, 127]


def test_workbook_print_setup(tallies: Election) -> None:
    with zipfile.ZipFile(io.BytesIO(county_xlsx(tallies))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        names = archive.read("xl/workbook.xml").decode()
    assert 'orientation="landscape"' in sheet and 'paperSize="9"' in sheet  # A4 landscape
    # fitted to one page wide (fitToWidth's default is 1), as many pages long as it takes
    assert 'fitToPage="1"' in sheet and 'fitToHeight="0"' in sheet and "fitToWidth" not in sheet
    assert '<pane xSplit="1" ySplit="4"' in sheet  # frozen below the headers, after the names
    assert 'ref="A3:A4"' in sheet and 'ref="F3:H3"' in sheet  # merged headers
    assert "_xlnm.Print_Titles" in names  # headers repeated on every printed page
    assert "<oddFooter>" in sheet and "生成时间" in sheet
    assert "<f>SUM(" in sheet  # the 合计 row sums the rows above


def test_the_table_of_a_township_lists_its_districts(tallies: Election) -> None:
    report = area_report(tallies, place_of(Region.objects.get(code=TOWNSHIP)))
    rows = workbook(exports.report_xlsx(report))
    assert rows[2][0] == "选区"
    body = rows[TITLE_ROWS + HEADER_ROWS :]
    assert [r[0] for r in body[:3]] == ["第一选区", "第二选区", "合计"]
    assert body[1][4] == "—"  # nothing expected: no rate


# --- The PDF --------------------------------------------------------------------------------


def test_pdf_of_the_table(tallies: Election) -> None:
    report = area_report(tallies, place_of(Region.objects.get(code=COUNTY)))
    data = exports.report_pdf(report)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    text = reader.pages[0].extract_text()
    for expected in ("江岸区选民登记情况统计表", "大智街道", "一元街道", "合计", "84.67%", "127"):
        assert expected in text
    resources: Any = reader.pages[0]["/Resources"]
    for font in resources["/Font"].values():
        descriptor = font.get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded, subset: prints the same anywhere


def test_a_long_table_runs_over_pages(tallies: Election) -> None:
    from renda.regions.models import District

    District.objects.bulk_create(
        District(code=TOWNSHIP + n, township_id=TOWNSHIP, name=f"第{n}选区") for n in range(3, 80)
    )
    report = area_report(tallies, place_of(Region.objects.get(code=TOWNSHIP)))
    reader = PdfReader(io.BytesIO(exports.report_pdf(report)))
    assert len(reader.pages) >= 2
    assert "第 2 页 共" in reader.pages[1].extract_text()
    assert "合计" in reader.pages[-1].extract_text()


def test_table_downloads_are_audited(cast: Cast, tallies: Election) -> None:
    response = get(cast, "county_staff", "table_xlsx", COUNTY, election=tallies.pk)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert workbook(response.content)[0][0] == "江岸区选民登记情况统计表"
    response = get(cast, "county_staff", "table_pdf", COUNTY, election=tallies.pk)
    assert response.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="stats.table_download", actor=cast.county_staff)
    assert sorted(e.summary["format"] for e in events) == ["pdf", "xlsx"]
    assert {e.region_code for e in events} == {COUNTY}


# --- CSV exports ----------------------------------------------------------------------------


def test_counts_csv_has_every_district_of_the_area(cast: Cast, tallies: Election) -> None:
    response = get(cast, "county_staff", "counts_csv", COUNTY, election=tallies.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(streamed(response))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["选区代码", "乡镇（街道）", "选区"] and header[-2:] == [
        "已登记",
        "登记率",
    ]
    assert [r[0] for r in body] == [f"{DISTRICT:012d}", f"{DISTRICT_2:012d}", f"{DISTRICT_3:012d}"]
    first = dict(zip(header, body[0], strict=True))
    assert (first["应登记"], first["已登记"], first["登记率"], first["流动票箱"]) == (
        "100",
        "82",
        "82.00%",
        "7",
    )
    second = dict(zip(header, body[1], strict=True))
    assert (second["应登记"], second["已登记"], second["登记率"]) == ("0", "0", "")
    event = AuditEvent.objects.get(action="stats.export_counts")
    assert event.actor == cast.county_staff and event.region_code == COUNTY


def test_counts_csv_pages_through_many_districts(
    cast: Cast, tallies: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvfiles, "CHUNK", 2)
    response = get(cast, "province_staff", "counts_csv", 420000000000, election=tallies.pk)
    codes = [r[0] for r in csv.reader(io.StringIO(streamed(response)))][1:]
    expected = [DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT]
    assert codes == [f"{c:012d}" for c in expected]


@pytest.fixture
def people(cast: Cast, election: Election, register_voter: RegisterVoter) -> dict[str, str]:
    numbers = {
        "张三": make_id(born=date(1980, 3, 4)),
        '=HYPERLINK("http://x")': make_id(born=date(1991, 7, 8), male=False),
        "李四": make_id(born=date(1975, 12, 1)),
    }
    register_voter("张三", id_number=numbers["张三"])
    register_voter("李四", district=DISTRICT_3, actor=cast.county_staff, id_number=numbers["李四"])
    # a name no registrar would type, straight into the table: the export must defuse it
    voter = register_voter("王五", id_number=numbers['=HYPERLINK("http://x")'])
    voter.name = '=HYPERLINK("http://x")'
    voter.save(update_fields=["name"])
    return numbers


def test_voter_csv_is_masked_scoped_and_escaped(
    cast: Cast, election: Election, people: dict[str, str]
) -> None:
    response = get(cast, "township_staff", "voters_csv", TOWNSHIP, election=election.pk)
    assert response.status_code == 200
    text = streamed(response)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "选区代码",
        "乡镇（街道）",
        "选区",
        "姓名",
        "性别",
        "出生年月",
        "公民身份号码（隐去中间位）",
        "状态",
    ]
    names = {r[3]: r for r in rows[1:]}
    assert set(names) == {"张三", '\'=HYPERLINK("http://x")'}  # 李四 is in the other township
    assert names["张三"][4:] == ["男", "1980-03", mask(people["张三"]), "已登记"]
    for number in people.values():
        assert number not in text and number[6:14] not in text
    event = AuditEvent.objects.get(action="stats.export_voters")
    assert event.actor == cast.township_staff and event.region_code == TOWNSHIP


def test_exports_of_a_sibling_township_are_404(
    cast: Cast, election: Election, people: dict[str, str]
) -> None:
    for name in ("voters_csv", "counts_csv", "table_xlsx", "table_pdf"):
        response = get(cast, "township_staff", name, TOWNSHIP_2, election=election.pk)
        assert response.status_code == 404, name
    assert not AuditEvent.objects.filter(action__startswith="stats.export").exists()


@given(st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40))
def test_csv_cells_never_start_a_formula(text: str) -> None:
    """Whatever a cell holds, read back from the file it never starts with = + - @ tab or CR;
    text that did comes back with a leading apostrophe and otherwise unchanged."""
    data = "".join(exports.csv_lines(["h"], [[text]]))
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data[1:], newline="")))
    cell = rows[1][0]
    assert not cell.startswith(FORMULA_PREFIXES)
    assert cell == ("'" + text if text.startswith(FORMULA_PREFIXES) else text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_numbers_stay_numbers_in_csv(n: int) -> None:
    assert exports.csv_cell(n) == n
    assert "".join(exports.csv_lines(["h"], [[n]])).endswith(f"{n}\r\n")


def test_voter_lists_are_exported_a_county_at_most(cast: Cast, election: Election) -> None:
    for code in (420000000000, 420100000000):
        response = get(cast, "province_staff", "voters_csv", code, election=election.pk)
        assert response.status_code == 302 and f"/stats/{code}/" in response["Location"]
    assert not AuditEvent.objects.filter(action="stats.export_voters").exists()
    assert get(cast, "province_staff", "voters_csv", COUNTY, election=election.pk).streaming
    html = cast.client(cast.province_staff).get(reverse("stats:region", args=[CITY_CODE]))
    assert 'data-testid="download-voters"' not in html.content.decode()
