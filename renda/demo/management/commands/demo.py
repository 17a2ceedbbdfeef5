from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.demo.builder import ACCOUNTS, PASSWORD, build_demo
from renda.demo.roster import build_demo_roster
from renda.demo.transfers import build_demo_transfers
from renda.demo.voters import build_demo_voters
from renda.stats.services import stats_snapshot_ensure


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
        roster = build_demo_roster(election)
        self.stdout.write(
            f"demo base data: {roster.records:,} roster records added ({roster.confirmed:,} "
            f"already registered there); {roster.deceased_items} deceased-list matches and "
            f"{roster.wrong_items} names that disagree with the roster to review"
        )
        moves = build_demo_transfers(election)
        self.stdout.write(
            f"demo transfers: {moves.transfers} transfer requests, {moves.requests} self-service "
            f"requests, {moves.conflicts} registration conflicts added"
        )
        snapshot = stats_snapshot_ensure(election=election)
        if snapshot is not None:
            self.stdout.write(
                f"demo statistics: today's snapshot ({snapshot.snapshots:,} places) and "
                f"{snapshot.reports} report tables archived"
            )
        self.stdout.write(f"demo accounts (password {PASSWORD}):")
        for spec in ACCOUNTS:
            self.stdout.write(f"  {spec.username:<11} {spec.role.label:<10} {spec.note}")
