"""renda import_voters: the CLI contract (one JSON object, exit status, the run row)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from renda.core import privatefiles
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.imports.models import ImportRun
from renda.imports.workflow import State
from renda.voters.idnumbers import check_id
from renda.voters.models import Election, Voter, VoterChange
from renda.voters.tests.importing.commit_sheets import new_id

pytestmark = pytest.mark.django_db

KEYS = [
    "run",
    "rows",
    "accepted",
    "rejected",
    "warnings",
    "conflicts",
    "already_registered",
    "error_report",
    "seconds",
]


def csv_file(folder: Path, people: list[tuple[str, str]], name: str = "名单.csv") -> Path:
    """A sheet as registrars make them: a title row, then the header, then people."""
    lines = ["江岸区大智街道第一选区选民登记表,,,,", "序号,姓名,性别,出生日期,公民身份号码"]
    for n, (who, number) in enumerate(people, start=1):
        check = check_id(number)
        sex = "男" if check.sex == "M" else "女"
        born = check.birth_date.isoformat() if check.birth_date else ""
        lines.append(f"{n},{who},{sex},{born},{number}")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_voters", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def imported(path: Path, election: Election, *extra: str, **kw: Any) -> tuple[int, Any, str]:
    code, out, err = run_cli(
        str(path),
        "--election",
        election.code,
        "--district",
        str(kw.get("district", DISTRICT)),
        "--as",
        kw.get("user", "registrar"),
        "--json",
        *extra,
    )
    return code, json.loads(out) if out.strip() else None, err


def test_json_contract_and_the_run_behind_it(
    cast: Cast, election: Election, tmp_path: Path
) -> None:
    number = new_id()
    wrong = number[:17] + ("1" if number[17] == "0" else "0")  # a wrong check character
    people = [("张三", new_id()), ("李四", new_id()), ("王五", wrong)]
    path = csv_file(tmp_path, people)

    code, figures, err = imported(path, election)

    assert code == 0 and err == ""
    assert list(figures) == KEYS
    assert {k: figures[k] for k in KEYS[1:7]} == {
        "rows": 3,
        "accepted": 2,
        "rejected": 1,
        "warnings": 0,
        "conflicts": 0,
        "already_registered": 0,
    }
    assert isinstance(figures["seconds"], float)
    report = Path(figures["error_report"])
    assert report.is_file() and report.parent == tmp_path and report.suffix == ".xlsx"
    assert report.stat().st_mode & 0o077 == 0
    run = ImportRun.objects.get(pk=figures["run"])
    assert (run.kind, run.state, run.created_by, run.original_name) == (
        "voters",
        State.SUCCEEDED,
        cast.registrar,
        "名单.csv",
    )
    assert (run.total, run.accepted, run.rejected, run.region_code) == (3, 2, 1, DISTRICT)
    assert privatefiles.load(run.report) == report.read_bytes()
    assert set(VoterChange.objects.values_list("import_run", flat=True)) == {run.pk}
    assert set(Voter.objects.values_list("name", flat=True)) == {"张三", "李四"}
    assert AuditEvent.objects.filter(action="voter.import", target_id=str(run.pk)).exists()


def test_the_same_file_again_registers_nobody(
    cast: Cast, election: Election, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, [("张三", new_id()), ("李四", new_id())])
    assert imported(path, election)[1]["accepted"] == 2

    code, figures, _err = imported(path, election)

    assert code == 0
    assert (figures["accepted"], figures["already_registered"]) == (0, 2)
    assert figures["error_report"] == ""  # nothing to report
    assert Voter.objects.count() == 2 and VoterChange.objects.count() == 2


def test_dry_run_writes_no_voter(cast: Cast, election: Election, tmp_path: Path) -> None:
    path = csv_file(tmp_path, [("张三", new_id())])
    code, figures, _err = imported(path, election, "--dry-run")
    assert (code, figures["accepted"]) == (0, 1)
    assert Voter.objects.count() == 0
    assert ImportRun.objects.get(pk=figures["run"]).options["dry_run"] is True


def test_human_output_without_json(cast: Cast, election: Election, tmp_path: Path) -> None:
    path = csv_file(tmp_path, [("张三", new_id())])
    code, out, _err = run_cli(
        str(path), "--election", election.code, "--district", str(DISTRICT), "--as", "registrar"
    )
    assert code == 0 and "已登记 1 人" in out and "新登记: 1" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"user": ""}, "请用 --as 指定"),
        ({"user": "ghost"}, "找不到用户“ghost”"),
        ({"election": "nope"}, "找不到代码为“nope”的换届选举"),
        ({"district": "420102002999"}, "找不到代码为“420102002999”的选区"),
        ({"district": str(DISTRICT_2)}, "您无权在“第二选区”登记选民"),
        ({"path": "missing.csv"}, "无法读取文件"),
    ],
)
def test_refusals_exit_1_with_a_chinese_message(
    cast: Cast, election: Election, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    path = csv_file(tmp_path, [("张三", new_id())])
    args = {
        "path": str(path),
        "election": election.code,
        "district": str(DISTRICT),
        "user": "registrar",
        **change,
    }
    if args["path"] == "missing.csv":
        args["path"] = str(tmp_path / "missing.csv")
    code, out, err = run_cli(
        args["path"],
        "--election",
        args["election"],
        "--district",
        args["district"],
        *(["--as", args["user"]] if args["user"] else []),
        "--json",
    )
    assert (code, out) == (1, "")
    assert message in err
    assert Voter.objects.count() == 0


def test_a_refused_file_fails_its_run(cast: Cast, election: Election, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    code, out, err = run_cli(
        str(path), "--election", election.code, "--district", str(DISTRICT), "--as", "registrar"
    )
    assert (code, out) == (1, "")
    run = ImportRun.objects.get()
    assert run.state == State.FAILED and run.message == err.strip()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs a server")
@pytest.mark.django_db(transaction=True)
def test_the_console_script_prints_exactly_one_json_object(
    cast: Cast, election: Election, tmp_path: Path
) -> None:
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    path = csv_file(tmp_path, [("张三", new_id())])
    command = [sys.executable, "-m", "renda.cli", "import_voters", str(path)]
    command += ["--election", election.code, "--district", str(DISTRICT), "--as", "registrar"]
    done = subprocess.run(  # noqa: S603 — our own console script
        [*command, "--json"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout)) == KEYS and done.stdout.count("\n") <= 1

    refused = subprocess.run(  # noqa: S603
        [*command[:-2], "--as", "outsider", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert (refused.returncode, refused.stdout) == (1, "")
    assert "无权" in refused.stderr
