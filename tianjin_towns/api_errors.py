"""DRF exception handler: service errors become the status codes API.md names, with messages in the user's language."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import security
from .errors import ConflictError


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = DRFValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code in (403, 404) and "request" in context:
        security.log_refusal(context["request"], response.status_code)  # the security log, as for pages
    return response
