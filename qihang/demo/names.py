"""Names and personal attributes for generated graduates, with realistic frequencies.

Surname shares are rounded from the published distribution of Chinese surnames (the top 100
cover about 85% of the population); given names draw from characters common in names given
in the 1980s and 1990s, by sex. Minority graduates from regions with their own naming
customs (Uyghur, Kazakh, Tibetan) get names in those customs.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Sequence
from typing import Any

# (surname, share in per mille), most common first.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71.5), ("李", 70.0), ("张", 67.0), ("刘", 54.0), ("陈", 46.0), ("杨", 31.0),
    ("黄", 22.0), ("赵", 21.0), ("吴", 20.0), ("周", 19.0), ("徐", 15.0), ("孙", 15.0),
    ("马", 12.0), ("朱", 12.0), ("胡", 11.5), ("郭", 11.0), ("何", 10.5), ("林", 10.0),
    ("高", 10.0), ("罗", 9.0), ("郑", 8.5), ("梁", 8.3), ("谢", 7.0), ("宋", 6.5),
    ("唐", 6.3), ("许", 6.0), ("韩", 5.8), ("冯", 5.6), ("邓", 5.5), ("曹", 5.4),
    ("彭", 5.2), ("曾", 5.0), ("肖", 4.9), ("田", 4.8), ("董", 4.7), ("袁", 4.5),
    ("潘", 4.4), ("于", 4.3), ("蒋", 4.3), ("蔡", 4.2), ("余", 4.1), ("杜", 4.0),
    ("叶", 4.0), ("程", 3.9), ("苏", 3.8), ("魏", 3.7), ("吕", 3.6), ("丁", 3.5),
    ("任", 3.5), ("沈", 3.4), ("姚", 3.3), ("卢", 3.3), ("姜", 3.2), ("崔", 3.1),
    ("钟", 3.0), ("谭", 3.0), ("陆", 2.9), ("汪", 2.9), ("范", 2.8), ("金", 2.8),
    ("石", 2.7), ("廖", 2.6), ("贾", 2.6), ("夏", 2.5), ("韦", 2.5), ("付", 2.4),
    ("方", 2.4), ("白", 2.3), ("邹", 2.3), ("孟", 2.2), ("熊", 2.2), ("秦", 2.1),
    ("邱", 2.1), ("江", 2.0), ("尹", 2.0), ("薛", 1.9), ("闫", 1.9), ("段", 1.8),
    ("雷", 1.8), ("侯", 1.7), ("龙", 1.7), ("史", 1.6), ("陶", 1.6), ("黎", 1.5),
    ("贺", 1.5), ("顾", 1.5), ("毛", 1.4), ("郝", 1.4), ("龚", 1.4), ("邵", 1.3),
    ("万", 1.3), ("钱", 1.3), ("严", 1.2), ("覃", 1.2), ("武", 1.2), ("戴", 1.1),
    ("莫", 1.1), ("孔", 1.1), ("向", 1.0), ("汤", 1.0), ("常", 0.9), ("温", 0.9),
    ("康", 0.8), ("施", 0.8), ("文", 0.8), ("牛", 0.7), ("樊", 0.7), ("葛", 0.7),
    ("邢", 0.6), ("安", 0.6), ("齐", 0.6), ("易", 0.6), ("乔", 0.5), ("伍", 0.5),
    ("庞", 0.5), ("颜", 0.5), ("倪", 0.5), ("庄", 0.5), ("聂", 0.4), ("章", 0.4),
    ("鲁", 0.4), ("岳", 0.4), ("翟", 0.4), ("殷", 0.3), ("詹", 0.3), ("申", 0.3),
    ("欧阳", 0.3), ("耿", 0.3), ("关", 0.3), ("兰", 0.3), ("焦", 0.3), ("俞", 0.3),
    ("左", 0.3), ("柳", 0.3), ("甘", 0.2), ("祝", 0.2), ("包", 0.2), ("宁", 0.2),
    ("尚", 0.2), ("符", 0.2), ("舒", 0.2), ("阮", 0.2), ("柯", 0.2), ("纪", 0.2),
    ("梅", 0.2), ("童", 0.2), ("凌", 0.2), ("毕", 0.2), ("单", 0.2), ("季", 0.2),
    ("裴", 0.2), ("霍", 0.2), ("涂", 0.2), ("成", 0.2), ("苗", 0.2), ("谷", 0.2),
    ("盛", 0.2), ("曲", 0.2), ("翁", 0.2), ("冉", 0.2), ("骆", 0.2), ("蓝", 0.2),
    ("路", 0.2), ("游", 0.2), ("辛", 0.2), ("靳", 0.2), ("管", 0.2), ("柴", 0.2),
    ("司马", 0.05), ("上官", 0.05), ("诸葛", 0.05), ("东方", 0.03), ("皇甫", 0.03),
)  # fmt: skip

# Characters of given names, by sex; a few are used for both.
GIVEN_FEMALE = (
    "婷 静 敏 燕 艳 丽 娟 莉 芳 萍 玲 娜 丹 洁 红 颖 琳 霞 婧 倩 雪 慧 璐 佳 欣 怡 悦 晨 "
    "雨 思 梦 诗 涵 萱 妍 瑶 琪 蕾 薇 彤 馨 艺 婉 菲 露 晓 梅 兰 月 嘉 文 语 若 心 宁 安 "
    "雯 珊 琦 瑾 媛 曼 蓉 宇 乐 可 一 子 清 秋 晴 韵 筱 蕊 舒 然 晗 钰 璇 冰 贝 岚 楠 琴"
).split()
GIVEN_MALE = (
    "伟 强 磊 军 勇 杰 涛 明 超 亮 刚 平 辉 鹏 华 飞 鑫 波 斌 宇 浩 凯 健 俊 帆 帅 旭 宁 "
    "龙 林 乐 晨 阳 昊 然 博 文 轩 睿 哲 子 一 天 泽 航 翔 铭 毅 峰 锋 楠 成 志 斌 晖 恒 "
    "源 远 彬 鸣 弘 琛 嘉 骏 逸 豪 岩 钧 翰 晟 煜 炜 诚 立 东 海 洋 川 松 青 坤 亦 星"
).split()
# Reduplicated names (婷婷, 晶晶) are common for girls, rare for boys.
REDUPLICATED_FEMALE = "婷 晶 莹 欣 佳 菲 露 丹 琳 璐 倩 洁".split()

# Names in their own customs, for graduates from Xinjiang and Tibet who belong to these peoples.
UYGHUR_FEMALE = "阿依努尔 古丽娜尔 迪丽努尔 热依拉 米热古丽 阿依古丽 努尔阿依 帕提古丽".split()
UYGHUR_MALE = "艾力 买买提 阿不都 艾尔肯 努尔兰 吐尔逊 阿力木 伊力哈木".split()
UYGHUR_FATHER = "艾合买提 吐尔洪 阿不力孜 买买提 热合曼 阿布都 肉孜 艾山".split()
KAZAKH_FEMALE = "阿依登 古丽米拉 阿娜尔 加娜尔".split()
KAZAKH_MALE = "叶尔兰 努尔波拉提 别克 哈力木".split()
KAZAKH_FATHER = "吾拉孜 哈森 叶尔肯 胡安".split()
TIBETAN_FEMALE = "卓玛 央金 拉姆 曲珍 德吉 白玛 格桑 次仁 仁增".split()
TIBETAN_MALE = "扎西 次仁 多吉 旦增 格桑 平措 尼玛 顿珠 索朗".split()

# Ethnicity by origin province: (share of minorities among graduates from there, [(people,
# weight)]). Provinces not listed: 3% minorities, mostly 回族 and 满族.
MINORITIES: dict[str, tuple[float, tuple[tuple[str, int], ...]]] = {
    "15": (0.25, (("蒙古族", 8), ("满族", 2), ("回族", 1))),
    "21": (0.12, (("满族", 6), ("蒙古族", 1), ("朝鲜族", 1))),
    "22": (0.08, (("朝鲜族", 4), ("满族", 3), ("蒙古族", 1))),
    "23": (0.04, (("满族", 3), ("朝鲜族", 1))),
    "13": (0.04, (("满族", 3), ("回族", 2))),
    "43": (0.12, (("土家族", 5), ("苗族", 4), ("侗族", 2), ("瑶族", 1))),
    "42": (0.05, (("土家族", 6), ("苗族", 1))),
    "45": (0.35, (("壮族", 10), ("瑶族", 2), ("侗族", 1))),
    "46": (0.12, (("黎族", 5),)),
    "50": (0.06, (("土家族", 5), ("苗族", 2))),
    "51": (0.06, (("彝族", 5), ("藏族", 3), ("羌族", 1))),
    "52": (0.30, (("苗族", 5), ("布依族", 4), ("侗族", 3), ("土家族", 2), ("彝族", 1))),
    "53": (0.30, (("彝族", 5), ("白族", 3), ("哈尼族", 2), ("傣族", 2), ("纳西族", 1))),
    "54": (0.85, (("藏族", 10),)),
    "62": (0.08, (("回族", 5), ("藏族", 2), ("东乡族", 1))),
    "63": (0.40, (("藏族", 5), ("回族", 4), ("土族", 2), ("撒拉族", 1))),
    "64": (0.30, (("回族", 10),)),
    "65": (0.45, (("维吾尔族", 8), ("哈萨克族", 3), ("回族", 2), ("蒙古族", 1))),
}
OTHER_MINORITIES: tuple[tuple[str, int], ...] = (("回族", 3), ("满族", 2), ("蒙古族", 1))
DEFAULT_MINORITY_SHARE = 0.03

# Political status by degree level: (status, weight).
POLITICAL_STATUS: dict[str, tuple[tuple[str, int], ...]] = {
    "bachelor": (("共青团员", 72), ("中共党员", 8), ("中共预备党员", 6), ("群众", 14)),
    "associate": (("共青团员", 75), ("中共预备党员", 3), ("群众", 22)),
    "master": (("共青团员", 45), ("中共党员", 30), ("中共预备党员", 5), ("群众", 20)),
    "doctor": (("中共党员", 45), ("共青团员", 10), ("群众", 43), ("民主党派", 2)),
}

MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 "
    "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()


def weighted[T](
    rng: random.Random, table: tuple[tuple[T, float], ...] | list[tuple[T, float]]
) -> T:
    """One item of a (item, weight) table."""
    items, cumulative = _cumulative(table) if isinstance(table, tuple) else _split(table)
    return rng.choices(items, cum_weights=cumulative)[0]


def _split(table: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    return [item for item, _w in table], list(itertools.accumulate(w for _item, w in table))


@functools.cache
def _cumulative(table: tuple[tuple[Any, float], ...]) -> tuple[list[Any], list[float]]:
    # Fixed tables (module constants) are split once.
    return _split(table)


class Namer:
    """Makes names; the cumulative surname table is built once."""

    def __init__(self) -> None:
        self._surnames = [s for s, _w in SURNAMES]
        self._surname_weights = [w for _s, w in SURNAMES]

    def han(self, rng: random.Random, *, female: bool) -> str:
        surname = rng.choices(self._surnames, self._surname_weights)[0]
        pool = GIVEN_FEMALE if female else GIVEN_MALE
        roll = rng.random()
        if len(surname) == 2 or roll < 0.16:  # single-character given name
            return surname + rng.choice(pool)
        if female and roll < 0.20:
            return surname + rng.choice(REDUPLICATED_FEMALE) * 2
        first = rng.choice(pool)
        second = rng.choice(pool)
        while second == first:
            second = rng.choice(pool)
        return surname + first + second

    def minority(self, rng: random.Random, *, people: str, female: bool) -> str | None:
        """A name in the people's own custom, or None for a Han-style name."""
        if people == "维吾尔族":
            given = rng.choice(UYGHUR_FEMALE if female else UYGHUR_MALE)
            return f"{given}·{rng.choice(UYGHUR_FATHER)}"
        if people == "哈萨克族":
            given = rng.choice(KAZAKH_FEMALE if female else KAZAKH_MALE)
            return f"{given}·{rng.choice(KAZAKH_FATHER)}"
        if people == "藏族":
            pool = TIBETAN_FEMALE if female else TIBETAN_MALE
            first, second = rng.sample(pool, 2)
            return first + second
        return None

    def ethnicity(self, rng: random.Random, province_prefix: str) -> str:
        share, peoples = MINORITIES.get(province_prefix, (DEFAULT_MINORITY_SHARE, OTHER_MINORITIES))
        if rng.random() >= share:
            return "汉族"
        return weighted(rng, peoples)
