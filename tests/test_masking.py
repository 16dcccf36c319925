"""The masks of a person's contact details (tianjin_towns.lib.masking; 等保 2.0 个人信息保护, issue 22)."""

import pytest

from tianjin_towns.lib.masking import mask_email, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),  # a mobile keeps its first three and last four digits
        ("138 1234 5678", "138 **** 5678"),  # separators stay where they were
        ("138-1234-5678", "138-****-5678"),
        ("022-23456789", "022-****6789"),  # a landline keeps its area code
        ("0371-12345678", "0371-****5678"),
        ("022-2345678", "022-***5678"),
        ("02223456789", "022****6789"),
        ("23456789", "****6789"),  # no area code: only the last four
        ("+86 138 1234 5678", "+86 138 **** 5678"),  # the country code is not the number
        ("+8613812345678", "+86138****5678"),
        ("12345", "***45"),  # short: at least as many digits hidden as shown
        ("1234", "****"),
    ],
)
def test_a_phone_number_shows_its_ends_and_hides_its_middle(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("empty", ["", None])
def test_no_phone_number_stays_empty(empty):
    assert mask_phone(empty) == ""


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhangsan@example.gov.cn", "z***@example.gov.cn"),  # the first letter and the domain
        ("li@tj.gov.cn", "l***@tj.gov.cn"),
        ("a@example.cn", "***@example.cn"),  # a one-letter name is hidden whole
        (" wang@example.cn ", "w***@example.cn"),
        ("not-an-address", "n***"),
    ],
)
def test_an_email_address_shows_its_first_letter_and_domain(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize("empty", ["", None])
def test_no_email_address_stays_empty(empty):
    assert mask_email(empty) == ""


def test_a_masked_number_keeps_its_length_and_hides_four_digits_or_more():
    for phone in ("13812345678", "022-23456789", "+86 13987654321"):
        assert mask_phone(phone).count("*") >= 4
        assert len(mask_phone(phone)) == len(phone)  # a print layout keeps its width
