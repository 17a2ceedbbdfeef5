"""Every write to import runs: create, execute (in the worker), report progress, cancel, retry."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.core import privatefiles
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports import registry
from renda.imports.models import ImportRun
from renda.imports.workflow import FINISHED, State, can_move

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 300 * 1024 * 1024


class Cancelled(Exception):
    """Raised inside an importer when the person asked to stop."""


def _move(run: ImportRun, new: State, **fields: object) -> None:
    if not can_move(run.state, new):
        raise ServiceError(
            _("当前状态“%(old)s”下不能执行该操作。") % {"old": run.get_state_display()}
        )
    run.state = new
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["state", *fields])


def _enqueue(run: ImportRun) -> None:
    from renda.imports.tasks import import_run_task

    transaction.on_commit(lambda: import_run_task.enqueue(run.pk))


def import_run_create(
    *,
    actor: User,
    kind: str,
    region_code: int,
    filename: str,
    data: bytes,
    options: dict[str, object] | None = None,
) -> ImportRun:
    """Keep the upload encrypted, record the run and hand it to the worker."""
    registry.get(kind)  # an unknown kind is a programming error
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError(_("文件超过 300 MB，请拆分后分别上传。"))
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            created_by=actor,
            region_code=region_code,
            original_name=filename[:255],
            upload=privatefiles.store(data, folder="uploads"),
            options=options or {},
        )
        audit_record(
            actor=actor,
            action="import.create",
            target=run,
            region_code=region_code,
            summary={"kind": kind, "file": filename, "bytes": len(data)},
        )
        _enqueue(run)
    return run


def import_run_progress(
    run: ImportRun, *, processed: int, total: int | None = None, stage: str | None = None
) -> None:
    """Record progress (autocommit, so the page sees it) and stop if cancel was asked."""
    fields: dict[str, object] = {"processed": processed}
    if total is not None:
        fields["total"] = total
    if stage is not None:
        fields["stage"] = stage
        run.stage = stage
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    run.processed = processed
    if total is not None:
        run.total = total
    if ImportRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
        raise Cancelled


def import_run_execute(run_id: int) -> ImportRun:
    """Run the importer of one run; called by the worker. Never raises for bad input."""
    run = ImportRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    if run.cancel_requested:
        _finish(run, State.CANCELLED, _("已按要求取消，未写入任何数据。"))
        return run
    _move(run, State.RUNNING, started_at=timezone.now(), finished_at=None, message="")
    try:
        registry.get(run.kind).process(run)
    except Cancelled:
        _finish(run, State.CANCELLED, _("已按要求取消，未写入任何数据。"))
    except ServiceError as exc:
        # Kept: the cause may lie outside the file (a district not set up yet), so a retry
        # after fixing it can succeed; purge_private_files deletes it after the retention days.
        _finish(run, State.FAILED, exc.message)
    except Exception:
        log.exception("import run %s crashed", run.pk)
        _finish(
            run, State.FAILED, _("处理时发生内部错误，未写入任何数据。请稍后重试或联系系统管理员。")
        )
    else:
        if run.state == State.RUNNING:
            _finish(run, State.SUCCEEDED, run.message, keep_upload=False)
    return run


def _finish(run: ImportRun, state: State, message: str, *, keep_upload: bool = True) -> None:
    """End a run; the upload stays only where a retry could succeed (a crash, a cancel)."""
    run.refresh_from_db(fields=["processed", "total"])
    _move(run, state, message=message, finished_at=timezone.now())
    if not keep_upload:
        privatefiles.remove(run.upload)
        ImportRun.objects.filter(pk=run.pk).update(upload="")
        run.upload = ""


def import_run_cancel(*, actor: User, run: ImportRun) -> ImportRun:
    if run.is_finished:
        raise ServiceError(_("该导入任务已结束，无法取消。"))
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        run.cancel_requested = True
        if run.state == State.QUEUED:
            _move(
                run,
                State.CANCELLED,
                finished_at=timezone.now(),
                message=_("已按要求取消，未写入任何数据。"),
            )
        audit_record(actor=actor, action="import.cancel", target=run, region_code=run.region_code)
    return run


def import_run_retry(*, actor: User, run: ImportRun) -> ImportRun:
    if run.state not in {State.FAILED, State.CANCELLED} or not privatefiles.exists(run.upload):
        raise ServiceError(_("只有未完成且原文件仍保留的导入任务可以重试。"))
    with transaction.atomic():
        _move(run, State.QUEUED, cancel_requested=False, processed=0, message="")
        audit_record(actor=actor, action="import.retry", target=run, region_code=run.region_code)
        _enqueue(run)
    return run


def import_run_mark_downloaded(*, actor: User, run: ImportRun, what: str) -> None:
    with transaction.atomic():
        if what == "output" and run.output_downloaded_at is None:
            run.output_downloaded_at = timezone.now()
            run.save(update_fields=["output_downloaded_at"])
        audit_record(
            actor=actor,
            action=f"import.download_{what}",
            target=run,
            region_code=run.region_code,
        )


def import_files_purge(*, days: int) -> int:
    """Delete uploads, reports and outputs of runs finished more than ``days`` ago."""
    cutoff = timezone.now() - timedelta(days=days)
    stale = ImportRun.objects.filter(state__in=FINISHED, finished_at__lt=cutoff).exclude(
        upload="", report="", output=""
    )
    count = 0
    for run in stale.iterator():
        for name in (run.upload, run.report, run.output):
            privatefiles.remove(name)
        ImportRun.objects.filter(pk=run.pk).update(upload="", report="", output="")
        count += 1
    return count


def import_run_set_options(*, actor: User, run: ImportRun, **updates: object) -> ImportRun:
    """Change a failed or cancelled run's options (e.g. the column mapping) before a retry."""
    if run.state not in {State.FAILED, State.CANCELLED}:
        raise ServiceError(_("只有未完成的导入任务可以修改设置。"))
    with transaction.atomic():
        run.options = {**run.options, **updates}
        run.save(update_fields=["options"])
        audit_record(
            actor=actor,
            action="import.options",
            target=run,
            region_code=run.region_code,
            summary={"changed": sorted(updates)},
        )
    return run
