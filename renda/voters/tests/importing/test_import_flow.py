"""The voter import from the registrar's side: upload, watch, read the report, fix, retry."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import DjangoCaptureOnCommitCallbacks
from python_calamine import CalamineWorkbook

from renda.core.testing import DISTRICT, Cast
from renda.imports.models import ImportRun
from renda.imports.workflow import State
from renda.voters.models import Election, Voter, VoterChange
from renda.voters.tests.importing import files

pytestmark = pytest.mark.django_db


def _upload(
    cast: Cast,
    election: Election,
    data: bytes,
    name: str,
    capture: DjangoCaptureOnCommitCallbacks,
    *,
    dry_run: bool = False,
) -> ImportRun:
    client = cast.client(cast.registrar)
    form = {
        "election": election.pk,
        "district": DISTRICT,
        "file": SimpleUploadedFile(name, data),
        "sheet": "",
    }
    if dry_run:
        form["dry_run"] = "on"
    with capture(execute=True):
        response = client.post("/voters/import/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.latest("id")
    assert response["Location"] == f"/imports/{run.pk}/"
    return run


def _report_rows(cast: Cast, run: ImportRun) -> list[list[str]]:
    response = cast.client(cast.registrar).get(f"/imports/{run.pk}/report.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return [[str(v) for v in row] for row in book.get_sheet_by_index(0).to_python()]


def test_good_rows_go_in_and_bad_rows_are_explained(
    cast: Cast,
    election: Election,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    people = files.people(6)
    bad = files.Person("错号", people[5].id_number[:17] + "0", "男", "1960-01-01")
    if bad.id_number == people[5].id_number:
        bad = files.Person("错号", people[5].id_number[:17] + "1", "男", "1960-01-01")
    sheet = files.register([*people[:5], bad], numeric_ids=[4])
    run = _upload(
        cast,
        election,
        files.xlsx({"名单": sheet}),
        "第一选区.xlsx",
        django_capture_on_commit_callbacks,
    )
    run.refresh_from_db()
    assert run.state == State.SUCCEEDED, run.message
    assert run.accepted == 4 and run.rejected == 2
    names = set(Voter.objects.values_list("name", flat=True))
    assert names == {p.name for p in people[:4]}
    assert VoterChange.objects.filter(import_run=run).count() == 4
    rows = _report_rows(cast, run)
    head, body = rows[0], rows[1:]
    assert head[0] == "行号" and head[-2:] == ["错误原因", "提示"]
    reasons = {row[head.index("姓名")]: row[-2] for row in body}
    assert "文本格式" in reasons[people[4].name]
    assert "校验位" in reasons["错号"]
    page = cast.client(cast.registrar).get(f"/imports/{run.pk}/").content.decode()
    assert "已登记 4 人" in page


def test_a_dry_run_writes_nothing_and_the_same_file_twice_changes_nothing(
    cast: Cast,
    election: Election,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    data = files.xlsx({"名单": files.register(files.people(3))})
    dry = _upload(
        cast, election, data, "名单.xlsx", django_capture_on_commit_callbacks, dry_run=True
    )
    dry.refresh_from_db()
    assert dry.state == State.SUCCEEDED and "试运行" in dry.message
    assert Voter.objects.count() == 0
    first = _upload(cast, election, data, "名单.xlsx", django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.accepted == 3 and Voter.objects.count() == 3
    again = _upload(cast, election, data, "名单.xlsx", django_capture_on_commit_callbacks)
    again.refresh_from_db()
    assert again.accepted == 0 and "没有任何变动" in again.message
    assert Voter.objects.count() == 3 and VoterChange.objects.count() == 3


def test_an_ambiguous_header_is_settled_by_the_person(
    cast: Cast,
    election: Election,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    people = files.people(2)
    header: list[files.Value] = ["姓名", "身份证号", "证件号码", "出生日期"]
    rows: list[list[files.Value]] = [header]
    rows += [[p.name, p.id_number, "", p.born] for p in people]
    run = _upload(
        cast, election, files.xlsx({"名单": rows}), "两列.xlsx", django_capture_on_commit_callbacks
    )
    run.refresh_from_db()
    assert run.state == State.FAILED and "身份证号" in run.message
    assert Voter.objects.count() == 0
    client = cast.client(cast.registrar)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert f"/voters/import/{run.pk}/columns/" in page
    assert cast.client(cast.outsider).get(f"/voters/import/{run.pk}/columns/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/voters/import/{run.pk}/columns/", {"id_number": "身份证号"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == State.SUCCEEDED, run.message
    assert Voter.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("名单.xlsx", files.pdf(), "不是"),
        ("名单.xlsx", files.zip_bomb(), "解压"),
        ("名单.csv", "姓名,身份证号码\n".encode("gbk"), "没有"),
    ],
)
def test_nasty_files_fail_with_a_chinese_message_and_write_nothing(
    cast: Cast,
    election: Election,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    name: str,
    data: bytes,
    fragment: str,
) -> None:
    run = _upload(cast, election, data, name, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == State.FAILED
    assert fragment in run.message, run.message
    assert "Traceback" not in run.message
    assert Voter.objects.count() == 0


def test_another_countys_staff_cannot_import_into_this_district(
    cast: Cast, election: Election
) -> None:
    data = files.xlsx({"名单": files.register(files.people(1))})
    response = cast.client(cast.outsider).post(
        "/voters/import/",
        {
            "election": election.pk,
            "district": DISTRICT,
            "file": SimpleUploadedFile("名单.xlsx", data),
        },
    )
    assert response.status_code == 200  # the form again, with the district refused
    assert ImportRun.objects.count() == 0
    assert cast.client(cast.deputy).get("/voters/import/").status_code == 404


def test_the_template_downloads_with_a_text_id_column(cast: Cast) -> None:
    response = cast.client(cast.registrar).get("/voters/import/template.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert "公民身份号码" in [
        str(v) for row in book.get_sheet_by_index(0).to_python()[:3] for v in row
    ]
    assert date.today().year > 2000
