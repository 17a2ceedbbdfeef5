"""renda exchange_import --key-file KEY FILE [--province CODE] [--election CODE] [--json] —
read another province's voter hash exchange file and queue, for review, every person
registered both there and here (review kind 跨省比对; nothing in the register changes).

The file is verified completely first (format, key id, length, MAC, order). With ``--json``:

    {"other_province": "44", "other_count": n, "our_count": n, "in_both": n, "created": n,
     "already_queued": n, "seconds": s}

Exit status 0 when imported, 1 when refused (message on stderr; nothing written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from renda.core.errors import ServiceError
from renda.roster.exchange.services import exchange_import
from renda.roster.management.commands._common import (
    election_arg,
    key_arg,
    province_arg,
    refuse,
)


class Command(BaseCommand):
    help = "Import another province's voter hash exchange file (cross-province check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the other province's exchange file")
        parser.add_argument("--key-file", required=True, help="the agreed exchange key")
        parser.add_argument("--province", help="our province code (default: the voters')")
        parser.add_argument("--election", help="election code, recorded on the review items")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = key_arg(options["key_file"])
            province = province_arg(options.get("province"))
            election = election_arg(options.get("election"))
            result = exchange_import(
                actor=None,
                key=key,
                path=Path(options["file"]),
                province=province,
                election=election,
            )
        except ServiceError as exc:
            refuse(self.stderr, exc.message)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "对方（%(o)s）%(theirs)d 人，本省 %(ours)d 人，两地均有登记 %(both)d 人；"
                "新增待核查 %(new)d 条（此前已列入 %(old)d 条），用时 %(s).1f 秒。"
            )
            % {
                "o": result.other_province,
                "theirs": result.other_count,
                "ours": result.our_count,
                "both": result.in_both,
                "new": result.created,
                "old": result.already_queued,
                "s": result.seconds,
            }
        )
