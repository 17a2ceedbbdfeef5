"""Fuzzy candidates: every planted near miss is found, no clean record is flagged, nothing in
the register changes, and re-running queues nothing twice."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, Cast
from renda.regions.models import Region
from renda.roster.fuzzy import engine
from renda.roster.fuzzy.engine import Residual
from renda.roster.fuzzy.names import NameRule, compare, pinyin, simplified
from renda.roster.fuzzy.services import fuzzy_candidates_run, residual_records
from renda.roster.fuzzy.variants import (
    LEGACY,
    distance,
    is_valid,
    legacy_one_edit_variants,
    legacy_upgrades,
    one_edit_variants,
    within_one_edit,
)
from renda.roster.models import ReviewItem, ReviewKind, ReviewStatus, SourceKind
from renda.roster.tests.conftest import LoadSheet, roster_rows
from renda.roster.tests.fuzzy_fixtures import batch, make_number, plant
from renda.voters.models import Voter
from renda.voters.tests.conftest import RegisterVoter, election, register_voter  # noqa: F401

TODAY = date(2026, 11, 23)
ALPHABET = "0123456789X"
COUNTY_CODE = 420102000000


def brute_force(typed: str) -> set[str]:
    """The rule written out: every valid number one edit from ``typed``."""
    near = set()
    for i in range(len(typed) + 1):
        for c in ALPHABET:
            near.add(typed[:i] + c + typed[i:])  # insertion
            if i < len(typed):
                near.add(typed[:i] + c + typed[i + 1 :])  # substitution
        if i < len(typed):
            near.add(typed[:i] + typed[i + 1 :])  # deletion
        if i < len(typed) - 1:
            near.add(typed[:i] + typed[i + 1] + typed[i] + typed[i + 2 :])  # swap
    near.discard(typed)
    return {n for n in near if is_valid(n, TODAY)}


def single_edits(number: str) -> set[str]:
    """Every string one edit from ``number`` (the typos a registrar can make)."""
    typos = set()
    for i in range(len(number) + 1):
        for c in ALPHABET:
            typos.add(number[:i] + c + number[i:])
            if i < len(number):
                typos.add(number[:i] + c + number[i + 1 :])
        if i < len(number):
            typos.add(number[:i] + number[i + 1 :])
        if i < len(number) - 1:
            typos.add(number[:i] + number[i + 1] + number[i] + number[i + 2 :])
    typos.discard(number)
    return typos


valid_numbers = st.builds(
    make_number,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2008, 12, 31)),
    st.integers(min_value=0, max_value=499),
    male=st.booleans(),
    address=st.sampled_from(["420102", "110105", "440524", "654028", "810000"]),
)


# --- the ID rule, without a database ---------------------------------------------------------


def test_the_standard_examples() -> None:
    assert one_edit_variants("11010519491231002X", today=TODAY) == []  # valid: no neighbour
    typo = "11010519491231012X"  # the 16th digit mistyped
    assert "11010519491231002X" in {v.number for v in one_edit_variants(typo, today=TODAY)}
    assert [v.number for v in legacy_upgrades("110105491231002", today=TODAY)] == [
        "11010519491231002X"
    ]


@given(valid_numbers)
def test_a_valid_number_has_no_valid_neighbour(number: str) -> None:
    # ISO 7064 MOD 11-2 catches every single substitution and adjacent swap.
    assert one_edit_variants(number, today=TODAY) == []
    assert brute_force(number) == set()


@given(valid_numbers, st.data())
def test_every_typo_of_a_valid_number_leads_back_to_it(number: str, data: st.DataObject) -> None:
    typo = data.draw(st.sampled_from(sorted(single_edits(number))))
    found = {v.number for v in one_edit_variants(typo, today=TODAY)}
    assert number in found
    assert found == brute_force(typo)  # and nothing but the rule's numbers


@given(st.text(alphabet="0123456789XO ", min_size=15, max_size=20))
def test_variants_are_exactly_the_rule_for_any_input(typed: str) -> None:
    typed = typed.replace(" ", "")
    found = [v.number for v in one_edit_variants(typed, today=TODAY)]
    assert len(found) == len(set(found))
    expected = brute_force(typed) if len(typed) in (17, 18, 19) else set()
    assert set(found) == expected


def test_fifteen_digit_numbers() -> None:
    assert [v.op for v in legacy_upgrades("110105491231002", today=TODAY)] == [LEGACY]
    # 996–999: maybe born in the 1800s; both centuries offered where the date exists
    both = {v.number[6:8] for v in legacy_upgrades("110105890101997", today=TODAY)}
    assert both == {"19", "18"}
    near = {v.number for v in legacy_one_edit_variants("110105491231012", today=TODAY)}
    assert "11010519491231002X" in near
    assert all(is_valid(n, TODAY) for n in near)


def test_edit_distance() -> None:
    assert distance("zhangwei", "zhangwei") == 0
    assert distance("liuyang", "niuyang") == 1
    assert distance("zhangwei", "zhagnwei") == 1  # a swap is one edit
    assert distance("wangfang", "wangfan") == 1
    assert distance("lijianguo", "lijianhua") == 2
    assert distance("ouyang", "li") == 3  # capped


@given(st.text(alphabet="aginu", max_size=8), st.text(alphabet="aginu", max_size=8))
def test_the_quick_one_edit_check_agrees_with_the_distance(a: str, b: str) -> None:
    assert within_one_edit(a, b) == (distance(a, b) <= 1)


# --- the name rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        ("张伟", "張偉", NameRule.SAME_NAME),  # traditional characters
        ("张伟", "章伟", NameRule.SAME_PINYIN),  # homophones
        ("刘洋", "牛洋", NameRule.PINYIN_ONE_EDIT),  # l/n
        ("金鑫", "京鑫", NameRule.PINYIN_ONE_EDIT),  # in/ing
        ("李建国", "李建华", NameRule.ONE_CHAR),
        ("李国", "李华", NameRule.DIFFERENT),  # two characters: the surname alone is nothing
        ("王芳", "赵敏", NameRule.DIFFERENT),
    ],
)
def test_name_rules(a: str, b: str, rule: NameRule) -> None:
    assert compare(simplified(a), pinyin(a), simplified(b), pinyin(b)) == rule


def test_names_are_compared_simplified() -> None:
    assert simplified(" 張 偉 ") == "张伟"
    assert pinyin("張偉") == pinyin("张伟") == "zhangwei"


# --- against the register ------------------------------------------------------------------

BORN = {
    "typo": date(1990, 5, 17),
    "swap": date(1985, 3, 2),
    "legacy": date(1925, 3, 4),
    "legacy_typo": date(1958, 1, 30),
    "traditional": date(1977, 7, 7),
    "homophone": date(1981, 11, 11),
    "ln": date(1993, 2, 14),
    "one_char": date(1970, 10, 1),
    "missing_digit": date(1999, 9, 9),
    "clean": date(1988, 8, 8),
}


@pytest.fixture
def people(cast: Cast, register_voter: RegisterVoter) -> dict[str, Voter]:  # noqa: F811
    """Registered voters, each the true person behind one planted record, plus bystanders
    sharing birth dates and sexes with the planted records under other names."""
    specs = {
        "typo": ("王建军", True, 11),
        "swap": ("陈静", False, 12),
        "legacy": ("赵国庆", True, 498),  # sequence 997: a centenarian's 15-digit card
        "legacy_typo": ("孙丽", False, 14),
        "traditional": ("张伟", True, 15),
        "homophone": ("黄晓明", True, 16),
        "ln": ("刘洋", False, 17),
        "one_char": ("李建国", True, 18),
        "missing_digit": ("周杰", True, 19),
        "clean": ("吴敏", False, 20),
    }
    voters = {}
    for key, (name, male, seq) in specs.items():
        number = make_number(BORN[key], seq, male=male)
        district = DISTRICT_3 if key in ("swap", "one_char") else DISTRICT
        voters[key] = register_voter(
            name, district=district, id_number=number, actor=cast.county_staff
        )
        # a bystander: same birth date and sex, a name no rule links
        register_voter(
            "欧阳修远",
            district=DISTRICT_2,
            id_number=make_number(BORN[key], 40 + seq, male=male),
            actor=cast.county_staff,
        )
    return voters


def number_of(voter: Voter) -> str:
    from renda.voters import pii

    return pii.reveal(voter.id_cipher)


def swap(number: str, i: int) -> str:
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


@pytest.fixture
def planted(cast: Cast, people: dict[str, Voter]) -> dict[str, int]:
    """One base record per kind of near miss (record id by kind), and clean records."""
    household = batch(cast.province_staff)
    records = {}

    def typo_of(number: str, position: int) -> str:
        digit = str((int(number[position]) + 3) % 10)
        return number[:position] + digit + number[position + 1 :]

    def add(key: str, name: str, number: str | None, *, male: bool, **kw: Any) -> None:
        sex = "M" if male else "F"
        records[key] = plant(household, name, born=BORN[key], sex=sex, number=number, **kw).pk

    p = {k: number_of(v) for k, v in people.items()}
    add("typo", "王建军", typo_of(p["typo"], 14), male=True)
    add(
        "swap",
        "陈静",
        swap(p["swap"], 10) if p["swap"][10] != p["swap"][11] else swap(p["swap"], 8),
        male=False,
    )
    # 15 digits, sequence 997: the century is uncertain, so the import keeps no hash
    add("legacy", "赵国庆", p["legacy"][:6] + p["legacy"][8:17], male=True, valid=False)
    # a slip in a 15-digit number: the import writes it as a valid 18-digit number
    add(
        "legacy_typo",
        "孙丽",
        typo_of(p["legacy_typo"][:6] + p["legacy_typo"][8:17], 13),
        male=False,
    )
    add("traditional", "張偉", None, male=True, pinyin="")  # raw, as an older feed sends it
    add("homophone", "黄小明", "4201021981", male=True)  # a broken number, a homophone name
    add("ln", "牛洋", None, male=False)
    add("one_char", "李建华", None, male=True)
    add("missing_digit", "周杰", p["missing_digit"][:9] + p["missing_digit"][10:], male=True)
    # clean: an exact, valid number of a registered voter (the exact check places it) …
    add("clean", "吴敏", p["clean"], male=False)
    # … and a residual with no likely partner (a birth date nobody registered has)
    records["nobody"] = plant(household, "钱多多", born=date(1966, 6, 6), sex="F").pk
    return records


def candidates_by_record() -> dict[int, list[ReviewItem]]:
    found: dict[int, list[ReviewItem]] = {}
    for item in ReviewItem.objects.filter(kind=ReviewKind.FUZZY_CANDIDATE).order_by("-strength"):
        assert item.base_record_id is not None
        found.setdefault(item.base_record_id, []).append(item)
    return found


def run(cast: Cast) -> object:
    return fuzzy_candidates_run(
        actor=cast.province_staff,
        region=Region.objects.get(code=COUNTY_CODE),
        unregistered=True,  # the 15-digit slip arrives as a valid number nobody holds
    )


EXPECTED_RULES = {
    "typo": ("id_one_edit", "same_name", 0.95),
    "swap": ("id_one_edit", "same_name", 0.95),
    "legacy": ("legacy_15", "same_name", 0.99),
    "legacy_typo": ("legacy_15_one_edit", "same_name", 0.90),
    "traditional": ("no_id", "same_name", 0.70),
    "homophone": ("no_id", "same_pinyin", 0.60),
    "ln": ("no_id", "pinyin_one_edit", 0.40),
    "one_char": ("no_id", "one_char", 0.30),
    "missing_digit": ("id_one_edit", "same_name", 0.95),
}


def test_every_planted_near_miss_is_found_and_no_clean_record_flagged(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    result = run(cast)
    found = candidates_by_record()
    for key, (id_rule, name_rule, strength) in EXPECTED_RULES.items():
        items = found.get(planted[key], [])
        assert [i.voter_id for i in items] == [people[key].pk], key
        item = items[0]
        assert (item.details["id_rule"], item.details["name_rule"]) == (id_rule, name_rule), key
        assert item.strength == pytest.approx(strength), key
        assert item.status == ReviewStatus.OPEN
    assert planted["clean"] not in found
    assert planted["nobody"] not in found
    assert people["clean"].pk not in {i.voter_id for items in found.values() for i in items}
    # bystanders (same birth date and sex, unrelated names) are never proposed
    assert set(ReviewItem.objects.values_list("voter_id", flat=True)) == {
        people[k].pk for k in EXPECTED_RULES
    }
    assert result.created == len(EXPECTED_RULES)  # type: ignore[attr-defined]
    assert result.residuals == len(EXPECTED_RULES) + 1  # type: ignore[attr-defined]


def test_the_queue_is_ranked_and_explains_without_clear_numbers(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    run(cast)
    items = list(ReviewItem.objects.order_by("-strength", "id"))
    assert [round(i.strength, 2) for i in items] == sorted(
        [s for _, _, s in EXPECTED_RULES.values()], reverse=True
    )
    typo = next(i for i in items if i.base_record_id == planted["typo"])
    d = typo.details
    assert d["edit"] == {"op": "substitution", "position": 15}
    assert "身份证号码相差一处（第 15 位不同）" in d["explanation"]
    assert "姓名相同" in d["explanation"]
    assert d["record"]["name"] == "王建军" and d["voter"]["name"] == "王建军"
    homophone = next(i for i in items if i.base_record_id == planted["homophone"])
    assert homophone.details["record"]["id_masked"] == "4201******"  # a fragment
    assert d["record"]["birth_date"] == d["voter"]["birth_date"] == "1990-05-17"
    assert (
        d["voter"]["id_masked"]
        == number_of(people["typo"])[:4] + "*" * 10 + number_of(people["typo"])[-4:]
    )
    assert d["voter"]["district_name"] == "大智街道第一选区"
    assert typo.district_id == DISTRICT
    assert typo.suggested_action == "check"
    dump = json.dumps([i.details for i in items], ensure_ascii=False)
    assert not re.search(r"\d{15}", dump), "a clear ID number in the details"


def test_nothing_in_the_register_changes(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    before = list(Voter.objects.order_by("pk").values_list("pk", "status", "name", "district_id"))
    run(cast)
    after = list(Voter.objects.order_by("pk").values_list("pk", "status", "name", "district_id"))
    assert before == after


def test_rerunning_queues_nothing_twice_and_dismissed_stay_dismissed(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    run(cast)
    dismissed = ReviewItem.objects.get(base_record_id=planted["one_char"])
    ReviewItem.objects.filter(pk=dismissed.pk).update(status=ReviewStatus.DISMISSED)
    again = run(cast)
    assert again.created == 0 and again.already_queued == len(EXPECTED_RULES)  # type: ignore[attr-defined]
    assert ReviewItem.objects.count() == len(EXPECTED_RULES)
    assert ReviewItem.objects.get(pk=dismissed.pk).status == ReviewStatus.DISMISSED


def test_a_run_is_audited_and_needs_the_base_data_permission(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    run(cast)
    event = AuditEvent.objects.get(action="roster.fuzzy_run")
    assert event.actor == cast.province_staff
    assert event.summary["created"] == len(EXPECTED_RULES)
    county = Region.objects.get(code=COUNTY_CODE)
    for user in (cast.outsider, cast.registrar, cast.county_staff):
        with pytest.raises(ServiceError):
            fuzzy_candidates_run(actor=user, region=county)
    assert ReviewItem.objects.count() == len(EXPECTED_RULES)


def test_residuals_are_the_records_the_exact_check_cannot_place(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    county = Region.objects.get(code=COUNTY_CODE)
    keys = set(residual_records(county, unregistered=True).values_list("pk", flat=True))
    assert planted["clean"] not in keys  # its number is registered
    assert keys == {pk for k, pk in planted.items() if k != "clean"}
    # by default only the records without a valid number (the 15-digit slip is valid)
    default = set(residual_records(county).values_list("pk", flat=True))
    assert default == keys - {planted["legacy_typo"]}
    sibling = Region.objects.get(code=420103000000)
    assert not residual_records(sibling, unregistered=True).exists()


def test_reference_lists_with_a_broken_number_are_matched_too(
    cast: Cast, people: dict[str, Voter]
) -> None:
    deceased = batch(cast.province_staff, SourceKind.DECEASED)
    number = number_of(people["typo"])
    typo = number[:3] + number[4] + number[3] + number[5:]
    record = plant(deceased, "王建军", born=BORN["typo"], sex="M", number=typo, district=None)
    run(cast)
    item = ReviewItem.objects.get(base_record=record)
    assert item.voter_id == people["typo"].pk
    assert item.district_id == people["typo"].district_id  # the voter's district reviews it
    assert item.details["record"]["source"] == "deceased"


def test_every_typo_of_registered_numbers_is_found(
    cast: Cast,
    register_voter: RegisterVoter,  # noqa: F811
) -> None:
    """Exhaustive: each single edit (substitution, swap, missing or extra character) of two
    registered numbers, as residuals, finds its voter by the ID rule."""
    voters = [
        register_voter("马超", id_number=make_number(date(1979, 12, 31), 7, male=True)),
        register_voter("林黛", id_number=make_number(date(2000, 2, 29), 8, male=False)),
    ]
    residuals: list[Residual] = []
    for voter in voters:
        for typo in sorted(single_edits(number_of(voter))):
            residuals.append(
                Residual(
                    key=len(residuals),
                    name="某某",
                    birth_date=voter.birth_date,
                    sex=voter.sex,
                    number=typo,
                    extra={"voter": voter.pk},
                )
            )
    found = engine.find_candidates(residuals, today=TODAY)
    by_key = {c.residual.key: c for c in found if c.id_rule == "id_one_edit"}
    missed = [r.number for r in residuals if r.key not in by_key]
    assert missed == []
    assert all(by_key[r.key].voter.id == r.extra["voter"] for r in residuals)


def test_the_command_prints_counts_and_seconds(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    out = io.StringIO()
    call_command("fuzzy_candidates", "--region", "420102", "--unregistered", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["region"] == "420102"
    assert figures["created"] == len(EXPECTED_RULES)
    assert figures["residuals"] == len(EXPECTED_RULES) + 1
    assert figures["seconds"] >= 0
    assert AuditEvent.objects.get(action="roster.fuzzy_run").actor is None
    text = io.StringIO()
    call_command("fuzzy_candidates", stdout=text)  # the only province with base data
    assert "新增待核查 0 条" in text.getvalue()


def test_the_command_refuses_an_unknown_region(cast: Cast) -> None:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("fuzzy_candidates", "--region", "999999", stderr=err)
    assert exit_.value.code == 1
    assert "找不到代码为“999999”的行政区划" in err.getvalue()


def test_records_loaded_through_the_base_data_import_are_matched(
    cast: Cast, people: dict[str, Voter], load_sheet: LoadSheet
) -> None:
    """The import keeps a row whose only fault is the number (no hash, the text encrypted)
    for the fuzzy matcher to place."""
    number = number_of(people["typo"])
    typo = swap(number, 14)  # in the sequence: the birth date digits stay readable
    assert typo != number
    rows = roster_rows(
        [typo, "王建军", "", "汉族", "大智街道", "三阳社区", ""],
        [number_of(people["clean"]), "吴敏", "", "汉族", "大智街道", "三阳社区", ""],
    )
    run = load_sheet(rows)
    assert run.state == "succeeded", run.message
    result = fuzzy_candidates_run(
        actor=cast.province_staff, region=Region.objects.get(code=COUNTY_CODE)
    )
    assert result.residuals == 1
    item, *others = ReviewItem.objects.order_by("-strength", "id")
    assert item.voter_id == people["typo"].pk
    assert (item.details["id_rule"], item.strength) == ("id_one_edit", 0.95)
    assert item.details["record"]["birth_date"] == "1990-05-17"
    # the same typo is one edit from a neighbour's number too (same birth date and sex, the
    # next sequence): proposed, but far below, its name telling against it
    assert all(o.details["name_rule"] == "different" and o.strength == 0.5 for o in others)


def test_the_review_page_shows_why_and_masks_both_numbers(
    cast: Cast, people: dict[str, Voter], planted: dict[str, int]
) -> None:
    run(cast)
    item = ReviewItem.objects.get(base_record_id=planted["typo"])
    response = cast.client(cast.county_staff).get(f"/roster/review/{item.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "身份证号码相差一处（第 15 位不同）" in html
    assert number_of(people["typo"]) not in html
    assert cast.client(cast.outsider).get(f"/roster/review/{item.pk}/").status_code == 404
