"""renda crosscheck [--region CODE] [--election CODE] [--json] — the province-wide cross-check.

Computes 漏登, 错登, registered elsewhere, conflicts and unassigned records for the region
(default: the province that has base data), queues the 错登 found and new reference-list
matches as review items, and prints the figures and the seconds it took. With ``--json`` it
prints one object:

    {"region": code, "seconds": s, "total": {"records": n, "expected": n, "confirmed": n,
     "exceptions": n, "missing": n, "wrong": n, "elsewhere": n, "conflicts": n,
     "unassigned": n}, "children": {code: {...}}, "wrong_items": n, "reference_items": n}

Exit status 0 when it ran, 1 when refused (message on stderr).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renda.core.errors import ServiceError
from renda.roster.management.commands._common import election_arg, refuse, region_arg
from renda.roster.services.crosscheck import crosscheck_run

LABELS = (
    ("expected", gettext_lazy("待确认")),
    ("confirmed", gettext_lazy("已确认")),
    ("exceptions", gettext_lazy("已说明情况")),
    ("missing", gettext_lazy("漏登")),
    ("wrong", gettext_lazy("错登")),
    ("elsewhere", gettext_lazy("登记在他处")),
    ("conflicts", gettext_lazy("登记冲突")),
    ("unassigned", gettext_lazy("未划入选区")),
)


class Command(BaseCommand):
    help = "Cross-check the register against the base data (漏登, 错登, elsewhere, conflicts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", help="region code (2, 4, 6 or 9 digits)")
        parser.add_argument("--election", help="election code, recorded on the review items")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            region = region_arg(options.get("region"))
            election = election_arg(options.get("election"))
            run = crosscheck_run(actor=None, region=region, election=election)
        except ServiceError as exc:
            refuse(self.stderr, exc.message)
        report = run.report
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "region": region.code,
                        "seconds": round(run.seconds, 3),
                        "total": asdict(report.total),
                        "children": {str(c): asdict(f) for c, f in sorted(report.rows.items())},
                        "wrong_items": run.wrong_items,
                        "reference_items": run.reference_items,
                    },
                    ensure_ascii=False,
                )
            )
            return
        total = report.total
        self.stdout.write(
            _("%(r)s 校验比对：应登记 %(d)d 人；") % {"r": region.name, "d": total.denominator}
            + "；".join(f"{label} {getattr(total, key)}" for key, label in LABELS)
        )
        self.stdout.write(
            _("新增待核查事项：错登 %(w)d 条，比对名单 %(m)d 条；用时 %(s).2f 秒。")
            % {"w": run.wrong_items, "m": run.reference_items, "s": run.seconds}
        )
