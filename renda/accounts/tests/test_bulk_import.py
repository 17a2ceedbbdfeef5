"""Bulk account creation from a sheet: every row or none, with a report a person can act on."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import DjangoCaptureOnCommitCallbacks

from renda.accounts.models import RoleAssignment, User
from renda.accounts.tests.sheets import HEADER, csv_bytes, upload, xlsx_bytes
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, DISTRICT, DISTRICT_2, TOWNSHIP_2, Cast
from renda.core.tests.helpers import is_logged_in, login, page_text, read_xlsx
from renda.imports.models import ImportRun
from renda.imports.workflow import State

GOOD_ROWS: list[Sequence[object]] = [
    HEADER,
    ["dz_reg01", "张一", "13900000001", "选区登记员", "420102002001"],
    ["dz_reg02", "张二", "", "registrar", "420102002002"],
    ["yy_staff", "李三", "027-82801234", "乡级工作人员", "420102003"],
    ["ja_deputy", "王四", "", "人大代表", "420102"],
]

BAD_ROWS: list[Sequence[object]] = [
    HEADER,
    ["dz_ok01", "张一", "13900000001", "选区登记员", "420102002001"],  # row 2: fine
    ["dz_dup", "张二", "", "选区登记员", "420102002002"],  # row 3: fine
    ["DZ_DUP", "张三", "", "人大代表", "420102"],  # row 4: repeats row 3
    ["dz_role", "张四", "", "村长", "420102002001"],  # row 5: no such role
    ["dz_far", "张五", "", "选区登记员", "420103001001"],  # row 6: the sibling county
    ["dz_phone", "张六", "12345", "选区登记员", "420102002001"],  # row 7: bad phone
    ["registrar", "张七", "", "选区登记员", "420102002001"],  # row 8: name taken
]


class Counts:
    """How many accounts, grants and account audit rows exist: must not move on a failure."""

    def __init__(self) -> None:
        self.values = (
            User.objects.count(),
            RoleAssignment.objects.count(),
            AuditEvent.objects.filter(action="account.create").count(),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Counts) and self.values == other.values

    def __repr__(self) -> str:
        return f"Counts{self.values}"

    __hash__ = None  # type: ignore[assignment]


# --- a sheet with bad rows -------------------------------------------------------------------


@pytest.fixture
def failed_run(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> ImportRun:
    before = Counts()
    run = upload(
        cast.client(cast.county_staff),
        "账号.csv",
        csv_bytes(BAD_ROWS),
        django_capture_on_commit_callbacks,
    )
    run.refresh_from_db()
    assert Counts() == before
    return run


def test_a_sheet_with_bad_rows_creates_nothing(failed_run: ImportRun) -> None:
    assert failed_run.state == State.FAILED
    assert "共 7 行，其中 5 行有误，未创建任何账号" in failed_run.message
    assert (failed_run.accepted, failed_run.rejected) == (2, 5)
    assert not User.objects.filter(username__startswith="dz_").exists()


def test_the_run_page_says_why_in_chinese_and_offers_the_report(
    cast: Cast, failed_run: ImportRun
) -> None:
    text = page_text(cast.client(cast.county_staff).get(f"/imports/{failed_run.pk}/"))
    assert "未创建任何账号" in text
    assert f"/imports/{failed_run.pk}/report.xlsx" in text
    assert f"/imports/{failed_run.pk}/output.xlsx" not in text


def test_the_error_report_names_each_bad_row_and_its_reason(
    cast: Cast, failed_run: ImportRun
) -> None:
    response = cast.client(cast.county_staff).get(f"/imports/{failed_run.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    head, *rows = read_xlsx(response.content)
    assert head[0] == "行号"
    assert head[-1] == "错误原因"
    reasons = {row[0]: (row[1], row[-1]) for row in rows}
    assert set(reasons) == {"4", "5", "6", "7", "8"}
    assert reasons["4"] == ("DZ_DUP", "用户名与第 3 行重复。")
    assert reasons["5"] == ("dz_role", "角色“村长”不存在。")
    assert reasons["6"][1] == "您无权在“第一选区”授予“选区登记员”角色。"
    assert reasons["7"][1] == "手机号码格式不正确：12345"
    assert reasons["8"][1] == "用户名“registrar”已被使用。"
    assert AuditEvent.objects.filter(action="import.download_report").exists()


def test_a_corrected_report_can_be_uploaded_again(
    cast: Cast,
    failed_run: ImportRun,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = cast.client(cast.county_staff)
    head, *rows = read_xlsx(client.get(f"/imports/{failed_run.pk}/report.xlsx").content)
    fixes = {
        "4": {1: "dz_dup2"},
        "5": {4: "人大代表", 5: "420102"},
        "6": {5: "420102002002"},
        "7": {3: "13900000007"},
        "8": {1: "dz_reg08"},
    }
    corrected: list[Sequence[object]] = [head]
    for row in rows:
        for column, value in fixes[row[0]].items():
            row[column] = value
        corrected.append(row)
    run = upload(client, "改正后.xlsx", xlsx_bytes(corrected), django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == State.SUCCEEDED, run.message
    assert set(
        User.objects.filter(created_by=cast.county_staff).values_list("username", flat=True)
    ) == {"dz_dup2", "dz_role", "dz_far", "dz_phone", "dz_reg08"}


def test_every_fault_of_one_row_is_listed(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    rows = [HEADER, ["x", "", "999", "村长", "4201020"]]
    run = upload(
        cast.client(cast.county_staff), "a.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    report = cast.client(cast.county_staff).get(f"/imports/{run.pk}/report.xlsx")
    reason = read_xlsx(report.content)[1][-1]
    for fault in [
        "用户名须为",
        "请填写姓名",
        "手机号码格式不正确",
        "角色“村长”不存在",
        "格式不正确",
    ]:
        assert fault in reason


def test_the_report_defuses_spreadsheet_formulas(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    rows = [HEADER, ['=HYPERLINK("http://evil.example","点我")', "张一", "", "村长", "42"]]
    run = upload(
        cast.client(cast.county_staff), "a.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    report = cast.client(cast.county_staff).get(f"/imports/{run.pk}/report.xlsx")
    assert read_xlsx(report.content)[1][1].startswith("'=HYPERLINK")


# --- a good sheet ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("账号.csv", csv_bytes(GOOD_ROWS)),
        ("账号-excel.csv", b"\xef\xbb\xbf" + csv_bytes(GOOD_ROWS)),  # Excel's "CSV UTF-8"
        ("账号-gbk.csv", csv_bytes(GOOD_ROWS, encoding="gbk")),  # Excel/WPS on Chinese Windows
        ("账号.xlsx", xlsx_bytes(GOOD_ROWS, title="江岸区选举工作账号")),
        (
            "账号-数字.xlsx",  # codes and phone numbers typed as numbers
            xlsx_bytes(
                [[int(str(v)) if str(v).isdigit() else v for v in row] for row in GOOD_ROWS],
                title="江岸区选举工作账号",
            ),
        ),
    ],
    ids=["utf8-csv", "utf8-bom-csv", "gbk-csv", "xlsx-with-title", "xlsx-numbers"],
)
def test_a_good_sheet_creates_every_account(
    cast: Cast,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    filename: str,
    data: bytes,
) -> None:
    users_before = User.objects.count()
    run = upload(cast.client(cast.county_staff), filename, data, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == State.SUCCEEDED, run.message
    assert (run.total, run.accepted, run.rejected) == (4, 4, 0)
    assert User.objects.count() == users_before + 4

    created = {u.username: u for u in User.objects.filter(created_by=cast.county_staff)}
    assert set(created) == {"dz_reg01", "dz_reg02", "yy_staff", "ja_deputy"}
    assert all(u.must_change_password for u in created.values())
    assert created["dz_reg01"].real_name == "张一"
    assert created["dz_reg01"].phone == "13900000001"
    assert created["yy_staff"].phone == "027-82801234"

    grants = {
        g.user.username: (g.role, g.region_id, g.district_id)
        for g in RoleAssignment.objects.filter(granted_by=cast.county_staff).select_related("user")
    }
    assert grants == {
        "dz_reg01": ("registrar", None, DISTRICT),
        "dz_reg02": ("registrar", None, DISTRICT_2),
        "yy_staff": ("township_staff", TOWNSHIP_2, None),
        "ja_deputy": ("deputy", COUNTY, None),
    }
    audited = AuditEvent.objects.filter(action="account.create", actor=cast.county_staff)
    assert sorted(audited.values_list("target_id", flat=True)) == sorted(
        str(u.pk) for u in created.values()
    )
    assert all(e.summary["import"] is True for e in audited)
    assert audited.get(target_id=str(created["dz_reg01"].pk)).region_code == DISTRICT


@pytest.fixture
def good_run(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> ImportRun:
    run = upload(
        cast.client(cast.county_staff),
        "账号.xlsx",
        xlsx_bytes(GOOD_ROWS, title="江岸区选举工作账号"),
        django_capture_on_commit_callbacks,
    )
    run.refresh_from_db()
    assert run.state == State.SUCCEEDED, run.message
    return run


def test_the_password_sheet_goes_to_the_uploader_and_its_passwords_log_in(
    cast: Cast, good_run: ImportRun
) -> None:
    response = cast.client(cast.county_staff).get(f"/imports/{good_run.pk}/output.xlsx")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    head, *rows = read_xlsx(response.content)
    assert head == ["用户名", "姓名", "角色", "区划/选区", "初始密码"]
    assert [r[0] for r in rows] == ["dz_reg01", "dz_reg02", "yy_staff", "ja_deputy"]
    assert rows[0][2:4] == ["选区登记员", "第一选区（420102002001）"]
    for username, *_rest, password in rows:
        client, login_response = login(username, password)
        assert login_response.status_code == 302, username
        assert is_logged_in(client)
        assert client.get("/")["Location"] == "/password/"
    good_run.refresh_from_db()
    assert good_run.output_downloaded_at is not None
    assert AuditEvent.objects.filter(
        action="import.download_output", actor=cast.county_staff, target_id=str(good_run.pk)
    ).exists()


def test_a_superior_sees_the_run_but_not_the_passwords(cast: Cast, good_run: ImportRun) -> None:
    superior = cast.client(cast.city_staff)
    assert superior.get(f"/imports/{good_run.pk}/").status_code == 200
    assert f"/imports/{good_run.pk}/output.xlsx" not in page_text(
        superior.get(f"/imports/{good_run.pk}/")
    )
    assert superior.get(f"/imports/{good_run.pk}/output.xlsx").status_code == 404
    good_run.refresh_from_db()
    assert good_run.output_downloaded_at is None
    assert not AuditEvent.objects.filter(action="import.download_output").exists()


def test_the_uploaded_file_is_deleted_once_the_run_succeeds(good_run: ImportRun) -> None:
    assert good_run.upload == ""


# --- files that are not account sheets --------------------------------------------------------


def test_an_empty_file_is_refused_at_the_upload_form(cast: Cast) -> None:
    before = Counts()
    response = cast.client(cast.county_staff).post(
        "/accounts/import/", {"file": SimpleUploadedFile("账号.xlsx", b"")}
    )
    assert response.status_code == 200
    assert "所提交的是空文件" in page_text(response)
    assert not ImportRun.objects.exists()
    assert Counts() == before


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("账号.xlsx", b"%PDF-1.7 this is a renamed pdf", "无法读取该文件：它不是有效的电子表格"),
        ("账号.xlsx", csv_bytes(GOOD_ROWS), "无法读取该文件"),
        ("账号.pdf", b"%PDF-1.7", "只能上传 Excel"),
        ("账号.csv", csv_bytes([HEADER]), "表格只有表头，没有账号数据"),
        ("账号.xlsx", xlsx_bytes([HEADER], title="空表"), "表格只有表头，没有账号数据"),
        ("账号.csv", csv_bytes([["甲", "乙"], ["1", "2"]]), "在表格前 10 行中找不到表头"),
        ("账号.csv", b"\xff\xfe\x00\xd8\x00\xdc\xff", "无法识别文件编码"),
    ],
    ids=[
        "renamed-pdf",
        "csv-named-xlsx",
        "pdf",
        "header-only-csv",
        "header-only-xlsx",
        "no-header",
        "bad-encoding",
    ],
)
def test_a_file_that_is_no_account_sheet_fails_in_chinese_and_creates_nothing(
    cast: Cast,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    filename: str,
    data: bytes,
    message: str,
) -> None:
    before = Counts()
    run = upload(cast.client(cast.county_staff), filename, data, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == State.FAILED
    assert message in run.message
    assert run.finished_at is not None
    assert Counts() == before
    text = page_text(cast.client(cast.county_staff).get(f"/imports/{run.pk}/"))
    assert message in text


def test_only_account_managers_may_upload(cast: Cast) -> None:
    for person in [cast.registrar, cast.committee, cast.secadmin, cast.auditadmin]:
        response = cast.client(person).post(
            "/accounts/import/", {"file": SimpleUploadedFile("a.csv", csv_bytes(GOOD_ROWS))}
        )
        assert response.status_code == 404, person.username
    assert not ImportRun.objects.exists()


def test_the_template_is_a_sheet_the_importer_reads(cast: Cast) -> None:
    response = cast.client(cast.county_staff).get("/accounts/import/template.xlsx")
    assert response.status_code == 200
    assert read_xlsx(response.content)[0] == HEADER
