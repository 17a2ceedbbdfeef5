"""The register's pages: search, detail with history and actions, register, correct, ID check.

Each refusal shows its Chinese message on the page and writes nothing; every voter URL is 404 to
a registrar of another district and to the outsider of the neighbouring county.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, DISTRICT, DISTRICT_2, DISTRICT_3, Cast
from renda.core.tests.helpers import page_text
from renda.voters import pii
from renda.voters.idnumbers import check_char, mask
from renda.voters.models import (
    Appeal,
    ChangeKind,
    Election,
    Proxy,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.services import register as services
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_registrar(cast: Cast) -> User:
    """The registrar of 大智街道第二选区: same township, another district."""
    user = User.objects.create(
        username="registrar2", real_name="二选区登记员", home_code=DISTRICT_2
    )
    RoleAssignment.objects.create(user=user, role=Role.REGISTRAR, district_id=DISTRICT_2)
    return user


@dataclass
class People:
    zhangsan: Voter
    zhangsi: Voter
    lisi: Voter
    numbers: dict[str, str]


@pytest.fixture
def people(register_voter: RegisterVoter) -> People:
    numbers = {
        "张三": make_id(born=date(1980, 3, 4)),
        "张思": make_id(born=date(1991, 7, 8), male=False),
        "李四": make_id(born=date(1975, 12, 1)),
    }
    return People(
        zhangsan=register_voter("张三", id_number=numbers["张三"], group="一组"),
        zhangsi=register_voter("张思", id_number=numbers["张思"]),
        lisi=register_voter("李四", id_number=numbers["李四"]),
        numbers=numbers,
    )


def _names(client: Client, **query: str) -> list[str]:
    response = client.get("/voters/", query)
    assert response.status_code == 200
    return [row.voter.name for row in response.context["rows"]]


def _count() -> tuple[int, int]:
    return Voter.objects.count(), VoterChange.objects.count()


# --- search and lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", ["张三"]),
        ("张", ["张三", "张思"]),
        ("zhangsan", ["张三"]),
        ("zs", ["张三", "张思"]),
        ("ZS", ["张三", "张思"]),
        ("ls", ["李四"]),
    ],
)
def test_search_by_name_pinyin_and_initials(
    cast: Cast, people: People, text: str, expected: list[str]
) -> None:
    assert _names(cast.client(cast.registrar), q=text) == expected


def test_search_by_a_full_id_number(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    assert _names(client, q=people.numbers["李四"]) == ["李四"]
    assert _names(client, q=people.numbers["李四"][:-2]) == []  # part of a number finds nothing


def test_the_search_form_keeps_id_numbers_out_of_addresses(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    by_name = client.post("/voters/", {"q": "zs", "status": "", "district": ""})
    assert (by_name.status_code, by_name["Location"]) == (302, "/voters/?q=zs")
    number = people.numbers["李四"].lower()  # a lower-case x or not, it is found by its hash
    by_number = client.post("/voters/", {"q": number})
    assert by_number.status_code == 200
    assert [row.voter.name for row in by_number.context["rows"]] == ["李四"]
    assert number.upper() not in page_text(by_number).replace(f'value="{number}"', "")


def test_filters_by_district_status_and_change_kind(
    cast: Cast, people: People, register_voter: RegisterVoter, election: Election
) -> None:
    register_voter("王五", district=DISTRICT_3, actor=cast.county_staff)
    services.voter_suspend(
        actor=cast.registrar, voter=people.lisi, election=election, decision="检察院决定 1 号"
    )
    client = cast.client(cast.county_staff)
    assert _names(client, district=str(DISTRICT_3)) == ["王五"]
    assert _names(client, district="420102003") == ["王五"]  # a township code
    assert _names(client, status=Status.SUSPENDED) == ["李四"]
    assert _names(client, kind=ChangeKind.SUSPENDED) == ["李四"]
    assert len(_names(client)) == 4


def test_the_list_shows_masked_ids_only(cast: Cast, people: People) -> None:
    for user in (cast.registrar, cast.county_staff, cast.province_staff):
        text = page_text(cast.client(user).get("/voters/"))
        for number in people.numbers.values():
            assert number not in text
            assert mask(number) in text


def test_the_list_pages_by_keyset(cast: Cast, register_voter: RegisterVoter) -> None:
    for i in range(55):
        register_voter(f"测试{i:02d}")
    client = cast.client(cast.registrar)
    first = client.get("/voters/")
    cursor = first.context["page"].next_cursor
    assert len(first.context["rows"]) == 50 and cursor
    second = client.get("/voters/", {"after": cursor})
    assert len(second.context["rows"]) == 5
    assert not {r.voter.pk for r in first.context["rows"]} & {
        r.voter.pk for r in second.context["rows"]
    }


def test_the_list_shows_the_age_on_election_day(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    day = election.election_day
    register_voter("刚满", id_number=make_id(born=day.replace(year=day.year - 18)))
    response = cast.client(cast.registrar).get("/voters/")
    assert [row.age for row in response.context["rows"]] == [18]


def test_province_staff_see_lists_but_cannot_register_or_reveal(cast: Cast, people: People) -> None:
    client = cast.client(cast.province_staff)
    assert len(_names(client)) == 3
    assert "登记选民" not in page_text(client.get("/voters/"))
    detail = page_text(client.get(f"/voters/{people.zhangsan.pk}/"))
    assert "查看完整号码" not in detail
    assert "无权办理变动" in detail
    assert client.get("/voters/new/").status_code == 404
    assert client.post(f"/voters/{people.zhangsan.pk}/reveal-id/").status_code == 404


def test_users_without_voter_rights_get_404(cast: Cast, people: People) -> None:
    for user in (cast.deputy, cast.sysadmin, cast.nobody):
        client = cast.client(user)
        assert client.get("/voters/").status_code == 404
        assert client.get(f"/voters/{people.zhangsan.pk}/").status_code == 404


def test_the_outsider_lists_none_of_jiangan(cast: Cast, people: People) -> None:
    assert _names(cast.client(cast.outsider)) == []
    assert _names(cast.client(cast.outsider), q=people.numbers["张三"]) == []


# --- no election ----------------------------------------------------------------------------


def test_without_an_election_the_pages_say_so(cast: Cast) -> None:
    client = cast.client(cast.registrar)
    for path in ("/voters/", "/voters/new/"):
        text = page_text(client.get(path))
        assert "尚未设置换届选举" in text
        assert "/voters/elections/" in text
    assert 'data-testid="register-form"' not in page_text(client.get("/voters/new/"))


def test_another_users_election_is_404(cast: Cast, election: Election) -> None:
    from renda.regions.models import Region

    theirs = Election.objects.create(
        code="jh-2026",
        name="江汉区换届选举",
        region=Region.objects.get(code=420103000000),
        election_day=election.election_day,
        registration_opens=election.registration_opens,
        registration_closes=election.registration_closes,
        publication_deadline=election.publication_deadline,
    )
    client = cast.client(cast.registrar)
    assert client.get("/voters/", {"election": theirs.pk}).status_code == 404
    assert client.get("/voters/", {"election": "x"}).status_code == 404
    assert client.get("/voters/", {"election": election.pk}).status_code == 200


# --- detail, history and reveal -------------------------------------------------------------


def test_detail_shows_fields_history_and_masked_id(cast: Cast, people: People) -> None:
    response = cast.client(cast.registrar).get(f"/voters/{people.zhangsan.pk}/")
    text = page_text(response)
    assert "张三" in text and "一组" in text and "1980-03-04" in text
    assert mask(people.numbers["张三"]) in text
    assert people.numbers["张三"] not in text
    assert "登记" in text and "待公布" in text  # the registration, not yet published
    assert "查看完整号码" in text


def test_reveal_shows_the_number_once_and_is_audited(cast: Cast, people: People) -> None:
    number = people.numbers["张三"]
    client = cast.client(cast.registrar)
    assert client.get(f"/voters/{people.zhangsan.pk}/reveal-id/").status_code == 405
    response = client.post(f"/voters/{people.zhangsan.pk}/reveal-id/")
    assert response.status_code == 200
    assert number in page_text(response)
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="voter.reveal_id")
    assert (event.actor, event.target_id, event.region_code) == (
        cast.registrar,
        str(people.zhangsan.pk),
        DISTRICT,
    )
    assert number not in str(event.summary)
    assert number not in page_text(client.get(f"/voters/{people.zhangsan.pk}/"))


def test_reveal_is_404_to_another_districts_registrar(
    cast: Cast, people: People, other_registrar: User
) -> None:
    response = cast.client(other_registrar).post(f"/voters/{people.zhangsan.pk}/reveal-id/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="voter.reveal_id").exists()


# --- every voter URL is 404 outside the scope -----------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: Callable[[Voter, Proxy], str]
    data: dict[str, Any]

    def __str__(self) -> str:
        return self.name


ROWS = [
    Row("detail", "get", lambda v, p: f"/voters/{v.pk}/", {}),
    Row("correct page", "get", lambda v, p: f"/voters/{v.pk}/edit/", {}),
    Row("correct", "post", lambda v, p: f"/voters/{v.pk}/edit/", {"name": "改名", "reason": "x"}),
    Row("remove", "post", lambda v, p: f"/voters/{v.pk}/remove/", {"reason": "moved_out"}),
    Row(
        "restore",
        "post",
        lambda v, p: f"/voters/{v.pk}/restore/",
        {"court_date": "2026-01-01", "evidence": "x"},
    ),
    Row(
        "not listed",
        "post",
        lambda v, p: f"/voters/{v.pk}/not-listed/",
        {"basis": "x", "confirmed_on": "2026-01-01"},
    ),
    Row("suspend", "post", lambda v, p: f"/voters/{v.pk}/suspend/", {"decision": "x"}),
    Row("reinstate", "post", lambda v, p: f"/voters/{v.pk}/reinstate/", {"evidence": "x"}),
    Row("mobile box", "post", lambda v, p: f"/voters/{v.pk}/mobile-box/", {"on": "1"}),
    Row("proxy", "post", lambda v, p: f"/voters/{v.pk}/proxy/", {"holder": "1"}),
    Row("holder search", "post", lambda v, p: f"/voters/{v.pk}/proxy/holders/", {"q": "张"}),
    Row("proxy revoke", "post", lambda v, p: f"/voters/proxies/{p.pk}/revoke/", {}),
    Row("reveal", "post", lambda v, p: f"/voters/{v.pk}/reveal-id/", {}),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
@pytest.mark.parametrize("who", ["other_registrar", "outsider"])
def test_every_voter_url_is_404_outside_the_scope(
    cast: Cast,
    people: People,
    election: Election,
    other_registrar: User,
    row: Row,
    who: str,
) -> None:
    proxy = services.proxy_register(
        actor=cast.registrar, election=election, principal=people.zhangsi, holder=people.lisi
    )
    client = cast.client(other_registrar if who == "other_registrar" else cast.outsider)
    before = (_count(), AuditEvent.objects.count())
    response = getattr(client, row.method)(row.path(people.zhangsan, proxy), row.data)
    assert response.status_code == 404
    assert (_count(), AuditEvent.objects.count()) == before


# --- register -------------------------------------------------------------------------------


def _form(**fields: Any) -> dict[str, Any]:
    data = {
        "district": str(DISTRICT),
        "kind": ChangeKind.REGISTERED,
        "id_number": make_id(born=date(1988, 8, 8)),
        "name": "陈新",
        "sex": "",
        "birth_date": "",
        "ethnicity": "1",
        "household_address": "江岸区大智街道 1 号",
        "residence_address": "",
        "phone": "13800000000",
        "group": "三组",
        "residence_kind": "household",
        "court_date": "",
        "certificate_number": "",
    }
    data.update(fields)
    return data


def test_register_through_the_form(cast: Cast, election: Election) -> None:
    client = cast.client(cast.registrar)
    page = client.get("/voters/new/")
    assert page.context["form"].fields["district"].initial == DISTRICT  # the only district
    response = client.post("/voters/new/", _form(), follow=True)
    voter = Voter.objects.get()
    assert response.redirect_chain[-1][0] == f"/voters/{voter.pk}/"
    assert "已登记选民陈新" in page_text(response)
    assert (voter.name, voter.sex, voter.birth_date, voter.group) == (
        "陈新",
        "M",
        date(1988, 8, 8),
        "三组",
    )
    assert voter.changes.get().kind == ChangeKind.REGISTERED


def _under_18(election: Election) -> str:
    day = election.election_day
    return make_id(born=day.replace(year=day.year - 18) + timedelta(days=1))


def _foreigner() -> str:
    first17 = "91042219800101001"
    return first17 + check_char(first17)


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        pytest.param(
            lambda e: {"id_number": "110105194912310029"}, "id_number", "校验位", id="check digit"
        ),
        pytest.param(lambda e: {"id_number": _under_18(e)}, "id_number", "未满十八", id="under 18"),
        pytest.param(lambda e: {"id_number": _foreigner()}, "id_number", "外国人", id="foreigner"),
        pytest.param(
            lambda e: {"id_number": make_id(male=True), "sex": "F"}, "sex", "不一致", id="sex"
        ),
        pytest.param(
            lambda e: {"id_number": make_id(born=date(1970, 1, 2)), "birth_date": "1970-01-03"},
            "birth_date",
            "不一致",
            id="birth date",
        ),
        pytest.param(
            lambda e: {"kind": ChangeKind.RESTORED}, "court_date", "日期", id="restored, no date"
        ),
    ],
)
def test_register_refusals_show_the_message_and_write_nothing(
    cast: Cast,
    election: Election,
    fields: Callable[[Election], dict[str, str]],
    field: str,
    fragment: str,
) -> None:
    client = cast.client(cast.registrar)
    before = (_count(), AuditEvent.objects.count())
    response = client.post("/voters/new/", _form(**fields(election)))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert fragment in " ".join(errors.get(field, [])), errors
    assert fragment in page_text(response)
    assert (_count(), AuditEvent.objects.count()) == before


def test_register_refuses_a_person_registered_elsewhere(
    cast: Cast, register_voter: RegisterVoter
) -> None:
    number = make_id()
    register_voter("周游", id_number=number, district=DISTRICT_3, actor=cast.county_staff)
    before = _count()
    response = cast.client(cast.registrar).post("/voters/new/", _form(id_number=number))
    text = page_text(response)
    assert "已在“一元街道第一选区”登记" in text
    assert number not in text.replace(f'value="{number}"', "")  # only echoed in its own input
    assert _count() == before


def test_register_is_limited_to_the_users_districts(cast: Cast, election: Election) -> None:
    before = _count()
    response = cast.client(cast.registrar).post("/voters/new/", _form(district=str(DISTRICT_2)))
    assert "district" in response.context["form"].errors
    assert _count() == before


# --- the ID check partial -------------------------------------------------------------------


def test_check_id_fills_birth_date_and_sex(cast: Cast, election: Election) -> None:
    number = make_id(born=date(1990, 2, 3), male=False)
    response = cast.client(cast.registrar).post("/voters/check-id/", {"id_number": number})
    text = page_text(response)
    assert 'data-id-birth="1990-02-03"' in text and 'data-id-sex="F"' in text
    assert "号码校验通过" in text and "女" in text
    assert "地址码未知" in text  # the test database holds no GB/T 2260 codes: a warning only
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("110105194912310029", "校验位错误"),
        ("110105491231002", "旧版 15 位号码"),
        ("11010519491231002", "应为 18 位"),
        ("910422198001010018", "外国人"),
        ("810000199001010019", "港澳台居民居住证"),
    ],
)
def test_check_id_explains_at_once(
    cast: Cast, election: Election, number: str, fragment: str
) -> None:
    response = cast.client(cast.registrar).get("/voters/check-id/", {"id_number": number})
    assert fragment in page_text(response)


def test_check_id_warns_of_under_age(cast: Cast, election: Election) -> None:
    text = page_text(
        cast.client(cast.registrar).post("/voters/check-id/", {"id_number": _under_18(election)})
    )
    assert "未满十八周岁" in text and "17 周岁" in text


def test_check_id_needs_the_right_to_register(cast: Cast) -> None:
    response = cast.client(cast.province_staff).post("/voters/check-id/", {"id_number": "1"})
    assert response.status_code == 404


# --- actions ---------------------------------------------------------------------------------


def test_remove_needs_evidence_for_a_death(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    url = f"/voters/{people.lisi.pk}/remove/"
    response = client.post(url, {"reason": "deceased", "evidence": ""})
    assert response.context["open_panel"] == "remove"
    assert "须填写依据" in page_text(response)
    people.lisi.refresh_from_db()
    assert people.lisi.status == Status.REGISTERED
    response = client.post(url, {"reason": "deceased", "evidence": "死亡证明 8 号"}, follow=True)
    assert "已将李四除名" in page_text(response)
    people.lisi.refresh_from_db()
    assert people.lisi.status == Status.REMOVED
    assert people.lisi.changes.last().kind == ChangeKind.DECEASED  # type: ignore[union-attr]


def test_suspend_then_reinstate(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    client.post(f"/voters/{people.lisi.pk}/suspend/", {"decision": "（2026）检决 3 号"})
    people.lisi.refresh_from_db()
    assert people.lisi.status == Status.SUSPENDED
    assert "停止行使选举权利" in page_text(client.get(f"/voters/{people.lisi.pk}/"))
    client.post(f"/voters/{people.lisi.pk}/reinstate/", {"evidence": "解除决定"})
    people.lisi.refresh_from_db()
    assert people.lisi.status == Status.REGISTERED


def test_not_listed_is_for_the_committee_only(cast: Cast, people: People) -> None:
    url = f"/voters/{people.lisi.pk}/not-listed/"
    data = {"basis": "市精神卫生中心证明", "confirmed_on": "2026-09-01"}
    registrar = cast.client(cast.registrar)
    assert "确认不列入" not in page_text(registrar.get(f"/voters/{people.lisi.pk}/"))
    assert registrar.post(url, data).status_code == 404
    committee = cast.client(cast.committee)
    assert "确认不列入" in page_text(committee.get(f"/voters/{people.lisi.pk}/"))
    committee.post(url, data)
    people.lisi.refresh_from_db()
    assert people.lisi.status == Status.NOT_LISTED


def test_mobile_box_on_and_off(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    client.post(f"/voters/{people.lisi.pk}/mobile-box/", {"on": "1", "reason": "行动不便"})
    people.lisi.refresh_from_db()
    assert people.lisi.mobile_box
    assert "bi-box-seam" in page_text(client.get("/voters/"))
    client.post(f"/voters/{people.lisi.pk}/mobile-box/", {"on": "0"})
    people.lisi.refresh_from_db()
    assert not people.lisi.mobile_box


def test_proxies_search_register_refuse_a_fourth_and_revoke(
    cast: Cast, people: People, register_voter: RegisterVoter
) -> None:
    client = cast.client(cast.registrar)
    holder = people.lisi
    found = page_text(client.post(f"/voters/{people.zhangsan.pk}/proxy/holders/", {"q": "ls"}))
    assert f'data-fill-code="{holder.pk}"' in found
    principals = [people.zhangsan, people.zhangsi, register_voter("王委托")]
    for principal in principals:
        client.post(f"/voters/{principal.pk}/proxy/", {"holder": str(holder.pk)})
    assert Proxy.objects.filter(holder=holder, revoked_at__isnull=True).count() == 3
    fourth = register_voter("赵第四")
    response = client.post(f"/voters/{fourth.pk}/proxy/", {"holder": str(holder.pk)})
    assert "不得超过" in page_text(response)
    assert not Proxy.objects.filter(principal=fourth).exists()
    proxy = Proxy.objects.get(principal=people.zhangsan)
    assert "撤销委托" in page_text(client.get(f"/voters/{people.zhangsan.pk}/"))
    client.post(f"/voters/proxies/{proxy.pk}/revoke/")
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None


def test_a_holder_from_another_district_is_refused(
    cast: Cast, people: People, register_voter: RegisterVoter
) -> None:
    elsewhere = register_voter("外选区", district=DISTRICT_3, actor=cast.county_staff)
    response = cast.client(cast.county_staff).post(
        f"/voters/{people.zhangsan.pk}/proxy/", {"holder": str(elsewhere.pk)}
    )
    assert "找不到该受托人" in page_text(response)
    assert not Proxy.objects.exists()


# --- correct --------------------------------------------------------------------------------


def _correct_form(voter: Voter, **fields: str) -> dict[str, str]:
    data = {
        "id_number": "",
        "name": voter.name,
        "sex": voter.sex,
        "birth_date": voter.birth_date.isoformat(),
        "ethnicity": str(voter.ethnicity),
        "household_address": voter.household_address,
        "residence_address": voter.residence_address,
        "phone": voter.phone,
        "group": voter.group,
        "residence_kind": voter.residence_kind,
        "reason": "登记时录入错误",
    }
    data.update(fields)
    return data


def test_correct_a_name_updates_pinyin_and_history(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    voter = people.zhangsan
    response = client.post(
        f"/voters/{voter.pk}/edit/", _correct_form(voter, name="章三"), follow=True
    )
    voter.refresh_from_db()
    assert (voter.name, voter.name_pinyin) == ("章三", "zhangsan")
    text = page_text(response)
    assert "已更正" in text and "更正了：姓名" in text


def test_correct_refuses_nothing_changed_and_a_wrong_sex(cast: Cast, people: People) -> None:
    client = cast.client(cast.registrar)
    voter = people.zhangsan
    before = _count()
    assert "没有修改任何信息" in page_text(
        client.post(f"/voters/{voter.pk}/edit/", _correct_form(voter))
    )
    text = page_text(client.post(f"/voters/{voter.pk}/edit/", _correct_form(voter, sex="F")))
    assert "不一致" in text
    assert _count() == before
    voter.refresh_from_db()
    assert voter.sex == "M"


def test_correct_the_id_number_checks_it_against_birth_date_and_sex(
    cast: Cast, people: People
) -> None:
    client = cast.client(cast.registrar)
    voter = people.zhangsan  # born 1980-03-04, male
    url = f"/voters/{voter.pk}/edit/"
    other_birthday = make_id(born=date(1980, 3, 5))
    text = page_text(client.post(url, _correct_form(voter, id_number=other_birthday)))
    assert "不一致" in text
    voter.refresh_from_db()
    assert voter.birth_date == date(1980, 3, 4)
    fixed = make_id(born=date(1980, 3, 5))
    client.post(url, _correct_form(voter, id_number=fixed, birth_date="1980-03-05"))
    voter.refresh_from_db()
    assert voter.birth_date == date(1980, 3, 5)
    assert pii.reveal(voter.id_cipher) == fixed
    assert voter.changes.last().summary["changed"]["id_number"] == ["***", "***"]  # type: ignore[union-attr]


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_cards_count_the_scope(
    cast: Cast, people: People, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("一元", district=DISTRICT_3, actor=cast.county_staff)
    services.voter_suspend(
        actor=cast.registrar, voter=people.lisi, election=election, decision="决定 1 号"
    )
    from renda.voters.stats import register_counts

    county = register_counts(cast.county_staff, COUNTY, COUNTY + 999999)
    assert (county["registered"], county["suspended"]) == (3, 1)
    district = register_counts(cast.registrar, COUNTY, COUNTY + 999999)
    assert district["registered"] == 2  # the registrar sees her own district only
    assert register_counts(cast.outsider, COUNTY, COUNTY + 999999)["registered"] == 0
    home = page_text(cast.client(cast.county_staff).get("/"))
    assert "已登记选民" in home and "停止行使选举权利" in home


def test_dashboard_flags_overdue_appeals(cast: Cast, people: People, election: Election) -> None:
    from renda.voters.models import VoterList

    voter_list = VoterList.objects.create(
        election=election,
        district_id=DISTRICT,
        number=0,
        kind="first",
        published_at=election.created_at,
        published_by=cast.registrar,
    )
    today = date.today()
    for decide_by in (today - timedelta(days=1), today + timedelta(days=2)):
        Appeal.objects.create(
            election=election,
            district_id=DISTRICT,
            voter_list=voter_list,
            kind="omitted",
            appellant="申诉人",
            subject_name="某人",
            content="未列入",
            received_on=today - timedelta(days=3),
            decide_by=decide_by,
            received_by=cast.registrar,
        )
    text = page_text(cast.client(cast.registrar).get("/"))
    assert "待处理的申诉" in text and "已超过处理期限的申诉" in text
