"""renda stats_verify [--region CODE] [--election CODE] [--repair] [--json] — recount the
registration counters from the register and report any drift (there should be none).

Checks the open elections (election day today or later; the counters of a past election are
frozen on its day, so a recount of today's register is not expected to match them) or the one
named by ``--election``. Prints one line per differing counter: election, district, column,
kept, recounted. ``--repair`` replaces the counters of the elections and region checked by a
recount (应登记 is kept). With ``--json`` prints one object:

    {"elections": ["code", …], "region": "code" | null, "districts": n,
     "drift": [{"election", "district", "column", "stored", "counted"}, …], "repaired": bool}

Exit status 0 when the counters agree (or were repaired), 1 on drift or a bad argument.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.regions.codes import parse_code
from renda.regions.models import District, Region
from renda.voters import tally
from renda.voters.models import Election


class Command(BaseCommand):
    help = "Recount the registration counters from the register and report any drift."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", help="region or district code (2–12 digits)")
        parser.add_argument("--election", help="election code (default: the open elections)")
        parser.add_argument("--repair", action="store_true", help="rebuild from a recount")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        lo, hi = self._range(options["region"])
        elections = self._elections(options["election"])
        drift = tally.verify(elections, lo, hi)
        districts = sum(len(tally.stored(e, lo, hi).rows) for e in elections)
        if drift and options["repair"]:
            for election in elections:
                tally.rebuild(election, lo, hi)
        repaired = bool(drift and options["repair"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "elections": [e.code for e in elections],
                        "region": options["region"],
                        "districts": districts,
                        "drift": [asdict(d) for d in drift],
                        "repaired": repaired,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self._print(elections, districts, drift, repaired)
        if drift and not repaired:
            sys.exit(1)

    def _print(
        self, elections: list[Election], districts: int, drift: list[tally.Drift], repaired: bool
    ) -> None:
        if drift:
            self.stdout.write("election\tdistrict\tcolumn\tstored\tcounted")
        for d in drift:
            self.stdout.write(f"{d.election}\t{d.district}\t{d.column}\t{d.stored}\t{d.counted}")
        codes = ", ".join(e.code for e in elections) or "—"
        if not drift:
            self.stdout.write(f"OK: {codes}, {districts} districts, no drift")
        elif repaired:
            self.stdout.write(f"REPAIRED: {len(drift)} counters rebuilt from the register")
        else:
            self.stderr.write(f"DRIFT: {len(drift)} counters differ from the register ({codes})")

    def _range(self, code: str | None) -> tuple[int, int]:
        if not code:
            return tally.ALL_CODES
        try:
            number = parse_code(code)
        except ValueError:
            self._refuse(
                _("区划代码“%(c)s”格式不正确（应为 2、4、6、9 或 12 位数字）。") % {"c": code}
            )
        if len(code.strip()) == 12:
            if not District.objects.filter(code=number).exists():
                self._refuse(_("选区代码“%(c)s”不存在。") % {"c": code})
            return number, number
        region = Region.objects.filter(code=number).first()
        if region is None:
            self._refuse(_("区划代码“%(c)s”不存在。") % {"c": code})
        return region.subtree

    def _elections(self, code: str | None) -> list[Election]:
        elections = Election.objects.select_related("region").order_by("code")
        if code:
            found = list(elections.filter(code=code))
            if not found:
                self._refuse(_("选举代码“%(c)s”不存在（renda elections 列出全部）。") % {"c": code})
            return found
        return list(elections.filter(election_day__gte=timezone.localdate()))

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(1)
