"""The county clerk's day in a real browser: scoped browsing, an account made and first used,
and a bulk import whose password sheet is downloaded.

Runs against pytest-django's live server in headless Chromium (see conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from renda.accounts.models import User
from renda.core import testing
from renda.core.testing import build_cast

from .conftest import Shots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Xuanqu#2026new"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").press_sequentially(username)
    page.get_by_label("密码").press_sequentially(password)
    page.get_by_role("button", name="登录").click()


def nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="导航").get_by_role("link", name=label).click()


def test_county_clerk_creates_a_registrar_who_then_logs_in(page: Page, shot: Shots) -> None:
    build_cast()

    page.goto("/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    shot("login")
    log_in(page, "county_staff", testing.PASSWORD)

    # Home: the county's name and its figures.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("scope-name")).to_have_text("江岸区")
    figures = page.get_by_test_id("cards").locator(".value")
    expect(figures.first).to_have_text(re.compile(r"^\d[\d,]*$"))
    shot("home")

    # Regions: the county's own townships, nothing of the sibling county.
    nav(page, "区划与选区")
    table = page.get_by_test_id("children-table")
    expect(table).to_contain_text("大智街道")
    expect(table).to_contain_text("一元街道")
    expect(table).not_to_contain_text("民族街道")
    shot("regions")

    response = page.goto(f"/regions/{testing.SIBLING_COUNTY}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("江汉区")
    shot("sibling-404")

    # A new registrar for 大智街道第一选区, the district picked from the htmx suggestions.
    page.goto("/")
    nav(page, "账号管理")
    page.get_by_role("link", name="新建账号").click()
    expect(page.get_by_role("heading", name="新建账号")).to_be_visible()
    page.get_by_label("用户名").fill("dazhi_reg01")
    page.get_by_label("姓名").fill("钱登记")
    page.get_by_label("角色").select_option(label="选区登记员")
    page.get_by_role("searchbox", name="查找区划").press_sequentially("大智")
    suggestion = page.locator("[data-fill-code]").filter(has_text="第一选区")
    expect(suggestion).to_have_count(1)
    shot("create-suggestions")
    suggestion.click()
    expect(page.locator("#id_scope")).to_have_value(re.compile(rf"^0*{testing.DISTRICT}$"))
    shot("create-filled")
    page.get_by_role("button", name="创建账号").click()

    expect(page.get_by_test_id("new-username")).to_have_text("dazhi_reg01")
    initial = page.get_by_test_id("initial-password").inner_text().strip()
    assert len(initial) >= 10
    shot("created")
    registrar = User.objects.get(username="dazhi_reg01")
    assert registrar.must_change_password
    assert registrar.assignments.get().district_id == testing.DISTRICT

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/"))

    # The registrar's first login: the initial password must be replaced before anything else.
    log_in(page, "dazhi_reg01", initial)
    expect(page).to_have_url(re.compile(r"/password/"))
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.goto("/regions/")  # anything else leads back here
    expect(page).to_have_url(re.compile(r"/password/"))
    shot("forced-password-change")
    page.get_by_label("当前密码").fill(initial)
    page.get_by_label(re.compile(r"^新密码")).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("alert")).to_contain_text("密码已修改")
    expect(page.get_by_test_id("whoami")).to_contain_text("钱登记")
    shot("registrar-home")
    registrar.refresh_from_db()
    assert not registrar.must_change_password
    assert registrar.check_password(NEW_PASSWORD)


def test_bulk_account_import_and_password_sheet(page: Page, shot: Shots, tmp_path: Path) -> None:
    build_cast()
    usernames = ["imp_reg01", "imp_reg02", "imp_reg03"]
    sheet = tmp_path / "registrars.csv"
    rows = [
        "用户名,姓名,手机号码,角色,区划代码",
        f"{usernames[0]},甲登记,,选区登记员,{testing.DISTRICT}",
        f"{usernames[1]},乙登记,13800000002,选区登记员,{testing.DISTRICT_2}",
        f"{usernames[2]},丙登记,,选区登记员,{testing.DISTRICT_3}",
    ]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")

    log_in(page, "county_staff", testing.PASSWORD)
    expect(page.get_by_test_id("scope-name")).to_have_text("江岸区")
    page.goto("/accounts/import/")
    expect(page.get_by_role("heading", name="批量导入账号")).to_be_visible()
    page.get_by_label("账号表格").set_input_files(sheet)
    shot("import-form")
    page.get_by_role("button", name="上传并检查").click()

    progress = page.get_by_test_id("run-progress")
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(page.get_by_test_id("run-message")).to_contain_text("已创建 3 个账号")
    shot("import-done")

    with page.expect_download() as info:
        page.get_by_test_id("download-output").click()
    download = info.value
    saved = tmp_path / (download.suggested_filename or "output.xlsx")
    download.save_as(saved)

    workbook = CalamineWorkbook.from_path(str(saved))
    values = workbook.get_sheet_by_index(0).to_python()
    header, *body = values
    assert header[0] == "用户名" and header[-1] == "初始密码"
    assert sorted(str(row[0]) for row in body) == usernames
    assert all(len(str(row[-1])) >= 10 for row in body)
    assert set(
        User.objects.filter(username__in=usernames).values_list("must_change_password", flat=True)
    ) == {True}
