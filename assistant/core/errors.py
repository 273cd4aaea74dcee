"""The one error type services raise; the API turns it into the standard error body."""

from typing import Any, NotRequired, TypedDict


class ErrorDetail(TypedDict):
    code: str
    message: str
    # {"field": ["reason", ...]}; a nested object's fields nest the same way.
    fields: dict[str, Any]
    retry_after_seconds: NotRequired[int]


class ErrorBody(TypedDict):
    """The one error shape of the API: {"error": {"code", "message", "fields", ...}}."""

    error: ErrorDetail


class ServiceError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        fields: dict[str, list[str]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}
        self.retry_after = retry_after

    @classmethod
    def invalid(cls, field: str, reason: str) -> "ServiceError":
        return cls("validation_error", "Invalid input.", fields={field: [reason]})

    def as_body(self) -> ErrorBody:
        error: ErrorDetail = {"code": self.code, "message": self.message, "fields": self.fields}
        if self.retry_after is not None:
            error["retry_after_seconds"] = self.retry_after
        return {"error": error}
