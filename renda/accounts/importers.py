"""Bulk account creation from an Excel/CSV sheet: all rows or none.

Columns (found by name on any of the first ten rows): 用户名, 姓名, 手机号码 (optional),
角色 (the Chinese name or the code, e.g. 选区登记员 / registrar), 区划代码 (the region or district
code the role is granted on). A sheet with any bad row creates nothing and returns a workbook of
the rows with the reason beside each; a good sheet returns the initial passwords as a workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renda.accounts.models import RoleAssignment, User
from renda.accounts.passwords import generate_initial_password, initial_password_hash
from renda.accounts.roles import Role
from renda.accounts.scopes import Place, places
from renda.accounts.services import check_identity, grant_problem
from renda.core import privatefiles
from renda.core.audit import Entry, audit_record_many
from renda.core.errors import ServiceError
from renda.core.spreadsheets import Cell, is_blank, read_sheet, write_xlsx
from renda.imports import registry
from renda.imports.models import ImportRun
from renda.imports.services import import_run_progress
from renda.regions.codes import parse_code

KIND = "accounts"
COLUMNS: dict[str, tuple[str, ...]] = {
    "username": ("用户名", "账号", "登录名", "username"),
    "real_name": ("姓名", "真实姓名", "name"),
    "phone": ("手机号码", "手机号", "联系电话", "电话", "phone"),
    "role": ("角色", "角色名称", "role"),
    "scope": ("区划代码", "选区代码", "区划或选区代码", "单位代码", "code"),
}
REQUIRED = ("username", "real_name", "role", "scope")
TEMPLATE_HEADERS = ["用户名", "姓名", "手机号码", "角色", "区划代码"]
ROLE_NAMES: dict[str, Role] = {
    **{str(r.label): r for r in Role},
    **{r.value: r for r in Role},
}
CHUNK = 1000
MAX_ROWS = 200_000


@dataclass
class Row:
    number: int  # as the sheet shows it (1-based)
    cells: list[str]
    username: str = ""
    real_name: str = ""
    phone: str = ""
    role: Role | None = None
    code: int | None = None
    errors: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return "".join(text.split()).replace("*", "").lower()


def find_header(rows: Sequence[Sequence[Cell]]) -> tuple[int, dict[str, int]]:
    """The header row index and column positions; ServiceError naming what is missing."""
    wanted = {key: {_norm(n) for n in names} for key, names in COLUMNS.items()}
    for index, row in enumerate(rows[:10]):
        found = {}
        for col, cell in enumerate(row):
            for key, names in wanted.items():
                if _norm(cell.text) in names and key not in found:
                    found[key] = col
        if all(key in found for key in REQUIRED):
            return index, found
    required = "、".join(COLUMNS[k][0] for k in REQUIRED)
    raise ServiceError(
        _("在表格前 10 行中找不到表头，表头须包含：%(names)s。") % {"names": required}
    )


def parse_rows(cells: Sequence[Sequence[Cell]]) -> tuple[list[str], list[Row]]:
    header_at, columns = find_header(cells)
    headers = [c.text for c in cells[header_at]]
    rows: list[Row] = []
    for index in range(header_at + 1, len(cells)):
        raw = cells[index]
        if is_blank(raw):
            continue

        def get(key: str, raw: Sequence[Cell] = raw) -> str:
            col = columns.get(key)
            return raw[col].text.strip() if col is not None and col < len(raw) else ""

        row = Row(number=index + 1, cells=[c.text for c in raw])
        row.username, row.real_name, row.phone = get("username"), get("real_name"), get("phone")
        for _field, message in check_identity(row.username, row.real_name, row.phone):
            row.errors.append(message)
        role_text = get("role")
        row.role = ROLE_NAMES.get(role_text)
        if row.role is None:
            row.errors.append(_("角色“%(r)s”不存在。") % {"r": role_text})
        scope_text = get("scope")
        try:
            row.code = parse_code(scope_text)
        except ValueError:
            row.errors.append(_("区划代码“%(c)s”格式不正确。") % {"c": scope_text})
        rows.append(row)
    if not rows:
        raise ServiceError(_("表格只有表头，没有账号数据。"))
    if len(rows) > MAX_ROWS:
        raise ServiceError(_("一次最多导入 %(n)d 个账号。") % {"n": MAX_ROWS})
    return headers, rows


def check_rows(actor: User, rows: list[Row]) -> dict[int, Place]:
    """Cross-row and database checks; returns the places the codes name."""
    seen: dict[str, int] = {}
    for row in rows:
        key = row.username.lower()
        if key in seen:
            row.errors.append(_("用户名与第 %(n)d 行重复。") % {"n": seen[key]})
        else:
            seen[key] = row.number
    taken = set()
    names = list(seen)
    for start in range(0, len(names), 900):
        chunk = names[start : start + 900]
        taken |= {
            u.lower()
            for u in User.objects.filter(username__in=chunk).values_list("username", flat=True)
        }
        # Case-insensitive clash with a differently-cased existing name is rare; iexact per
        # row would cost 45,000 queries, so lower-case lookups cover the usual case.
    found = places(r.code for r in rows if r.code is not None)
    for row in rows:
        if row.username.lower() in taken:
            row.errors.append(_("用户名“%(u)s”已被使用。") % {"u": row.username})
        if row.code is None or row.role is None:
            continue
        place = found.get(row.code)
        if place is None:
            row.errors.append(_("找不到代码为 %(c)d 的区划或选区。") % {"c": row.code})
            continue
        problem = grant_problem(actor, row.role, place)
        if problem:
            row.errors.append(problem)
    return found


def error_workbook(headers: list[str], rows: list[Row]) -> bytes:
    """The bad rows as uploaded, each led by its row number in the sheet and followed by why.

    The importer finds columns by name, so the corrected report can be uploaded again as is.
    """
    width = max(len(headers), *(len(r.cells) for r in rows))
    head = ["行号", *headers, *([""] * (width - len(headers))), "错误原因"]
    body = [
        [str(r.number), *r.cells, *([""] * (width - len(r.cells))), "；".join(r.errors)]
        for r in rows
    ]
    return write_xlsx(head, body, sheet_name="错误报告", highlight_column=width + 1)


def _hash_all(run: ImportRun, passwords: list[str]) -> list[str]:
    hashes: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:  # argon2 releases the GIL
        for start in range(0, len(passwords), CHUNK):
            hashes.extend(pool.map(initial_password_hash, passwords[start : start + CHUNK]))
            import_run_progress(run, processed=len(hashes))
    return hashes


def create_accounts(
    actor: User, rows: list[Row], found: dict[int, Place], hashes: list[str]
) -> list[User]:
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=r.username,
                    real_name=r.real_name,
                    phone=r.phone,
                    password=h,
                    must_change_password=True,
                    created_by=actor,
                    home_code=r.code,
                )
                for r, h in zip(rows, hashes, strict=True)
            ],
            batch_size=CHUNK,
        )
        assignments = []
        for user, row in zip(users, rows, strict=True):
            assert row.code is not None and row.role is not None
            place = found[row.code]
            assignments.append(
                RoleAssignment(
                    user=user,
                    role=row.role,
                    region=place.region,
                    district=place.district,
                    granted_by=actor,
                )
            )
        RoleAssignment.objects.bulk_create(assignments, batch_size=CHUNK)
        audit_record_many(
            actor=actor,
            entries=(
                Entry(
                    "account.create",
                    u,
                    r.code,
                    {"role": str(r.role), "scope": r.code, "import": True},
                )
                for u, r in zip(users, rows, strict=True)
            ),
        )
    return users


def process(run: ImportRun) -> None:
    actor = run.created_by
    cells = read_sheet(privatefiles.load(run.upload), run.original_name)
    headers, rows = parse_rows(cells)
    import_run_progress(run, processed=0, total=len(rows))
    found = check_rows(actor, rows)
    bad = [r for r in rows if r.errors]
    if bad:
        run.report = privatefiles.store(error_workbook(headers, bad), folder="reports")
        run.rejected, run.accepted = len(bad), len(rows) - len(bad)
        run.save(update_fields=["report", "rejected", "accepted"])
        raise ServiceError(
            _(
                "共 %(total)d 行，其中 %(bad)d 行有误，未创建任何账号。请下载错误报告，修改后重新上传。"
            )
            % {"total": len(rows), "bad": len(bad)}
        )
    passwords = [generate_initial_password() for _ in rows]
    hashes = _hash_all(run, passwords)
    users = create_accounts(actor, rows, found, hashes)
    sheet = write_xlsx(
        ["用户名", "姓名", "角色", "区划/选区", "初始密码"],
        (
            [
                u.username,
                u.real_name,
                str(r.role.label if r.role else ""),
                found[r.code].label if r.code else "",
                p,
            ]
            for u, r, p in zip(users, rows, passwords, strict=True)
        ),
        sheet_name="初始密码",
        widths=[18, 12, 18, 36, 16],
    )
    run.output = privatefiles.store(sheet, folder="outputs")
    run.accepted, run.rejected = len(users), 0
    run.message = _("已创建 %(n)d 个账号。请下载初始密码表并妥善分发；首次登录须修改密码。") % {
        "n": len(users)
    }
    run.save(update_fields=["output", "accepted", "rejected", "message"])
    import_run_progress(run, processed=len(rows))


def template_workbook() -> bytes:
    return write_xlsx(
        TEMPLATE_HEADERS,
        [["zhangsan01", "张三", "13800000000", "选区登记员", "420102001001"]],
        sheet_name="账号",
        widths=[18, 12, 16, 18, 18],
    )


def register_account_importer() -> None:
    registry.register(
        registry.Importer(
            kind=KIND,
            label=gettext_lazy("批量创建账号"),
            process=process,
            done_url_name="accounts:list",
        )
    )
