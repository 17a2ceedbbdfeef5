"""renda transfers_due [--date YYYY-MM-DD] [--json] — the daily timer of online transfers.

Reminds the answering district the working day before a transfer's deadline, escalates overdue
ones to the county office, expires those left open when registration closed. Idempotent: run it
as often as you like; each reminder and escalation happens once.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.voters.services.transfers import transfers_remind_and_escalate


class Command(BaseCommand):
    help = "Send transfer reminders, escalate overdue transfers, expire stale ones (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="run as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: not a date: {options['date']!r}") from None
        done = transfers_remind_and_escalate(on=on)
        if options["json"]:
            self.stdout.write(json.dumps(done))
            return
        self.stdout.write(
            f"transfers: {done['reminded']} reminded, {done['escalated']} escalated, "
            f"{done['expired']} expired"
        )
