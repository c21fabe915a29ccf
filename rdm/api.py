"""Shared REST API plumbing: one error shape for every endpoint.

Errors follow InvenioRDM: ``{"status": 400, "message": "...", "errors": [{"field": "metadata.title",
"messages": ["..."]}]}``. Services raise Django's ``ValidationError`` (with a dict keyed by dotted field
paths), ``PermissionDenied`` or ``ObjectDoesNotExist``; views stay thin and this handler shapes the answer.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def flatten_errors(detail, prefix=""):
    """Turn nested DRF/Django error details into ``[{"field": "a.b.0.c", "messages": [...]}]``."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = prefix if key in ("non_field_errors", "__all__") else f"{prefix}.{key}" if prefix else key
            errors.extend(flatten_errors(value, name))
        return errors
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        errors = []
        for index, item in enumerate(detail):
            if item:
                errors.extend(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return errors
    messages = detail if isinstance(detail, list) else [detail]
    return [{"field": prefix or None, "messages": [str(message) for message in messages]}]


def validation_error_response(errors, message="A validation error occurred."):
    body = {"status": 400, "message": message, "errors": flatten_errors(errors)}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return validation_error_response(detail)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.APIException):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.ValidationError):
        return validation_error_response(exc.detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message = response.data.get("detail") if isinstance(response.data, dict) else None
    if isinstance(exc, (Http404, exceptions.NotFound)):
        message = "The requested resource does not exist."
    response.data = {"status": response.status_code, "message": str(message or exc)}
    return response
