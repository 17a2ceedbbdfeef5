"""The "voters" import kind: the worker's side of a voter-list upload.

read → validate → commit → report, each stage reported on the run page as it goes. Options
(set by the upload view or `renda import_voters`): election (pk), district (code, or None
when the sheet has a 选区代码 column), sheet, dry_run, update.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renda.core import privatefiles
from renda.core.errors import ServiceError
from renda.imports import registry
from renda.imports.models import ImportRun
from renda.imports.services import import_run_progress
from renda.regions.models import District
from renda.regions.selectors import address_codes
from renda.voters.importing.contract import (
    BIRTH_DATE,
    ETHNICITY,
    GROUP,
    HOUSEHOLD_ADDRESS,
    ID_NUMBER,
    NAME,
    PHONE,
    RESIDENCE_ADDRESS,
    SEX,
    Context,
    Outcome,
    Table,
)
from renda.voters.models import Election

KIND = "voters"
COLUMN_LABELS = {
    ID_NUMBER: "公民身份号码",
    NAME: "姓名",
    SEX: "性别",
    BIRTH_DATE: "出生日期",
    ETHNICITY: "民族",
    HOUSEHOLD_ADDRESS: "户籍地址",
    RESIDENCE_ADDRESS: "现住址",
    PHONE: "联系电话",
    GROUP: "村（居）民小组",
}


def context_for(election: Election) -> Context:
    """What validation needs to know about the election."""
    return Context(
        election_day=election.election_day,
        feb29_rule=election.feb29_rule,
        hmt_policy=election.hmt_policy,
        known_address_codes=address_codes(),
        today=timezone.localdate(),
    )


def summary_of(outcome: Outcome) -> list[list[Any]]:
    return [
        [_("读取行数"), outcome.read],
        [_("试运行，未写入") if outcome.dry_run else _("新登记"), outcome.accepted],
        [_("有误未登记"), outcome.rejected],
        [_("有提示"), outcome.warnings],
        [_("已在其他选区登记（冲突）"), outcome.conflicts],
        [_("已在本选区登记"), outcome.already_registered],
        [_("已更正"), outcome.updated],
        [_("曾因死亡或被剥夺政治权利除名，待核实"), outcome.flagged_removed],
    ]


def message_of(outcome: Outcome) -> str:
    if outcome.dry_run:
        return _("试运行完成：%(ok)d 行可以登记，%(bad)d 行有误，未写入任何数据。") % {
            "ok": outcome.accepted,
            "bad": outcome.rejected,
        }
    if outcome.accepted == 0 and outcome.updated == 0 and outcome.already_registered:
        return _("文件中的人员均已在本选区登记，本次没有任何变动。")
    return _(
        "已登记 %(ok)d 人；%(bad)d 行有误未登记，%(conflicts)d 人已在其他选区登记。"
        "有误的行请下载导入报告，修改后重新上传。"
    ) % {"ok": outcome.accepted, "bad": outcome.rejected, "conflicts": outcome.conflicts}


def ask_for_columns(run: ImportRun, table: Table) -> None:
    """Two columns could be the same thing: the person decides, nothing is guessed."""
    ImportRun.objects.filter(pk=run.pk).update(options={**run.options, "needs_fix": True})
    labels = {key: COLUMN_LABELS.get(key, key) for key in table.ambiguous}
    detail = "；".join(
        _("“%(what)s”可能是：%(cols)s") % {"what": labels[k], "cols": "、".join(v)}
        for k, v in table.ambiguous.items()
    )
    raise ServiceError(
        _("表头中有多列可能表示同一项（%(detail)s）。请确认列对应关系后重新处理。")
        % {"detail": detail}
    )


def process(run: ImportRun) -> None:
    from renda.voters.importing import commit, reader, report, validate

    options = run.options
    try:
        election = Election.objects.get(pk=options["election"])
    except (KeyError, Election.DoesNotExist):
        raise ServiceError(_("导入任务没有指定有效的换届选举。")) from None
    district = None
    if options.get("district"):
        district = District.objects.filter(code=options["district"]).first()
        if district is None:
            raise ServiceError(_("找不到指定的选区。"))
    import_run_progress(run, processed=0, stage=_("读取文件"))
    table = reader.read_table(
        privatefiles.load(run.upload),
        run.original_name,
        sheet=options.get("sheet") or None,
        columns=options.get("columns") or None,
    )
    if table.ambiguous:
        ask_for_columns(run, table)
    total = table.frame.height
    import_run_progress(run, processed=0, total=total, stage=_("校验数据"))
    checked = validate.validate(table, context_for(election))
    del table  # checked holds it, and the commit trims it (lean) to the rows to report
    import_run_progress(run, processed=0, stage=_("写入名册"))
    outcome = commit.commit(
        checked,
        actor=run.created_by,
        election=election,
        district=district,
        run=run,
        dry_run=bool(options.get("dry_run")),
        update=bool(options.get("update")),
        progress=lambda done: import_run_progress(run, processed=done),
        lean=True,
    )
    workbook = report.error_workbook(checked, outcome)
    run.report = privatefiles.store(workbook, folder="reports") if workbook else ""
    run.accepted, run.rejected = outcome.accepted, outcome.rejected
    run.summary = summary_of(outcome)
    run.message = " ".join([message_of(outcome), *checked.warnings])
    run.save(update_fields=["report", "accepted", "rejected", "summary", "message"])
    import_run_progress(run, processed=total, stage="")


def register_voter_importer() -> None:
    registry.register(
        registry.Importer(
            kind=KIND,
            label=gettext_lazy("批量导入选民"),
            process=process,
            done_url_name="voters:list",
            fix_url_name="voters:import_columns",
        )
    )
