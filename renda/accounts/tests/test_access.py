"""Scoping: where each role may do what, as unions of code ranges (accounts/access.py)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renda.accounts import access
from renda.accounts.access import Scope
from renda.accounts.models import RoleAssignment
from renda.accounts.roles import Perm, Role
from renda.core.testing import (
    CITY,
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    OTHER_COUNTY,
    PROVINCE,
    SIBLING_COUNTY,
    SIBLING_DISTRICT,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.regions.codes import DIGITS, SPAN, Level, parse_code, short_code, subtree_range

COUNTY_RANGE = (COUNTY, COUNTY + 999_999)
PROVINCE_RANGE = (PROVINCE, PROVINCE + 9_999_999_999)


# --- Scope.of --------------------------------------------------------------------------------


def test_scope_merges_overlapping_and_nested_ranges() -> None:
    scope = Scope.of([(TOWNSHIP, TOWNSHIP + 999), COUNTY_RANGE, (DISTRICT, DISTRICT)])
    assert scope.ranges == (COUNTY_RANGE,)


def test_scope_merges_adjacent_ranges_but_keeps_gaps() -> None:
    jiangan = subtree_range(COUNTY, Level.COUNTY)
    jianghan = subtree_range(SIBLING_COUNTY, Level.COUNTY)
    xiling = subtree_range(OTHER_COUNTY, Level.COUNTY)
    scope = Scope.of([xiling, jianghan, jiangan])
    assert scope.ranges == ((jiangan[0], jianghan[1]), xiling)


def test_empty_scope_covers_nothing_and_filters_everything_out() -> None:
    scope = Scope.of([])
    assert scope.is_empty
    assert not scope.covers(DISTRICT)
    assert not scope.covers(None)
    assert not scope.covers_range(DISTRICT, DISTRICT)


def test_covers_range_needs_one_range_holding_the_whole_subtree() -> None:
    scope = Scope.of([subtree_range(TOWNSHIP, Level.TOWNSHIP)])
    assert scope.covers_range(DISTRICT, DISTRICT)
    assert not scope.covers_range(*subtree_range(COUNTY, Level.COUNTY))


# --- regions_for, per role --------------------------------------------------------------------

TOWNSHIP_RANGE = (TOWNSHIP, TOWNSHIP + 999)
CITY_RANGE = (CITY, CITY + 99_999_999)

# (person, permission, the ranges they hold it on); () means "nowhere".
EXPECTED: list[tuple[str, Perm, tuple[tuple[int, int], ...]]] = [
    ("province_staff", Perm.ACCOUNT_MANAGE, (PROVINCE_RANGE,)),
    ("province_staff", Perm.DISTRICT_MANAGE, ()),
    ("city_staff", Perm.DISTRICT_VIEW, (CITY_RANGE,)),
    ("city_staff", Perm.DISTRICT_MANAGE, ()),
    ("county_staff", Perm.DISTRICT_MANAGE, (COUNTY_RANGE,)),
    ("county_staff", Perm.ACCOUNT_MANAGE, (COUNTY_RANGE,)),
    ("county_staff", Perm.AUDIT_VIEW, ()),
    ("township_staff", Perm.DISTRICT_MANAGE, (TOWNSHIP_RANGE,)),
    ("registrar", Perm.DISTRICT_VIEW, ((DISTRICT, DISTRICT),)),
    ("registrar", Perm.DISTRICT_MANAGE, ()),
    ("registrar", Perm.ACCOUNT_VIEW, ()),
    ("committee", Perm.DISTRICT_VIEW, (COUNTY_RANGE,)),
    ("committee", Perm.ACCOUNT_VIEW, ()),
    ("deputy", Perm.REGION_VIEW, (COUNTY_RANGE,)),
    ("deputy", Perm.DISTRICT_VIEW, ()),
    ("handling_unit", Perm.REGION_VIEW, (CITY_RANGE,)),
    ("outsider", Perm.DISTRICT_MANAGE, ((SIBLING_COUNTY, SIBLING_COUNTY + 999_999),)),
    ("sysadmin", Perm.ACCOUNT_MANAGE, (PROVINCE_RANGE,)),
    ("sysadmin", Perm.AUDIT_VIEW, ()),
    ("sysadmin", Perm.ADMIN_ROLE_GRANT, ()),
    ("secadmin", Perm.ADMIN_ROLE_GRANT, (PROVINCE_RANGE,)),
    ("secadmin", Perm.SECURITY_MANAGE, (PROVINCE_RANGE,)),
    ("secadmin", Perm.ACCOUNT_MANAGE, ()),
    ("auditadmin", Perm.AUDIT_VIEW, (PROVINCE_RANGE,)),
    ("auditadmin", Perm.REGION_VIEW, ()),
    ("auditadmin", Perm.ACCOUNT_VIEW, ()),
    ("nobody", Perm.REGION_VIEW, ()),
]


@pytest.mark.parametrize(("person", "perm", "ranges"), EXPECTED)
def test_regions_for_each_role(
    cast: Cast, person: str, perm: Perm, ranges: tuple[tuple[int, int], ...]
) -> None:
    assert access.regions_for(getattr(cast, person), perm).ranges == ranges


def test_grants_on_neighbouring_townships_merge_into_one_range(cast: Cast) -> None:
    RoleAssignment.objects.create(
        user=cast.township_staff, role=Role.TOWNSHIP_STAFF, region_id=TOWNSHIP_2
    )
    access.forget(cast.township_staff)
    scope = access.regions_for(cast.township_staff, Perm.DISTRICT_MANAGE)
    assert scope.ranges == ((TOWNSHIP, TOWNSHIP_2 + 999),)
    assert scope.covers(DISTRICT_2)
    assert not scope.covers(SIBLING_DISTRICT)


def test_grants_in_two_counties_stay_two_ranges(cast: Cast) -> None:
    RoleAssignment.objects.create(user=cast.deputy, role=Role.DEPUTY, region_id=OTHER_COUNTY)
    access.forget(cast.deputy)
    scope = access.regions_for(cast.deputy, Perm.REGION_VIEW)
    assert scope.ranges == (COUNTY_RANGE, (OTHER_COUNTY, OTHER_COUNTY + 999_999))
    assert not scope.covers(SIBLING_COUNTY)


def test_a_deactivated_account_holds_no_scope(cast: Cast) -> None:
    cast.county_staff.is_active = False
    assert access.regions_for(cast.county_staff, Perm.DISTRICT_VIEW).is_empty
    assert not access.has_perm(cast.county_staff, Perm.DISTRICT_VIEW, DISTRICT)


def test_has_perm_anywhere_and_at_a_code(cast: Cast) -> None:
    assert access.has_perm(cast.registrar, Perm.DISTRICT_VIEW)
    assert access.has_perm(cast.registrar, Perm.DISTRICT_VIEW, DISTRICT)
    assert not access.has_perm(cast.registrar, Perm.DISTRICT_VIEW, DISTRICT_2)
    assert not access.has_perm(cast.nobody, Perm.REGION_VIEW)


# --- codes nest: property tests ---------------------------------------------------------------

LEVELS = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.DISTRICT]


@st.composite
def region_codes(draw: st.DrawFn) -> tuple[int, int]:
    """A (code, level) pair whose code is a valid code of that level (trailing zeros)."""
    level = draw(st.sampled_from(LEVELS))
    digits = draw(st.text("0123456789", min_size=DIGITS[level], max_size=DIGITS[level]))
    return int(digits.ljust(12, "0")), level


@given(region_codes(), st.data())
def test_a_child_range_lies_inside_its_parent_range(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    code, level = pair
    upper = data.draw(st.sampled_from([lvl for lvl in LEVELS if lvl <= level]))
    parent = code - code % SPAN[upper]  # the ancestor at that level: the code's prefix
    lo, hi = subtree_range(code, level)
    parent_lo, parent_hi = subtree_range(parent, upper)
    assert parent_lo <= lo <= hi <= parent_hi


@given(region_codes())
def test_a_subtree_spans_exactly_the_codes_sharing_its_prefix(pair: tuple[int, int]) -> None:
    code, level = pair
    lo, hi = subtree_range(code, level)
    prefix = short_code(code, level)
    assert f"{lo:012d}".startswith(prefix)
    assert f"{hi:012d}".startswith(prefix)
    assert hi - lo + 1 == SPAN[level]
    assert not f"{hi + 1:012d}".startswith(prefix)


@given(region_codes())
def test_parse_code_reads_back_the_short_code(pair: tuple[int, int]) -> None:
    code, level = pair
    assert parse_code(short_code(code, level)) == code
    assert parse_code(f" {short_code(code, level)} ") == code


@given(st.text("0123456789", min_size=0, max_size=14))
def test_parse_code_accepts_exactly_2_4_6_9_or_12_digits(digits: str) -> None:
    if len(digits) in {2, 4, 6, 9, 12}:
        assert parse_code(digits) == int(digits.ljust(12, "0"))
    else:
        with pytest.raises(ValueError):
            parse_code(digits)


@given(
    st.text(min_size=1, max_size=12).filter(
        lambda t: not (t.strip().isascii() and t.strip().isdigit())
    )
)
def test_parse_code_refuses_anything_but_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError):
        parse_code(text)


@pytest.mark.parametrize("text", ["４２", "٤٢٠١", "42 01", "4201.0", "-42", "42\n01", "²²"])
def test_parse_code_refuses_lookalike_digits(text: str) -> None:
    with pytest.raises(ValueError):
        parse_code(text)


RANGES = st.lists(
    st.tuples(st.integers(0, 10**12), st.integers(0, 10**6)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=6,
)


@given(RANGES, st.integers(0, 10**12 + 10**6))
def test_covers_agrees_with_the_ranges_it_was_built_from(
    ranges: list[tuple[int, int]], code: int
) -> None:
    scope = Scope.of(ranges)
    assert scope.covers(code) == any(lo <= code <= hi for lo, hi in ranges)


@given(RANGES)
def test_merged_ranges_are_sorted_disjoint_and_not_adjacent(ranges: list[tuple[int, int]]) -> None:
    merged = Scope.of(ranges).ranges
    for (_, hi), (lo, _) in itertools.pairwise(merged):
        assert hi + 1 < lo
    assert all(lo <= hi for lo, hi in merged)
    assert len(merged) <= len(ranges)
