"""Mainland resident ID numbers (GB 11643-1999) and phone numbers: validation and masking."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


class InvalidNumber(ValueError):
    """Raised with a Chinese message the form shows beside the field."""


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised number or raise InvalidNumber."""
    number = normalise_id_number(value)
    if not _ID_RE.match(number):
        raise InvalidNumber("身份证号码应为18位:前17位为数字,最后一位为数字或X。")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidNumber("身份证号码中的出生日期无效。") from None
    if birth.year < 1900 or birth > dt.date.today():
        raise InvalidNumber("身份证号码中的出生日期无效。")
    if check_digit(number[:17]) != number[17]:
        raise InvalidNumber("身份证号码校验位不正确,请核对。")
    return number


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()()]", "", value or "").replace("+86", "", 1)


def validate_phone(value: str) -> str:
    phone = normalise_phone(value)
    if not (_MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone)):
        raise InvalidNumber("请输入有效的手机号码(11位)或带区号的固定电话。")
    return phone


def mask_id_number(number: str) -> str:
    """110101********1234"""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678"""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
