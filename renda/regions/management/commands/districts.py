"""renda districts [--region CODE] --json — the districts `--district` options accept."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.regions.codes import parse_code
from renda.regions.models import District, Region


class Command(BaseCommand):
    help = "List electoral districts, optionally within one region."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", help="a region code (2–9 digits or 12)")
        parser.add_argument("--json", action="store_true", help="one JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = District.objects.select_related("township").order_by("code")
        if options["region"]:
            try:
                region = Region.objects.get(code=parse_code(options["region"]))
            except (ValueError, Region.DoesNotExist):
                raise CommandError(f"no region with code {options['region']}") from None
            qs = qs.filter(code__range=region.subtree)
        rows = [
            {
                "code": d.display_code,
                "name": d.name,
                "township": d.township.display_code,
                "township_name": d.township.name,
                "seats": d.seats,
                "kind": d.kind,
            }
            for d in qs.iterator()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(f"{row['code']}  {row['township_name']}{row['name']}")
