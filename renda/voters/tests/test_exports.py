"""The register on paper: posted list (PDF, Excel), voter cards and certificates print the
Chinese names with an embedded font, and no ID number ever reaches a page or a cell."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject
from python_calamine import CalamineWorkbook

from renda.core.testing import DISTRICT, Cast
from renda.regions.models import District
from renda.voters import fonts
from renda.voters.exports import (
    QR_BORDER,
    certificate_pdf,
    cn_number,
    posted_list_pdf,
    posted_list_xlsx,
    voter_cards_pdf,
)
from renda.voters.models import Election, RemovalReason, Voter, VoterList
from renda.voters.services.certificates import certificate_issue, certificate_revoke
from renda.voters.services.publication import list_publish_first, list_publish_supplement
from renda.voters.services.register import voter_remove
from renda.voters.tests.conftest import RegisterVoter, make_id

# Given names with characters that name-printing systems get wrong, and a minority name.
PEOPLE = [
    ("李堃", date(1990, 5, 17), True, "一组"),
    ("王喆", date(1985, 1, 2), True, "一组"),
    ("赵昇", date(1972, 11, 30), True, "二组"),
    ("钱赟", date(2001, 3, 4), False, "二组"),
    ("孙淼", date(1999, 7, 8), False, "三组"),
    ("周犇", date(1966, 2, 28), True, "三组"),
    ("吴燚", date(1958, 9, 9), True, "=1+1"),  # a formula in disguise
    ("郑镕", date(1980, 12, 1), True, "四组"),
    ("冯珺", date(1993, 6, 6), False, "四组"),
    ("陈琇", date(1977, 4, 14), False, "五组"),
    ("褚玥", date(2004, 10, 10), False, "五组"),
    ("阿依古丽·买买提", date(1988, 8, 8), False, "六组"),
]
NAMES = [name for name, *_ in PEOPLE]
VERIFY_URL = "https://renda.example.gov.cn/verify/"


@dataclass
class Posted:
    voter_list: VoterList
    voters: list[Voter]
    ids: list[str]


@pytest.fixture
def posted(cast: Cast, election: Election, register_voter: RegisterVoter) -> Posted:
    ids, voters = [], []
    for name, born, male, group in PEOPLE:
        number = make_id(born=born, male=male)
        voters.append(register_voter(name, id_number=number, group=group))
        ids.append(number)
    district = District.objects.get(code=DISTRICT)
    voter_list = list_publish_first(actor=cast.committee, election=election, district=district)
    return Posted(voter_list, voters, ids)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_streams(data: bytes) -> Iterator[bytes]:
    """Every stream of the file, decompressed where it is compressed."""
    reader = PdfReader(io.BytesIO(data))
    numbers = [n for objects in reader.xref.values() for n in objects]
    assert numbers
    for number in numbers:
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            yield obj.get_data()


def assert_no_id(data: bytes, ids: list[str], *, pdf: bool) -> None:
    """Not in the bytes, not in any decompressed stream or zip member, not in the text."""
    layers = [data]
    if pdf:
        layers += list(pdf_streams(data))
        layers.append(pdf_text(data).encode())
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            layers += [archive.read(name) for name in archive.namelist()]
    for number in ids:
        for layer in layers:
            assert number.encode() not in layer
            assert number[:17].encode() not in layer
            assert number.encode("utf-16-be") not in layer


def read_rows(data: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def page_sizes(data: bytes) -> set[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(data))
    return {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages}


def fonts_of(data: bytes) -> list[DictionaryObject]:
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        fonts_here = resources["/Font"].get_object()
        assert isinstance(fonts_here, DictionaryObject)
        for ref in fonts_here.values():
            font = ref.get_object()
            assert isinstance(font, DictionaryObject)
            found.append(font)
    return found


# -- the posted list, PDF -------------------------------------------------------------------


def test_posted_list_pdf_shows_every_name_and_no_id_number(posted: Posted) -> None:
    data = posted_list_pdf(posted.voter_list)
    text = pdf_text(data)
    for name in NAMES:
        assert name in text
    assert "大智街道第一选区选民名单" in text
    assert "湖北省县乡两级人大换届选举" in text
    assert "对名单有不同意见的，可在名单公布之日起五日内向选举委员会提出申诉" in text
    assert "江岸区选举委员会" in text  # a 街道 has no committee of its own (选举法 Art 10)
    assert "第 1 页 共 1 页" in text
    assert "1990.05" in text and "1985.01" in text  # birth year.month, printed as digits
    assert_no_id(data, posted.ids, pdf=True)


def test_posted_list_is_landscape_a4_or_a3(posted: Posted) -> None:
    assert page_sizes(posted_list_pdf(posted.voter_list)) == {(842, 595)}
    assert page_sizes(posted_list_pdf(posted.voter_list, paper="A3")) == {(1191, 842)}


def test_every_font_in_the_pdf_is_embedded(posted: Posted) -> None:
    used = fonts_of(posted_list_pdf(posted.voter_list))
    assert used
    for font in used:
        descriptor = font["/FontDescriptor"].get_object()
        assert isinstance(descriptor, DictionaryObject)
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_ages_are_on_election_day(posted: Posted, election: Election) -> None:
    entry = posted.voter_list.entries.get(name="钱赟")
    day = election.election_day
    assert entry.age == day.year - 2001 - ((day.month, day.day) < (3, 4))
    assert f"钱赟 女 {entry.age} 2001.03" in pdf_text(posted_list_pdf(posted.voter_list))


def test_a_long_list_runs_over_pages_with_page_numbers(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    for i in range(100):
        born = date(1950 + i % 40, 1 + i % 12, 1 + i % 28)
        register_voter(
            f"张{'伟芳娜敏静秀英丽强磊军洋勇艳杰'[i % 15]}{i}", id_number=make_id(born=born)
        )
    district = District.objects.get(code=DISTRICT)
    voter_list = list_publish_first(actor=cast.committee, election=election, district=district)
    data = posted_list_pdf(voter_list)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2  # A4: 2 blocks of 27 rows a page
    assert "第 2 页 共 2 页" in reader.pages[1].extract_text()
    assert "第 1 页 共 2 页" in reader.pages[0].extract_text()
    assert (
        len(PdfReader(io.BytesIO(posted_list_pdf(voter_list, paper="A3"))).pages) == 1
    )  # A3: 3 × 37


def test_a_supplement_says_what_changed(
    cast: Cast, election: Election, posted: Posted, register_voter: RegisterVoter
) -> None:
    newcomer_id = make_id(born=date(2000, 2, 2))
    register_voter("欧阳昳", id_number=newcomer_id, group="七组")
    voter_remove(
        actor=cast.registrar,
        voter=posted.voters[0],
        election=election,
        reason=RemovalReason.DECEASED,
        evidence="死亡证明 2026-001",
    )
    district = District.objects.get(code=DISTRICT)
    supplement = list_publish_supplement(actor=cast.committee, election=election, district=district)
    data = posted_list_pdf(supplement)
    text = pdf_text(data)
    assert "大智街道第一选区选民补充名单（第1号）" in text
    assert "欧阳昳" in text and "增加" in text
    assert "李堃" in text and "删除" in text
    assert_no_id(data, [*posted.ids, newcomer_id], pdf=True)
    rows = read_rows(posted_list_xlsx(supplement))
    assert rows[2][-1] == "变动"
    assert {(r[1], r[-1]) for r in rows[3:5]} == {("欧阳昳", "增加"), ("李堃", "删除")}


# -- the posted list, Excel -----------------------------------------------------------------


def test_posted_list_xlsx_has_title_header_and_rows(posted: Posted) -> None:
    data = posted_list_xlsx(posted.voter_list)
    rows = read_rows(data)
    assert rows[0][0] == "大智街道第一选区选民名单"
    assert "湖北省县乡两级人大换届选举" in str(rows[1][0])
    assert rows[2] == ["序号", "姓名", "性别", "年龄", "出生年月", "村（居）民小组"]
    body = rows[3 : 3 + len(PEOPLE)]
    assert [r[0] for r in body] == list(range(1, len(PEOPLE) + 1))
    assert sorted(r[1] for r in body) == sorted(NAMES)
    li = next(r for r in body if r[1] == "李堃")
    assert li[2:] == ["男", li[3], "1990.05", "一组"]
    assert "五日内向选举委员会提出申诉" in str(rows[-2][0])
    assert_no_id(data, posted.ids, pdf=False)


def test_xlsx_neutralises_formula_like_text(posted: Posted) -> None:
    rows = read_rows(posted_list_xlsx(posted.voter_list))
    wu = next(r for r in rows if r[1] == "吴燚")
    assert wu[5] == "'=1+1"
    with zipfile.ZipFile(io.BytesIO(posted_list_xlsx(posted.voter_list))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no cell is a formula


def test_xlsx_prints_landscape_with_the_header_repeated(posted: Posted) -> None:
    with zipfile.ZipFile(io.BytesIO(posted_list_xlsx(posted.voter_list))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        book = archive.read("xl/workbook.xml").decode()
    assert 'orientation="landscape"' in sheet
    assert 'fitToHeight="0"' in sheet
    assert "_xlnm.Print_Titles" in book and "$3:$3" in book
    assert '<mergeCell ref="A1:F1"/>' in sheet


# -- voter cards ----------------------------------------------------------------------------


def test_voter_cards_one_per_registered_voter(
    cast: Cast, election: Election, posted: Posted
) -> None:
    district = District.objects.get(code=DISTRICT)
    voter_remove(
        actor=cast.registrar,
        voter=posted.voters[1],
        election=election,
        reason=RemovalReason.MOVED_OUT,
    )
    data = voter_cards_pdf(election, district)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2  # 11 registered voters, 8 cards a page
    assert page_sizes(data) == {(595, 842)}
    text = pdf_text(data)
    assert text.count("选民证") == 11
    for name in NAMES:
        assert (name in text) is (name != "王喆")
    assert "420102002001-00001" in text and "420102002001-00011" in text
    assert "大智街道第一选区" in text and "江岸区选举委员会" in text
    assert_no_id(data, posted.ids, pdf=True)


def test_voter_cards_of_an_empty_district_is_one_page_saying_so(election: Election) -> None:
    data = voter_cards_pdf(election, District.objects.get(code=DISTRICT))
    assert "没有已登记的选民" in pdf_text(data)


# -- the certificate ------------------------------------------------------------------------


def test_certificate_shows_person_code_and_qr_but_no_id(
    cast: Cast, election: Election, posted: Posted
) -> None:
    voter = next(v for v in posted.voters if v.name == "孙淼")
    certificate = certificate_issue(actor=cast.registrar, election=election, voter=voter)
    url = VERIFY_URL + certificate.verify_code
    data = certificate_pdf(certificate, url)
    text = pdf_text(data)
    assert "选民资格证明" in text and certificate.number in text
    assert certificate.verify_code in text
    assert "孙淼（女，1999年7月出生）" in text
    assert "湖北省武汉市江岸区大智街道第一选区" in text
    assert_no_id(data, posted.ids, pdf=True)
    assert_qr_encodes(data, url)


def test_a_revoked_certificate_prints_as_void(
    cast: Cast, election: Election, posted: Posted
) -> None:
    certificate = certificate_issue(actor=cast.registrar, election=election, voter=posted.voters[2])
    certificate_revoke(actor=cast.registrar, certificate=certificate, reason="本人撤回申请")
    text = pdf_text(certificate_pdf(certificate, VERIFY_URL + certificate.verify_code))
    assert "已作废" in text


def assert_qr_encodes(data: bytes, url: str) -> None:
    """The page's one image, read module by module, is the QR code of ``url``."""
    (image,) = PdfReader(io.BytesIO(data)).pages[0].images
    assert image.image is not None
    pixels = image.image.convert("L")
    qr = segno.make(url, error="m")
    size = qr.symbol_size(border=QR_BORDER)[0]
    module = pixels.width / size
    for row, bits in enumerate(qr.matrix):
        for col, dark in enumerate(bits):
            x = int((col + QR_BORDER + 0.5) * module)
            y = int((row + QR_BORDER + 0.5) * module)
            value = pixels.getpixel((x, y))
            assert isinstance(value, int)
            assert (value < 128) is bool(dark), (row, col)


