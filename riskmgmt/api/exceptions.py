"""Maps domain errors to the API contract: 409 for transitions, 400 for rules, never 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from riskmgmt.core.errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.status_code == status.HTTP_409_CONFLICT:
            body["missing"] = exc.missing
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def api_not_found(request, *args, **kwargs):
    """Any unknown path under /api/ answers the API's JSON 404, never Django's HTML page."""
    from django.http import JsonResponse

    return JsonResponse({"detail": "Hittades inte."}, status=404)
