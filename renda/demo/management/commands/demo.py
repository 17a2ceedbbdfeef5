from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.demo.builder import ACCOUNTS, PASSWORD, build_demo


class Command(BaseCommand):
    help = "Create the demo province (Hubei: 武汉、宜昌) with districts and accounts. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        made = build_demo()
        self.stdout.write(
            f"demo: {made['townships']} townships; {made['districts']} new districts, "
            f"{made['accounts']} new accounts"
        )
        self.stdout.write(f"demo accounts (password {PASSWORD}):")
        for spec in ACCOUNTS:
            self.stdout.write(f"  {spec.username:<11} {spec.role.label:<10} {spec.note}")
