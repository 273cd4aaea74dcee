"""Admin pieces every app's admin.py may use."""

from typing import ClassVar, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

_M = TypeVar("_M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Rows staff may read but never add or edit: services, the far end or the dispatcher write them.

    `deletable = False` also forbids deleting, for rows that are evidence (audit, deliveries).
    """

    deletable: ClassVar[bool] = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)
