"""What the printed documents share: Chinese numbers and dates, the committee, the canvas."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.pdfgen.canvas import Canvas

from renda.regions.models import District, Region
from renda.voters import fonts
from renda.voters.models import Election, Levels

P = ParamSpec("P")
R = TypeVar("R")

CN_DIGITS = "零一二三四五六七八九"
PLACEHOLDER_REGIONS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def in_chinese(func: Callable[P, R]) -> Callable[P, R]:
    """Official documents are printed in Chinese whatever language the user browses in."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override("zh-hans"):
            return func(*args, **kwargs)

    return wrapper


def cn_number(n: int) -> str:
    """五, 十, 十五, 二十: how a notice writes a number of days."""
    if 0 <= n < 10:
        return CN_DIGITS[n]
    if 10 <= n < 100:
        tens, ones = divmod(n, 10)
        return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")
    return str(n)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def committee_name(election: Election, district: District) -> str:
    """The election committee that posts the list and signs the papers.

    选举法 Art 10 sets committees up in counties and in townships (乡、民族乡、镇); a 街道 has
    none, so its voters' papers, like those of a county-only election, bear the county's.
    """
    township = district.township
    county = township.parent
    if county is not None and (election.levels == Levels.COUNTY or township.name.endswith("街道")):
        return _("%(place)s选举委员会") % {"place": county.name}
    return _("%(place)s选举委员会") % {"place": township.name}


def district_place(district: District) -> str:
    """The district with its whole region path: 湖北省武汉市江岸区大智街道第一选区."""
    names: list[str] = []
    region: Region | None = district.township
    while region is not None:
        if region.name not in PLACEHOLDER_REGIONS:
            names.append(region.name)
        region = region.parent
    return "".join(reversed(names)) + district.name


def new_canvas(buffer: io.BytesIO, size: tuple[float, float], title: str, author: str) -> Canvas:
    fonts.faces()
    # The initial font goes into every page's preamble: make it an embedded one, not Helvetica.
    canvas = Canvas(
        buffer, pagesize=size, pageCompression=1, initialFontName=fonts.LATIN, lang="zh-CN"
    )
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("Renda 智慧人大")
    return canvas
