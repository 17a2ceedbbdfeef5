"""Appeals through the pages: received in time or refused, decided by the committee."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.core.tests.helpers import page_text
from renda.regions.models import District
from renda.voters.models import (
    Appeal,
    AppealStatus,
    Election,
    EntryAction,
    RemovalReason,
    Status,
    Voter,
    VoterList,
)
from renda.voters.services.publication import list_publish_first
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(cast: Cast, election: Election, register_voter: RegisterVoter) -> VoterList:
    """大智街道第一选区's first list, posted today, with 张三 and 李四 on it."""
    register_voter("张三", id_number=make_id(seq=201), group="一组")
    register_voter("李四", id_number=make_id(seq=202), group="二组")
    return list_publish_first(
        actor=cast.committee, election=election, district=District.objects.get(code=DISTRICT)
    )


def voter(name: str) -> Voter:
    return Voter.objects.get(name=name)


def receive(cast: Cast, voter_list: VoterList, **fields: Any) -> Any:
    data = {
        "kind": "wrongly_listed",
        "appellant": "王五",
        "appellant_phone": "13800000000",
        "subject_name": "李四",
        "content": "李四已于去年迁往外省，不应列入本选区名单。",
        "received_on": timezone.localdate().isoformat(),
        **fields,
    }
    return cast.client(cast.registrar).post(
        f"/voters/appeals/new/{voter_list.pk}/", data, follow=True
    )


def decide(cast: Cast, appeal: Appeal, **fields: Any) -> Any:
    return cast.client(cast.committee).post(
        f"/voters/appeals/{appeal.pk}/decide/", fields, follow=True
    )


def test_the_form_opens_from_a_list_line_with_the_voter_filled_in(
    cast: Cast, posted: VoterList
) -> None:
    li = voter("李四")
    response = cast.client(cast.registrar).get(f"/voters/appeals/new/{posted.pk}/?voter={li.pk}")
    text = page_text(response)
    assert 'data-testid="appeal-voter"' in text and "李四" in text
    assert f'name="voter" value="{li.pk}"' in text


def test_an_appeal_out_of_time_is_refused(cast: Cast, posted: VoterList) -> None:
    VoterList.objects.filter(pk=posted.pk).update(published_at=timezone.now() - timedelta(days=12))
    response = receive(cast, posted)
    assert response.status_code == 200
    assert "申诉期限已过" in page_text(response)
    assert not Appeal.objects.exists()


def test_upheld_wrongly_listed_removes_the_voter_and_posts_a_supplement(
    cast: Cast, posted: VoterList
) -> None:
    li = voter("李四")
    response = receive(cast, posted, voter=li.pk)
    appeal = Appeal.objects.get()
    assert response.redirect_chain[-1][0] == f"/voters/appeals/{appeal.pk}/"
    assert appeal.decide_by >= timezone.localdate() + timedelta(days=3)
    assert "还剩" in page_text(response)

    response = decide(cast, appeal, upheld="1", decision="经核实，李四已迁出，申诉成立。")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and appeal.decided_by == cast.committee
    assert "已作出处理决定：申诉成立。名单变动已公布为补充名单（第1号）" in page_text(response)
    li.refresh_from_db()
    assert (li.status, li.removal_reason) == (Status.REMOVED, RemovalReason.ERROR)
    number_1 = VoterList.objects.get(district_id=DISTRICT, number=1)
    assert [(e.name, e.action) for e in number_1.entries.all()] == [("李四", EntryAction.REMOVED)]
    assert [(e.old, e.new) for e in appeal.events.order_by("id")] == [
        ("", AppealStatus.RECEIVED),
        (AppealStatus.RECEIVED, AppealStatus.UPHELD),
    ]
    again = decide(cast, appeal, upheld="0", decision="再次处理")
    assert "decision-form" not in page_text(again)


def test_dismissed_changes_nothing(cast: Cast, posted: VoterList) -> None:
    receive(cast, posted, voter=voter("李四").pk)
    appeal = Appeal.objects.get()
    decide(cast, appeal, upheld="0", decision="经核实，李四仍在本选区居住，申诉不成立。")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED
    assert voter("李四").status == Status.REGISTERED
    assert VoterList.objects.filter(district_id=DISTRICT).count() == 1
    text = page_text(cast.client(cast.registrar).get(f"/voters/appeals/{appeal.pk}/"))
    assert "申诉不成立" in text and "可以在" in text  # the court route is explained


