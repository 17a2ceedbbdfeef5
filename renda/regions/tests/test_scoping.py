"""Smoke spec of the scoping contract; the full suite lives beside it."""

from __future__ import annotations

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.testing import COUNTY, DISTRICT, SIBLING_DISTRICT, TOWNSHIP, Cast
from renda.regions.models import District


def test_county_staff_sees_only_their_county_districts(cast: Cast) -> None:
    visible = set(
        access.scoped(
            cast.county_staff, Perm.DISTRICT_VIEW, District.objects.all(), "code"
        ).values_list("code", flat=True)
    )
    assert DISTRICT in visible
    assert SIBLING_DISTRICT not in visible


def test_outsider_gets_404_on_county_page(cast: Cast) -> None:
    response = cast.client(cast.outsider).get(f"/regions/{COUNTY}/")
    assert response.status_code == 404
    response = cast.client(cast.county_staff).get(f"/regions/{COUNTY}/")
    assert response.status_code == 200
    assert "大智街道" in response.content.decode()


def test_registrar_cannot_open_township(cast: Cast) -> None:
    assert cast.client(cast.registrar).get(f"/regions/{TOWNSHIP}/").status_code == 404
    assert cast.client(cast.registrar).get(f"/regions/districts/{DISTRICT}/").status_code == 200
