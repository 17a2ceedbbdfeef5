"""The REST API at /api/v1/: bearer tokens, OpenAPI docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from renda.accounts import access
from renda.accounts.models import User
from renda.api.schemas import (
    AssignmentOut,
    DistrictOut,
    DistrictPage,
    ErrorOut,
    MeOut,
    RegionDetailOut,
)
from renda.api.services import token_authenticate
from renda.api.voters import router as voters_router
from renda.core.pagination import keyset_page
from renda.regions import selectors
from renda.regions.codes import Level, display_code, parse_code
from renda.regions.models import District, Region
from renda.stats.api import router as stats_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Renda API",
    version="1",
    description="智慧人大接口。所有请求须带 `Authorization: Bearer <令牌>`；令牌在“接口令牌”页面创建。",
    auth=BearerToken(),
    urls_namespace="api",
)
api.add_router("/voters", voters_router)
api.add_router("/stats", stats_router)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _code(text: str) -> int:
    try:
        return parse_code(text)
    except ValueError:
        raise Http404 from None


def _region(region: Region) -> dict[str, Any]:
    parent = region.parent_id
    return {
        "code": region.display_code,
        "name": region.name,
        "level": region.level,
        "level_name": str(Level(region.level).label),
        "parent_code": None if parent is None else display_code(parent, region.level - 1),
    }


def _district(d: District) -> dict[str, Any]:
    return {
        "code": d.display_code,
        "name": d.name,
        "township_code": display_code(d.township_id, Level.TOWNSHIP),
        "township_name": d.township.name,
        "seats": d.seats,
        "population": d.population,
        "kind": d.kind,
    }


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.get("/me", response=MeOut, summary="当前账号及其角色")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    return {
        "username": user.username,
        "real_name": user.real_name,
        "assignments": [
            AssignmentOut(
                role=a.role,
                role_name=a.get_role_display(),
                scope_code=display_code(a.scope_code, a.scope_level),
                scope_name=a.scope_name,
            )
            for a in access.assignments(user)
        ],
    }


@api.get(
    "/regions/{code}", response={200: RegionDetailOut, 404: ErrorOut}, summary="一个区划及其下级"
)
def region_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    user = _user(request)
    region = selectors.region_for(user, _code(code))
    children = [_region(r) for r in selectors.children_of(user, region)]
    return {**_region(region), "children": children}


@api.get(
    "/districts",
    response={200: DistrictPage, 404: ErrorOut},
    summary="选区列表（可按区划筛选，按代码翻页）",
)
def district_list(
    request: HttpRequest, region: str | None = None, after: str | None = None, limit: int = 100
) -> dict[str, Any]:
    user = _user(request)
    within = selectors.region_for(user, _code(region)) if region else None
    page = keyset_page(
        selectors.districts_in(user, within), key="code", cursor=after, size=max(1, min(limit, 500))
    )
    return {"items": [_district(d) for d in page.items], "next_cursor": page.next_cursor}


@api.get("/districts/{code}", response={200: DistrictOut, 404: ErrorOut}, summary="一个选区")
def district_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _district(selectors.district_for(_user(request), _code(code)))
