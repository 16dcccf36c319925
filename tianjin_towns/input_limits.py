"""Limits on what any request may send, checked before a view sees it (issue 16, point 9).

Free text everywhere has a length limit and refuses NUL: PostgreSQL cannot store a NUL in text, and no one
types one, so a NUL or an oversized field is refused at the door with a 400 naming the field, for pages,
form-encoded API calls and JSON bodies alike. Forms and serializers keep their own, tighter limits (a reason,
a title); these are the ceiling for every field they forget.

- `InputLimitsMiddleware`: query strings and form bodies (url-encoded and multipart, file contents excepted).
- `JSONParser`: the API's parser. A body nested deeper than MAX_JSON_DEPTH, a string with a NUL or longer
  than the limit, or a number beyond a float's range (`1e999999999`, which Python reads as infinity) is a
  400; Python's own recursion limit is never reached (a 100,000-level body).
"""

import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.settings import api_settings

from . import health

MAX_JSON_DEPTH = 32


def max_length() -> int:
    return settings.INPUT_MAX_FIELD_LENGTH


def text_problem(value: str) -> str | None:
    """The reason a single text value is refused, or None."""
    if "\x00" in value:
        return _("不能包含空字符（NUL）。")
    if len(value) > max_length():
        return _("内容过长，最多 %(limit)s 个字符（现有 %(length)s 个）。") % {
            "limit": max_length(),
            "length": len(value),
        }
    return None


def _field_name(key: str) -> str:
    return key.replace("\x00", "\\0")[:100]


def querydict_problems(*querydicts) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for querydict in querydicts:
        for key, values in querydict.lists():
            if "\x00" in key:
                problems[_field_name(key)] = [_("字段名不能包含空字符（NUL）。")]
                continue
            for value in values:
                problem = text_problem(value)
                if problem:
                    problems[_field_name(key)] = [problem]
                    break
    return problems


class InputLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        querydicts = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            querydicts.append(request.POST)  # DRF reads the parsed form from here when the stream is consumed
        problems = querydict_problems(*querydicts)
        if problems:
            return health.bad_request(request, problems=problems)
        return self.get_response(request)


def _check_json(data) -> dict[str, list[str]]:
    """Walk a parsed body without recursion: depth, NUL and length of every string (keys included)."""
    problems: dict[str, list[str]] = {}
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_("JSON 嵌套层级过深（最多 %(depth)s 层）。") % {"depth": MAX_JSON_DEPTH})
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                problem = text_problem(key)
                if problem:
                    problems[_field_name(child)] = [problem]
                else:
                    stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            problem = text_problem(value)
            if problem:
                problems[_field_name(path or api_settings.NON_FIELD_ERRORS_KEY)] = [problem]
        elif isinstance(value, float) and not math.isfinite(value):  # 1e999999999 parses to infinity
            problems[_field_name(path or api_settings.NON_FIELD_ERRORS_KEY)] = [_("数值超出范围。")]
    return problems


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the limits above; NaN and Infinity literals stay refused, as in DRF."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON 嵌套层级过深（最多 %(depth)s 层）。") % {"depth": MAX_JSON_DEPTH}
            ) from None
        problems = _check_json(data)
        if problems:
            raise exceptions.ValidationError(problems)
        return data
