"""Proposed records from the text of a report (plain Python; Django not needed).

A report (simplified or traditional script, possibly with pinyin glosses such as
``報(bào)``) is folded to simplified for analysis; every span reported points
into the ORIGINAL input: ``text[start:end]`` is the span's text.

Nothing here guesses a place: a resolver (for example
``bangfu.regions.services.resolve``) may be passed in, and every candidate it
returns is kept for the user to choose from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import cn2an

from bangfu.lib import textnorm

# ---------------------------------------------------------------- vocabulary

# Activity keywords, longest first, with the ActivityType value they stand for.
ACTIVITY_KEYWORDS: list[tuple[str, str]] = sorted(
    [
        ("送教下乡", "outreach"),
        ("送教", "outreach"),
        ("送课", "lesson_delivery"),
        ("送培", "training_delivery"),
        ("送管理", "management_delivery"),
        ("跟岗", "shadowing"),
        ("同课异构", "parallel_lesson"),
        ("讲座", "lecture"),
        ("现场课", "demo_lesson"),
        ("示范课", "demo_lesson"),
        ("公开课", "demo_lesson"),
        ("听评课", "observation"),
        ("网络教研", "online_research"),
        ("名师工作室", "studio"),
        ("手拉手", "student_exchange"),
        ("视频会议", "video_meeting"),
        ("线上交流", "video_meeting"),
        ("研讨会", "symposium"),
        ("调研", "diagnostic_visit"),
        ("把脉问诊", "diagnostic_visit"),
        ("培训班", "training_class"),
        ("游学", "study_trip"),
        ("比赛", "contest"),
        ("基本功", "basic_skills"),
        ("工作例会", "work_meeting"),
    ],
    key=lambda kv: -len(kv[0]),
)

# Units as written → the folded unit reported.
UNITS = {
    "人次": "人次",
    "批次": "批次",
    "批": "批次",
    "名": "名",
    "位": "名",
    "场": "场",
    "节": "节",
    "次": "次",
    "所": "所",
    "个": "个",
    "项": "项",
}
UNIT_RE = "人次|批次|批|名|位|场|节|次|所|个|项"
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# Chinese numerals count only with these units (三个地区, 一次性 are not records).
CN_UNITS = {"批次", "批", "名", "人次", "所", "场", "节", "项"}
APPROX_BEFORE = ("约", "近", "超过", "逾", "大约")
APPROX_AFTER = ("余", "多", "以上", "左右", "多个")
# A count unit followed by these is something else: 一次性, 3个月, 个人.
UNIT_BLOCKERS = {
    "次": "性数",
    "个": "月人性体字",
    "名": "称字单义誉额",
    "所": "在有以谓属长",
    "场": "所地景合面上",
    "节": "日假约点目",
    "位": "置于",
    "项": "目",
    "批": "准示评复",
}

NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+)"
COUNT_RE = re.compile(
    rf"(?P<pre>约|近|超过|逾|大约)?(?P<num>{NUMBER})\s*(?P<more>余|多)?\s*(?P<unit>{UNIT_RE})"
    rf"(?P<post>以上|左右)?"
)
MONEY_RE = re.compile(
    rf"(?P<pre>约|近|超过|逾|大约)?(?P<num>\d+(?:\.\d+)?|[{CN_DIGITS}]+)\s*(?P<more1>余|多)?"
    r"(?P<mag>万|亿|千)?(?P<more2>余|多)?元"
)
RATIO_RE = re.compile(r"\d+(?:\.\d+)?\s*%")
TARGET_RE = re.compile(
    rf"(?P<kind>不少于|不低于|至少|不超过|达到)\s*(?P<nums>{NUMBER}(?:\s*(?:和|、|及|或)\s*{NUMBER})*)"
    rf"\s*(?P<unit>{UNIT_RE})"
)
PAREN_LIST_RE = re.compile(r"[(]\s*(\d+)\s*[)]")
TOTAL_RE = re.compile(rf"(?:共计|合计|共|总计)\s*(\d+)\s*({UNIT_RE})")

# Pinyin glosses some pages carry after each character: 報(bào).
PINYIN_GLOSS = re.compile(r"(?<=[\u3400-\u9fff?])\([a-zA-Z\u00c0-\u024f\u0300-\u036f]{1,8}\)")

ORG_SUFFIX = (
    "高级中学|中心小学|中心幼儿园|实验小学|实验中学|民族小学|民族中学|附属中学|附属小学|"
    "小学|中学|幼儿园|分园|分校|学校|大学|学院|分院|教育局|教委|教育委员会|集团|公司|职业学校"
)
ORG_RE = re.compile(rf"[\u4e00-\u9fff]{{1,24}}?(?:{ORG_SUFFIX})")
REGION_RE = re.compile(
    r"[\u4e00-\u9fff]{1,10}?(?:自治区|自治州|自治县|自治旗|特区|新区|省|市|州|县|区|旗|镇|乡)"
)
_NUMERAL = re.compile(rf"[\d{CN_DIGITS}]+")
# Bodies of names that are generic (优质学校, 对口地区学校): not a name.
GENERIC_ORG_BODIES = {
    "优质",
    "贫困地区",
    "农村",
    "城郊",
    "两地",
    "对口",
    "对方",
    "区",
    "对口地区",
    "高起点优质",
    "示范性",
    "结对",
    "帮扶",
    "受援",
    "中小",
    "两所",
    "各",
    "本",
    "我",
    "该",
    "全国",
    "新建",
}
# Words that never begin (or belong to) a name: the name starts after them.
NAME_STOP_WORDS = {
    "与",
    "和",
    "及",
    "对",
    "到",
    "赴",
    "在",
    "的",
    "了",
    "是",
    "由",
    "为",
    "将",
    "向",
    "从",
    "等",
    "如",
    "即",
    "并",
    "还",
    "也",
    "已",
    "来自",
    "组织",
    "全国",
    "全省",
    "全市",
    "开展",
    "参加",
    "接待",
    "进行",
    "推进",
    "确立",
    "明确",
    "指派",
    "派出",
    "选派",
    "资助",
    "帮扶",
    "结对",
    "支援",
    "前往",
    "会上",
    "其中",
    "我区",
    "本区",
    "我们",
    "他们",
    "学校",
    "两校",
    "各",
    "以及",
    "同时",
    "通过",
    "根据",
    "代表",
    "校长",
    "园长",
    "教师",
    "老师",
    "积极",
    "引导",
    "承担",
    "担任",
    "区域内",
    "内",
    "当地",
    "援助",
    "支持",
    "落地",
    "得知",
    "这",
    "该",
    "此",
}
KEEP_VERBS = {"附属", "实验", "示范", "希望", "育才", "职业", "技术", "师范", "外语", "实践"}
GENERIC_REGIONS = {
    "地区",
    "城区",
    "社区",
    "辖区",
    "山区",
    "校区",
    "园区",
    "小区",
    "贫困地区",
    "对口地区",
    "帮扶地区",
    "教育发达地区",
    "全省",
    "全市",
    "全国",
    "全区",
    "全县",
    "沿海地区",
    "受援地区",
    "新区",
    "特区",
    "市",
    "县",
    "区",
}
PAIR_WORDS = ("结为", "结对", "帮扶关系", "支援关系", "对口", "共建", "建立")


# ---------------------------------------------------------------- normalising


@dataclass
class Folded:
    """The analysis text and, for each of its characters, the index in the original."""

    original: str
    text: str
    index: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            pos = self.index[start] if start < len(self.index) else len(self.original)
            return pos, pos
        return self.index[start], self.index[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def fold(original: str) -> Folded:
    """Simplified script, NFKC forms, pinyin glosses dropped; offsets kept."""
    dropped = [False] * len(original)
    for m in PINYIN_GLOSS.finditer(original):
        for i in range(m.start(), m.end()):
            dropped[i] = True
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(original):
        if dropped[i]:
            continue
        norm = unicodedata.normalize("NFKC", ch) or ch
        for c in norm:
            chars.append(c)
            index.append(i)
    text = "".join(chars)
    simplified = textnorm.to_simplified(text)
    if len(simplified) != len(text):  # a phrase changed length: convert per character
        simplified = "".join((s if len(s := textnorm.to_simplified(c)) == 1 else c) for c in text)
    return Folded(original, simplified, index)


# ---------------------------------------------------------------- numbers


def to_number(raw: str) -> float | int | None:
    raw = raw.strip()
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?", raw):
            value = float(raw)
        else:
            value = cn2an.cn2an(raw.replace("〇", "零"), "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() else float(value)


# ---------------------------------------------------------------- result types


@dataclass
class Extraction:
    text: str
    activities: list[dict] = field(default_factory=list)
    money: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    ratios: list[dict] = field(default_factory=list)
    pairings: list[dict] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    schools: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "pairings": self.pairings,
            "activities": self.activities,
            "money": self.money,
            "targets": self.targets,
            "ratios": self.ratios,
            "regions": self.regions,
            "schools": self.schools,
        }


# ---------------------------------------------------------------- extractor


def _clause_start(text: str, pos: int, limit: int = 30) -> int:
    floor = max(0, pos - limit)
    for i in range(pos - 1, floor - 1, -1):
        if text[i] in "。;;!?!?\n:,,":
            return i + 1
    return floor


def _activity_type(text: str, pos: int) -> str | None:
    """The activity keyword nearest before ``pos`` in the same clause."""
    start = _clause_start(text, pos)
    best: tuple[int, str] | None = None
    for keyword, value in ACTIVITY_KEYWORDS:
        i = text.rfind(keyword, start, pos)
        if i >= 0 and (best is None or i + len(keyword) > best[0]):
            best = (i + len(keyword), value)
    return best[1] if best else None


class Extractor:
    def __init__(
        self,
        resolve_region: Callable[[str], Iterable] | None = None,
        find_organisations: Callable[[str], Iterable] | None = None,
    ):
        self.resolve_region = resolve_region
        self.find_organisations = find_organisations

    # -- public

    def extract(self, original: str) -> Extraction:
        f = fold(original or "")
        out = Extraction(text=f.original)
        taken: list[tuple[int, int]] = []
        out.money = self._money(f, taken)
        out.ratios = self._ratios(f, taken)
        out.targets = self._targets(f, taken)
        out.activities = self._counts(f, taken)
        out.schools = self._schools(f)
        out.regions = self._regions(f, out.schools)
        out.pairings = self._pairings(f, out.schools, out.regions)
        return out

    # -- helpers

    def _item(self, f: Folded, a: int, b: int, **values) -> dict:
        start, end = f.span(a, b)
        return {**values, "text": f.original[start:end], "start": start, "end": end}

    @staticmethod
    def _overlaps(taken, a, b) -> bool:
        return any(a < tb and ta < b for ta, tb in taken)

    def _money(self, f: Folded, taken) -> list[dict]:
        found = []
        for m in MONEY_RE.finditer(f.text):
            value = to_number(m["num"])
            if value is None or (not m["num"][0].isdigit() and not m["mag"]):
                continue
            mag = {"万": 10_000, "亿": 100_000_000, "千": 1_000, None: 1}[m["mag"]]
            amount = round(value * mag, 2)
            amount = int(amount) if float(amount).is_integer() else amount
            approx = bool(m["pre"] or m["more1"] or m["more2"])
            a = m.start()
            if f.text[max(0, a - 1) : a] == "约":
                a -= 1
                approx = True
            taken.append((m.start(), m.end()))
            found.append(self._item(f, a, m.end(), amount_yuan=amount, approx=approx))
        return found

    def _ratios(self, f: Folded, taken) -> list[dict]:
        found = []
        for m in RATIO_RE.finditer(f.text):
            taken.append((m.start(), m.end()))
            value = to_number(m.group().rstrip("% "))
            found.append(self._item(f, m.start(), m.end(), percent=value))
        return found

    def _targets(self, f: Folded, taken) -> list[dict]:
        found = []
        for m in TARGET_RE.finditer(f.text):
            unit = UNITS[m["unit"]]
            kind = "max" if m["kind"] == "不超过" else "min"
            for n in re.finditer(NUMBER, m["nums"]):
                value = to_number(n.group())
                if value is None:
                    continue
                a = m.start("nums") + n.start()
                found.append(
                    self._item(
                        f,
                        a,
                        m.start("nums") + n.end(),
                        count=value,
                        unit=unit,
                        kind=kind,
                        type=_activity_type(f.text, m.start()),
                        statement=f.original_text(m.start(), m.end()),
                    )
                )
            taken.append((m.start(), m.end()))
        return found

    def _counts(self, f: Folded, taken) -> list[dict]:
        text = f.text
        found = []
        for m in COUNT_RE.finditer(text):
            a, b = m.start(), m.end()
            if self._overlaps(taken, a, b):
                continue
            raw, unit_raw = m["num"], m["unit"]
            is_cn = not raw[0].isdigit()
            nxt = text[b : b + 1]
            if nxt and nxt in UNIT_BLOCKERS.get(unit_raw, ""):
                continue
            if unit_raw == "次" and text[b : b + 2] == "性":
                continue
            before = text[a - 1 : a] if a else ""
            if before == "第" or before.isdigit() or before == ".":
                continue
            if is_cn:
                if unit_raw not in CN_UNITS or raw in ("一", "两", "二") and unit_raw != "批":
                    continue
                # 北京九中, 十八大: a numeral glued to a name is not a count.
                if before and "\u4e00" <= before <= "\u9fff" and before in CN_DIGITS:
                    continue
            value = to_number(raw)
            if not value or isinstance(value, float):
                continue
            approx = bool(m["pre"] or m["more"] or m["post"])
            if before in ("约", "近"):
                a -= 1
                approx = True
            unit = UNITS[unit_raw]
            found.append(
                self._item(
                    f,
                    a,
                    b,
                    type=_activity_type(text, m.start("num")),
                    count=value,
                    unit=unit,
                    approx=approx,
                )
            )
        # 顺平(20)、莫旗(21)、宁城(115) 共计156名: the parts take the total's unit.
        for m in TOTAL_RE.finditer(text):
            window_start = _clause_start(text, m.start(), limit=60)
            window_start = max(window_start, text.rfind("。", 0, m.start()) + 1)
            window_start = max(window_start, text.rfind("\n", 0, m.start()) + 1)
            parts = list(PAREN_LIST_RE.finditer(text, window_start, m.start()))
            if len(parts) < 2:
                continue
            unit = UNITS[m[2]]
            for p in parts:
                found.append(
                    self._item(
                        f,
                        p.start(1),
                        p.end(1),
                        type=_activity_type(text, p.start()),
                        count=int(p[1]),
                        unit=unit,
                        approx=False,
                        part_of=int(m[1]),
                    )
                )
        found.sort(key=lambda item: item["start"])
        return found

    # -- names

    def _trim_name(self, run: str, suffix_len: int) -> str:
        """The name that ends ``run``: jieba tokens back from the end to the first stop word."""
        import jieba.posseg as pseg

        body = run[: len(run) - suffix_len]
        tokens = list(pseg.cut(body)) if body else []
        kept: list[str] = []
        for tok in reversed(tokens):
            word, flag = tok.word, tok.flag
            if word in NAME_STOP_WORDS:
                break
            if word not in KEEP_VERBS and (
                flag[:1] in {"p", "c", "u", "d", "r", "x", "y", "e"}
                or flag in {"v", "vd", "ad", "ul", "uj", "t"}
                or (flag == "m" and _NUMERAL.fullmatch(word) and kept)
            ):
                break
            if word.isdigit():
                break
            kept.append(word)
        return "".join(reversed(kept)) + run[len(run) - suffix_len :]

    def _schools(self, f: Folded) -> list[dict]:
        found: list[dict] = []
        seen_spans: set[tuple[int, int]] = set()
        for m in ORG_RE.finditer(f.text):
            suffix = re.search(rf"(?:{ORG_SUFFIX})$", m.group())
            if f.text[m.end() : m.end() + 1] in ("习", "生", "段", "部"):
                continue
            name = self._trim_name(m.group(), len(suffix.group()))
            body = name[: len(name) - len(suffix.group())]
            if not body or body in GENERIC_ORG_BODIES:
                continue
            a = m.end() - len(name)
            if found and self._back(f, found[-1]["end"]) == a:
                # 北京教育学院石景山分院, 芳草地国际学校远洋小学: one name.
                prev = found.pop()
                a = self._back(f, prev["start"])
                name = f.text[a : m.end()]
            if (a, m.end()) in seen_spans:
                continue
            seen_spans.add((a, m.end()))
            item = self._item(f, a, m.end(), name=name)
            if self.find_organisations is not None:
                item["candidates"] = _describe(self.find_organisations(name))
            found.append(item)
        return found

    @staticmethod
    def _back(f: Folded, original_pos: int) -> int:
        """The analysis index of an original offset (the end of a span maps to one past)."""
        import bisect

        return bisect.bisect_left(f.index, original_pos)

    def _regions(self, f: Folded, schools: list[dict]) -> list[dict]:
        import jieba.posseg as pseg

        text = f.text
        spans: dict[tuple[int, int], str] = {}
        for m in REGION_RE.finditer(text):
            suffix_len = 1
            for s in ("自治区", "自治州", "自治县", "自治旗", "特区", "新区"):
                if m.group().endswith(s):
                    suffix_len = len(s)
            name = self._trim_name(m.group(), suffix_len)
            if name in GENERIC_REGIONS or len(name) < 2 or name.endswith(("地区", "城区", "园区")):
                continue
            if len(name) > 4 and not any(t.flag == "ns" for t in pseg.cut(name[:-suffix_len])):
                continue
            spans[(m.end() - len(name), m.end())] = name
        pos = 0
        for tok in pseg.cut(text):
            if tok.flag == "ns" and len(tok.word) >= 2:
                spans.setdefault((pos, pos + len(tok.word)), tok.word)
            pos += len(tok.word)
        found = []
        for (a, b), name in sorted(spans.items()):
            item = self._item(f, a, b, name=name)
            if self.resolve_region is not None:
                candidates = _describe(self.resolve_region(name))
                if not candidates:
                    continue
                item["candidates"] = candidates
                item["ambiguous"] = len(candidates) > 1
            found.append(item)
        return found

    def _pairings(self, f: Folded, schools: list[dict], regions: list[dict]) -> list[dict]:
        text = f.text
        # Names by their span in the analysis text.
        names: list[tuple[int, int, str, str]] = []
        for kind, items in (("org", schools), ("region", regions)):
            for item in items:
                a = self._back(f, item["start"])
                b = self._back(f, item["end"])
                if b > a:
                    names.append((a, b, item["name"], kind))
        # Longest name wins where names overlap.
        names.sort(key=lambda n: (n[0], -(n[1] - n[0])))
        entities: list[tuple[int, int, str, str]] = []
        for n in names:
            if entities and n[0] < entities[-1][1]:
                if n[1] - n[0] > entities[-1][1] - entities[-1][0] and n[0] == entities[-1][0]:
                    entities[-1] = n
                continue
            entities.append(n)

        found: list[dict] = []

        def add(helper, recipient, a, b):
            if not helper or not recipient or helper == recipient:
                return
            if any(p["helper"] == helper and p["recipient"] == recipient for p in found):
                return
            item = self._item(f, a, b, helper=helper, recipient=recipient)
            if self.resolve_region is not None or self.find_organisations is not None:
                item["helper_candidates"] = self._candidates(helper)
                item["recipient_candidates"] = self._candidates(recipient)
            found.append(item)

        for sent in re.finditer(r"[^。!?!?\n;;]+", text):
            s0, s1 = sent.start(), sent.end()
            ents = [e for e in entities if e[0] >= s0 and e[1] <= s1]
            body = sent.group()
            # A 与 B 结对 / 结为 / 确立…帮扶关系; 与 B 结对的是 A.
            for m in re.finditer("与", body):
                pos = s0 + m.start()
                after = text[pos : min(s1, pos + 60)]
                if not any(w in after for w in PAIR_WORDS):
                    continue
                left = [e for e in ents if e[1] <= pos and pos - e[1] <= 8]
                rights = self._list_after(text, ents, pos + 1, s1)
                if not rights:
                    continue
                tail = text[rights[-1][1] : s1]
                if tail.startswith("结对的是"):
                    helper = next((e for e in ents if e[0] >= rights[-1][1]), None)
                    if helper:
                        for r in rights:
                            add(helper[2], r[2], s0 + m.start(), helper[1])
                    continue
                helpers = [left[-1]] if left else self._subject(ents, pos)
                for h in helpers:
                    for r in rights:
                        add(h[2], r[2], h[0], rights[-1][1])
            # 对 A、B、C 开展/实施…帮扶 (one helper, several recipients).
            for m in re.finditer(
                r"对((?:[\u4e00-\u9fff]{2,14}[、和])*[\u4e00-\u9fff]{2,14}?)(?:等[\u4e00-\u9fff]{0,8})?"
                r"(?:开展|实施|进行)[^。,,]{0,12}帮扶",
                body,
            ):
                helper = [e for e in ents if e[1] <= s0 + m.start()][-1:]
                if not helper:
                    continue
                listed = re.split(r"[、和]", m.group(1))
                start = s0 + m.start(1)
                for name in listed:
                    if len(name) >= 2:
                        add(helper[0][2], name, helper[0][0], start + len(m.group(1)))
            # A… 结对帮扶 B、C (helpers before, recipients after).
            for m in re.finditer(r"结对帮扶", body):
                pos = s0 + m.end()
                rights = self._list_after(text, ents, pos, s1, gap=2)
                lefts = [e for e in ents if e[1] <= s0 + m.start() and e[3] == "org"]
                if not rights or not lefts:
                    continue
                if "与" in text[lefts[-1][1] : s0 + m.start()]:
                    continue
                helpers = self._list_before(text, lefts)
                for h in helpers:
                    for r in rights:
                        add(h[2], r[2], h[0], rights[-1][1])
        return found

    @staticmethod
    def _list_after(text, ents, pos, end, gap=8):
        """Names listed from ``pos`` (A、B和C), allowing a short lead (内蒙古, 16所学校)."""
        out = []
        cursor = pos
        for e in ents:
            if e[0] < cursor or e[1] > end:
                continue
            between = text[cursor : e[0]]
            if out and between == "":  # 长顺县鼓扬镇: one place written as two names
                last = out.pop()
                e = (last[0], e[1], last[2] + e[2], e[3])
            elif out and not re.fullmatch(r"\s*[、和及与]\s*", between):
                break
            if not out and len(between) > gap:
                break
            out.append(e)
            cursor = e[1]
        return out

    @staticmethod
    def _list_before(text, lefts):
        out = [lefts[-1]]
        for e in reversed(lefts[:-1]):
            if re.fullmatch(r"\s*[、和及]\s*", text[e[1] : out[0][0]]):
                out.insert(0, e)
            else:
                break
        return out

    @staticmethod
    def _subject(ents, pos):
        before = [e for e in ents if e[1] <= pos and e[3] == "org"]
        return before[:1]

    def _candidates(self, name: str) -> list[dict]:
        out: list[dict] = []
        if self.find_organisations is not None:
            out += [{**c, "kind": "organisation"} for c in _describe(self.find_organisations(name))]
        if self.resolve_region is not None:
            out += [{**c, "kind": "region"} for c in _describe(self.resolve_region(name))]
        return out


def _describe(objects: Iterable) -> list[dict]:
    out = []
    for obj in list(objects or [])[:10]:
        if isinstance(obj, dict):
            out.append(obj)
        else:
            out.append({"id": getattr(obj, "pk", None), "label": str(obj)})
    return out


def extract(text: str, **resolvers) -> dict:
    """The proposed records of a report as plain data (see :class:`Extraction`)."""
    return Extractor(**resolvers).extract(text).as_dict()
