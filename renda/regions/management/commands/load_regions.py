from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.regions.loaders import load_regions


class Command(BaseCommand):
    help = "Load (or refresh) China's divisions down to township level and the historical codes."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_regions()
        self.stdout.write(
            f"regions: {result.regions} loaded, {result.retired} retired; "
            f"address codes: {result.address_codes}; {result.seconds:.1f} s"
        )
