"""One shape for every API error body.

``{"detail": "...", "errors": {"field": ["message", ...]}}`` — ``errors`` names
each bad field for a 400; Django's ``ValidationError`` raised by a service
becomes a 400 like a serializer's.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The request conflicts with the record's current state."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"


def exception_handler(exc, context):
    from partnerships.workflow import TransitionNotAllowed

    if isinstance(exc, TransitionNotAllowed):
        exc = Conflict(str(exc))
    if isinstance(exc, RequestDataTooBig):
        # Django refuses the body while DRF reads it; answer in the API's shape, not HTML.
        exc = RequestTooLarge(
            _("The request body is too large: at most %(limit)s bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    if isinstance(exc, Http404):
        # Django's "No Partnership matches the given query." is English whatever the language.
        exc = exceptions.NotFound(_("Not found."))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {
            "detail": _("The request has errors; see the fields named."),
            "errors": errors,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": response.data["detail"]}
    return response
