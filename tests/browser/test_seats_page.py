"""County staff check the seats of their districts (选举法 Art 25) in a real browser: the
page from the navigation, the warnings, sorting by deviation and the workbook."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from renda.core import testing
from renda.core.testing import build_cast
from renda.regions.models import District

from .conftest import Shots
from .test_county_clerk import log_in, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _districts() -> None:
    """大智街道 with five districts, one of them far above the mean; 一元街道 balanced."""
    District.objects.filter(code=testing.DISTRICT).update(population=4100, seats=2)
    District.objects.filter(code=testing.DISTRICT_2).update(population=1900, seats=1)
    extra = [
        (testing.TOWNSHIP + 3, testing.TOWNSHIP, "第三选区", 3, 6300),
        (testing.TOWNSHIP + 4, testing.TOWNSHIP, "第四选区", 1, 2900),
        (testing.TOWNSHIP + 5, testing.TOWNSHIP, "第五选区", 1, 0),
        (testing.TOWNSHIP_2 + 2, testing.TOWNSHIP_2, "第二选区", 2, 4200),
    ]
    District.objects.filter(code=testing.DISTRICT_3).update(population=3900, seats=2)
    District.objects.bulk_create(
        District(code=c, township_id=t, name=n, seats=s, population=p) for c, t, n, s, p in extra
    )


def test_county_staff_review_the_seats_of_their_districts(
    page: Page, shot: Shots, tmp_path_factory: pytest.TempPathFactory
) -> None:
    build_cast()
    _districts()
    log_in(page, "county_staff", testing.PASSWORD)
    nav(page, "选区名额与人口")
    expect(page).to_have_url(re.compile(rf"/roster/seats/{testing.COUNTY}/$"))
    areas = page.get_by_test_id("seats-area")
    expect(areas).to_have_count(2)
    first = areas.first
    expect(first).to_contain_text("大智街道")
    expect(first.get_by_test_id("area-warnings")).to_have_text("1 个偏差过大")
    warned = first.locator("tr.table-warning")
    expect(warned).to_have_count(1)
    expect(warned).to_contain_text("第四选区")
    expect(warned).to_contain_text("人口偏多")
    shot("seats")

    page.get_by_label("排序").select_option("deviation")
    page.get_by_label(re.compile("只看有偏差超过 20%")).check()
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("seats-area")).to_have_count(1)
    expect(page.get_by_test_id("seat-row").first).to_contain_text("第四选区")
    shot("seats-sorted")

    with page.expect_download() as download:
        page.get_by_test_id("seats-export").click()
    path = tmp_path_factory.mktemp("seats") / "seats.xlsx"
    download.value.save_as(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert any(row[2] == "第四选区" and row[9] == "偏差过大" for row in rows[1:])
