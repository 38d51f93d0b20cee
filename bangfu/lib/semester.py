"""The Chinese academic calendar: 学年 from September, 第一学期 in autumn.

An academic year is named by the calendar year it starts in (2019 → 2019–2020学年).
第一学期 runs 1 September – 31 January, 第二学期 1 February – 31 August.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

_TERM_NAMES = {1: "第一学期", 2: "第二学期"}
_LABEL = re.compile(r"(\d{4})\s*[-–—~至]\s*(\d{4})\s*学年\s*(第[一二12]学期)?")


class Semester(NamedTuple):
    year: int  # the calendar year the academic year starts in
    term: int  # 1 (autumn) or 2 (spring)

    @property
    def label(self) -> str:
        return f"{self.year}–{self.year + 1}学年{_TERM_NAMES[self.term]}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 9, 1) if self.term == 1 else dt.date(self.year + 1, 2, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + 1, 1, 31) if self.term == 1 else dt.date(self.year + 1, 8, 31)

    def next(self) -> Semester:
        return Semester(self.year, 2) if self.term == 1 else Semester(self.year + 1, 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def academic_year(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def semester_of(day: dt.date) -> Semester:
    year = academic_year(day)
    return Semester(year, 1 if (day.month >= 9 or day.month == 1) else 2)


def year_label(year: int) -> str:
    return f"{year}–{year + 1}学年"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def parse_label(text: str) -> Semester | int | None:
    """'2019-2020学年第一学期' → Semester(2019, 1); '2019–2020学年' → 2019; else None."""
    match = _LABEL.search(text or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        return None
    year = int(match.group(1))
    if not match.group(3):
        return year
    return Semester(year, 1 if match.group(3)[1] in "一1" else 2)
