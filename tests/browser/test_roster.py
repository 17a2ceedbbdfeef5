"""The base-data journey in a real browser: a registrar confirms the expected list of their
district (select all on the page, one click), explains one person, and reads the cross-check."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from renda.accounts.models import User
from renda.core import testing
from renda.core.testing import build_cast
from renda.roster.models import BaseBatch, BaseRecord, RecordStatus
from renda.voters import pii
from renda.voters.idnumbers import check_id
from renda.voters.models import Voter
from renda.voters.tests.conftest import make_id

from .conftest import Shots
from .test_voter_journey import log_in, nav, open_election, whole_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expected_people(names: list[str]) -> None:
    """People on the roster of the registrar's district, as an import would leave them."""
    batch = BaseBatch.objects.create(
        source="household",
        region_id=testing.CITY,
        name="江岸区户籍.xlsx",
        created_by=User.objects.get(username="city_staff"),
    )
    for row, name in enumerate(names, start=2):
        number = make_id()
        sealed = pii.seal(number)
        BaseRecord.objects.create(
            batch=batch,
            source="household",
            row=row,
            id_hash=sealed.hash,
            id_cipher=sealed.cipher,
            name=name,
            name_pinyin="",
            sex="M",
            birth_date=check_id(number).birth_date,
            village="三阳社区",
            county_code=testing.COUNTY,
            township_code=testing.TOWNSHIP,
            district_id=testing.DISTRICT,
        )


def test_a_registrar_confirms_the_expected_list(page: Page, shot: Shots) -> None:
    build_cast()
    open_election()
    expected_people(["赵一", "钱二", "孙三", "李四"])
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "registrar")
    nav(page, "应登记名单")
    expect(page.get_by_role("heading", name="应登记名单 · 大智街道第一选区")).to_be_visible()
    table = page.get_by_test_id("expected-table")
    expect(table).to_contain_text("赵一")
    expect(table).to_contain_text("4201**********")
    shot("expected")

    page.get_by_label("李四").check()
    page.get_by_label("情况", exact=True).select_option(label="居住在外")
    page.get_by_label("说明", exact=True).fill("在深圳务工")
    page.get_by_role("button", name="所选人员说明情况").click()
    expect(page.get_by_text("已说明 1 人的情况。")).to_be_visible()

    page.get_by_label("全选本页").check()
    page.get_by_role("button", name=whole_name("确认所选人员")).click()
    expect(
        page.get_by_text("已确认 3 人，其中新登记 3 人、原已在本选区登记 0 人。")
    ).to_be_visible()
    expect(page.get_by_test_id("expected-counts")).to_contain_text("已确认登记 3")
    shot("confirmed")
    assert set(Voter.objects.values_list("name", flat=True)) == {"赵一", "钱二", "孙三"}
    assert BaseRecord.objects.get(name="李四").status == RecordStatus.EXCEPTION

    nav(page, "校验比对")
    totals = page.get_by_test_id("report-totals")
    expect(totals).to_contain_text("应登记")
    expect(page.get_by_test_id("report-table")).to_contain_text("第一选区")
    shot("report")
