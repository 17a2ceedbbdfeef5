from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from renda.imports.services import import_files_purge


class Command(BaseCommand):
    help = "Delete uploads, error reports and password sheets of runs finished N days ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.RENDA_PRIVATE_FILE_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        count = import_files_purge(days=options["days"])
        self.stdout.write(f"purged the files of {count} import runs")