def test_upheld_omitted_registers_the_person(cast: Cast, posted: VoterList) -> None:
    receive(cast, posted, kind="omitted", subject_name="赵六", content="赵六年满十八未列入。")
    appeal = Appeal.objects.get()
    missing = decide(cast, appeal, upheld="1", decision="申诉成立。")
    assert "申诉成立时必须填写此项" in page_text(missing)
    number = make_id(born=date(2000, 1, 1), seq=203)
    decide(
        cast,
        appeal,
        upheld="1",
        decision="经核实，赵六应列入名单。",
        id_number=number,
        name="赵六",
        ethnicity="1",
        group="三组",
    )
    zhao = voter("赵六")
    assert (zhao.district_id, zhao.group, zhao.status) == (DISTRICT, "三组", Status.REGISTERED)
    number_1 = VoterList.objects.get(district_id=DISTRICT, number=1)
    assert [(e.name, e.action) for e in number_1.entries.all()] == [("赵六", EntryAction.ADDED)]


def test_upheld_wrong_details_corrects_them(cast: Cast, posted: VoterList) -> None:
    zhang = voter("张三")
    receive(cast, posted, kind="wrong_details", subject_name="张三", voter=zhang.pk)
    appeal = Appeal.objects.get()
    form = page_text(cast.client(cast.committee).get(f"/voters/appeals/{appeal.pk}/"))
    assert 'value="一组"' in form  # the form starts from what is registered
    decide(cast, appeal, upheld="1", decision="姓名更正为张叁。", name="张叁", group="一组")
    zhang.refresh_from_db()
    assert zhang.name == "张叁"
    number_1 = VoterList.objects.get(district_id=DISTRICT, number=1)
    assert [(e.name, e.action) for e in number_1.entries.all()] == [("张叁", EntryAction.CORRECTED)]


def test_only_the_committee_decides(cast: Cast, posted: VoterList) -> None:
    receive(cast, posted, voter=voter("李四").pk)
    appeal = Appeal.objects.get()
    registrar = cast.client(cast.registrar)
    assert "decision-form" not in page_text(registrar.get(f"/voters/appeals/{appeal.pk}/"))
    response = registrar.post(
        f"/voters/appeals/{appeal.pk}/decide/", {"upheld": "1", "decision": "成立"}
    )
    assert response.status_code == 404
    assert Appeal.objects.get().status == AppealStatus.RECEIVED


def test_the_list_puts_open_appeals_first_and_flags_overdue_ones(
    cast: Cast, posted: VoterList
) -> None:
    receive(cast, posted, voter=voter("李四").pk, subject_name="李四")
    receive(cast, posted, kind="omitted", subject_name="赵六")
    first, second = Appeal.objects.order_by("id")
    decide(cast, first, upheld="0", decision="不成立")
    Appeal.objects.filter(pk=second.pk).update(decide_by=timezone.localdate() - timedelta(days=2))
    text = page_text(cast.client(cast.committee).get("/voters/appeals/"))
    assert text.index("赵六") < text.index("李四")
    assert 'data-overdue="1"' in text and "已逾期 2 天" in text
    assert 'data-testid="overdue-count"' in text
    decided = page_text(cast.client(cast.committee).get("/voters/appeals/?status=decided"))
    assert "李四" in decided and "赵六" not in decided


@pytest.fixture
def other_registrar(cast: Cast) -> User:
    user = User.objects.create(username="reg2", real_name="二选区登记员", home_code=DISTRICT_2)
    RoleAssignment.objects.create(user=user, role=Role.REGISTRAR, district_id=DISTRICT_2)
    return user


@pytest.mark.parametrize("who", ["outsider", "other_registrar", "deputy"])
def test_others_get_404_on_every_appeal_url(
    cast: Cast, posted: VoterList, other_registrar: User, who: str
) -> None:
    receive(cast, posted, voter=voter("李四").pk)
    appeal = Appeal.objects.get()
    client = cast.client(other_registrar if who == "other_registrar" else getattr(cast, who))
    assert client.get(f"/voters/appeals/{appeal.pk}/").status_code == 404
    assert client.post(f"/voters/appeals/{appeal.pk}/decide/", {}).status_code == 404
    assert client.get(f"/voters/appeals/new/{posted.pk}/").status_code == 404
    assert client.post(f"/voters/appeals/new/{posted.pk}/", {}).status_code == 404
    if who != "deputy":
        assert "李四" not in page_text(client.get("/voters/appeals/"))
