"""Cell values as users type them: Chinese dates and numerals, choice labels (no Django)."""

from __future__ import annotations

import datetime as dt
import re

import cn2an

from bangfu.lib import textnorm


class BadValue(ValueError):
    """The message is shown to the user (Chinese)."""


_CN_DIGITS = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": "0", "○": "0", "O": "0", "o": "0"})
_NUMERIC_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?$")
_CN_DATE = re.compile(r"^(.{2,4}?)年(.{1,3}?)月(.{1,3}?)[日号]?$")
# Excel's day numbers (1900 system) for 1950..2100: a date cell calamine gives as a number.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_RANGE = (18264, 73051)


def _cn_int(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        raise BadValue(text) from None
    if int(value) != value:
        raise BadValue(text)
    return int(value)


def _cn_year(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    digits = "".join(_CN_DIGITS.get(ch, "?") for ch in text)
    if "?" in digits or len(digits) != 4:
        raise BadValue(text)
    return int(digits)


def parse_date(value) -> dt.date | None:
    """2019-05-08, 2019.5.8, 2019/5/8, 2019年5月8日, 二〇一九年五月八日, a date cell; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _EXCEL_RANGE[0] <= value <= _EXCEL_RANGE[1] and int(value) == value:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise BadValue(str(value))
    text = textnorm.to_simplified(str(value)).strip().replace(" ", "")
    try:
        if m := _NUMERIC_DATE.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _CN_DATE.match(text):
            return dt.date(_cn_year(m[1]), _cn_int(m[2]), _cn_int(m[3]))
        return dt.date.fromisoformat(text)
    except (ValueError, BadValue):
        raise BadValue(text) from None


def parse_int(value) -> int | None:
    """31, 31.0, "31", "1,200", "三十一"; None when empty. Negative numbers are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(str(value))
    if isinstance(value, float):
        if int(value) != value:
            raise BadValue(str(value))
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = textnorm.to_simplified(str(value)).strip().replace(",", "").replace(",", "")
        for unit in ("人次", "人", "名", "场", "节", "次", "项"):
            if text.endswith(unit) and len(text) > len(unit):
                text = text[: -len(unit)]
                break
        number = _cn_int(text)
    if number < 0:
        raise BadValue(str(value))
    return number


def choice_lookup(choices) -> dict[str, str]:
    """Folded label (and each part of a label written "a/b") and code → code."""
    table: dict[str, str] = {}
    for code, label in choices:
        if not code:
            continue
        label = str(label)
        for key in (code, label, *label.split("/")):
            table.setdefault(textnorm.fold(key), code)
    return table


def text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


# Characters that make a spreadsheet treat a cell as a formula (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a single quote to a text cell a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
