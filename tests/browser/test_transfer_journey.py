"""Online transfer (键对键) in a real browser, with two registrars in two browser contexts.

Registrar A (大智街道第一选区, the cast's ``registrar``) finds 李四 by ID number — registered in
大智街道第二选区 — and asks for him. Registrar B (第二选区) logs in, sees the request on the home
to-do and at the top of the register, and confirms it. A sees it confirmed and 李四 in A's list.
Then a citizen, in a third context without an account, checks his registration on /self/ and a
migrant asks to be registered; the request lands in A's review queue.

Screenshots: /tmp/shots/transfer_*.png (and RENDA_SCREENSHOTS as the other browser tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from renda.core import testing
from renda.core.errors import ServiceError
from renda.core.testing import build_cast
from renda.voters import pii
from renda.voters.idnumbers import mask
from renda.voters.models import SelfServiceRequest, Status, Transfer, TransferStatus, Voter
from renda.voters.tests.conftest import make_id
from renda.voters.tests.transfer_helpers import register_in, registrar_of

from .conftest import TIMEOUT_MS, VIEWPORT
from .test_voter_journey import log_in, nav, open_election, whole_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")  # noqa: S108 — where the brief wants the pictures
QUESTION = re.compile(r"(\d+) \+ (\d+) = \?")


@pytest.fixture
def other_context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def public_context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def snap(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays on top of the shot
    page.screenshot(path=str(SHOTS / f"transfer_{name}.png"), full_page=True)


def accept_dialogs(page: Page) -> None:
    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.on("dialog", accept)


def answer_of(page: Page) -> str:
    found = QUESTION.search(page.content())
    assert found, "no arithmetic check on the page"
    return str(int(found.group(1)) + int(found.group(2)))


def test_two_registrars_move_a_voter_and_a_citizen_checks(
    page: Page, other_context: BrowserContext, public_context: BrowserContext
) -> None:
    cast = build_cast()
    election = open_election()
    registrar_b = registrar_of(testing.DISTRICT_2, "dengji2")
    number = make_id()
    person = register_in(election, testing.DISTRICT_2, registrar_b, "李四", id_number=number)

    # ---- A asks for 李四 -------------------------------------------------------------------
    log_in(page, "registrar")
    nav(page, "转移申请")
    expect(page.get_by_role("heading", name="转移申请")).to_be_visible()
    page.get_by_role("link", name=whole_name("申请迁入")).click()
    finder = page.get_by_test_id("find-form")
    finder.get_by_label("公民身份号码").fill(number)
    finder.get_by_role("button", name=whole_name("查找")).click()
    found = page.get_by_test_id("found-person")
    expect(found.get_by_test_id("found-name")).to_have_text("李四")
    expect(found.get_by_test_id("found-district")).to_contain_text("大智街道 第二选区")
    expect(found).to_contain_text(mask(number))
    form = page.get_by_test_id("request-form")
    form.get_by_label("依据类型").select_option(label="居住证明（居住证、房产证、租赁合同等）")
    form.locator("#id_evidence").fill("居住证 420102-2025-0042")
    form.get_by_label("现住址").fill("江岸区大智路 8 号")
    snap(page, "01_request_form")
    form.get_by_role("button", name=whole_name("发出转移申请")).click()
    expect(page.get_by_role("alert")).to_contain_text("已向大智街道第二选区发出转移申请")
    expect(page.get_by_test_id("transfer-status")).to_have_text("待确认")
    assert number not in page.content()
    snap(page, "02_requested")
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.REQUESTED

    # ---- B sees it first, and confirms ------------------------------------------------------
    b_page = other_context.new_page()
    accept_dialogs(b_page)
    log_in(b_page, "dengji2")
    todo = b_page.get_by_test_id("todo")
    expect(todo).to_contain_text("待确认的转移申请")
    snap(b_page, "03_b_home_todo")
    nav(b_page, "选民名册")
    banner = b_page.get_by_test_id("transfer-banner")
    expect(banner).to_contain_text("有 1 项转移申请等待本选区确认")
    snap(b_page, "04_b_register_banner")
    banner.get_by_role("link", name="去办理").click()
    awaiting = b_page.get_by_test_id("awaiting")
    expect(awaiting).to_contain_text("李四")
    expect(awaiting).to_contain_text("还剩")
    snap(b_page, "05_b_awaiting")
    awaiting.get_by_role("link", name="办理").click()
    b_page.get_by_test_id("answer").get_by_role("button", name=whole_name("确认转移")).click()
    expect(b_page.get_by_role("alert")).to_contain_text("已确认：李四的登记已转入大智街道第一选区")
    expect(b_page.get_by_test_id("transfer-status")).to_have_text("已确认转移")
    snap(b_page, "06_b_confirmed")

    # ---- A sees the outcome and 李四 in its own list ------------------------------------------
    page.reload()
    expect(page.get_by_test_id("transfer-status")).to_have_text("已确认转移")
    nav(page, "选民名册")
    table = page.get_by_test_id("voter-table")
    expect(table.get_by_role("link", name="李四")).to_be_visible()
    expect(table).to_contain_text("大智街道 第一选区")
    snap(page, "07_a_register")
    person.refresh_from_db()
    assert person.status == Status.REMOVED
    assert Voter.objects.get(name="李四", status=Status.REGISTERED).district_id == testing.DISTRICT

    # ---- A citizen checks on /self/ (no account) ------------------------------------------
    public = public_context.new_page()
    public.goto("/self/")
    public.get_by_role("link", name=re.compile("查询本人选民登记")).click()
    public.get_by_label("姓名").fill("李四")
    public.get_by_label("公民身份号码").fill(number)
    public.get_by_label(re.compile("验证：请计算")).fill(answer_of(public))
    public.get_by_role("button", name="查询").click()
    expect(public.get_by_test_id("check-result")).to_have_text(
        re.compile("已在“大智街道第一选区”登记")
    )
    assert number not in public.content()
    snap(public, "08_self_check")

    # ---- A migrant asks to be registered; it lands in A's review queue --------------------------
    public.goto("/self/request/")
    public.get_by_label("现居住地所在街道（乡镇）名称").fill("大智")
    public.get_by_role("button", name="查找选区").click()
    request = public.get_by_test_id("request-form")
    request.get_by_label("申请登记的选区").select_option(label="大智街道第一选区")
    request.get_by_label("姓名").fill("覃晓燕")
    request.get_by_label("公民身份号码").fill(make_id(address="420527", male=False))
    request.get_by_label("联系电话").fill("13972000000")
    request.get_by_label("现住址").fill("江岸区大智路 18 号")
    request.get_by_label("居住证明").fill("居住证 420102-2023-0586，居住满一年")
    request.get_by_label(re.compile("验证：请计算")).fill(answer_of(public))
    snap(public, "09_self_request")
    request.get_by_role("button", name="提交申请").click()
    reference = public.get_by_test_id("reference")
    expect(reference).to_be_visible()
    item = SelfServiceRequest.objects.get()
    expect(reference).to_have_text(item.reference)
    snap(public, "10_self_done")

    nav(page, "自助登记申请")
    expect(page.get_by_test_id("selfservice-table")).to_contain_text("覃晓燕")
    page.get_by_role("link", name=item.reference).click()
    expect(page.get_by_test_id("accept-form")).to_be_visible()
    expect(page.locator("body")).to_contain_text(pii.masked(item.id_cipher))
    snap(page, "11_a_review")

    # ---- A's notifications, and a conflict made a transfer request in one click -------------
    nav(page, "通知")
    expect(page.get_by_test_id("notifications")).to_contain_text("李四已从大智街道第二选区转入")
    snap(page, "12_a_notifications")
    wang = register_in(election, testing.DISTRICT_2, registrar_b, "王芳")
    with pytest.raises(ServiceError):  # A tries to register her: she is B's
        register_in(election, testing.DISTRICT, cast.registrar, "王芳", pii.reveal(wang.id_cipher))
    nav(page, "登记冲突")
    conflicts = page.get_by_test_id("conflicts")
    expect(conflicts).to_contain_text("王芳")
    snap(page, "13_a_conflicts")
    conflicts.get_by_role("button", name=whole_name("发起转移")).click()
    expect(page.get_by_role("alert")).to_contain_text("已向大智街道第二选区发出转移申请")
    expect(page.get_by_test_id("transfer-name")).to_have_text("王芳")
    snap(page, "14_a_conflict_transfer")
