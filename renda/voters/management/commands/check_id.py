"""renda check_id [ID ...] — one JSON line per input, the same validator as the importer."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.regions.selectors import address_code_known
from renda.voters.idnumbers import check_id


class Command(BaseCommand):
    help = "Check resident ID numbers (arguments, or one per line on standard input)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", help="ID numbers; none: read standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        numbers = options["numbers"] or (line.rstrip("\n") for line in sys.stdin)
        for text in numbers:
            result = check_id(text, known_address=address_code_known)
            self.stdout.write(
                json.dumps(
                    {
                        "input": result.input,
                        "normalized": result.normalized,
                        "valid": result.valid,
                        "error": result.error,
                        "birth_date": result.birth_date.isoformat() if result.birth_date else None,
                        "sex": result.sex,
                        "address_code": result.address_code,
                        "address_known": result.address_known,
                        "flags": list(result.flags),
                    },
                    ensure_ascii=False,
                )
            )
