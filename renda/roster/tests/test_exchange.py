"""The cross-province hash exchange: the file format, export, import, and a real exchange
between two databases with different province keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_3, PROVINCE, Cast
from renda.regions.models import Region
from renda.roster.exchange.fileformat import (
    MAGIC,
    ExchangeFileError,
    ExchangeKey,
    intersect,
    read_file,
    sorted_records,
    write_file,
)
from renda.roster.exchange.services import exchange_export, exchange_import
from renda.roster.models import ReviewItem, ReviewKind, ReviewStatus
from renda.roster.tests.fuzzy_fixtures import make_number
from renda.voters import pii
from renda.voters.models import Status, Voter
from renda.voters.tests.conftest import RegisterVoter, election, register_voter  # noqa: F401

KEY = ExchangeKey(bytes(range(32)))
BASE_DIR = Path(settings.BASE_DIR)


# --- the file, without a database ------------------------------------------------------------


def test_the_documented_test_vector() -> None:
    """docs/voter-hash-exchange.md gives these values for the key 00 01 … 1f."""
    assert KEY.key_id == hmac.new(KEY.secret, b"renda-vhx/1/key-id", "sha256").digest()[:8].hex()
    record = KEY.hasher()("11010519491231002X")
    assert record == hmac.new(KEY.record_key, b"11010519491231002X", hashlib.sha256).digest()
    doc = (BASE_DIR / "docs" / "voter-hash-exchange.md").read_text()
    assert KEY.key_id in doc
    assert record.hex() in doc


def _file(tmp_path: Path, hashes: list[bytes], key: ExchangeKey = KEY) -> Path:
    path = tmp_path / "theirs.vhx"
    with path.open("wb") as f:
        write_file(f, key, "44", "2026-11-23T10:00:00+08:00", sorted(hashes))
    return path


def _hashes(*numbers: str) -> list[bytes]:
    hasher = KEY.hasher()
    return [hasher(n) for n in numbers]


def test_a_file_round_trips_and_holds_only_hashes(tmp_path: Path) -> None:
    numbers = [make_number(date(1980, 1, 1), i, male=True) for i in range(50)]
    path = _file(tmp_path, _hashes(*numbers) + _hashes(numbers[0]))  # a duplicate is dropped
    read = read_file(path, KEY)
    assert (read.header.province, read.header.count) == ("44", 50)
    assert list(read.records()) == sorted(_hashes(*numbers))
    raw = path.read_bytes()
    assert raw.startswith(MAGIC)
    assert not re.search(rb"[0-9]{15}", raw.split(b"\n", 2)[2])  # no number in the body
    assert len(raw) == len(MAGIC) + raw[len(MAGIC) :].index(b"\n") + 1 + 50 * 32 + 32


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda b: b[:-40] + bytes([b[-40] ^ 1]) + b[-39:], "文件校验码不符"),
        (lambda b: b[:-32], "文件长度与记录数"),
        (lambda b: b"RENDA-VHX 2\n" + b[12:], "文件头不符"),
        (lambda b: b.replace(b'"version": 1', b'"version": 9'), "文件版本 9 不受支持"),
    ],
)
def test_a_damaged_file_is_refused_before_anything_is_used(
    tmp_path: Path, spoil: object, message: str
) -> None:
    path = _file(
        tmp_path, _hashes(*(make_number(date(1970, 5, 5), i, male=False) for i in range(9)))
    )
    path.write_bytes(spoil(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(ExchangeFileError) as error:
        read_file(path, KEY)
    assert message in error.value.message


def test_a_file_made_with_another_key_is_refused(tmp_path: Path) -> None:
    other = ExchangeKey(bytes(32))
    path = _file(tmp_path, _hashes("11010519491231002X"), key=other)
    with pytest.raises(ExchangeFileError) as error:
        read_file(path, KEY)
    assert "密钥" in error.value.message and other.key_id in error.value.message


def test_unsorted_records_are_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, [bytes([2]) * 32, bytes([1]) * 32])
    raw = bytearray(path.read_bytes())
    body = raw.index(b"\n", len(MAGIC)) + 1
    raw[body : body + 64] = bytes([2]) * 32 + bytes([1]) * 32  # swapped; MAC recomputed
    head_and_body = bytes(raw[:-32])
    mac = hmac.new(KEY.file_key, head_and_body, hashlib.sha256).digest()
    path.write_bytes(head_and_body + mac)
    with pytest.raises(ExchangeFileError, match="排序"):
        read_file(path, KEY)


def test_sorting_beyond_memory_and_the_merge_join() -> None:
    records = [hashlib.sha256(str(i).encode()).digest() for i in range(1000)]
    assert list(sorted_records(iter(records), 32, run_records=64)) == sorted(records)
    ours = sorted(r + i.to_bytes(8, "big") for i, r in enumerate(records[:600]))
    theirs = sorted([*records[400:], bytes(32)])
    both = {r[:32] for r in intersect(ours, theirs)}
    assert both == set(records[400:600])


def test_key_files(tmp_path: Path) -> None:
    good = tmp_path / "key"
    good.write_text("# agreed 2026-11-01 with 广东省\n" + base64.b64encode(KEY.secret).decode())
    assert ExchangeKey.from_file(good) == KEY
    short = tmp_path / "short"
    short.write_text(base64.b64encode(b"x" * 16).decode())
    with pytest.raises(ServiceError, match="32 字节"):
        ExchangeKey.from_file(short)
    with pytest.raises(ServiceError, match="无法读取"):
        ExchangeKey.from_file(tmp_path / "missing")
    assert len(base64.b64decode(ExchangeKey.generate())) == 32


# --- export and import on the test database --------------------------------------------------


@pytest.fixture
def hubei(cast: Cast, register_voter: RegisterVoter) -> dict[str, Voter]:  # noqa: F811
    """Registered here: three who are also registered in 广东, one only here, and one
    certified out (a migrant who may register in 广东 with our certificate)."""
    people = {
        "both_1": ("刘备", make_number(date(1961, 7, 16), 1, male=True)),
        "both_2": ("关羽", make_number(date(1962, 8, 17), 2, male=True)),
        "both_3": ("貂蝉", make_number(date(1990, 9, 18), 3, male=False)),
        "only_here": ("诸葛亮", make_number(date(1981, 4, 1), 4, male=True)),
        "certified_out": ("黄月英", make_number(date(1983, 5, 2), 5, male=False)),
    }
    voters = {
        key: register_voter(
            name,
            district=DISTRICT_3 if key == "both_3" else DISTRICT,
            id_number=number,
            actor=cast.county_staff,
        )
        for key, (name, number) in people.items()
    }
    # set up directly: issuing a certificate is the certificates module's business
    Voter.objects.filter(pk=voters["certified_out"].pk).update(status=Status.CERTIFIED_OUT)
    return voters


def number_of(voter: Voter) -> str:
    return pii.reveal(voter.id_cipher)


def test_export_writes_every_active_registration_except_certified_out(
    cast: Cast, hubei: dict[str, Voter], tmp_path: Path
) -> None:
    out = tmp_path / "hubei.vhx"
    province = Region.objects.get(code=PROVINCE)
    result = exchange_export(actor=cast.province_staff, key=KEY, out=out, province=province)
    assert result.count == 4 and result.province == "42"
    read = read_file(out, KEY)
    hasher = KEY.hasher()
    expected = sorted(hasher(number_of(v)) for k, v in hubei.items() if k != "certified_out")
    assert list(read.records()) == expected
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    raw = out.read_bytes()
    for voter in hubei.values():
        assert number_of(voter).encode() not in raw
        assert voter.name.encode() not in raw
    event = AuditEvent.objects.get(action="roster.exchange_export")
    assert event.summary == {"key_id": KEY.key_id, "count": 4, "file": "hubei.vhx"}


def test_only_province_staff_with_base_data_rights_exchange(
    cast: Cast, hubei: dict[str, Voter], tmp_path: Path
) -> None:
    province = Region.objects.get(code=PROVINCE)
    for user in (cast.county_staff, cast.registrar, cast.outsider, cast.city_staff):
        with pytest.raises(ServiceError):
            exchange_export(actor=user, key=KEY, out=tmp_path / "x.vhx", province=province)
    with pytest.raises(ServiceError, match="省级"):
        exchange_export(
            actor=None,
            key=KEY,
            out=tmp_path / "x.vhx",
            province=Region.objects.get(code=420100000000),
        )
    assert not (tmp_path / "x.vhx").exists()


def test_our_own_file_is_not_taken_for_another_province(
    cast: Cast, hubei: dict[str, Voter], tmp_path: Path
) -> None:
    province = Region.objects.get(code=PROVINCE)
    out = tmp_path / "hubei.vhx"
    exchange_export(actor=None, key=KEY, out=out, province=province)
    with pytest.raises(ServiceError, match="本省自己导出"):
        exchange_import(actor=None, key=KEY, path=out, province=province)


def test_import_queues_the_people_registered_in_both(
    cast: Cast, hubei: dict[str, Voter], tmp_path: Path
) -> None:
    theirs = [number_of(hubei[k]) for k in ("both_1", "both_2", "both_3", "certified_out")]
    theirs += [make_number(date(1975, 1, 1), i, male=True, address="440106") for i in range(20)]
    path = _file(tmp_path, _hashes(*theirs))
    province = Region.objects.get(code=PROVINCE)
    result = exchange_import(actor=cast.province_staff, key=KEY, path=path, province=province)
    assert (result.other_count, result.our_count, result.in_both) == (24, 4, 3)
    items = ReviewItem.objects.filter(kind=ReviewKind.CROSS_PROVINCE)
    assert {i.voter_id for i in items} == {hubei[k].pk for k in ("both_1", "both_2", "both_3")}
    third = items.get(voter=hubei["both_3"])
    assert third.district_id == DISTRICT_3 and third.status == ReviewStatus.OPEN
    assert third.strength == 1.0 and third.suggested_action == "check"
    assert third.details["other_province"] == "44"
    assert third.details["voter"]["name"] == "貂蝉"
    assert not re.search(r"\d{15}", json.dumps([i.details for i in items]))
    again = exchange_import(actor=cast.province_staff, key=KEY, path=path, province=province)
    assert (again.created, again.already_queued) == (0, 3)
    assert items.count() == 3
    assert AuditEvent.objects.filter(action="roster.exchange_import").count() == 2


# --- two databases ---------------------------------------------------------------------------

OTHER_PROVINCE = """
import json, os
from renda.regions.models import District, Region
from renda.voters import pii
from renda.voters.idnumbers import check_id
from renda.voters.models import Voter
from renda.voters.names import pinyin_of

