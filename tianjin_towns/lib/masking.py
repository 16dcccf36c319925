"""Masks of a person's contact details (等保 2.0 个人信息保护, issue 22): what a page, an API answer or an export
shows of a phone number or an e-mail address to those who may not read it in full
(coordination.contact_permissions decides who). Pure: text in, text out.

A phone number keeps its separators, its first three digits (or its area code) and its last four:
13812345678 → 138****5678, 022-23456789 → 022-****6789. An e-mail address keeps its first letter and its domain:
zhangsan@example.gov.cn → z***@example.gov.cn.
"""

import re

MASK = "*"
# A country code before the number: +86 always (written with or without a space), any other when separated.
_COUNTRY_CODE = re.compile(r"\s*(?:\+86|\+\d{1,3}(?=[\s-]))[\s-]*(?=\d)")
# A landline's area code (022, 0371) written apart from the subscriber number.
_AREA_CODE = re.compile(r"\s*(0\d{2,3})[\s-]")
TAIL_DIGITS = 4
MOBILE_DIGITS = 11


def _kept_head(number: str, digits: int) -> int:
    """How many leading digits stay: the area code of a landline that has one, the first three of a mobile."""
    area = _AREA_CODE.match(number)
    if area and digits - len(area.group(1)) >= 7:  # a whole subscriber number follows the area code
        return len(area.group(1))
    return 3 if digits >= MOBILE_DIGITS else 0


def _kept_tail(digits: int) -> int:
    """How many trailing digits stay: four of a full number, two of a short one (an extension), none of a tiny one,
    so that at least as many digits are hidden as are shown."""
    if digits >= 7:
        return TAIL_DIGITS
    return 2 if digits >= 5 else 0


def mask_phone(text: str | None) -> str:
    """`text` with the middle digits of the number replaced by "*", its separators kept; "" for no number."""
    if not text:
        return ""
    text = str(text)
    country = _COUNTRY_CODE.match(text)
    prefix, number = (text[: country.end()], text[country.end() :]) if country else ("", text)
    digits = sum(char.isdigit() for char in number)
    head, tail = _kept_head(number, digits), _kept_tail(digits)
    shown, seen = [], 0
    for char in number:
        if char.isdigit():
            seen += 1
            hidden = head < seen <= digits - tail
            shown.append(MASK if hidden else char)
        else:
            shown.append(char)
    return prefix + "".join(shown)


def mask_email(text: str | None) -> str:
    """`text` with its local part reduced to its first character and "***" (all of a one-character one)."""
    if not text:
        return ""
    local, at, domain = str(text).strip().partition("@")
    first = local[:1] if len(local) > 1 else ""
    return f"{first}{MASK * 3}{at}{domain}"
