"""Amounts of money as the reports write them: "1万", "676万余元", "约44000元", "44,000".

Decimal yuan only, never float: "4.4万" is exactly 44000. The approximate
markers 约/近/余/多/左右 do not change the figure; they set ``is_approximate``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_UNITS = {"": Decimal(1), "万": Decimal(10_000), "亿": Decimal(100_000_000)}
_CENT = Decimal("0.01")
# The model's DecimalField(max_digits=14, decimal_places=2).
MAX_AMOUNT = Decimal("999999999999.99")

_AMOUNT = re.compile(
    r"""^(?P<before>约|近|大约|将近)?
        (?P<number>\d+(?:\.\d+)?)
        (?P<more1>余|多)?
        (?P<unit>万|亿)?
        (?P<more2>余|多)?
        元?
        (?P<after>左右)?$""",
    re.VERBOSE,
)


class Amount(NamedTuple):
    value: Decimal
    is_approximate: bool


def _normalise(text: str) -> str:
    # NFKC turns full-width digits, commas and the yen sign into ASCII ones.
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[\s,_]", "", text)
    text = re.sub(r"^[¥¥]+|人民币", "", text)
    return text


def parse_amount(text: str) -> Amount:
    """Parse a yuan amount; raises ValidationError with a Chinese message."""
    cleaned = _normalise(text)
    if not cleaned:
        raise ValidationError(_("请填写金额。"), code="required")
    if cleaned.startswith(("-", "负", "−")):
        raise ValidationError(_("金额不能为负数。"), code="negative")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValidationError(
            _("无法识别金额“%(text)s”，请填写如“44000”“4.4万元”“约676万元”。") % {"text": text},
            code="invalid",
        )
    try:
        number = Decimal(match["number"])
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise ValidationError(_("无法识别金额。"), code="invalid") from None
    value = (number * _UNITS[match["unit"] or ""]).quantize(_CENT, rounding=ROUND_HALF_UP)
    if value > MAX_AMOUNT:
        raise ValidationError(_("金额过大，请检查单位。"), code="too_large")
    approximate = bool(match["before"] or match["more1"] or match["more2"] or match["after"])
    return Amount(value, approximate)


def format_amount(value: Decimal | None, is_approximate: bool = False) -> str:
    """44000.00 → "44,000元"; 6760000 approximate → "约6,760,000元"."""
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{_('约') if is_approximate else ''}{text}{_('元')}"


def input_text(value: Decimal | None, is_approximate: bool = False) -> str:
    """What an edit form shows in the amount box, parseable again by :func:`parse_amount`."""
    if value is None:
        return ""
    value = Decimal(value)
    text = str(value.quantize(_CENT)).rstrip("0").rstrip(".") if value % 1 else str(int(value))
    return f"约{text}" if is_approximate else text
