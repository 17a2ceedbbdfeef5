"""renda elections --json — the elections `--election` options accept."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.voters.models import Election


class Command(BaseCommand):
    help = "List elections (code, name, area, dates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [
            {
                "code": e.code,
                "name": e.name,
                "region": e.region.display_code,
                "region_name": e.region.name,
                "election_day": e.election_day.isoformat(),
                "registration_opens": e.registration_opens.isoformat(),
                "registration_closes": e.registration_closes.isoformat(),
                "publication_deadline": e.publication_deadline.isoformat(),
            }
            for e in Election.objects.select_related("region").order_by("-election_day", "code")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(
                f"{row['code']:<16} {row['election_day']}  {row['region_name']}  {row['name']}"
            )
