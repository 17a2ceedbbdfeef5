from __future__ import annotations

from ninja import Schema


class AssignmentOut(Schema):
    role: str
    role_name: str
    scope_code: str
    scope_name: str


class MeOut(Schema):
    username: str
    real_name: str
    assignments: list[AssignmentOut]


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent_code: str | None


class RegionDetailOut(RegionOut):
    children: list[RegionOut]


class DistrictOut(Schema):
    code: str
    name: str
    township_code: str
    township_name: str
    seats: int
    population: int
    kind: str


class DistrictPage(Schema):
    items: list[DistrictOut]
    next_cursor: str | None


class ErrorOut(Schema):
    detail: str
