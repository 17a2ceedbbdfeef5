"""Synthetic people for the demo register: plausible names, ages, ID numbers and addresses.

Pure and seeded: the same places, count and election day give the same people, and the first
k people of a run of N are the first k of any longer run, so a bigger ``--voters`` only adds.
Nothing here is a real person: names are drawn from common characters, sequences at random.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from renda.voters.bulk import BulkRow
from renda.voters.idnumbers import check_char
from renda.voters.models import ChangeKind, ResidenceKind

SEED = 20_261_001


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Share per mille of the population (2020 census order), then a tail of common surnames.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71),
    ("李", 70),
    ("张", 64),
    ("刘", 54),
    ("陈", 46),
    ("杨", 31),
    ("黄", 22),
    ("赵", 21),
    ("吴", 20),
    ("周", 19),
    ("徐", 16),
    ("孙", 15),
    ("胡", 14),
    ("朱", 13),
    ("高", 12),
    ("林", 11),
    ("何", 11),
    ("郭", 11),
    ("马", 11),
    ("罗", 10),
    ("熊", 9),  # common in Hubei
    *((s, 6) for s in "梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"),
    *((s, 3) for s in "戴夏钟汪田任姜范方石姚谭廖邹涂喻向覃万龚严"),
    *((s, 1.5) for s in "毛邱秦江史顾侯邵孟龙段雷钱汤尹黎易常武乔贺赖文柯"),
    ("欧阳", 1),
    ("司马", 0.3),
    ("上官", 0.2),
    ("诸葛", 0.1),
)
# Tujia families (土家族) in 宜昌 mostly carry these.
TUJIA_SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (s, w) for s, w in zip("向田覃谭彭冉黄张李王", (9, 8, 8, 7, 6, 4, 4, 4, 3, 3), strict=True)
)

# Given-name characters by birth cohort and sex, the commonest first.
GIVEN: dict[tuple[int, bool], str] = {
    (1930, True): "国建明华文志德福忠荣贵发军民祥才林宝有金山春海成生庆英武斌平友云",
    (1930, False): "秀英兰桂珍凤华玉芳淑翠琴梅荣莲素云香金春菊花美娥巧",
    (1960, True): "伟勇军强斌刚平辉杰峰涛波明亮兵红卫东建新华健俊永林海",
    (1960, False): "丽红霞燕玲敏萍静芳艳娟华英琼梅秀红莉琴群慧",
    (1980, True): "磊鹏超浩飞宇杰鑫帅涛亮俊博文凯晨阳翔龙锋斌鸿伟强",
    (1980, False): "婷丹静娟琳倩雪莉洁颖慧晶娜敏佳丽璐芳蕾薇",
    (2000, True): "子浩宇轩博泽睿然俊杰皓航铭晨逸煜梓昊哲瑞嘉豪",
    (2000, False): "欣怡梓涵雨萱诗琪可馨思佳子悦若语一依婉晴雯",
}
SINGLE_CHAR_SHARE = {1930: 0.2, 1960: 0.35, 1980: 0.4, 2000: 0.15}

# 维吾尔族 names: own name · father's name.
UYGHUR_MALE = ("买买提", "艾力", "艾尔肯", "阿不都", "热合曼", "吐尔逊", "伊力哈木", "亚森")
UYGHUR_FEMALE = ("阿依古丽", "古丽娜尔", "热依拉", "米娜瓦尔", "帕提古丽", "阿娜尔", "迪丽拜尔")
UYGHUR_FATHER = ("买买提", "吐尔逊", "艾力", "热合曼", "阿不都拉", "卡德尔", "司马义", "尼亚孜")
TIBETAN = (("扎西", "多吉", "次仁", "平措"), ("卓玛", "央金", "拉姆", "措姆"))
MONGOL = (("巴特尔", "苏和", "额尔敦", "宝音"), ("其其格", "萨仁", "乌兰", "图雅"))

HAN, MONGOL_CODE, HUI, TIBETAN_CODE, UYGHUR, MIAO, MANCHU, TUJIA = 1, 2, 3, 4, 5, 6, 11, 15
# Besides Han and Tujia (set per county), about 1% belong to these groups.
OTHER_GROUPS: tuple[tuple[int, float], ...] = (
    (HUI, 0.3),
    (UYGHUR, 0.25),
    (MIAO, 0.15),
    (MANCHU, 0.1),
    (MONGOL_CODE, 0.1),
    (TIBETAN_CODE, 0.1),
)
TUJIA_SHARE = {420506: 0.11, 420527: 0.14, 420502: 0.03}  # 夷陵, 秭归, 西陵; 0.2% elsewhere

# Adults by age band (18–95), roughly the 2020 census: more in working ages.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (18, 24, 9),
    (25, 34, 19),
    (35, 44, 17),
    (45, 54, 20),
    (55, 64, 16),
    (65, 74, 12),
    (75, 84, 5.5),
    (85, 95, 1.5),
)

# Where people living here away from their household registration come from.
ORIGINS: tuple[tuple[str, str, float], ...] = (
    ("421003", "湖北省荆州市荆州区", 6),
    ("421022", "湖北省荆州市公安县", 5),
    ("421102", "湖北省黄冈市黄州区", 6),
    ("422801", "湖北省恩施土家族苗族自治州恩施市", 5),
    ("420902", "湖北省孝感市孝南区", 6),
    ("420602", "湖北省襄阳市襄城区", 4),
    ("421202", "湖北省咸宁市咸安区", 3),
    ("420528", "湖北省宜昌市长阳土家族自治县", 2),
    ("411302", "河南省南阳市宛城区", 3),
    ("430602", "湖南省岳阳市岳阳楼区", 3),
    ("360102", "江西省南昌市东湖区", 2),
    ("500101", "重庆市万州区", 3),
    ("510107", "四川省成都市武侯区", 2),
)
HOMELANDS = {
    UYGHUR: ("653101", "新疆维吾尔自治区喀什地区喀什市"),
    TIBETAN_CODE: ("540102", "西藏自治区拉萨市城关区"),
    MONGOL_CODE: ("150102", "内蒙古自治区呼和浩特市新城区"),
}
# 夷陵区 was 宜昌县 (420521) until 2001: older cards keep the abolished code.
OLD_CODES = {"420506": ("420521", 1985)}

COMMUNITIES = _words(
    "球场 永清 大智 一元 车站 四唯 新村 后湖 丹水池 二七 百步亭 塔子湖 民意 花桥 友谊 胜利"
)
VILLAGES = _words(
    "桃花 杨林 黄家湾 李家岭 龙潭 石门 青龙 凤凰 柳树 新华 红旗 东风 茶园 金竹 观音 太平"
)
ROADS = _words("中山大道 解放大道 沿江大道 胜利街 黄浦大街 京汉大道 友谊路 武珞路 中南路 建设大道")
WORK_UNITS = _words("区直机关 第一人民医院 长江航运公司 供电公司 第三中学 自来水公司")


@dataclass(frozen=True)
class Place:
    """A demo district and the names its people's addresses need."""

    district_code: int
    district_name: str
    township: str  # 大智街道, 茅坪镇
    county: str  # 6-digit code
    prefix: str  # 湖北省武汉市江岸区
    weight: int  # population
    work_unit: bool = False

    @property
    def urban(self) -> bool:
        return self.township.endswith("街道")


