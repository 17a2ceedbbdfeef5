"""The interface is Chinese by default and fully English after switching the language.

The msgids are Chinese; English comes from locale/en/LC_MESSAGES/django.po, compiled to django.mo.
The last two tests keep that catalogue complete and the compiled .mo in step with the .po.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from renda.core.testing import Cast

PO_FILE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
NAV = re.compile(r"<nav\b[^>]*>.*?</nav>", re.S)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # only key 0 for singular entries
    fuzzy: bool = False
    line: int = 0  # where the entry starts, for messages


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("", 0)

    def append(text: str) -> None:
        assert entry is not None
        name, index = target
        if name == "msgid":
            entry.msgid += text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        else:
            entry.msgstr[index] = entry.msgstr.get(index, "") + text

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is None or entry.msgstr:  # the comments open the next entry
                entry = Entry(line=number)
                entries.append(entry)
            if line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            append(ast.literal_eval(line))
            continue
        if keyword == "msgid" and (entry is None or entry.msgstr):
            entry = Entry(line=number)
            entries.append(entry)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        target = ("msgstr", int(match.group(1))) if match else (keyword, 0)
        append(ast.literal_eval(rest))
    return [e for e in entries if e.msgid]


def test_login_page_is_chinese_by_default(db: None) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="zh-CN"' in page
    assert "登录" in page
    assert "智慧人大" in page


def test_switching_to_english_translates_the_interface(cast: Cast) -> None:
    client = cast.client(cast.county_staff)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/", 302)]

    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Renda" in page
    assert "Regions &amp; districts" in page  # 区划与选区, in the menu and as a card group
    assert "Townships (subdistricts)" in page  # a home-page card
    nav = NAV.search(page)
    assert nav is not None
    menu = nav.group()
    for label in ("Home", "Regions &amp; districts", "Administration", "Accounts", "Import runs"):
        assert label in menu
    assert CJK.findall(menu) == [], menu

    with translation.override("zh-hans"):  # the switch is per session, not global
        assert translation.gettext("首页") == "首页"


def test_every_message_has_an_english_translation() -> None:
    entries = read_po(PO_FILE)
    assert len(entries) > 250
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    empty = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr.values())]
    plural_gaps = [e.msgid for e in entries if e.msgid_plural and sorted(e.msgstr) != [0, 1]]
    assert fuzzy == [], f"fuzzy entries in {PO_FILE}: {fuzzy}"
    assert empty == [], f"untranslated entries in {PO_FILE}: {empty}"
    assert plural_gaps == []
    # Chinese may stay only in quoted examples (“大智街道”) and in the language's own name.
    copied = [
        e.msgid
        for e in entries
        for text in e.msgstr.values()
        if CJK.search(re.sub(r"“[^”]*”", "", text.replace("简体中文", "")))
    ]
    assert copied == [], copied


@pytest.mark.parametrize(
    ("msgid", "english"),
    [("区划与选区", "Regions & districts"), ("首页", "Home"), ("选区登记员", "District registrar")],
)
def test_known_strings(msgid: str, english: str) -> None:
    with translation.override("en"):
        assert translation.gettext(msgid) == english


def test_compiled_catalogue_matches_the_po_file() -> None:
    """Fails when django.po changed but ``manage.py compilemessages`` was not run."""
    stale = []
    with translation.override("en"):
        for e in read_po(PO_FILE):
            if e.msgid_plural is None:
                got = translation.gettext(e.msgid)
                want = e.msgstr[0]
            else:
                got = translation.ngettext(e.msgid, e.msgid_plural, 2)
                want = e.msgstr[1]
            if got != want:
                stale.append(e.msgid)
    assert stale == [], f"django.mo is out of date; run compilemessages: {stale}"
