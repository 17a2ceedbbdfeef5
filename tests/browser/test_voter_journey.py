"""The voter register's key journey in a real browser: register a voter, publish, download the PDF.

A registrar registers 张晓明 through the form (the live ID check fills birth date and sex), finds
him by his initials and is refused a number with a bad check digit; the election committee
publishes the district's first list and downloads it as a PDF; a removal is then published as
supplement No. 1.

Runs against pytest-django's live server in headless Chromium (see conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect
from pypdf import PdfReader

from renda.core import testing
from renda.core.testing import build_cast
from renda.regions.models import District
from renda.voters.idnumbers import check_char, mask
from renda.voters.models import (
    ChangeKind,
    Election,
    EntryAction,
    Status,
    Voter,
    VoterList,
    VoterListEntry,
)
from renda.voters.services.register import Person, voter_register
from renda.voters.tests.conftest import make_id

from .conftest import Shots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICT_LINK = "大智街道 · 第一选区"


def whole_name(label: str) -> re.Pattern[str]:
    """A button or link's whole name, after the glyph an icon font may put in front of it."""
    return re.compile(rf"^\W*{re.escape(label)}$")


def log_in(page: Page, username: str, password: str = testing.PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").press_sequentially(username)
    page.get_by_label("密码").press_sequentially(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/$"))


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="导航").get_by_role("link", name=label).click()


def years_ago(years: int) -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def with_bad_check_digit(number: str) -> str:
    wrong = "0" if check_char(number[:17]) != "0" else "1"
    return number[:17] + wrong


def open_election() -> Election:
    """As the voter tests' ``election`` fixture: registration open, list due in 40 days."""
    today = timezone.localdate()
    return Election.objects.create(
        code="hb-2026",
        name="湖北省县乡两级人大换届选举",
        region_id=testing.PROVINCE,
        election_day=today + timedelta(days=60),
        registration_opens=today - timedelta(days=1),
        registration_closes=today + timedelta(days=59),
        publication_deadline=today + timedelta(days=40),
    )


def test_register_publish_and_download_the_list(page: Page, shot: Shots, tmp_path: Path) -> None:
    cast = build_cast()
    election = open_election()
    # A neighbour already on the register, so the posted list has an order to check and the
    # search something to leave out: 王芳 (wangfang) sorts before 张晓明 (zhangxiaoming).
    neighbour = voter_register(
        actor=cast.registrar,
        election=election,
        district=District.objects.get(code=testing.DISTRICT),
        person=Person(
            id_number=make_id(born=years_ago(45), male=False), name="王芳", group="第三居民小组"
        ),
    )
    born = years_ago(30)
    id_number = make_id(born=born, male=True)

    # Confirmation dialogs (publish, remove) are accepted; their texts are kept to check.
    confirms: list[str] = []

    def accept(dialog: Dialog) -> None:
        confirms.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    # ---- The registrar registers 张晓明 -------------------------------------------------------
    log_in(page, "registrar")
    expect(page.get_by_test_id("whoami")).to_contain_text("登记员")
    nav(page, "选民名册")
    expect(page.get_by_role("heading", name="选民名册")).to_be_visible()
    expect(page.get_by_test_id("election-bar")).to_contain_text(election.name)
    expect(page.get_by_test_id("voter-table")).to_contain_text("王芳")
    shot("register-list")

    page.get_by_role("link", name=whole_name("登记选民")).click()
    expect(page.get_by_role("heading", name="登记选民")).to_be_visible()
    form = page.get_by_test_id("register-form")
    expect(form.get_by_label("选区")).to_have_value(str(testing.DISTRICT))  # the only one
    form.get_by_label("登记事由").select_option(label="迁入")
    birth = form.get_by_label("出生日期")
    sex = form.get_by_label("性别")
    expect(birth).to_have_value("")
    expect(sex).to_have_value("")
    form.get_by_label("公民身份号码").press_sequentially(id_number)

    check = page.get_by_test_id("id-check")
    expect(check).to_contain_text("号码校验通过")
    expect(check).to_contain_text(f"{born:%Y-%m-%d} 出生，男")
    expect(check).to_contain_text("30 周岁")
    expect(birth).to_have_value(f"{born:%Y-%m-%d}")
    expect(sex).to_have_value("M")
    shot("register-id-checked")

    form.get_by_label("姓名").fill("张晓明")
    form.get_by_label("民族").select_option(label="汉族")
    form.get_by_label("户籍地址").fill("湖北省武汉市江岸区大智路 12 号")
    form.get_by_label("现住址").fill("湖北省武汉市江岸区大智路 12 号 3 单元 501")
    form.get_by_label("联系电话").fill("13800001234")
    form.get_by_label("村（居）民小组").fill("第一居民小组")
    shot("register-filled")
    form.get_by_role("button", name=whole_name("登记")).click()

    # The voter's page: the name, the masked number, never the full one.
    expect(page).to_have_url(re.compile(r"/voters/\d+/"))
    expect(page.get_by_role("alert")).to_contain_text("已登记选民张晓明")
    expect(page.get_by_test_id("voter-name")).to_have_text("张晓明")
    masked = page.get_by_test_id("masked-id")
    expect(masked).to_have_text(mask(id_number))
    assert re.fullmatch(rf"{id_number[:4]}\*{{10}}{re.escape(id_number[-4:])}", mask(id_number))
    expect(page.get_by_test_id("history")).to_contain_text("迁入")
    assert id_number not in page.content()
    shot("voter-detail")

    voter = Voter.objects.get(name="张晓明")
    assert voter.status == Status.REGISTERED
    assert voter.birth_date == born and voter.sex == "M"
    assert voter.district_id == testing.DISTRICT
    assert voter.changes.get().kind == ChangeKind.MOVED_IN
    assert id_number.encode() not in bytes(voter.id_cipher)

    # Found by the initials of his name; the neighbour is not.
    nav(page, "选民名册")
    page.get_by_label("搜索").fill("zxm")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"[?&]q=zxm"))
    table = page.get_by_test_id("voter-table")
    expect(table.get_by_role("link", name="张晓明")).to_be_visible()
    expect(table).not_to_contain_text("王芳")
    expect(table.get_by_test_id("masked-id")).to_have_text(mask(id_number))
    shot("search-zxm")

    # A second person with a mistyped check digit: refused, in Chinese, and nothing is stored.
    bad_number = with_bad_check_digit(make_id(born=years_ago(25), male=False))
    page.get_by_role("link", name=whole_name("登记选民")).click()
    form = page.get_by_test_id("register-form")
    form.get_by_label("公民身份号码").press_sequentially(bad_number)
    expect(page.get_by_test_id("id-check")).to_contain_text("身份证号码校验位错误")
    expect(form.get_by_label("出生日期")).to_have_value("")
    expect(form.get_by_label("性别")).to_have_value("")
    form.get_by_label("姓名").fill("李小红")
    shot("bad-id-live")
    form.get_by_role("button", name=whole_name("登记")).click()
    expect(page.get_by_test_id("form-error")).to_contain_text("未登记")
    expect(page.get_by_test_id("error-id_number")).to_contain_text(
        f"身份证号码校验位错误（末位应为 {check_char(bad_number[:17])}）"
    )
    expect(page.get_by_role("heading", name="登记选民")).to_be_visible()
    shot("bad-id-refused")
    assert Voter.objects.count() == 2
    assert not Voter.objects.filter(name="李小红").exists()

    log_out(page)

    # ---- The committee publishes the first list and downloads it ----------------------------
    log_in(page, "committee")
    nav(page, "名单公布")
    expect(page.get_by_role("heading", name="名单公布")).to_be_visible()
    expect(page.get_by_test_id("published-total")).to_have_text("0 / 3")
    shot("lists-overview")
    page.get_by_test_id("district-table").get_by_role("link", name=DISTRICT_LINK).click()
    expect(page.get_by_role("heading", name=re.compile(DISTRICT_LINK))).to_be_visible()
    expect(page.get_by_test_id("registered-count")).to_contain_text("已登记选民 2 人")
    publish = page.get_by_test_id("publish-form")
    publish.get_by_label("排序方式").select_option(label="按姓名拼音")
    shot("before-publish")
    publish.get_by_role("button", name="公布选民名单（第一榜）").click()

    expect(page.get_by_role("alert")).to_contain_text("已公布选民名单（第一榜），共 2 人")
    assert any("公布后名单即固定" in message for message in confirms)
    first = VoterList.objects.get(election=election, district_id=testing.DISTRICT, number=0)
    assert [e.name for e in first.entries.order_by("seq")] == ["王芳", "张晓明"]

    # Back to the district, and the published list opened from its table.
    page.get_by_role("navigation", name="路径").get_by_role("link", name=DISTRICT_LINK).click()
    lists = page.get_by_test_id("list-table")
    expect(lists).to_contain_text("选民名单（第一榜）")
    lists.get_by_role("link", name="选民名单（第一榜）").click()
    expect(page.get_by_test_id("list-title")).to_contain_text("选民名单（第一榜）")
    posted = page.get_by_test_id("posted-list")
    expect(posted).to_contain_text("大智街道第一选区选民名单")
    rows = posted.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("王芳")
    expect(rows.nth(1)).to_contain_text("张晓明")
    expect(rows.nth(1)).to_contain_text(f"{born.year}年{born.month}月")
    assert id_number not in page.content()
    shot("first-list")

    with page.expect_download() as info:
        page.get_by_test_id("download-pdf-A4").click()
    download = info.value
    assert (download.suggested_filename or "").endswith(".pdf")
    saved = tmp_path / "first-list.pdf"
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages)
    assert "张晓明" in text
    assert "王芳" in text
    assert id_number not in text
    assert id_number.encode() not in data
    assert id_number[-8:].encode() not in data

    log_out(page)

    # ---- The registrar removes the neighbour; the committee posts supplement No. 1 ----------
    log_in(page, "registrar")
    nav(page, "选民名册")
    page.get_by_test_id("voter-table").get_by_role("link", name="王芳").click()
    expect(page.get_by_test_id("voter-name")).to_have_text("王芳")
    panel = page.get_by_test_id("panel-remove")
    panel.locator("summary").click()
    panel.get_by_label("除名原因").select_option(label="迁出")
    panel.get_by_label("依据").fill("户口迁出证明 2026-0417")
    shot("remove")
    panel.get_by_role("button", name=whole_name("除名")).click()
    expect(page.get_by_role("alert")).to_contain_text("已将王芳除名")
    expect(page.get_by_test_id("history")).to_contain_text("迁出")
    expect(page.get_by_test_id("history")).to_contain_text("待公布")
    assert any("除名" in message for message in confirms)
    neighbour.refresh_from_db()
    assert neighbour.status == Status.REMOVED
    shot("removed")
    log_out(page)

    log_in(page, "committee")
    nav(page, "名单公布")
    page.get_by_test_id("district-table").get_by_role("link", name=DISTRICT_LINK).click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    expect(page.get_by_test_id("pending-table")).to_contain_text("王芳")
    shot("pending")
    page.get_by_test_id("supplement-form").get_by_role("button", name="公布补充名单").click()

    expect(page.get_by_role("alert")).to_contain_text("已公布补充名单（第1号），共 1 条变动")
    expect(page.get_by_test_id("list-title")).to_contain_text("补充名单（第1号）")
    posted = page.get_by_test_id("posted-list")
    expect(posted).to_contain_text("大智街道第一选区选民补充名单")
    expect(posted).to_contain_text("（第 1 号）")
    row = posted.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("王芳")
    expect(row).to_contain_text("删除")
    expect(posted).not_to_contain_text("张晓明")
    shot("supplement")

    supplement = VoterList.objects.get(election=election, district_id=testing.DISTRICT, number=1)
    assert supplement.entry_count == 1
    entry = VoterListEntry.objects.get(voter_list=supplement)
    assert entry.voter_id == neighbour.pk and entry.action == EntryAction.REMOVED
