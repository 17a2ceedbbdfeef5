"""Importing base data: the roster and reference lists through the batch import's own stages."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from renda.core.testing import CITY, DISTRICT, DISTRICT_2, TOWNSHIP, Cast
from renda.imports.models import ImportRun
from renda.imports.workflow import State
from renda.regions.models import District, Region
from renda.roster.models import BaseBatch, BaseRecord, DistrictMapping, RecordStatus, SourceKind
from renda.roster.tests.conftest import LoadSheet, batch_of, make_id, roster_rows
from renda.voters import pii
from renda.voters.models import Election, VoterTally
from renda.voters.tests.conftest import RegisterVoter

pytestmark = pytest.mark.django_db


def _report(cast: Cast, run: ImportRun) -> list[list[str]]:
    response = cast.client(cast.city_staff).get(f"/imports/{run.pk}/report.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return [[str(v) for v in row] for row in book.get_sheet_by_index(0).to_python()]


def test_a_roster_goes_in_and_bad_rows_are_named_in_chinese(
    cast: Cast, load_sheet: LoadSheet
) -> None:
    good = [make_id(born=date(1970 + i, 3, 1)) for i in range(3)]
    rows = roster_rows(
        [good[0], "张三", "男", "汉族", "大智街道", "三阳社区", "江岸区三阳路1号"],
        [good[1], "李四", "", "汉族", "420102002", "三阳社区", ""],
        [good[2], "王五", "", "", "大智街道", "球场社区", ""],
        [make_id(born=date(2015, 1, 1)), "小孩", "", "汉族", "大智街道", "三阳社区", ""],
        [
            good[0][:17] + ("0" if good[0][17] != "0" else "1"),
            "号错",
            "",
            "汉族",
            "大智街道",
            "三阳社区",
            "",
        ],
        [make_id(), "外乡", "", "汉族", "不存在街道", "三阳社区", ""],
        [make_id(), "", "", "汉族", "大智街道", "三阳社区", ""],
    )
    run = load_sheet(rows)
    assert run.state == State.SUCCEEDED, run.message
    batch = batch_of(run)
    assert (batch.source, batch.accepted, batch.invalid_ids) == (SourceKind.HOUSEHOLD, 4, 1)
    records = {r.name: r for r in BaseRecord.objects.all()}
    assert set(records) == {"张三", "李四", "王五", "号错"}
    zhang = records["张三"]
    assert zhang.township_code == TOWNSHIP and zhang.county_code == 420102000000
    assert zhang.village == "三阳社区" and zhang.household_address == "江岸区三阳路1号"
    assert bytes(zhang.id_hash or b"") == pii.id_hash(good[0])
    assert pii.reveal(zhang.id_cipher or b"") == good[0]  # sealed, never in clear
    assert zhang.status == RecordStatus.EXPECTED and zhang.district_id is None
    wrong = records["号错"]
    assert not wrong.id_valid and wrong.id_hash is None and wrong.id_cipher is not None
    report = {row[2]: row for row in _report(cast, run)[1:]}  # by name
    assert "未满十八周岁" in report["小孩"][-2]
    assert "校验位错误" in report["号错"][-2] and "供人工比对" in report["号错"][-1]
    assert "乡镇“不存在街道”不在“武汉市”范围内" in report["外乡"][-1]
    assert "姓名为空" in report[""][-2]
    assert run.rejected == 3


def test_the_same_county_roster_twice_adds_only_new_people(load_sheet: LoadSheet) -> None:
    people = [[make_id(), f"人{i}", "", "汉族", "大智街道", "三阳社区", ""] for i in range(3)]
    load_sheet(roster_rows(*people[:2]))
    again = load_sheet(roster_rows(*people))
    assert again.state == State.SUCCEEDED, again.message
    assert batch_of(again).accepted == 1 and batch_of(again).skipped == 2
    assert BaseRecord.objects.count() == 3


def test_a_roster_without_a_township_column_is_refused_whole(load_sheet: LoadSheet) -> None:
    run = load_sheet([["公民身份号码", "姓名"], [make_id(), "张三"]])
    assert run.state == State.FAILED
    assert "乡镇（街道）" in run.message
    assert not BaseRecord.objects.exists() and not BaseBatch.objects.exists()


def test_mapping_rules_assign_the_new_records_and_set_expected_counts(
    cast: Cast, election: Election, load_sheet: LoadSheet
) -> None:
    township = Region.objects.get(code=TOWNSHIP)
    DistrictMapping.objects.create(
        township=township, value="三阳社区", district_id=DISTRICT, updated_by=cast.township_staff
    )
    DistrictMapping.objects.create(
        township=township,
        kind="address",
        value="球场路",
        district_id=DISTRICT_2,
        updated_by=cast.township_staff,
    )
    rows = roster_rows(
        [make_id(), "甲", "", "汉族", "大智街道", "三阳社区", "球场路1号"],
        [make_id(), "乙", "", "汉族", "大智街道", "", "江岸区球场路2号"],
        [make_id(), "丙", "", "汉族", "大智街道", "别处", "别处"],
    )
    run = load_sheet(rows)
    assert dict(BaseRecord.objects.values_list("name", "district_id")) == {
        "甲": DISTRICT,  # the village rule wins over the address
        "乙": DISTRICT_2,
        "丙": None,
    }
    assert ["已按规则划入选区", 2] in run.summary
    tallies = dict(
        VoterTally.objects.filter(election=election).values_list("district_id", "expected")
    )
    assert tallies[DISTRICT] == 1 and tallies[DISTRICT_2] == 1


def test_only_province_and_city_staff_may_import_base_data(
    cast: Cast, load_sheet: LoadSheet
) -> None:
    run = load_sheet(
        roster_rows([make_id(), "甲", "", "汉族", "大智街道", "", ""]), actor=cast.county_staff
    )
    assert run.state == State.FAILED and "无权" in run.message
    assert not BaseRecord.objects.exists()
    assert District.objects.filter(code=DISTRICT).exists()


def test_people_already_registered_where_the_roster_puts_them_are_confirmed_at_once(
    cast: Cast, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    """Registration stays valid across elections: most of a new push is registered already."""
    DistrictMapping.objects.create(
        township_id=TOWNSHIP, value="三阳社区", district_id=DISTRICT, updated_by=cast.township_staff
    )
    here, there, new = make_id(), make_id(), make_id()
    registered = register_voter("甲", id_number=here)
    register_voter("乙", district=DISTRICT_2, actor=cast.township_staff, id_number=there)
    run = load_sheet(
        roster_rows(
            [here, "甲", "", "汉族", "大智街道", "三阳社区", ""],
            [there, "乙", "", "汉族", "大智街道", "三阳社区", ""],
            [new, "丙", "", "汉族", "大智街道", "三阳社区", ""],
        )
    )
    statuses = {r.name: (r.status, r.voter) for r in BaseRecord.objects.all()}
    assert statuses == {
        "甲": (RecordStatus.CONFIRMED, registered),
        "乙": (RecordStatus.EXPECTED, None),  # registered in another district: for a person
        "丙": (RecordStatus.EXPECTED, None),
    }
    assert ["其中已在该选区登记（自动确认）", 1] in run.summary


def test_a_gbk_csv_goes_in_and_an_empty_file_is_refused(
    cast: Cast, election: Election, django_capture_on_commit_callbacks: Any
) -> None:
    from renda.core.errors import ServiceError
    from renda.imports.services import import_run_create

    number = make_id()
    text = "公民身份号码,姓名,乡镇（街道）,户籍所在村居\n" + f"{number},张三,大智街道,三阳社区\n"
    options = {"source": "household", "region": CITY, "election": election.pk}
    with django_capture_on_commit_callbacks(execute=True):
        run = import_run_create(
            actor=cast.city_staff,
            kind="base_data",
            region_code=CITY,
            filename="户籍.csv",
            data=text.encode("gbk"),
            options=options,
        )
    run.refresh_from_db()
    assert run.state == State.SUCCEEDED, run.message
    assert BaseRecord.objects.get().name == "张三"
    with pytest.raises(ServiceError, match="空"):
        import_run_create(
            actor=cast.city_staff,
            kind="base_data",
            region_code=CITY,
            filename="空.xlsx",
            data=b"",
            options=options,
        )
