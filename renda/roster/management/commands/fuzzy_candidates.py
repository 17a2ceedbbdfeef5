"""renda fuzzy_candidates [--region CODE] [--election CODE] [--unregistered] [--json] — queue
fuzzy candidates.

Residual base records of the region (a missing or invalid ID number; with ``--unregistered``
also expected household records whose valid number nobody holds) against the whole register: ID numbers one edit away, 15-digit numbers, and names
(same, homophone, one letter or one character apart) with the same birth date and sex. Each
new pair becomes an open review item; nothing is changed in the register. Run as the system
(no user); the audit trail records the run. With ``--json`` it prints one object:

    {"region": code, "residuals": n, "candidates": n, "created": n, "already_queued": n,
     "seconds": s}

Exit status 0 when it ran, 1 when refused (message on stderr).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from renda.core.errors import ServiceError
from renda.roster.fuzzy.services import fuzzy_candidates_run
from renda.roster.management.commands._common import election_arg, refuse, region_arg


class Command(BaseCommand):
    help = "Queue fuzzy candidates (possible same person) for the residual base records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", help="region code (2, 4, 6 or 9 digits)")
        parser.add_argument("--election", help="election code, recorded on the review items")
        parser.add_argument(
            "--unregistered",
            action="store_true",
            help="also expected household records with a valid number nobody holds",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            region = region_arg(options.get("region"))
            election = election_arg(options.get("election"))
            result = fuzzy_candidates_run(
                actor=None,
                region=region,
                election=election,
                unregistered=options["unregistered"],
            )
        except ServiceError as exc:
            refuse(self.stderr, exc.message)
        figures = {"region": region.display_code, **result.as_dict()}
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "%(r)s：待比对记录 %(n)d 条，疑似同一人 %(c)d 对，新增待核查 %(new)d 条"
                "（此前已列入 %(old)d 条），用时 %(s).1f 秒。"
            )
            % {
                "r": region.name,
                "n": result.residuals,
                "c": result.candidates,
                "new": result.created,
                "old": result.already_queued,
                "s": result.seconds,
            }
        )
