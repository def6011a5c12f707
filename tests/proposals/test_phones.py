"""Phone numbers as clerks type them (issue 16): a valid number keeps the dashes and spaces it was
typed with, a wrong one is told exactly what is wrong, and every form of it is masked in public."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from common.phones import mask_phones
from proposals.validators import PHONE_INVALID, phone_problem, validate_phone

VALID = [
    "0917—4936343",  # em dash, as printed on real letters
    "0917－4936343",  # full-width hyphen-minus
    "0356–2021234",  # en dash
    "0356 2021234",
    "(0356)2021234",
    "0356-2021234转8001",
    "0356-2021234-8001",
    "010-12345678",
    "138 0000 0001",
    "13800000001",
]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_are_accepted_as_typed(number):
    assert phone_problem(number) is None
    validate_phone(number)  # does not raise


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("12345", "手机号应为 11 位数字，这里有 5 位。"),
        ("12800000000", "手机号的第二位应为 3–9。"),
        ("2021234", "电话号码应以 1 开头（手机）或以 0 开头（带区号的固定电话）。"),
        ("0356-20212", "固定电话应为 3–4 位区号加 7–8 位号码（共 10–12 位数字），这里有 9 位。"),
        ("0356-2021234转分机", "电话号码里不能有“分”。"),
        ("电话0356-2021234", "电话号码里不能有“电”。"),
    ],
)
def test_a_wrong_number_is_told_what_is_wrong(number, problem):
    assert phone_problem(number) == problem
    with pytest.raises(ValidationError) as exc:
        validate_phone(number)
    assert exc.value.messages == [problem + str(PHONE_INVALID)]


@pytest.mark.parametrize("number", VALID)
def test_every_valid_form_is_masked_on_public_pages(number):
    assert mask_phones(f"联系电话：{number}。") == "联系电话：＊＊＊。"


def test_a_dash_in_the_prose_is_left_alone():
    assert mask_phones("我们将——按照要求——抓好落实") == "我们将——按照要求——抓好落实"
