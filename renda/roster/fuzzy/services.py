"""fuzzy_candidates_run: residual base records → review items, ranked by strength.

Nothing is merged, confirmed or removed here: each candidate becomes an open ReviewItem
(kind ``fuzzy_candidate``, suggested action 核实) for a person to apply or dismiss in the review
queue. Re-running adds only pairs not queued before — whatever became of the earlier ones, so a
dismissed candidate does not come back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.regions.codes import Level
from renda.regions.models import District, Region
from renda.roster.fuzzy import engine
from renda.roster.fuzzy.engine import Candidate, Residual
from renda.roster.fuzzy.names import NameRule
from renda.roster.fuzzy.variants import DELETION, INSERTION, SUBSTITUTION, TRANSPOSITION
from renda.roster.models import (
    BaseRecord,
    RecordStatus,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    SourceKind,
    SuggestedAction,
)
from renda.voters.idnumbers import mask
from renda.voters.models import ACTIVE, Election, Voter
from renda.voters.services.common import require

BATCH = 5000  # residuals per engine call: the staging tables stay small, memory flat


@dataclass(frozen=True)
class FuzzyRunResult:
    residuals: int
    candidates: int
    created: int  # new review items
    already_queued: int  # pairs queued by an earlier run (open, applied or dismissed)
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "residuals": self.residuals,
            "candidates": self.candidates,
            "created": self.created,
            "already_queued": self.already_queued,
            "seconds": round(self.seconds, 2),
        }


def _in_region(region: Region) -> Q:
    """Records of the region: by district once assigned, else by their county / township."""
    lo, hi = region.subtree
    by_area = (
        Q(county_code__gte=lo, county_code__lte=hi)
        if region.level <= Level.COUNTY
        else Q(township_code__gte=lo, township_code__lte=hi)
    )
    return Q(district_id__gte=lo, district_id__lte=hi) | Q(district__isnull=True) & by_area


def residual_records(region: Region, *, unregistered: bool = False) -> QuerySet[BaseRecord]:
    """The records no exact ID match can place: a missing or invalid number (any list; a
    household record only while still expected). With ``unregistered``, also the household
    records still expected whose valid number nobody holds (漏登 candidates: perhaps
    registered under another number) — many more during registration, and only the name and
    15-digit rules can speak for them."""
    no_id = Q(id_valid=False) | Q(id_hash__isnull=True)
    still_open = ~Q(source=SourceKind.HOUSEHOLD) | Q(status=RecordStatus.EXPECTED)
    wanted = no_id & still_open
    if unregistered:
        registered = Voter.objects.filter(id_hash=OuterRef("id_hash"), status__in=ACTIVE)
        nobody_holds = Q(~Exists(registered))
        wanted |= Q(source=SourceKind.HOUSEHOLD, status=RecordStatus.EXPECTED) & nobody_holds
    return BaseRecord.objects.filter(_in_region(region)).filter(wanted).order_by("id")


def _residuals(records: Sequence[BaseRecord]) -> list[Residual]:
    return [
        Residual(
            key=r.pk,
            name=r.name,
            birth_date=r.birth_date,
            sex=r.sex,
            number=engine.residual_number(r.id_cipher),
            name_pinyin=r.name_pinyin,
            district_id=r.district_id,
            extra={"source": r.source, "batch": r.batch_id, "row": r.row},
        )
        for r in records
    ]


def _chunks(qs: QuerySet[BaseRecord]) -> Iterator[list[BaseRecord]]:
    """Keyset pages of ``qs`` by id."""
    last = 0
    while True:
        page = list(qs.filter(id__gt=last)[:BATCH])
        if not page:
            return
        yield page
        last = page[-1].pk


EDIT_LABELS = {
    SUBSTITUTION: gettext_lazy("第 %(p)d 位不同"),
    TRANSPOSITION: gettext_lazy("第 %(p)d、%(q)d 位颠倒"),
    INSERTION: gettext_lazy("漏录第 %(p)d 位"),
    DELETION: gettext_lazy("多录第 %(p)d 位"),
}
RULE_LABELS = {
    engine.ID_LEGACY: gettext_lazy("15 位旧身份证号码升位后相同"),
    engine.ID_ONE_EDIT: gettext_lazy("身份证号码相差一处"),
    engine.ID_LEGACY_ONE_EDIT: gettext_lazy("15 位旧号码相差一处"),
    engine.NO_ID: gettext_lazy("无有效身份证号码，按姓名比对"),
    engine.OTHER_ID: gettext_lazy("身份证号码不同，按姓名比对"),
}
NAME_LABELS = {
    NameRule.SAME_NAME: gettext_lazy("姓名相同"),
    NameRule.SAME_PINYIN: gettext_lazy("姓名同音"),
    NameRule.PINYIN_ONE_EDIT: gettext_lazy("姓名拼音相差一个字母"),
    NameRule.ONE_CHAR: gettext_lazy("姓名相差一字"),
    NameRule.DIFFERENT: gettext_lazy("姓名不同"),
}


def explanation(c: Candidate) -> str:
    """One line in Chinese: why these two may be one person."""
    parts = [str(RULE_LABELS[c.id_rule])]
    if c.edit is not None and c.edit.op in EDIT_LABELS:
        parts[0] += "（" + str(EDIT_LABELS[c.edit.op]) % {
            "p": c.edit.position,
            "q": c.edit.position + 1,
        }
        parts[0] += "）"
    parts.append(_("出生日期、性别相同"))
    parts.append(str(NAME_LABELS[c.name_rule]))
    if c.id_rule in (engine.NO_ID, engine.OTHER_ID) and c.id_distance == 2:
        parts.append(_("两个号码相差两处"))
    return "；".join(parts)


def details(c: Candidate, district_names: dict[int, str]) -> dict[str, Any]:
    """What the reviewer sees: the rule, both people, masked numbers only."""
    r, voter = c.residual, c.voter
    born, from_number = r.effective_birth()
    return {
        "rule": c.rule,
        "id_rule": c.id_rule,
        "name_rule": c.name_rule.value,
        "edit": {"op": c.edit.op, "position": c.edit.position} if c.edit else None,
        "id_distance": c.id_distance,
        "explanation": explanation(c),
        "record": {
            **r.extra,
            "name": r.name,
            "name_pinyin": r.pinyin,
            "id_masked": _masked_text(r.number),
            "birth_date": born.isoformat() if born else None,
            "birth_date_from_id": from_number,
            "sex": r.effective_sex(),
            "district": r.district_id,
        },
        "voter": {
            "name": voter.name,
            "name_pinyin": voter.name_pinyin,
            "id_masked": c.voter_id_masked,
            "birth_date": voter.birth_date.isoformat(),
            "sex": voter.sex,
            "district": voter.district_id,
            "district_name": district_names.get(voter.district_id, ""),
        },
    }


def _masked_text(number: str | None) -> str:
    """A typed number masked like the register's (first four, last four); a fragment too
    short to be a number shows its first four characters only."""
    if not number:
        return ""
    return mask(number) if len(number) >= 15 else number[:4] + "*" * (len(number) - 4)


def _district_names(codes: set[int]) -> dict[int, str]:
    return {
        d.code: f"{d.township.name}{d.name}"
        for d in District.objects.filter(code__in=codes).select_related("township")
    }


def _queue(candidates: list[Candidate], election: Election | None) -> tuple[int, int]:
    """Review items for the pairs not queued before: (created, already queued)."""
    if not candidates:
        return 0, 0
    records = {c.residual.key for c in candidates}
    queued = set(
        ReviewItem.objects.filter(
            kind=ReviewKind.FUZZY_CANDIDATE, base_record_id__in=records
        ).values_list("base_record_id", "voter_id")
    )
    fresh = [c for c in candidates if (c.residual.key, c.voter.id) not in queued]
    names = _district_names({c.voter.district_id for c in fresh})
    items = [
        ReviewItem(
            election=election,
            district_id=c.residual.district_id or c.voter.district_id,
            kind=ReviewKind.FUZZY_CANDIDATE,
            voter_id=c.voter.id,
            base_record_id=c.residual.key,
            suggested_action=SuggestedAction.CHECK,
            strength=c.strength,
            details=details(c, names),
            status=ReviewStatus.OPEN,
        )
        for c in fresh
    ]
    # Strongest first, so the queue's id tie-break agrees with the ranking.
    ReviewItem.objects.bulk_create(items, batch_size=1000, ignore_conflicts=True)
    return len(items), len(candidates) - len(fresh)


def fuzzy_candidates_run(
    *,
    actor: User | None,
    region: Region,
    election: Election | None = None,
    unregistered: bool = False,
    today: date | None = None,
) -> FuzzyRunResult:
    """Find fuzzy candidates for the residual records of ``region`` (``residual_records``)
    against the whole register and queue them for review. ``actor`` None is the system (the
    command)."""
    if actor is not None:
        require(
            actor,
            Perm.BASE_DATA_MANAGE,
            region.code,
            _("您无权对“%(r)s”进行模糊比对。") % {"r": region.name},
        )
    if election is not None and not _overlap(election.region, region):
        raise ServiceError(
            _("“%(r)s”不在“%(e)s”的范围内。") % {"r": region.name, "e": election.name}
        )
    started = time.perf_counter()
    today = today or timezone.localdate()
    residuals = candidates = created = queued = 0
    with transaction.atomic():
        for page in _chunks(residual_records(region, unregistered=unregistered)):
            found = engine.find_candidates(_residuals(page), today=today)
            new, old = _queue(found, election)
            residuals, candidates = residuals + len(page), candidates + len(found)
            created, queued = created + new, queued + old
        seconds = time.perf_counter() - started
        result = FuzzyRunResult(residuals, candidates, created, queued, seconds)
        audit_record(
            actor=actor,
            action="roster.fuzzy_run",
            target=region,
            region_code=region.code,
            summary={
                **result.as_dict(),
                "election": election.pk if election else None,
                "unregistered": unregistered,
            },
        )
    return result


def _overlap(a: Region, b: Region) -> bool:
    (alo, ahi), (blo, bhi) = a.subtree, b.subtree
    return alo <= bhi and blo <= ahi
