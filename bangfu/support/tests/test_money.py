from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangfu.support.money import format_amount, input_text, parse_amount


@pytest.mark.parametrize(
    "text, value, approximate",
    [
        ("1万", "10000", False),
        ("676万余元", "6760000", True),
        ("约44000元", "44000", True),
        ("44,000", "44000", False),
        ("4.4万元", "44000", False),
        ("1亿元", "100000000", False),
        ("20多万", "200000", True),
        ("近3万元", "30000", True),
        ("10000元左右", "10000", True),
        ("¥12,345.6", "12345.60", False),
        ("１２万", "120000", False),
    ],
)
def test_amount_parsed_as_exact_decimal(text, value, approximate):
    amount = parse_amount(text)
    assert isinstance(amount.value, Decimal)
    assert amount.value == Decimal(value)
    assert amount.is_approximate is approximate


def test_tenths_of_wan_have_no_float_error():
    assert parse_amount("0.1万").value == Decimal("1000.00")
    assert str(parse_amount("4.4万").value) == "44000.00"


@pytest.mark.parametrize("text", ["-5", "-1万", "负500元", "−3"])
def test_negative_amount_refused(text):
    with pytest.raises(ValidationError) as exc:
        parse_amount(text)
    assert exc.value.messages == ["金额不能为负数。"]


@pytest.mark.parametrize("text", ["abc", "1.2.3", "万", "五万", "1万万", "约"])
def test_nonsense_refused_with_chinese_message(text):
    with pytest.raises(ValidationError) as exc:
        parse_amount(text)
    assert "无法识别金额" in exc.value.messages[0]


def test_absurdly_large_amount_refused():
    with pytest.raises(ValidationError):
        parse_amount("99999999亿")


def test_amount_shown_and_reparsed():
    assert format_amount(Decimal("6760000"), True) == "约6,760,000元"
    assert input_text(Decimal("44000.00"), True) == "约44000"
    assert parse_amount(input_text(Decimal("44000.50"))).value == Decimal("44000.50")
