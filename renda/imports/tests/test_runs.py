"""The life of an import run: cancel while queued, retry after a failure, purge old files."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from renda.accounts.models import User
from renda.accounts.tests.sheets import HEADER, csv_bytes, upload
from renda.core import privatefiles
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, TOWNSHIP, Cast
from renda.imports.models import ImportRun
from renda.imports.services import import_run_execute
from renda.imports.workflow import FINISHED, TRANSITIONS, State, can_move
from renda.regions.models import District

SHEET = csv_bytes(
    [HEADER, ["dz_reg03", "张三", "", "选区登记员", "420102002003"]]  # 第三选区: not set up yet
)


@pytest.fixture(autouse=True)
def private_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def _state(run: ImportRun) -> str:
    run.refresh_from_db()
    return run.state


# --- cancel ----------------------------------------------------------------------------------


def test_a_queued_run_is_cancelled_and_writes_nothing(cast: Cast) -> None:
    District.objects.create(code=TOWNSHIP + 3, township_id=TOWNSHIP, name="第三选区")
    users = User.objects.count()
    client = cast.client(cast.county_staff)
    run = upload(client, "账号.csv", SHEET)  # the worker has not picked it up yet
    assert _state(run) == State.QUEUED

    response = client.post(f"/imports/{run.pk}/cancel/")
    assert response.status_code == 302
    assert _state(run) == State.CANCELLED
    assert run.cancel_requested
    assert run.finished_at is not None
    assert "已按要求取消，未写入任何数据" in run.message
    assert AuditEvent.objects.filter(action="import.cancel", target_id=str(run.pk)).exists()

    import_run_execute(run.pk)  # the worker reaches the job afterwards
    assert _state(run) == State.CANCELLED
    assert User.objects.count() == users


def test_a_finished_run_cannot_be_cancelled(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = cast.client(cast.county_staff)
    run = upload(client, "账号.csv", SHEET, django_capture_on_commit_callbacks)
    assert _state(run) == State.FAILED
    response = client.post(f"/imports/{run.pk}/cancel/", follow=True)
    assert "该导入任务已结束，无法取消" in response.content.decode()
    assert _state(run) == State.FAILED
    assert not AuditEvent.objects.filter(action="import.cancel").exists()


# --- retry -----------------------------------------------------------------------------------


def test_a_failed_run_is_retried_once_its_cause_is_fixed(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = cast.client(cast.county_staff)
    run = upload(client, "账号.csv", SHEET, django_capture_on_commit_callbacks)
    assert _state(run) == State.FAILED
    assert not User.objects.filter(username="dz_reg03").exists()
    assert privatefiles.exists(run.upload)  # kept so the run can be retried

    created = client.post(
        f"/regions/{TOWNSHIP}/districts/new/",
        {"name": "第三选区", "seats": 1, "population": 0, "kind": "residential"},
    )
    assert created.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{run.pk}/retry/")
    assert response.status_code == 302
    assert _state(run) == State.SUCCEEDED, run.message
    assert User.objects.get(username="dz_reg03").home_code == TOWNSHIP + 3
    assert AuditEvent.objects.filter(action="import.retry", target_id=str(run.pk)).exists()
    assert run.upload == ""


def test_a_cancelled_run_can_be_retried(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    District.objects.create(code=TOWNSHIP + 3, township_id=TOWNSHIP, name="第三选区")
    client = cast.client(cast.county_staff)
    run = upload(client, "账号.csv", SHEET)
    client.post(f"/imports/{run.pk}/cancel/")
    assert _state(run) == State.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/retry/")
    assert _state(run) == State.SUCCEEDED
    assert not run.cancel_requested
    assert User.objects.filter(username="dz_reg03").exists()


def test_a_succeeded_run_cannot_be_retried(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    District.objects.create(code=TOWNSHIP + 3, township_id=TOWNSHIP, name="第三选区")
    client = cast.client(cast.county_staff)
    run = upload(client, "账号.csv", SHEET, django_capture_on_commit_callbacks)
    assert _state(run) == State.SUCCEEDED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{run.pk}/retry/", follow=True)
    assert "只有未完成且原文件仍保留的导入任务可以重试" in response.content.decode()
    assert _state(run) == State.SUCCEEDED
    assert User.objects.filter(username="dz_reg03").count() == 1


def test_the_run_list_shows_own_and_subordinate_runs_only(cast: Cast) -> None:
    run = upload(cast.client(cast.county_staff), "账号.csv", SHEET)
    link = f'href="/imports/{run.pk}/"'
    assert link in cast.client(cast.county_staff).get("/imports/").content.decode()
    assert link in cast.client(cast.city_staff).get("/imports/").content.decode()
    assert link not in cast.client(cast.outsider).get("/imports/").content.decode()
    assert link not in cast.client(cast.township_staff).get("/imports/").content.decode()


# --- purge -----------------------------------------------------------------------------------


def _finished_run(cast: Cast, state: State, days_ago: int) -> ImportRun:
    run = ImportRun.objects.create(
        kind="accounts",
        created_by=cast.county_staff,
        region_code=COUNTY,
        original_name="账号.csv",
        upload=privatefiles.store(b"upload", folder="uploads"),
        report=privatefiles.store(b"report", folder="reports"),
        output=privatefiles.store(b"output", folder="outputs"),
        state=state,
    )
    finished = None if state not in FINISHED else timezone.now() - timedelta(days=days_ago)
    ImportRun.objects.filter(pk=run.pk).update(finished_at=finished)
    return run


def _files(run: ImportRun) -> list[bool]:
    return [privatefiles.exists(name) for name in (run.upload, run.report, run.output)]


def test_purge_deletes_the_files_of_old_finished_runs_only(cast: Cast, private_dir: Path) -> None:
    old_failed = _finished_run(cast, State.FAILED, days_ago=10)
    old_done = _finished_run(cast, State.SUCCEEDED, days_ago=8)
    recent = _finished_run(cast, State.FAILED, days_ago=2)
    waiting = _finished_run(cast, State.QUEUED, days_ago=30)
    out = StringIO()
    call_command("purge_private_files", "--days", "7", stdout=out)
    assert "purged the files of 2 import runs" in out.getvalue()

    for run in (old_failed, old_done):
        assert _files(run) == [False, False, False]
        run.refresh_from_db()
        assert (run.upload, run.report, run.output) == ("", "", "")
    for run in (recent, waiting):
        assert _files(run) == [True, True, True]
        run.refresh_from_db()
        assert run.upload and run.report and run.output
    assert len(list(private_dir.rglob("*.bin"))) == 6


def test_purge_is_idempotent(cast: Cast) -> None:
    _finished_run(cast, State.CANCELLED, days_ago=10)
    call_command("purge_private_files", "--days", "7", stdout=StringIO())
    out = StringIO()
    call_command("purge_private_files", "--days", "7", stdout=out)
    assert "purged the files of 0 import runs" in out.getvalue()


def test_a_purged_run_offers_no_downloads_and_no_retry(cast: Cast) -> None:
    run = _finished_run(cast, State.FAILED, days_ago=10)
    call_command("purge_private_files", "--days", "7", stdout=StringIO())
    client = cast.client(cast.county_staff)
    assert client.get(f"/imports/{run.pk}/report.xlsx").status_code == 404
    assert client.get(f"/imports/{run.pk}/output.xlsx").status_code == 404
    client.post(f"/imports/{run.pk}/retry/")
    assert _state(run) == State.FAILED


def test_private_files_are_encrypted_at_rest(private_dir: Path) -> None:
    name = privatefiles.store("张三,13900000001".encode(), folder="uploads")
    raw = (private_dir / name).read_bytes()
    assert "张三".encode() not in raw
    assert b"13900000001" not in raw
    assert privatefiles.load(name) == "张三,13900000001".encode()


# --- the workflow table ----------------------------------------------------------------------


def test_finished_runs_only_go_back_to_the_queue() -> None:
    assert TRANSITIONS[State.SUCCEEDED] == frozenset()
    for state in FINISHED - {State.SUCCEEDED}:
        assert TRANSITIONS[state] == frozenset({State.QUEUED})
    assert not can_move(State.SUCCEEDED, State.QUEUED)
    assert can_move(State.QUEUED, State.CANCELLED)
