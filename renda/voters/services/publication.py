"""Publishing a district's list (第一榜) and its numbered supplements (补充名单). Immutable."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.regions.models import District
from renda.voters.models import (
    ChangeKind,
    Election,
    EntryAction,
    ListKind,
    ListOrder,
    Status,
    Voter,
    VoterChange,
    VoterList,
    VoterListEntry,
)
from renda.voters.rules import age_on
from renda.voters.services.common import first_list, require, require_covers, today

ON_LIST = frozenset({EntryAction.LISTED, EntryAction.ADDED, EntryAction.CORRECTED})


def _entry(
    voter_list: VoterList, seq: int, voter: Voter, action: str, election: Election, note: str = ""
) -> VoterListEntry:
    return VoterListEntry(
        voter_list=voter_list,
        seq=seq,
        voter=voter,
        name=voter.name,
        sex=voter.sex,
        birth_year=voter.birth_date.year,
        birth_month=voter.birth_date.month,
        age=age_on(voter.birth_date, election.election_day, election.feb29_rule),
        group=voter.group,
        name_pinyin=voter.name_pinyin,
        action=action,
        note=note,
    )


def _new_list(
    election: Election, district: District, number: int, actor: User, order: str
) -> VoterList:
    try:
        with transaction.atomic():
            return VoterList.objects.create(
                election=election,
                district=district,
                number=number,
                kind=ListKind.FIRST if number == 0 else ListKind.SUPPLEMENT,
                published_at=timezone.now(),
                published_by=actor,
                order=order,
            )
    except IntegrityError:
        raise ServiceError(_("该名单刚刚已由他人公布，请刷新页面。")) from None


def list_publish_first(
    *, actor: User, election: Election, district: District, order: str = ListOrder.PINYIN
) -> VoterList:
    """Post the district's list: every registered voter, no ID numbers, frozen as published."""
    require(actor, Perm.LIST_PUBLISH, district.code, _("您无权公布该选区的选民名单。"))
    require_covers(election, district)
    if first_list(election, district.code) is not None:
        raise ServiceError(_("该选区的选民名单已经公布；此后的变动请以补充名单公布。"))
    if today() > election.publication_deadline:
        raise ServiceError(
            _(
                "选民名单应于 %(d)s（选举日前 20 日）前公布，现已超过期限，"
                "不能再公布第一榜。请报告选举委员会。"
            )
            % {"d": election.publication_deadline.isoformat()}
        )
    keys = ("group", "name_pinyin", "id") if order == ListOrder.GROUP else ("name_pinyin", "id")
    voters = Voter.objects.filter(district=district, status=Status.REGISTERED).order_by(*keys)
    if not voters.exists():
        raise ServiceError(_("该选区还没有已登记的选民，不能公布空名单。"))
    with transaction.atomic():
        voter_list = _new_list(election, district, 0, actor, order)
        entries = [
            _entry(voter_list, seq, v, EntryAction.LISTED, election)
            for seq, v in enumerate(voters.iterator(chunk_size=2000), start=1)
        ]
        VoterListEntry.objects.bulk_create(entries, batch_size=2000)
        voter_list.entry_count = len(entries)
        voter_list.save(update_fields=["entry_count"])
        VoterChange.objects.filter(district_code=district.code, published_in__isnull=True).update(
            published_in=voter_list
        )
        audit_record(
            actor=actor,
            action="list.publish",
            target=voter_list,
            region_code=district.code,
            summary={"election": election.code, "entries": len(entries)},
        )
    return voter_list


def _posted_state(election: Election, district: District, voter_ids: list[int]) -> dict[int, bool]:
    """Whether each voter is on the list as posted so far (first list plus supplements)."""
    state: dict[int, bool] = {}
    rows = (
        VoterListEntry.objects.filter(
            voter_list__election=election, voter_list__district=district, voter_id__in=voter_ids
        )
        .order_by("voter_list__number", "seq")
        .values_list("voter_id", "action")
    )
    for voter_id, action in rows:
        state[voter_id] = action in ON_LIST
    return state


def list_publish_supplement(*, actor: User, election: Election, district: District) -> VoterList:
    """Post the changes since the last publication as the next numbered supplement."""
    require(actor, Perm.LIST_PUBLISH, district.code, _("您无权公布该选区的补充名单。"))
    if first_list(election, district.code) is None:
        raise ServiceError(_("该选区尚未公布选民名单（第一榜），请先公布名单。"))
    pending = list(
        VoterChange.objects.filter(district_code=district.code, published_in__isnull=True).order_by(
            "id"
        )
    )
    voter_ids = sorted({c.voter_id for c in pending})
    voters = {v.pk: v for v in Voter.objects.filter(pk__in=voter_ids)}
    posted = _posted_state(election, district, voter_ids)
    corrected = {c.voter_id for c in pending if c.kind == ChangeKind.CORRECTED}
    actions: list[tuple[Voter, str]] = []
    for voter_id in voter_ids:
        voter = voters[voter_id]
        now_on = voter.status == Status.REGISTERED and voter.district_id == district.code
        was_on = posted.get(voter_id, False)
        if now_on and not was_on:
            actions.append((voter, EntryAction.ADDED))
        elif was_on and not now_on:
            actions.append((voter, EntryAction.REMOVED))
        elif now_on and voter_id in corrected:
            actions.append((voter, EntryAction.CORRECTED))
    if not actions:
        raise ServiceError(_("自上次公布以来没有影响名单的变动，无需公布补充名单。"))
    actions.sort(key=lambda pair: (pair[0].name_pinyin, pair[0].pk))
    with transaction.atomic():
        top = VoterList.objects.filter(election=election, district=district).aggregate(
            n=Max("number")
        )["n"]
        voter_list = _new_list(election, district, (top or 0) + 1, actor, ListOrder.PINYIN)
        VoterListEntry.objects.bulk_create(
            [
                _entry(voter_list, seq, voter, action, election)
                for seq, (voter, action) in enumerate(actions, start=1)
            ]
        )
        voter_list.entry_count = len(actions)
        voter_list.save(update_fields=["entry_count"])
        VoterChange.objects.filter(pk__in=[c.pk for c in pending]).update(published_in=voter_list)
        audit_record(
            actor=actor,
            action="list.publish_supplement",
            target=voter_list,
            region_code=district.code,
            summary={
                "election": election.code,
                "number": voter_list.number,
                "entries": len(actions),
            },
        )
    return voter_list