Region.objects.bulk_create([
    Region(code=440000000000, name="广东省", level=1),
    Region(code=440100000000, name="广州市", level=2, parent_id=440000000000),
    Region(code=440106000000, name="天河区", level=3, parent_id=440100000000),
    Region(code=440106001000, name="五山街道", level=4, parent_id=440106000000),
])
district = District.objects.create(code=440106001001, township_id=440106001000, name="第一选区")
for number, name in json.loads(os.environ["VHX_PEOPLE"]):
    check = check_id(number)
    sealed = pii.seal(check.normalized)
    full, initials = pinyin_of(name)
    Voter.objects.create(
        id_hash=sealed.hash, id_cipher=sealed.cipher, name=name, name_pinyin=full,
        name_initials=initials, sex=check.sex, birth_date=check.birth_date, district=district,
        source="demo",
    )
"""


def _other_province_env(var_dir: Path) -> dict[str, str]:
    """广东's own installation: its own SQLite file and its own province keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENDA_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="",
        RENDA_VAR_DIR=str(var_dir),
        RENDA_SECRET_KEY="another-province-secret-key-0123456789abcdefghij",
        RENDA_DATA_KEY=base64.b64encode(b"D" * 32).decode(),
        RENDA_ID_HASH_KEY=base64.b64encode(b"H" * 32).decode(),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 — our own manage.py, fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_exchange_between_two_databases(
    cast: Cast, hubei: dict[str, Voter], tmp_path: Path
) -> None:
    """湖北 (this test database) and 广东 (a second installation: another process, its own
    SQLite database and its own province keys, sharing only the exchange key) swap files;
    each finds the people registered in both, and only them."""
    key_file = tmp_path / "exchange.key"
    key_file.write_text(base64.b64encode(KEY.secret).decode() + "\n")
    guangdong = tmp_path / "guangdong"
    env = _other_province_env(guangdong)
    people = [(number_of(hubei[k]), hubei[k].name) for k in ("both_1", "both_2", "both_3")]
    people.append(
        (number_of(hubei["certified_out"]), "黄月英")
    )  # registered there by our certificate
    people += [
        (make_number(date(1970 + i, 2, 3), i, male=bool(i % 2), address="440106"), f"广{i}")
        for i in range(5)
    ]
    env["VHX_PEOPLE"] = json.dumps(people)
    _manage(env, "migrate", "-v0")
    _manage(env, "shell", "-c", OTHER_PROVINCE)
    theirs_path = tmp_path / "guangdong.vhx"
    exported = json.loads(
        _manage(
            env, "exchange_export", "--key-file", str(key_file), "--out", str(theirs_path), "--json"
        )
    )
    assert exported["province"] == "44" and exported["count"] == 9
    # the two installations hash ID numbers under different province keys
    with sqlite3.connect(guangdong / "renda.sqlite3") as db:
        their_hashes = {bytes(h) for (h,) in db.execute("SELECT id_hash FROM voters_voter")}
    assert not their_hashes & {bytes(v.id_hash) for v in hubei.values()}

    out = io.StringIO()
    call_command(
        "exchange_import", str(theirs_path), "--key-file", str(key_file), "--json", stdout=out
    )
    figures = json.loads(out.getvalue())
    assert figures["other_province"] == "44"
    assert (figures["other_count"], figures["our_count"], figures["in_both"]) == (9, 4, 3)
    queued = set(
        ReviewItem.objects.filter(kind=ReviewKind.CROSS_PROVINCE).values_list("voter_id", flat=True)
    )
    assert queued == {hubei[k].pk for k in ("both_1", "both_2", "both_3")}

    # and the other way: 广东 imports ours and finds the same three people
    ours_path = tmp_path / "hubei.vhx"
    call_command(
        "exchange_export",
        "--key-file",
        str(key_file),
        "--out",
        str(ours_path),
        stdout=io.StringIO(),
    )
    answer = json.loads(
        _manage(env, "exchange_import", str(ours_path), "--key-file", str(key_file), "--json")
    )
    assert (answer["other_province"], answer["in_both"], answer["created"]) == ("42", 3, 3)
