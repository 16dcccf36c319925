"""What every app's DRF views share to read their input: a serializer validates the query or the body, and a
bad value is a 400 naming the field. (Service errors become status codes in tianjin_towns.api_errors.)"""

from collections.abc import Callable

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def parse_query(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validate query parameters with a serializer; a bad one is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def parse_body(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validate the request's body (JSON or multipart) with a serializer; a bad field is a 400 naming it."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def visible_in_body(loader: Callable, user, pk, perm: str, field: str):
    """An object a POST names in its body, through its permission door `loader(user, pk, perm)`: unseen → 400
    on the field (a 404 would say the URL is wrong), seen without `perm` → 403."""
    try:
        return loader(user, pk, perm)
    except Http404:
        raise serializers.ValidationError({field: [_("对象不存在或无权访问。")]}) from None
