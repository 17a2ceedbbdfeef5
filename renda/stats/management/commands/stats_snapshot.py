from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from renda.regions.codes import Level
from renda.stats.services import open_elections, stats_snapshot_take
from renda.voters.models import Election


class Command(BaseCommand):
    help = (
        "Keep today's figures of every region and district (the trend charts) and archive each "
        "region's report table, for every open election (or --election CODE). Run daily by the "
        "timer, late in the day; a second run the same day replaces that day's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--election", help="an election's code (default: every open one)")
        parser.add_argument("--day", help="the day to file the figures under (YYYY-MM-DD)")
        parser.add_argument(
            "--report-level",
            type=int,
            default=Level.COUNTY,
            choices=[Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP],
            help="archive tables of regions down to this level (1 province … 4 township; default 3)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = self._day(options["day"])
        if options["election"]:
            elections = list(
                Election.objects.select_related("region").filter(code=options["election"])
            )
            if not elections:
                raise CommandError(f"no election with the code {options['election']!r}")
        else:
            elections = open_elections(day)
        for election in elections:
            result = stats_snapshot_take(
                election=election, day=day, report_level=options["report_level"]
            )
            self.stdout.write(
                f"{election.code} {result.day}: {result.snapshots} snapshots, "
                f"{result.reports} tables"
            )
        if not elections:
            self.stdout.write("no open election")

    @staticmethod
    def _day(text: str | None) -> date:
        if not text:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--day {text!r} is not a date (YYYY-MM-DD)") from None
