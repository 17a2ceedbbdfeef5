"""The province-wide cross-check run (``manage.py crosscheck``, or the report page's button):
every figure of ``reports.crosscheck``, and the findings that need a person queued for review
— 错登 as wrong_details items, and the reference lists matched again against registrations
made since they were imported."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.regions.models import Region
from renda.roster import reports
from renda.roster.models import ReviewItem, ReviewKind, SuggestedAction
from renda.roster.services.review import references_rematch, review_items_add
from renda.voters.models import Election
from renda.voters.services.common import require


@dataclass(frozen=True)
class CrosscheckRun:
    report: reports.Report
    wrong_items: int  # wrong_details items added
    reference_items: int  # reference-list items added
    seconds: float


def crosscheck_run(
    *, actor: User | None, region: Region, election: Election | None = None
) -> CrosscheckRun:
    """Compute the cross-check of ``region`` and queue what it found. ``actor`` None is the
    system (the command); a person needs BASE_DATA_MANAGE on the region."""
    if actor is not None:
        require(actor, Perm.BASE_DATA_MANAGE, region.code)
    started = time.perf_counter()
    lo, hi = region.subtree
    report = reports.crosscheck(lo, hi, region.level)
    with transaction.atomic():
        wrong = review_items_add(
            [
                ReviewItem(
                    election=election,
                    district_id=row.voter_district,
                    kind=ReviewKind.WRONG_DETAILS,
                    voter_id=row.voter_id,
                    base_record_id=row.record_id,
                    suggested_action=SuggestedAction.CORRECT,
                    strength=1.0 if "name" in row.fields else 0.9,
                    details={
                        "fields": row.fields,
                        "register": {"name": row.voter_name, "sex": row.voter_sex},
                        "roster": {"name": row.record_name, "sex": row.record_sex},
                    },
                )
                for row in report.wrong_rows
            ]
        )
        matched = references_rematch()
        audit_record(
            actor=actor,
            action="crosscheck.run",
            target=region,
            region_code=region.code,
            summary={
                "election": election.code if election is not None else None,
                "missing": report.total.missing,
                "wrong": report.total.wrong,
                "elsewhere": report.total.elsewhere,
                "conflicts": report.total.conflicts,
                "unassigned": report.total.unassigned,
                "wrong_items": wrong,
                "reference_items": matched,
            },
        )
    return CrosscheckRun(report, wrong, matched, time.perf_counter() - started)
