"""The dashboards through HTTP: drill-down, scoping (a sibling's figures are 404), the links
behind the numbers, the guidance table, and how few queries a page costs."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from renda.core.testing import (
    CITY,
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    OTHER_CITY,
    PROVINCE,
    SIBLING_COUNTY,
    SIBLING_DISTRICT,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.voters.models import Election

pytestmark = pytest.mark.django_db


def page(cast: Cast, who: str, code: int | None = None, **params: Any) -> Any:
    url = reverse("stats:region", args=[code]) if code else reverse("stats:index")
    return cast.client(getattr(cast, who)).get(url, params)


def chart_data(response: Any) -> dict[str, Any]:
    found = re.search(
        r'<script id="stats-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the chart data block is missing"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_stats_opens_the_users_own_place(cast: Cast, tallies: Election) -> None:
    for who, code in [
        ("province_staff", PROVINCE),
        ("county_staff", COUNTY),
        ("township_staff", TOWNSHIP),
        ("registrar", DISTRICT),
    ]:
        response = page(cast, who)
        assert response.status_code == 302
        assert response["Location"] == reverse("stats:region", args=[code])
    response = page(cast, "county_staff", election=tallies.pk)
    assert response["Location"].endswith(f"?election={tallies.pk}")


def test_the_province_dashboard_drills_into_its_cities(cast: Cast, tallies: Election) -> None:
    response = page(cast, "province_staff", PROVINCE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "湖北省 · 选民登记统计" in html
    drill = f'href="{reverse("stats:region", args=[CITY])}?election={tallies.pk}"'
    assert drill in html
    data = chart_data(response)
    assert [c["name"] for c in data["children"]] == ["武汉市", "宜昌市"]
    wuhan = data["children"][0]
    assert (wuhan["listed"], wuhan["expected"], wuhan["rate"]) == (137, 1150, 11.91)
    assert wuhan["url"] == f"{reverse('stats:region', args=[CITY])}?election={tallies.pk}"
    assert data["rate"] == 11.91
    # and down: city → county → township → district, each page naming its rows
    for code, child in [(CITY, "江岸区"), (COUNTY, "大智街道"), (TOWNSHIP, "第一选区")]:
        response = page(cast, "province_staff", code, election=tallies.pk)
        assert response.status_code == 200
        assert child in [c["name"] for c in chart_data(response)["children"]]
    response = page(cast, "province_staff", DISTRICT, election=tallies.pk)
    assert response.status_code == 200
    assert 'data-testid="lagging-table"' not in response.content.decode()


def test_every_number_links_to_the_list_behind_it(cast: Cast, tallies: Election) -> None:
    html = page(cast, "county_staff", COUNTY).content.decode()
    links = {
        (q.get("district", [""])[0], key, q.get(key, [""])[0])
        for href in re.findall(r'href="(/voters/\?[^"]+)"', html)
        for q in [parse_qs(urlparse(href.replace("&amp;", "&")).query)]
        for key in ("status", "kind", "counter")
        if key in q
    }
    assert ("420102002", "counter", "listed") in links  # 大智街道 已登记 82
    assert ("420102002", "status", "not_listed") in links
    assert ("420102002", "kind", "newly_18") in links
    assert ("420102002", "counter", "mobile_box") in links
    assert ("420102002", "counter", "male") in links
    assert ("420102", "counter", "listed") in links  # the total row and the tile
    assert f"election={tallies.pk}" in html


def test_a_township_user_sees_only_their_township(cast: Cast, tallies: Election) -> None:
    assert page(cast, "township_staff", TOWNSHIP).status_code == 200
    assert page(cast, "township_staff", DISTRICT_2).status_code == 200
    for code in (TOWNSHIP_2, DISTRICT_3, COUNTY, CITY, PROVINCE, SIBLING_DISTRICT):
        assert page(cast, "township_staff", code).status_code == 404, code
    html = page(cast, "township_staff", TOWNSHIP).content.decode()
    # the breadcrumb names the county and city but links to none of them
    assert reverse("stats:region", args=[COUNTY]) not in html
    assert "江岸区" in html


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("outsider", COUNTY),
        ("outsider", DISTRICT),
        ("county_staff", SIBLING_COUNTY),
        ("city_staff", OTHER_CITY),
        ("registrar", DISTRICT_2),
        ("deputy", COUNTY),
        ("handling_unit", CITY),
        ("sysadmin", PROVINCE),
        ("auditadmin", PROVINCE),
        ("nobody", COUNTY),
    ],
)
def test_outsiders_get_404(cast: Cast, tallies: Election, who: str, code: int) -> None:
    assert page(cast, who, code).status_code == 404
    for name in ("table_xlsx", "table_pdf", "counts_csv", "voters_csv"):
        url = reverse(f"stats:{name}", args=[code])
        response = cast.client(getattr(cast, who)).get(url, {"election": tallies.pk})
        assert response.status_code == 404, name


def test_no_figures_without_the_right(cast: Cast, tallies: Election) -> None:
    for who in ("deputy", "handling_unit", "sysadmin", "nobody"):
        assert page(cast, who).status_code == 404
        home = cast.client(getattr(cast, who)).get(reverse("home")).content.decode()
        assert reverse("stats:index") not in home


def test_anonymous_visitors_are_sent_to_log_in(tallies: Election) -> None:
    response = Client().get(reverse("stats:region", args=[COUNTY]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_election_parameter(cast: Cast, tallies: Election) -> None:
    other = Election.objects.create(
        code="yichang",
        name="宜昌市补选",
        region_id=OTHER_CITY,
        election_day=tallies.election_day,
        registration_opens=tallies.registration_opens,
        registration_closes=tallies.registration_closes,
        publication_deadline=tallies.publication_deadline,
    )
    assert page(cast, "county_staff", COUNTY, election="abc").status_code == 404
    assert page(cast, "county_staff", COUNTY, election=other.pk).status_code == 404  # not theirs
    response = page(cast, "province_staff", COUNTY, election=other.pk)
    assert response.status_code == 200
    assert 'data-testid="not-covered"' in response.content.decode()


def test_without_an_election(cast: Cast) -> None:
    response = page(cast, "county_staff", COUNTY)
    assert response.status_code == 200
    assert 'data-testid="no-election"' in response.content.decode()


def test_the_guidance_table_lists_districts_not_started_or_behind(
    cast: Cast, tallies: Election
) -> None:
    html = page(cast, "county_staff", COUNTY).content.decode()
    table = html[html.index('data-testid="lagging-table"') :]
    # 第二选区 (nothing registered) and 第一选区 (82% < 90%); 一元街道第一选区 is at 90%
    assert table.count("未启动</span>") == 1
    assert table.count("进度落后</span>") == 1
    assert "共 2 个，其中未启动 1 个" in html
    assert reverse("stats:region", args=[DISTRICT_3]) not in table
    assert page(cast, "county_staff", COUNTY, sort="nonsense").status_code == 200


def test_the_deadlines_panel(cast: Cast, tallies: Election) -> None:
    html = page(cast, "county_staff", COUNTY).content.decode()
    panel = html[html.index('data-testid="deadlines"') :]
    assert "选民名单公布截止" in panel
    assert f"{tallies.publication_deadline:%Y-%m-%d}" in panel
    assert f"{tallies.election_day:%Y-%m-%d}" in panel


def test_the_home_page_shows_registration_progress(cast: Cast, tallies: Election) -> None:
    html = cast.client(cast.county_staff).get(reverse("home")).content.decode()
    assert "登记进度" in html
    assert "84.67%" in html
    assert "尚未启动登记的选区" in html
    assert reverse("stats:index") in html  # the nav entry


def test_a_dashboard_costs_a_few_queries_whatever_the_size(
    cast: Cast, tallies: Election, django_assert_max_num_queries: Any
) -> None:
    client = cast.client(cast.province_staff)
    url = reverse("stats:region", args=[PROVINCE])
    client.get(url)  # warm: session, elections
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_a_figure_opens_exactly_the_people_it_counts(
    cast: Cast, election: Election, register_voter: Any
) -> None:
    """Follow the dashboard's links into the register: each list holds the people counted."""
    from datetime import date

    from renda.voters.services.register import voter_set_mobile_box, voter_suspend
    from renda.voters.tests.conftest import make_id

    old = register_voter("老张", id_number=make_id(born=date(1940, 1, 1), male=True))
    young = register_voter("小李", id_number=make_id(born=date(2001, 1, 1), male=False))
    register_voter("中王", id_number=make_id(born=date(1975, 6, 1), male=True))
    voter_set_mobile_box(actor=cast.registrar, voter=old, election=election, on=True)
    voter_suspend(actor=cast.registrar, voter=young, election=election, decision="法院决定")
    html = page(cast, "county_staff", TOWNSHIP).content.decode()
    hrefs = {
        key: href.replace("&amp;", "&")
        for href in re.findall(r'href="(/voters/\?[^"]+)"', html)
        for key in ("mobile_box", "age_60_plus", "female", "listed", "age_36_59")
        if f"counter={key}&" in href.replace("&amp;", "&") + "&" and "district=420102002001" in href
    }
    client = cast.client(cast.county_staff)

    def names(key: str) -> set[str]:
        body = client.get(hrefs[key]).content.decode()
        table = body[body.index('data-testid="voter-table"') :]
        return {n for n in ("老张", "小李", "中王") if n in table}

    assert names("mobile_box") == {"老张"}
    assert names("age_60_plus") == {"老张"}
    assert names("female") == {"小李"}
    assert names("age_36_59") == {"中王"}
    assert names("listed") == {"老张", "小李", "中王"}  # the suspended are on the list
    body = client.get(hrefs["mobile_box"]).content.decode()
    assert 'data-testid="counter-filter"' in body and "流动票箱" in body


def test_the_counter_filter_is_kept_by_a_search_and_can_be_dropped(
    cast: Cast, election: Election
) -> None:
    client = cast.client(cast.county_staff)
    url = reverse("voters:list")
    kept = client.post(url, {"district": "420102", "counter": "female", "q": "王"})
    assert kept.status_code == 302 and "counter=female" in kept["Location"]
    # the "取消此条件" button posts an empty counter after the hidden one: the last one wins
    dropped = client.post(url, {"district": "420102", "counter": ["female", ""]})
    assert dropped.status_code == 302 and "counter" not in dropped["Location"]
    assert client.get(url, {"district": "420102", "counter": "nonsense"}).status_code == 200
