"""What the specs share: reading a page or a workbook the way a person would, logging in by the form."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from django.test import Client
from python_calamine import CalamineWorkbook

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def page_text(response: Response) -> str:
    return response.content.decode()


def element_text(response: Response, name: str) -> str:
    """The text of the element marked ``data-testid="name"`` (e.g. a one-time password)."""
    found = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', page_text(response))
    assert found is not None, f"no data-testid={name!r} on the page"
    return found.group(1).strip()


def login(username: str, password: str) -> tuple[Client, Response]:
    """Log in through the real login form (and so through lockout and the audit trail)."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    return client, response


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet of a downloaded workbook, as text."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return [["" if v is None else str(v) for v in row] for row in sheet.to_python()]
