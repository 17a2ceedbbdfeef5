"""A registrar uploads a village's Excel list in a real browser, watches the run finish and
downloads the import report that explains the rows that did not go in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from renda.core import testing
from renda.core.testing import PROVINCE, build_cast
from renda.voters.models import Election, Voter
from renda.voters.tests.importing import files

from .conftest import Shots
from .test_county_clerk import log_in, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registrar_uploads_a_list_and_downloads_the_report(
    page: Page, shot: Shots, tmp_path: Path
) -> None:
    build_cast()
    today = timezone.localdate()
    Election.objects.create(
        code="hb-browser",
        name="湖北省县乡两级人大换届选举",
        region_id=PROVINCE,
        election_day=today + timedelta(days=60),
        registration_opens=today - timedelta(days=1),
        registration_closes=today + timedelta(days=59),
        publication_deadline=today + timedelta(days=40),
    )
    people = files.people(5)
    sheet = files.register(people, numeric_ids=[2])  # the third ID was saved as a number
    upload = tmp_path / "大智街道第一选区.xlsx"
    upload.write_bytes(files.xlsx({"选民名单": sheet}))

    log_in(page, "registrar", testing.PASSWORD)
    nav(page, "批量导入选民")
    expect(page.get_by_role("heading", name="批量导入选民")).to_be_visible()
    page.get_by_label("选民名单文件").set_input_files(str(upload))
    page.get_by_label("试运行：只检查，不写入名册").uncheck()
    shot("upload")
    page.get_by_role("button", name="上传").click()

    progress = page.get_by_test_id("run-progress")
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=30_000)
    expect(page.get_by_test_id("run-message")).to_contain_text("已登记 4 人")
    shot("finished")
    assert Voter.objects.count() == 4

    with page.expect_download() as caught:
        page.get_by_test_id("download-report").click()
    report = caught.value.path()
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    head = [str(v) for v in rows[0]]
    flagged = [dict(zip(head, (str(v) for v in row), strict=False)) for row in rows[1:]]
    assert [r["姓名"] for r in flagged if r["错误原因"]] == [people[2].name]
    assert "文本格式" in flagged[0]["错误原因"]
