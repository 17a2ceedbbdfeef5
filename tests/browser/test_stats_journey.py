"""The statistics journey in a real browser: a province clerk opens the dashboard, drills from
the province through a city (clicking its bar in the chart), the county and the township down to
one district, and downloads that place's report table.

The counters are set by hand (as in renda/stats/tests), so every figure on the way is known.
Runs against pytest-django's live server in headless Chromium (see conftest.py).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from python_calamine import CalamineWorkbook

from renda.core import testing
from renda.core.testing import build_cast
from renda.stats.tests.conftest import FIRST, SIBLING, THIRD, set_tally

from .conftest import Shots
from .test_voter_journey import log_in, nav, open_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLICK_BAR = """(el) => {
  el.scrollIntoView({block: "center"});
  const chart = window.echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const i = option.yAxis[0].data.indexOf(NAME);
  const value = option.series[0].data[i].value;
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [value / 2, i]);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def click_bar(page: Page, chart: Locator, name: str, then: re.Pattern[str]) -> None:
    """Click the bar of ``name`` as a person would, and wait for the page it opens. The bar's
    place is read again before each try: the page's layout may still move under a first
    click (fonts, the charts below it), which then lands beside the bar."""
    for _attempt in range(3):
        x, y = chart.evaluate(CLICK_BAR.replace("NAME", json.dumps(name)))
        page.mouse.click(x, y)
        try:
            page.wait_for_url(then, timeout=3000)
            return
        except PlaywrightTimeoutError:
            continue
    expect(page).to_have_url(then)


def drill(page: Page, name: str) -> None:
    page.get_by_test_id("stats-table").get_by_role("link", name=name, exact=True).click()


def test_province_clerk_drills_down_and_downloads_the_table(
    page: Page, shot: Shots, tmp_path: Path
) -> None:
    build_cast()
    election = open_election()
    set_tally(election, testing.DISTRICT, **FIRST)
    set_tally(election, testing.DISTRICT_3, **THIRD)
    set_tally(election, testing.SIBLING_DISTRICT, **SIBLING)
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        where = str(message.location.get("url", ""))
        if message.type == "error" and not where.endswith("/favicon.ico"):
            problems.append(f"{message.text} ({where})")

    page.on("console", watch)
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, "province_staff")
    nav(page, "登记统计")
    expect(page).to_have_url(re.compile(rf"/stats/{testing.PROVINCE}/$"))
    expect(page.get_by_test_id("stats-title")).to_contain_text("湖北省 · 选民登记统计")
    tiles = page.get_by_test_id("tiles")
    expect(tiles).to_contain_text("1,150")  # 应登记
    expect(tiles).to_contain_text("11.91%")
    chart = page.get_by_test_id("children-chart")
    expect(chart).to_have_attribute("data-chart-ready", "1")
    expect(page.get_by_test_id("total-row")).to_contain_text("137")
    shot("province")

    # A click on 武汉市's bar in the chart opens the city's dashboard.
    city = re.compile(rf"/stats/{testing.CITY}/\?election={election.pk}$")
    click_bar(page, chart, "武汉市", city)
    expect(page).to_have_url(city)
    expect(page.get_by_test_id("stats-title")).to_contain_text("武汉市")
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("湖北省")
    shot("city")

    drill(page, "江岸区")
    expect(page.get_by_test_id("stats-title")).to_contain_text("江岸区")
    expect(page.get_by_test_id("tiles")).to_contain_text("84.67%")
    expect(page.get_by_test_id("lagging-summary")).to_contain_text("共 2 个，其中未启动 1 个")
    shot("county")

    drill(page, "大智街道")
    expect(page.get_by_test_id("stats-title")).to_contain_text("大智街道")
    expect(page.get_by_test_id("stats-table")).to_contain_text("第二选区")
    shot("township")

    drill(page, "第一选区")
    expect(page).to_have_url(re.compile(rf"/stats/{testing.DISTRICT}/"))
    expect(page.get_by_test_id("stats-title")).to_contain_text("第一选区")
    expect(page.get_by_test_id("status-chart")).to_have_attribute("data-chart-ready", "1")
    expect(page.get_by_test_id("tiles")).to_contain_text("82.00%")
    expect(page.get_by_test_id("deadlines")).to_contain_text("选举日")
    shot("district")

    # The breadcrumb leads back up; the table of this district downloads as a workbook.
    with page.expect_download() as info:
        page.get_by_test_id("download-xlsx").click()
    download = info.value
    assert download.suggested_filename.startswith("第一选区选民登记情况统计表-")
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "table.xlsx"
    download.save_as(saved)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(saved.read_bytes())).get_sheet_by_index(0)
    values = rows.to_python()
    assert values[0][0] == "第一选区选民登记情况统计表"
    assert values[4][:5] == ["第一选区", 1, 100, 82, 0.82]
    assert values[5][0] == "合计" and values[5][3] == 82

    page.get_by_test_id("breadcrumb").get_by_role("link", name="江岸区").click()
    expect(page.get_by_test_id("stats-title")).to_contain_text("江岸区")
    assert problems == [], problems  # no script error, nothing the CSP had to block
