from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.demo.builder import ACCOUNTS, PASSWORD, build_demo
from renda.demo.voters import build_demo_voters


class Command(BaseCommand):
    help = (
        "Create the demo province (Hubei: 武汉、宜昌) with districts, accounts, an election and "
        "--voters N synthetic voters. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--voters",
            type=int,
            default=0,
            metavar="N",
            help="bring the demo register up to N synthetic voters (default 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        made = build_demo()
        self.stdout.write(
            f"demo: {made['townships']} townships; {made['districts']} new districts, "
            f"{made['accounts']} new accounts"
        )
        load = build_demo_voters(max(0, options["voters"]))
        election = load.election
        self.stdout.write(
            f"demo voters: {load.added:,} added ({load.present:,} already there, "
            f"{load.conflicts:,} refused as duplicates); election {election.code} on "
            f"{election.election_day.isoformat()}; {load.lists} first lists published, "
            f"{load.certificates} certificates issued; {load.seconds:.1f} s"
        )
        self.stdout.write(f"demo accounts (password {PASSWORD}):")
        for spec in ACCOUNTS:
            self.stdout.write(f"  {spec.username:<11} {spec.role.label:<10} {spec.note}")
