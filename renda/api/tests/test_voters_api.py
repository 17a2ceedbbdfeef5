"""The voter API: search, detail with history, register — scoped like the pages, IDs masked."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.api.services import token_create
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, Cast
from renda.voters.idnumbers import check_char, mask
from renda.voters.models import Election, Voter, VoterChange
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db


def _token(user: User) -> str:
    _token_row, plain = token_create(actor=user, name="接口测试")
    return plain


def _call(user: User, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(user)}"}
    client = Client()
    if method == "get":
        response = client.get(path, body or {}, **headers)  # type: ignore[arg-type]
    else:
        response = client.post(
            path,
            json.dumps(body, default=str),
            content_type="application/json",
            **headers,  # type: ignore[arg-type]
        )
    return response.status_code, response.json(), response.content.decode()


@pytest.fixture
def other_registrar(cast: Cast) -> User:
    user = User.objects.create(
        username="registrar2", real_name="二选区登记员", home_code=DISTRICT_2
    )
    RoleAssignment.objects.create(user=user, role=Role.REGISTRAR, district_id=DISTRICT_2)
    return user


@pytest.fixture
def numbers(register_voter: RegisterVoter) -> dict[str, str]:
    found = {
        "张三": make_id(born=date(1980, 3, 4)),
        "张思": make_id(born=date(1991, 7, 8), male=False),
        "李四": make_id(born=date(1975, 12, 1)),
    }
    for name, number in found.items():
        register_voter(name, id_number=number)
    return found


def _voter(name: str) -> Voter:
    return Voter.objects.get(name=name)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张三", ["张三"]),
        ("zs", ["张三", "张思"]),
        ("lisi", ["李四"]),
        ("", ["李四", "张三", "张思"]),
    ],
)
def test_search(cast: Cast, numbers: dict[str, str], q: str, expected: list[str]) -> None:
    status, body, _raw = _call(cast.registrar, "get", "/api/v1/voters", {"q": q})
    assert status == 200
    assert [item["name"] for item in body["items"]] == expected


def test_a_full_id_in_a_get_url_is_refused(cast: Cast, numbers: dict[str, str]) -> None:
    status, body, _raw = _call(cast.registrar, "get", "/api/v1/voters", {"q": numbers["李四"]})
    assert status == 400 and "POST" in body["detail"]


def test_search_by_full_id_gives_masked_ids_only(
    cast: Cast, numbers: dict[str, str], election: Election
) -> None:
    status, body, raw = _call(
        cast.registrar, "post", "/api/v1/voters/search", {"q": numbers["李四"]}
    )
    assert status == 200
    (item,) = body["items"]
    assert item["name"] == "李四"
    assert item["id_masked"] == mask(numbers["李四"])
    assert item["district_code"] == str(DISTRICT) and item["township_name"] == "大智街道"
    assert body["election"] == election.pk
    assert numbers["李四"] not in raw


def test_search_by_id_number_in_the_body(cast: Cast, numbers: dict[str, str]) -> None:
    status, body, raw = _call(
        cast.registrar, "post", "/api/v1/voters/search", {"q": numbers["张思"]}
    )
    assert status == 200
    assert [item["name"] for item in body["items"]] == ["张思"]
    assert numbers["张思"] not in raw


def test_the_list_pages_by_cursor(cast: Cast, register_voter: RegisterVoter) -> None:
    for i in range(5):
        register_voter(f"翻页{i}")
    _s, first, _r = _call(cast.registrar, "get", "/api/v1/voters", {"limit": "3"})
    _s, second, _r = _call(
        cast.registrar, "get", "/api/v1/voters", {"limit": "3", "after": first["next_cursor"]}
    )
    names = [i["name"] for i in first["items"] + second["items"]]
    assert sorted(names) == [f"翻页{i}" for i in range(5)] and second["next_cursor"] is None


def test_filters_by_district_code(
    cast: Cast, numbers: dict[str, str], register_voter: RegisterVoter
) -> None:
    register_voter("一元", district=DISTRICT_3, actor=cast.county_staff)
    _s, body, _r = _call(cast.county_staff, "get", "/api/v1/voters", {"district": "420102003"})
    assert [i["name"] for i in body["items"]] == ["一元"]
    status, _b, _r = _call(cast.county_staff, "get", "/api/v1/voters", {"district": "12x"})
    assert status == 404


def test_detail_with_history(cast: Cast, numbers: dict[str, str]) -> None:
    voter = _voter("张三")
    status, body, raw = _call(cast.registrar, "get", f"/api/v1/voters/{voter.pk}")
    assert status == 200
    assert (body["name"], body["sex"], body["birth_date"]) == ("张三", "M", "1980-03-04")
    assert [c["kind"] for c in body["changes"]] == ["registered"]
    assert body["changes"][0]["actor"] == "登记员"
    assert numbers["张三"] not in raw


def _body(election: Election, **fields: Any) -> dict[str, Any]:
    return {
        "election": election.pk,
        "district": str(DISTRICT),
        "id_number": make_id(born=date(1988, 8, 8), male=False),
        "name": "API 新登记",
        "ethnicity": 3,
        "group": "二组",
        **fields,
    }


def test_register(cast: Cast, election: Election) -> None:
    body = _body(election, name="马丽")
    status, created, raw = _call(cast.registrar, "post", "/api/v1/voters", body)
    assert status == 201
    assert (created["name"], created["sex"], created["ethnicity_name"]) == ("马丽", "F", "回族")
    assert created["changes"][0]["kind"] == "registered"
    assert body["id_number"] not in raw
    assert Voter.objects.get().name == "马丽"


def _foreigner() -> str:
    first17 = "91042219800101001"
    return first17 + check_char(first17)


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        pytest.param({"id_number": "110105194912310029"}, "id_number", "校验位", id="check digit"),
        pytest.param({"id_number": _foreigner()}, "id_number", "外国人", id="foreigner"),
        pytest.param({"sex": "M"}, "sex", "不一致", id="sex mismatch"),
        pytest.param({"kind": "removed"}, "kind", "登记事由", id="not a registration"),
        pytest.param({"kind": "restored"}, "court_date", "日期", id="restored without date"),
        pytest.param({"sex": "X"}, "sex", "性别", id="bad sex"),
    ],
)
def test_register_refusals_are_400_with_the_field(
    cast: Cast, election: Election, fields: dict[str, Any], field: str, fragment: str
) -> None:
    status, body, _raw = _call(cast.registrar, "post", "/api/v1/voters", _body(election, **fields))
    assert status == 400
    assert body["field"] == field and fragment in body["detail"]
    assert not Voter.objects.exists() and not VoterChange.objects.exists()


def test_register_under_age_and_registered_elsewhere(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    day = election.election_day
    young = make_id(born=day.replace(year=day.year - 18) + timedelta(days=1))
    status, body, _r = _call(
        cast.registrar, "post", "/api/v1/voters", _body(election, id_number=young)
    )
    assert (status, body["field"]) == (400, "id_number") and "未满十八周岁" in body["detail"]
    number = make_id()
    register_voter("周游", id_number=number, district=DISTRICT_3, actor=cast.county_staff)
    status, body, _r = _call(
        cast.registrar, "post", "/api/v1/voters", _body(election, id_number=number)
    )
    assert status == 400 and "一元街道第一选区" in body["detail"]
    assert Voter.objects.count() == 1


@pytest.mark.parametrize("who", ["other_registrar", "outsider"])
def test_every_endpoint_is_404_outside_the_scope(
    cast: Cast, numbers: dict[str, str], election: Election, other_registrar: User, who: str
) -> None:
    user = other_registrar if who == "other_registrar" else cast.outsider
    voter = _voter("张三")
    assert _call(user, "get", f"/api/v1/voters/{voter.pk}")[0] == 404
    _s, listed, _r = _call(user, "get", "/api/v1/voters", {"q": "张三"})
    assert listed["items"] == []
    _s, searched, _r = _call(user, "post", "/api/v1/voters/search", {"q": numbers["张三"]})
    assert searched["items"] == []
    before = Voter.objects.count()
    status, _b, _r = _call(user, "post", "/api/v1/voters", _body(election))
    assert status == 404
    assert Voter.objects.count() == before


def test_users_without_voter_rights_get_404(cast: Cast, numbers: dict[str, str]) -> None:
    assert _call(cast.deputy, "get", "/api/v1/voters")[0] == 404
    assert _call(cast.deputy, "get", f"/api/v1/voters/{_voter('张三').pk}")[0] == 404


def test_province_staff_may_search_but_not_register(
    cast: Cast, numbers: dict[str, str], election: Election
) -> None:
    _s, body, raw = _call(cast.province_staff, "get", "/api/v1/voters")
    assert len(body["items"]) == 3
    assert not any(number in raw for number in numbers.values())
    assert _call(cast.province_staff, "post", "/api/v1/voters", _body(election))[0] == 404


def test_no_token_is_401(cast: Cast) -> None:
    assert Client().get("/api/v1/voters").status_code == 401
