"""What every API view shares: the error shape, its schema, pagination."""

import copy
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import ManyRelatedField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from assistant.core.errors import ErrorBody, ServiceError
from assistant.core.signals import access_denied

_T = TypeVar("_T")
_M = TypeVar("_M", bound=Model)


def _fields(detail: Any) -> dict[str, Any]:
    """DRF validation detail as {"field": ["reason", ...]}, nested objects kept nested."""
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in value]
            if isinstance(value, list) and all(not isinstance(i, dict | list) for i in value)
            else _fields(value)
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> ErrorBody:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context_: dict[str, Any]) -> Response | None:
    """Every API error in one shape: {"error": {"code", "message", "fields", ...}}."""
    if isinstance(exc, ServiceError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(exc.as_body(), status=exc.status, headers=headers)
    if isinstance(exc, RequestDataTooBig):
        # Django's own answer would be an HTML 400 page.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(error_body("request_too_large", f"Request body larger than {limit} bytes."), 413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    response = drf_exception_handler(exc, context_)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)  # DRF answers for those alone

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("validation_error", "Invalid input.", _fields(exc.detail))
    else:
        codes = exc.get_codes()
        body = error_body(codes if isinstance(codes, str) else exc.default_code, str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        wait: float | None = exc.wait  # type: ignore[attr-defined]  # set by Throttled, missing from the stubs
        if wait is not None:
            body["error"]["retry_after_seconds"] = int(wait + 0.999)

    request = context_.get("request")
    if isinstance(exc, exceptions.AuthenticationFailed):
        _access_denied(request, reason="invalid_token")
    elif isinstance(exc, exceptions.NotAuthenticated):
        _access_denied(request, reason="unauthenticated")
    elif isinstance(exc, exceptions.PermissionDenied):
        _access_denied(request, reason="permission_denied")
    response.data = body
    return response


def _access_denied(request: HttpRequest | None, *, reason: str) -> None:
    access_denied.send(sender=exception_handler, request=request, reason=reason)


def validated(
    serializer_class: type[serializers.Serializer[Any]], data: object, *, partial: bool = False
) -> dict[str, Any]:
    """Input (a body or query parameters) checked by serializer_class; a 400 naming the bad
    fields otherwise. Every view validates through this one helper."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    checked: dict[str, Any] = serializer.validated_data
    return checked


def many_data(serializer_class: type[serializers.Serializer[_T]], rows: Iterable[_T]) -> Any:
    """rows through serializer_class(rows, many=True): its list of output dicts."""
    # many=True takes the rows; the stubs' __init__ knows only one instance.
    return serializer_class(rows, many=True).data  # type: ignore[arg-type]


_AnyField = serializers.Field[Any, Any, Any, Any]
_Fields = dict[str, _AnyField]


# Fields holding fields of their own, bound to them when they were built: a copy that shared
# those would bind one child to two parents, so these are copied DRF's way, whole.
_COMPOSITE_FIELDS = (
    serializers.BaseSerializer,
    serializers.ListField,
    serializers.DictField,
    ManyRelatedField,
)


def _own_copy(field: _AnyField) -> _AnyField:
    """An unbound field for one serializer. DRF's deepcopy builds the field anew from its
    arguments (~70 µs for a todo's nine fields); a field is only bound (which sets attributes on
    the copy: field_name, parent, label, source, source_attrs) and then read, to render or to
    validate, so a copy of its attributes is enough (~6 µs), the built state they point to
    (choices, validators, error messages) shared and never changed after __init__. (copy.copy
    would do the same through __reduce_ex__, three times slower.)"""
    if isinstance(field, _COMPOSITE_FIELDS):
        return copy.deepcopy(field)
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


# A Serializer of declared fields whose every use gets copies of their attributes (_own_copy)
# rather than DRF's rebuild of each from its arguments: for the inputs checked on every request
# of a hot endpoint. Validating reads a field and never changes it (DRF 3.18: validators take
# their context as an argument; the choices of a ChoiceField are replaced, never changed).
# (A comment, not a docstring: drf-spectacular would describe every input with a docstring.)
class CheckedInput(serializers.Serializer[_T]):
    def get_fields(self) -> _Fields:
        declared: _Fields = self._declared_fields
        return {name: _own_copy(field) for name, field in declared.items()}


# A ModelSerializer that introspects its model once per class, not once per use.
#
# ModelSerializer.get_fields reads the model's fields and builds a serializer field for each
# (build_field) every time a serializer is used: on every request. What it returns depends on
# the class alone (its Meta and declared fields), so it is built once and kept on the class,
# unbound; each serializer gets copies of its own (_own_copy), as DRF's own get_fields gives it
# copies of the declared fields, because fields are bound to the serializer that uses them.
# Output only: an output field is bound and read, never changed per instance.
# (A comment, not a docstring: drf-spectacular would describe every output with a docstring.)
class ModelOutput(serializers.ModelSerializer[_M]):
    _built_fields: ClassVar[_Fields]

    def get_fields(self) -> _Fields:
        cls = type(self)
        # The class's own attribute: a subclass has fields of its own to build.
        built: _Fields | None = cls.__dict__.get("_built_fields")
        if built is None:
            built = cls._built_fields = super().get_fields()
        return {name: _own_copy(field) for name, field in built.items()}


class ErrorSerializer(serializers.Serializer[Any]):
    error = inline_serializer(
        "ErrorDetail",
        fields={
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(child=serializers.ListField()),
            "retry_after_seconds": serializers.IntegerField(required=False),
        },
    )


_ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each field and the reason.",
    401: "Missing, expired or revoked credentials.",
    403: "Authenticated but not allowed.",
    404: "Not found (or not yours); on a list, a page number past the end.",
    409: "Conflicts with the current state.",
    429: "Too many requests or locked out: `retry_after_seconds` says for how long.",
    502: "A provider we depend on did not answer properly; try again later.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


class _Paginator(DjangoPaginator):  # type: ignore[type-arg]  # rows of any model
    """Django's paginator, minus the COUNT(*) for a first page shorter than the page size,
    which is most lists: the page is read with one row more than it holds, and when that row is
    not there the rows read are all there is. A full first page counts as before."""

    def page(self, number: int | str) -> Page:  # type: ignore[type-arg]
        if str(number) != "1" or self.orphans:
            return super().page(number)
        return self.first_page(list(self.object_list[: self.per_page + 1]))

    def first_page(self, rows: list[Any]) -> Page:  # type: ignore[type-arg]
        """Page 1 from the list's first rows, one more than the page holds when there are."""
        if len(rows) <= self.per_page:
            # Paginator.count is a cached_property: set, it is never computed.
            self.__dict__["count"] = len(rows)
        return Page(rows[: self.per_page], 1, self)


class Pagination(PageNumberPagination):
    django_paginator_class = _Paginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def first_page(
        self, request: Request, read: Callable[[int], list[_M]], queryset: Callable[[], QuerySet[_M]]
    ) -> list[_M] | None:
        """paginate_queryset's page for a list requested with no parameters (page 1, the
        default size, no filter: a list as an app opens it), its rows from `read(n)`, the first
        n rows through a cheaper read than the queryset's. `queryset()` is built only to count
        a full page. None when the request has parameters: paginate_queryset's then."""
        if request.query_params or self.page_size is None:
            return None
        self.request = request
        rows = read(self.page_size + 1)
        # The queryset only to count a full page.
        paginator = _Paginator(rows if len(rows) <= self.page_size else queryset(), self.page_size)
        self.page = paginator.first_page(rows)
        if self.template is not None and paginator.num_pages > 1:
            self.display_page_controls = True
        return list(self.page)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """JSON for API paths, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Internal server error."), status=500)
    return defaults.server_error(request)
