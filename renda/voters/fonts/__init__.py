"""The fonts the printed documents embed, and setting mixed Chinese and Latin text with them.

Droid Sans Fallback has the ideographs (the whole URO and Extension A) but no Latin letters or
digits, so every string is set in runs: digits, Latin and Western punctuation from Noto Sans,
everything else from Droid. A character neither font has (most of CJK Extension B and later,
see docs/decisions/0016) is printed as 〓, the typesetter's mark for a missing character, so
that the registrar sees at once where to write it in by hand.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

CJK = "RendaCJK"
LATIN = "RendaLatin"
MISSING = "〓"
FONT_DIR = Path(__file__).resolve().parent
CJK_FILE = FONT_DIR / "DroidSansFallbackFull.ttf"
LATIN_FILE = FONT_DIR / "NotoSans-Regular.ttf"
FIRST_CJK = 0x2E80  # below this, prefer the Latin face's glyph when it has one

Canvas = Any  # reportlab.pdfgen.canvas.Canvas (untyped)


@dataclass(frozen=True)
class Faces:
    cjk: frozenset[int]
    latin: frozenset[int]


@functools.cache
def faces() -> Faces:
    """Register both faces with ReportLab (once per process) and return their code points."""
    cjk = TTFont(CJK, str(CJK_FILE))
    latin = TTFont(LATIN, str(LATIN_FILE))
    pdfmetrics.registerFont(cjk)
    pdfmetrics.registerFont(latin)
    return Faces(frozenset(cjk.face.charToGlyph), frozenset(latin.face.charToGlyph))


def font_for(char: str) -> str | None:
    code = ord(char)
    have = faces()
    if code in have.latin and (code < FIRST_CJK or code not in have.cjk):
        return LATIN
    if code in have.cjk:
        return CJK
    return None


@functools.cache
def _glyph(char: str) -> tuple[str, str, float]:
    """(font, character to set, advance at 1 pt) for one character of the text."""
    font = font_for(char)
    if font is None:
        if not char.isprintable():
            return (CJK, "", 0.0)
        font, char = CJK, MISSING
    return (font, char, pdfmetrics.stringWidth(char, font, 1))


def missing(text: str) -> str:
    """The characters of ``text`` that neither face can print."""
    return "".join(dict.fromkeys(c for c in text if c.isprintable() and font_for(c) is None))


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, chunk) runs; unprintable characters become 〓."""
    out: list[tuple[str, str]] = []
    for char in text:
        font, glyph, _ = _glyph(char)
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + glyph)
        elif glyph:
            out.append((font, glyph))
    return out


def width(text: str, size: float) -> float:
    return size * sum(_glyph(c)[2] for c in text)


def fit(text: str, size: float, room: float, smallest: float = 5.0) -> float:
    """The largest size up to ``size`` at which ``text`` fits in ``room`` points."""
    wide = width(text, size)
    if wide <= room or wide == 0:
        return size
    return max(smallest, size * room / wide)


def draw(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
    room: float | None = None,
    bold: bool = False,
) -> None:
    """Set ``text`` with its baseline at ``y``; ``room`` shrinks it to fit that width."""
    wide = width(text, size)
    if room is not None and wide > room:
        size, wide = max(5.0, size * room / wide), min(wide, room)
    if align != "left":
        x -= wide if align == "right" else wide / 2
    line = canvas.beginText(x, y)
    if bold:  # neither face has a bold weight: fill and stroke the outlines instead
        line.setTextRenderMode(2)
        canvas.saveState()
        canvas.setLineWidth(size / 30)
    for font, chunk in runs(text):
        line.setFont(font, size)
        line.textOut(chunk)
    canvas.drawText(line)
    if bold:
        canvas.restoreState()


def wrap(text: str, size: float, room: float) -> list[str]:
    """Lines of at most ``room`` points; Chinese breaks between any two characters, but not
    before closing punctuation (避头尾, kept simple)."""
    lines: list[str] = []
    line = ""
    for char in text:
        if line and width(line + char, size) > room and char not in "，。、；：）」』”！？":
            lines.append(line)
            line = ""
        line += char
    if line:
        lines.append(line)
    return lines
