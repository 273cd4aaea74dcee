"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest."""

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No body we accept comes near this (Alertmanager's, the deepest, nests 4 levels). The bound
# keeps a hostile body from reaching code that walks it recursively (validation, the error
# shape, rendering) and turning a client's mistake into a 500 that pages on-call.
JSON_MAX_DEPTH = 32


def _nesting_exceeds(data: object, limit: int) -> bool:
    """Whether data holds lists or objects more than limit levels deep (walked without recursion)."""
    pending: list[tuple[object, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, Mapping):
            children: list[Any] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """Too deep a body is a 400 in the error shape. Python's decoder raises RecursionError, not
    the ValueError DRF turns into a 400, for some thousand nested brackets, which anyone could
    send to the unauthenticated endpoints; shallower but still absurd nesting is refused after."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        too_deep = ParseError(f"JSON parse error - nested deeper than {JSON_MAX_DEPTH} levels.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _nesting_exceeds(data, JSON_MAX_DEPTH):
            raise too_deep
        return data