# -- the fonts ------------------------------------------------------------------------------


def test_the_font_has_the_rare_name_characters_people_complain_about() -> None:
    assert fonts.missing("堃喆昇赟淼犇燚镕珺琇玥䶮㛃頔昳曌彧垚龑") == ""
    assert fonts.missing("0123456789ABCxX·—") == ""


def test_a_character_no_font_has_prints_as_the_missing_mark(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    assert fonts.missing("王𠇔") == "𠇔"
    register_voter("王𠇔", id_number=make_id(born=date(1970, 1, 1)))
    district = District.objects.get(code=DISTRICT)
    voter_list = list_publish_first(actor=cast.committee, election=election, district=district)
    assert "王〓" in pdf_text(posted_list_pdf(voter_list))


@pytest.mark.parametrize(
    ("days", "text"), [(3, "三"), (5, "五"), (10, "十"), (15, "十五"), (20, "二十")]
)
def test_days_are_written_in_chinese(days: int, text: str) -> None:
    assert cn_number(days) == text


def test_font_files_ship_with_their_licences() -> None:
    names = {p.name for p in fonts.FONT_DIR.iterdir()}
    assert {"DroidSansFallbackFull.ttf", "NotoSans-Regular.ttf"} <= names
    assert {"LICENSE-Apache-2.0.txt", "LICENSE-OFL-1.1.txt", "NOTICE.txt"} <= names
