"""The voter register through the API: search, one voter with its history, register.

Scoped exactly like the pages (another district's voter is 404), and an ID number never leaves
in full: lists and details carry the masked form only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from renda.accounts import access
from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.api.schemas import ErrorOut
from renda.core.errors import ServiceError
from renda.regions.codes import parse_code
from renda.regions.models import District
from renda.voters import pii, selectors
from renda.voters.forms import code_range
from renda.voters.idnumbers import check_id
from renda.voters.models import ChangeKind, Election, ResidenceKind, Sex, Voter, VoterChange
from renda.voters.rules import Feb29Rule, age_on
from renda.voters.selectors import VoterQuery
from renda.voters.services import register as services

router = Router(tags=["选民登记"])


class VoterOut(Schema):
    id: int
    name: str
    name_pinyin: str
    sex: str
    sex_name: str
    birth_date: date
    age: int
    id_masked: str
    district_code: str
    district_name: str
    township_name: str
    group: str
    status: str
    status_name: str
    mobile_box: bool


class VoterPage(Schema):
    election: int | None
    items: list[VoterOut]
    next_cursor: str | None


class ChangeOut(Schema):
    kind: str
    kind_name: str
    at: datetime
    actor: str
    reason: str
    evidence: str
    effective_date: date | None
    published_in: str | None


class VoterDetailOut(VoterOut):
    ethnicity: int
    ethnicity_name: str
    household_address: str
    residence_address: str
    phone: str
    residence_kind: str
    residence_kind_name: str
    removal_reason: str
    status_note: str
    source: str
    registered_at: datetime
    updated_at: datetime
    changes: list[ChangeOut]


class VoterIn(Schema):
    election: int
    district: str
    id_number: str
    name: str
    sex: str | None = None
    birth_date: date | None = None
    ethnicity: int = 1
    household_address: str = ""
    residence_address: str = ""
    phone: str = ""
    group: str = ""
    residence_kind: str = ResidenceKind.HOUSEHOLD
    kind: str = ChangeKind.REGISTERED
    court_date: date | None = None
    certificate_number: str = ""


class RefusalOut(Schema):
    detail: str
    field: str | None


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _election(user: User, pk: int | None) -> Election | None:
    return selectors.election_for(user, pk) if pk is not None else selectors.current_election(user)


def _voter(voter: Voter, election: Election | None) -> dict[str, Any]:
    day = election.election_day if election else timezone.localdate()
    feb29 = election.feb29_rule if election else Feb29Rule.FEB_28
    return {
        "id": voter.pk,
        "name": voter.name,
        "name_pinyin": voter.name_pinyin,
        "sex": voter.sex,
        "sex_name": voter.get_sex_display(),
        "birth_date": voter.birth_date,
        "age": age_on(voter.birth_date, day, feb29),
        "id_masked": pii.masked(voter.id_cipher),
        "district_code": voter.district.display_code,
        "district_name": voter.district.name,
        "township_name": voter.district.township.name,
        "group": voter.group,
        "status": voter.status,
        "status_name": voter.get_status_display(),
        "mobile_box": voter.mobile_box,
    }


def _change(change: VoterChange) -> dict[str, Any]:
    actor = change.actor
    return {
        "kind": change.kind,
        "kind_name": change.get_kind_display(),
        "at": change.at,
        "actor": (actor.real_name or actor.username) if actor else "",
        "reason": change.reason,
        "evidence": change.evidence,
        "effective_date": change.effective_date,
        "published_in": str(change.published_in) if change.published_in else None,
    }


def _detail(voter: Voter, election: Election | None) -> dict[str, Any]:
    return {
        **_voter(voter, election),
        "ethnicity": voter.ethnicity,
        "ethnicity_name": voter.get_ethnicity_display(),
        "household_address": voter.household_address,
        "residence_address": voter.residence_address,
        "phone": voter.phone,
        "residence_kind": voter.residence_kind,
        "residence_kind_name": voter.get_residence_kind_display(),
        "removal_reason": voter.removal_reason,
        "status_note": voter.status_note,
        "source": voter.source,
        "registered_at": voter.registered_at,
        "updated_at": voter.updated_at,
        "changes": [_change(c) for c in selectors.changes_of(voter)],
    }


class SearchIn(Schema):
    q: str = ""
    district: str | None = None
    status: str = ""
    kind: str = ""
    after: str | None = None
    election: int | None = None
    limit: int = 50


def _search(user: User, search: SearchIn) -> dict[str, Any]:
    access.require(user, Perm.VOTER_VIEW)
    region = code_range(search.district) if search.district else None
    if search.district and region is None:
        raise Http404
    chosen = _election(user, search.election)
    query = VoterQuery(text=search.q, region=region, status=search.status, change_kind=search.kind)
    page = selectors.voter_page(
        selectors.voters_for(user, query), search.after, size=max(1, min(search.limit, 200))
    )
    return {
        "election": chosen.pk if chosen else None,
        "items": [_voter(v, chosen) for v in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "",
    response={200: VoterPage, 400: ErrorOut, 404: ErrorOut},
    summary="查找选民（姓名、拼音或首字母；按拼音翻页）",
    description="按身份证号码查找请用 POST /voters/search：号码不得出现在网址和访问日志中，"
    "GET 带完整号码会被拒绝。",
)
def voter_list(
    request: HttpRequest,
    q: str = "",
    district: str | None = None,
    status: str = "",
    kind: str = "",
    after: str | None = None,
    election: int | None = None,
    limit: int = 50,
) -> Any:
    if check_id(q).valid:
        return Status(400, {"detail": "请用 POST /api/v1/voters/search 按身份证号码查找。"})
    search = SearchIn(
        q=q,
        district=district,
        status=status,
        kind=kind,
        after=after,
        election=election,
        limit=limit,
    )
    return _search(_user(request), search)


@router.post(
    "/search",
    response={200: VoterPage, 404: ErrorOut},
    summary="查找选民（条件放在请求体中，适合按身份证号码查找）",
)
def voter_search(request: HttpRequest, body: SearchIn) -> dict[str, Any]:
    return _search(_user(request), body)


@router.get(
    "/{voter_id}", response={200: VoterDetailOut, 404: ErrorOut}, summary="一名选民及其变动记录"
)
def voter_detail(
    request: HttpRequest, voter_id: int, election: int | None = None
) -> dict[str, Any]:
    user = _user(request)
    voter = selectors.voter_for(user, voter_id)
    return _detail(voter, _election(user, election))


@router.post(
    "",
    response={201: VoterDetailOut, 400: RefusalOut, 404: ErrorOut},
    summary="登记选民（规则与页面登记相同；被拒绝时返回中文原因和字段）",
)
def voter_create(request: HttpRequest, body: VoterIn) -> Status[dict[str, Any]]:
    user = _user(request)
    election = selectors.election_for(user, body.election)
    try:
        code = parse_code(body.district)
    except ValueError:
        raise Http404 from None
    district = access.get_or_404(
        user, Perm.VOTER_MANAGE, District.objects.select_related("township"), "code", code=code
    )
    try:
        kind = _register_kind(body.kind)
        if body.sex and body.sex not in Sex.values:
            raise ServiceError(_("性别应为 M（男）或 F（女）。"), field="sex")
        voter = services.voter_register(
            actor=user,
            election=election,
            district=district,
            person=services.Person(
                id_number=body.id_number,
                name=body.name,
                sex=body.sex or None,
                birth_date=body.birth_date,
                ethnicity=body.ethnicity,
                household_address=body.household_address,
                residence_address=body.residence_address,
                phone=body.phone,
                group=body.group,
                residence_kind=body.residence_kind,
            ),
            kind=kind,
            certificate_number=body.certificate_number.strip(),
            court_date=body.court_date if kind == ChangeKind.RESTORED else None,
        )
    except ServiceError as exc:
        return Status(400, {"detail": exc.message, "field": exc.field})
    return Status(201, _detail(voter, election))


def _register_kind(value: str) -> ChangeKind:
    if value not in services.REGISTER_KINDS:
        raise ServiceError(
            _("登记事由应为 registered、newly_18、moved_in 或 restored 之一。"), field="kind"
        )
    return ChangeKind(value)