def _cum(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


class PeopleMaker:
    """Makes person after person from one seeded random stream."""

    def __init__(self, places: Sequence[Place], election_day: date, seed: int = SEED) -> None:
        self.rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not secrets
        self.use_places(places)
        self.election_day = election_day
        self.surname_cum = _cum([w for _s, w in SURNAMES])
        self.tujia_cum = _cum([w for _s, w in TUJIA_SURNAMES])
        self.age_cum = _cum([w for _lo, _hi, w in AGE_BANDS])
        self.origin_cum = _cum([w for _c, _n, w in ORIGINS])
        self.used: set[str] = set()

    def use_places(self, places: Sequence[Place]) -> None:
        """Where the next people live (the benchmark fills one district, then a county)."""
        self.places = list(places)
        self.place_cum = _cum([p.weight for p in self.places])

    def pick(self, cum: list[float]) -> int:
        """An index drawn with the weights whose running totals are ``cum``."""
        return min(bisect(cum, self.rng.random() * cum[-1]), len(cum) - 1)

    def people(self, n: int) -> list[BulkRow]:
        return [self.person() for _ in range(n)]

    def person(self) -> BulkRow:
        rng = self.rng
        place = self.places[self.pick(self.place_cum)]
        male = rng.random() < 0.51
        born = self.birth_date()
        age = self.election_day.year - born.year
        roll = rng.random()
        kind = (
            ResidenceKind.CERTIFICATE
            if roll < 0.02
            else ResidenceKind.RESIDENT
            if roll < 0.07
            else ResidenceKind.HOUSEHOLD
        )
        ethnicity = self.ethnicity(place)
        name = self.name(ethnicity, male, born.year)
        group, here = self.home(place)
        if kind == ResidenceKind.HOUSEHOLD:
            code, household = self.local_code(place, born), here
        else:
            code, origin = HOMELANDS.get(ethnicity) or ORIGINS[self.pick(self.origin_cum)][:2]
            household = f"{origin}{self.rural_tail()}"
        return BulkRow(
            id_number=self.id_number(code, born, male),
            name=name,
            sex="M" if male else "F",
            birth_date=born,
            district_code=place.district_code,
            kind=(
                ChangeKind.MOVED_IN
                if kind != ResidenceKind.HOUSEHOLD
                else ChangeKind.NEWLY_18
                if age <= 22
                else ChangeKind.REGISTERED
            ),
            ethnicity=ethnicity,
            household_address=household,
            residence_address=here,
            phone=self.phone(),
            group=group,
            residence_kind=kind,
        )

    def birth_date(self) -> date:
        lo, hi, _w = AGE_BANDS[self.pick(self.age_cum)]
        age = self.rng.randint(lo, hi)
        day = self.election_day
        # The last day someone of this age may be born and still be ``age`` on election day.
        latest = date(day.year - age, day.month, 28 if (day.month, day.day) == (2, 29) else day.day)
        return latest - timedelta(days=self.rng.randrange(365))

    def ethnicity(self, place: Place) -> int:
        roll = self.rng.random()
        tujia = TUJIA_SHARE.get(int(place.county), 0.002)
        if roll < tujia:
            return TUJIA
        roll = (roll - tujia) * 100
        for code, share in OTHER_GROUPS:
            if roll < share:
                return code
            roll -= share
        return HAN

    def name(self, ethnicity: int, male: bool, year: int) -> str:
        rng = self.rng
        if ethnicity == UYGHUR:
            return (
                f"{rng.choice(UYGHUR_MALE if male else UYGHUR_FEMALE)}·{rng.choice(UYGHUR_FATHER)}"
            )
        if ethnicity in (TIBETAN_CODE, MONGOL_CODE):
            pool = (TIBETAN if ethnicity == TIBETAN_CODE else MONGOL)[0 if male else 1]
            return rng.choice(pool) + (rng.choice(pool) if ethnicity == TIBETAN_CODE else "")
        if ethnicity == TUJIA and rng.random() < 0.7:
            surname = TUJIA_SURNAMES[self.pick(self.tujia_cum)][0]
        elif ethnicity == HUI and rng.random() < 0.5:
            surname = rng.choice("马白丁回")
        else:
            surname = SURNAMES[self.pick(self.surname_cum)][0]
        cohort = 2000 if year >= 2000 else 1980 if year >= 1980 else 1960 if year >= 1960 else 1930
        chars = GIVEN[(cohort, male)]
        count = 1 if rng.random() < SINGLE_CHAR_SHARE[cohort] else 2
        # Zipf-like: the first characters of each pool are far more common.
        given = "".join(chars[int(len(chars) * rng.random() ** 2)] for _ in range(count))
        return surname + given

    def local_code(self, place: Place, born: date) -> str:
        old = OLD_CODES.get(place.county)
        if old is not None and born.year < old[1] and self.rng.random() < 0.6:
            return old[0]
        return place.county

    def id_number(self, address: str, born: date, male: bool) -> str:
        """A valid number no one else in the demo holds: odd sequence for men, even for women."""
        seq = self.rng.randrange(500) * 2 + (1 if male else 0)
        stem = f"{address}{born:%Y%m%d}"
        while f"{stem}{seq:03d}" in self.used:
            seq = (seq + 2) % 1000
        first17 = f"{stem}{seq:03d}"
        self.used.add(first17)
        return first17 + check_char(first17)

    def home(self, place: Place) -> tuple[str, str]:
        """(村（居）民小组, address) in ``place``: the group and the address agree."""
        rng = self.rng
        base = f"{place.prefix}{place.township}"
        k, number = rng.randrange(3), rng.randint(1, 999)
        if place.urban:
            community = _pool(COMMUNITIES, place.district_code, k)
            group = f"{community}社区第{rng.randint(1, 12)}居民小组"
            address = f"{base}{community}社区{rng.choice(ROADS)}{number}号"
        else:
            village, team = _pool(VILLAGES, place.district_code, k), rng.randint(1, 9)
            group = f"{village}村{team}组"
            address = f"{base}{village}村{team}组{number % 120 + 1}号"
        if place.work_unit:
            group = f"{_pool(WORK_UNITS, place.district_code, k)}第{rng.randint(1, 6)}小组"
        return group, address

    def rural_tail(self) -> str:
        """村、组、号 of a household registration elsewhere."""
        rng = self.rng
        village = rng.choice(VILLAGES)
        return f"{village}村{rng.randint(1, 9)}组{rng.randint(1, 120)}号"

    def phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return ""
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _pool(words: Sequence[str], salt: int, k: int) -> str:
    """One of three fixed names per district (its communities or villages)."""
    return words[(salt * 7 + k * 5) % len(words)]


def make_people(places: Sequence[Place], n: int, election_day: date) -> list[BulkRow]:
    return PeopleMaker(places, election_day).people(n)
