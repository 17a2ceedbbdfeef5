"""renda import_voters PATH --election CODE --district CODE --as USERNAME [--dry-run] [--update]
[--json] [--sheet NAME] [--report PATH] — a voter list imported from the command line.

The same stages as an upload (read → validate → commit → report, renda/voters/importing), run
synchronously in this process, with an ImportRun row so every change row points at its run and
the run shows on the import pages. With ``--json`` it prints one JSON object:

    {"run": id, "rows": n, "accepted": n, "rejected": n, "warnings": n, "conflicts": n,
     "already_registered": n, "error_report": path, "seconds": s}

Exit status 0 when the import ran (rejected rows included), 1 when it was refused (a message in
Chinese on stderr; nothing written).

Who acts: ``--as USERNAME`` is required. An import writes the register in someone's name (the
change rows' actor, the audit trail) and is limited to where that person may register voters,
so the command never picks an account on its own — not a system account, not "the" province
staff member.

``--district`` may be left out when the sheet has a 选区代码 column: each row goes to its own
district (those the acting user may manage; the others are reported per row).

The error workbook holds ID numbers in clear, as the input file does: it is written next to
the input (``<name>-report-<run>.xlsx``, or ``--report PATH``) with owner-only permissions,
and an encrypted copy is kept on the run for the import pages (deleted with the run's files).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.core import privatefiles
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports.models import ImportRun
from renda.imports.workflow import State
from renda.regions.codes import parse_code
from renda.regions.models import District
from renda.voters.importing.contract import Outcome
from renda.voters.models import Election

KIND = "voters"  # renda.voters.importing.importer.KIND, registered by the voters app


class Command(BaseCommand):
    help = "Import a voter list (.xlsx/.xls/.ods/.csv) into the register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the spreadsheet or CSV file")
        parser.add_argument("--election", required=True, help="election code (renda elections)")
        parser.add_argument(
            "--district",
            help="district code, 12 digits (renda districts); omit when the sheet has 选区代码",
        )
        parser.add_argument("--as", dest="username", help="the acting user's username (required)")
        parser.add_argument("--sheet", help="sheet name (default: the first with a header)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--update", action="store_true", help="correct people already registered here"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--report", help="where to write the error workbook")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            actor, election, district = _resolve(options)
            path = Path(options["path"])
            data = _read(path)
        except ServiceError as exc:
            self._refuse(exc.message)
        run = _start_run(actor, election, district, path, options)
        try:
            outcome, workbook = _pipeline(run, data, path, election, district, options)
        except ServiceError as exc:
            _finish(run, State.FAILED, exc.message)
            self._refuse(exc.message)
        except BaseException:
            _finish(run, State.FAILED, _("处理时发生内部错误，未写入任何数据。"))
            raise
        report = _write_report(run, workbook, path, options.get("report"))
        self._print(run, outcome, report, time.perf_counter() - started, as_json=options["json"])

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(1)

    def _print(
        self, run: ImportRun, outcome: Outcome, report: str, seconds: float, *, as_json: bool
    ) -> None:
        figures = {
            "run": run.pk,
            "rows": outcome.read,
            "accepted": outcome.accepted,
            "rejected": outcome.rejected,
            "warnings": outcome.warnings,
            "conflicts": outcome.conflicts,
            "already_registered": outcome.already_registered,
            "error_report": report,
            "seconds": round(seconds, 3),
        }
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        from renda.voters.importing.importer import summary_of

        self.stdout.write(run.message)
        for label, value in summary_of(outcome):
            self.stdout.write(f"  {label}: {value}")
        if report:
            self.stdout.write(f"  {_('导入报告')}: {report}")
        self.stdout.write(f"  {_('导入任务')}: #{run.pk}, {seconds:.1f} s")


def _resolve(options: dict[str, Any]) -> tuple[User, Election, District | None]:
    if not options.get("username"):
        raise ServiceError(
            _("请用 --as 指定以哪位工作人员的身份导入（须有相应选区的选民登记权限）。")
        )
    actor = User.objects.filter(username=options["username"], is_active=True).first()
    if actor is None:
        raise ServiceError(_("找不到用户“%(u)s”，或该账号已停用。") % {"u": options["username"]})
    election = Election.objects.filter(code=options["election"]).first()
    if election is None:
        raise ServiceError(
            _("找不到代码为“%(c)s”的换届选举（可用 renda elections 查看）。")
            % {"c": options["election"]}
        )
    if not options.get("district"):
        return actor, election, None
    try:
        code = parse_code(options["district"])
    except ValueError:
        code = None
    district = District.objects.filter(code=code).first() if code else None
    if district is None:
        raise ServiceError(
            _("找不到代码为“%(c)s”的选区（可用 renda districts 查看）。")
            % {"c": options["district"]}
        )
    return actor, election, district


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise ServiceError(_("无法读取文件“%(p)s”。") % {"p": path}) from None


def _start_run(
    actor: User,
    election: Election,
    district: District | None,
    path: Path,
    options: dict[str, Any],
) -> ImportRun:
    """The run row, created already running: this process is its worker (no task queued)."""
    run = ImportRun.objects.create(
        kind=KIND,
        created_by=actor,
        region_code=district.code if district is not None else election.region_id,
        original_name=path.name[:255],
        options={
            "election": election.pk,
            "district": district.code if district is not None else None,
            "sheet": options.get("sheet") or "",
            "dry_run": bool(options["dry_run"]),
            "update": bool(options["update"]),
            "cli": True,
        },
        state=State.RUNNING,
        started_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="import.create",
        target=run,
        region_code=run.region_code,
        summary={"kind": KIND, "file": path.name, "cli": True},
    )
    return run


def _pipeline(
    run: ImportRun,
    data: bytes,
    path: Path,
    election: Election,
    district: District | None,
    options: dict[str, Any],
) -> tuple[Outcome, bytes | None]:
    from renda.voters.importing import commit, reader, report, validate
    from renda.voters.importing.importer import context_for, message_of, summary_of

    table = reader.read_table(data, path.name, sheet=options.get("sheet") or None)
    ImportRun.objects.filter(pk=run.pk).update(total=table.frame.height)
    checked = validate.validate(table, context_for(election))
    del table  # see importer.process
    outcome = commit.commit(
        checked,
        actor=run.created_by,
        election=election,
        district=district,
        run=run,
        dry_run=bool(options["dry_run"]),
        update=bool(options["update"]),
        lean=True,
    )
    run.accepted, run.rejected = outcome.accepted, outcome.rejected
    run.total = run.processed = outcome.read
    ImportRun.objects.filter(pk=run.pk).update(summary=summary_of(outcome))
    _finish(run, State.SUCCEEDED, message_of(outcome))
    return outcome, report.error_workbook(checked, outcome)


def _finish(run: ImportRun, state: State, message: str) -> None:
    run.state, run.message, run.finished_at = state, message, timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        state=state,
        message=message,
        finished_at=run.finished_at,
        total=run.total,
        processed=run.processed,
        accepted=run.accepted,
        rejected=run.rejected,
    )


def _write_report(run: ImportRun, workbook: bytes | None, source: Path, target: str | None) -> str:
    """The error workbook's path ("" when every row went in cleanly)."""
    if not workbook:
        return ""
    path = Path(target) if target else source.with_name(f"{source.stem}-report-{run.pk}.xlsx")
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(workbook)
    run.report = privatefiles.store(workbook, folder="reports")
    ImportRun.objects.filter(pk=run.pk).update(report=run.report)
    return str(path.resolve())
