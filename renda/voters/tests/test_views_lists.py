"""Publication through the pages: the first list, supplements, the deadline, downloads, scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.utils import timezone

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.core.tests.helpers import page_text, read_xlsx
from renda.voters.models import (
    Election,
    EntryAction,
    ListKind,
    RemovalReason,
    Voter,
    VoterList,
)
from renda.voters.services import register
from renda.voters.tests.conftest import RegisterVoter, make_id

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db


def publish(
    client: Client, election: Election, code: int = DISTRICT, order: str = "pinyin"
) -> Response:
    return client.post(
        f"/voters/lists/district/{code}/publish/",
        {"election": election.pk, "order": order},
        follow=True,
    )


def supplement(client: Client, election: Election, code: int = DISTRICT) -> Response:
    return client.post(
        f"/voters/lists/district/{code}/supplement/", {"election": election.pk}, follow=True
    )


@pytest.fixture
def three(register_voter: RegisterVoter) -> list[Voter]:
    """Three voters of 大智街道第一选区, with the ID numbers they were registered with."""
    people = [("张三", "一组"), ("李四", "二组"), ("王五", "一组")]
    voters = []
    for seq, (name, group) in enumerate(people, start=1):
        number = make_id(born=date(1980 + seq, 3, seq), seq=100 + seq)
        voter = register_voter(name, id_number=number, group=group)
        voter.typed_id = number  # type: ignore[attr-defined]
        voters.append(voter)
    return voters


@pytest.fixture
def first_list(cast: Cast, election: Election, three: list[Voter]) -> VoterList:
    response = publish(cast.client(cast.committee), election)
    assert response.status_code == 200
    return VoterList.objects.get(election=election, district_id=DISTRICT, number=0)


def test_committee_publishes_the_first_list_without_id_numbers(
    cast: Cast, election: Election, three: list[Voter]
) -> None:
    response = publish(cast.client(cast.committee), election)
    voter_list = VoterList.objects.get(election=election, district_id=DISTRICT)
    assert response.redirect_chain[-1][0] == f"/voters/lists/{voter_list.pk}/"
    text = page_text(response)
    assert "已公布选民名单（第一榜），共 3 人" in text
    assert (voter_list.kind, voter_list.number, voter_list.entry_count) == (ListKind.FIRST, 0, 3)
    assert [e.name for e in voter_list.entries.order_by("seq")] == ["李四", "王五", "张三"]
    for name in ("张三", "李四", "王五"):
        assert name in text
    for voter in three:
        assert voter.typed_id not in text  # type: ignore[attr-defined]
        assert voter.typed_id[6:14] not in text  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="list.publish", region_code=DISTRICT).exists()


def test_the_list_can_be_posted_by_group(
    cast: Cast, election: Election, three: list[Voter]
) -> None:
    publish(cast.client(cast.township_staff), election, order="group")
    voter_list = VoterList.objects.get(election=election, district_id=DISTRICT)
    assert [e.group for e in voter_list.entries.order_by("seq")] == ["一组", "一组", "二组"]


def test_a_correction_and_a_removal_make_supplement_no_1(
    cast: Cast, election: Election, three: list[Voter], first_list: VoterList
) -> None:
    zhang, li, _wang = three
    register.voter_correct(
        actor=cast.registrar, voter=zhang, election=election, reason="姓名写错", name="张叁"
    )
    register.voter_remove(
        actor=cast.registrar,
        voter=li,
        election=election,
        reason=RemovalReason.DECEASED,
        evidence="死亡证明 2026-001",
    )
    client = cast.client(cast.committee)
    page = page_text(client.get(f"/voters/lists/district/{DISTRICT}/?election={election.pk}"))
    assert "待公布的变动" in page and "死亡证明 2026-001" in page

    response = supplement(client, election)
    number_1 = VoterList.objects.get(election=election, district_id=DISTRICT, number=1)
    assert "已公布补充名单（第1号），共 2 条变动" in page_text(response)
    assert number_1.kind == ListKind.SUPPLEMENT
    actions = {e.name: e.action for e in number_1.entries.all()}
    assert actions == {"张叁": EntryAction.CORRECTED, "李四": EntryAction.REMOVED}

    again = supplement(client, election)
    assert "没有影响名单的变动" in page_text(again)
    assert VoterList.objects.filter(election=election, district_id=DISTRICT).count() == 2


def test_publishing_after_the_deadline_is_refused(
    cast: Cast, election: Election, three: list[Voter]
) -> None:
    Election.objects.filter(pk=election.pk).update(
        publication_deadline=timezone.localdate() - timedelta(days=1)
    )
    response = publish(cast.client(cast.committee), election)
    assert "现已超过期限" in page_text(response)
    assert not VoterList.objects.exists()
    overview = page_text(cast.client(cast.committee).get("/voters/lists/"))
    assert 'data-overdue="1"' in overview and "已逾期 1 天" in overview


def test_a_registrar_may_not_publish(cast: Cast, election: Election, three: list[Voter]) -> None:
    response = publish(cast.client(cast.registrar), election)
    assert "您无权公布该选区的选民名单" in page_text(response)
    assert not VoterList.objects.exists()


def test_overview_counts_registered_voters_and_lists(
    cast: Cast, election: Election, first_list: VoterList
) -> None:
    response = cast.client(cast.township_staff).get(f"/voters/lists/?election={election.pk}")
    text = page_text(response)
    assert response.status_code == 200
    assert 'data-testid="published-total">1 / 2<' in text  # 大智街道 has two districts
    assert "第一选区" in text and "第二选区" in text


def test_downloads_are_audited(cast: Cast, election: Election, first_list: VoterList) -> None:
    client = cast.client(cast.registrar)
    for paper in ("A4", "A3"):
        response = client.get(f"/voters/lists/{first_list.pk}/list.pdf?paper={paper}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
    inline = client.get(f"/voters/lists/{first_list.pk}/list.pdf?inline=1")
    assert inline["Content-Disposition"].startswith("inline")
    sheet = client.get(f"/voters/lists/{first_list.pk}/list.xlsx")
    assert "张三" in str(read_xlsx(sheet.content))
    cards = client.get(f"/voters/lists/district/{DISTRICT}/cards.pdf?election={election.pk}")
    assert cards.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(actor=cast.registrar, region_code=DISTRICT)
    downloads = [
        (e.action, e.summary.get("format"), e.summary.get("paper"))
        for e in events.filter(action__in=["list.download", "cards.download"]).order_by("id")
    ]
    assert downloads == [
        ("list.download", "pdf", "A4"),
        ("list.download", "pdf", "A3"),
        ("list.download", "pdf", "A4"),
        ("list.download", "xlsx", None),
        ("cards.download", None, None),
    ]


@pytest.fixture
def other_registrar(cast: Cast) -> User:
    """The registrar of 大智街道第二选区: same township, another district."""
    user = User.objects.create(username="reg2", real_name="二选区登记员", home_code=DISTRICT_2)
    RoleAssignment.objects.create(user=user, role=Role.REGISTRAR, district_id=DISTRICT_2)
    return user


def object_urls(election: Election, voter_list: VoterList) -> list[tuple[str, str]]:
    district = f"/voters/lists/district/{DISTRICT}"
    return [
        ("get", f"{district}/"),
        ("post", f"{district}/publish/"),
        ("post", f"{district}/supplement/"),
        ("get", f"{district}/cards.pdf?election={election.pk}"),
        ("get", f"/voters/lists/{voter_list.pk}/"),
        ("get", f"/voters/lists/{voter_list.pk}/list.pdf"),
        ("get", f"/voters/lists/{voter_list.pk}/list.xlsx"),
        ("get", f"/voters/appeals/new/{voter_list.pk}/"),
    ]


@pytest.mark.parametrize("who", ["outsider", "other_registrar", "deputy", "nobody"])
def test_others_get_404_on_every_list_url(
    cast: Cast,
    election: Election,
    first_list: VoterList,
    other_registrar: User,
    who: str,
) -> None:
    user = other_registrar if who == "other_registrar" else getattr(cast, who)
    client = cast.client(user)
    for method, url in object_urls(election, first_list):
        response = getattr(client, method)(url, {"election": election.pk, "order": "pinyin"})
        assert response.status_code == 404, (who, method, url)
    assert not AuditEvent.objects.filter(actor=user, action__endswith="download").exists()
    owner = cast.client(cast.registrar)
    assert owner.get(f"/voters/lists/{first_list.pk}/").status_code == 200
