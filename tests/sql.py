"""The statements in the SQL a test captured, however they were sent: alone, several in one
round trip (joined by "; "), or as a prepared read's EXECUTE (assistant/core/compiled.py),
whose PREPARE goes with its first use on a connection and is left out here."""

import re
from collections.abc import Iterable, Mapping

_NEXT_STATEMENT = re.compile(r"; (?=(?:PREPARE|EXECUTE|SELECT|\(SELECT|WITH|INSERT|UPDATE|DELETE)\b)")


def statements(captured: Iterable[Mapping[str, str]]) -> list[str]:
    """Each statement of `captured_queries`, the PREPAREs left out."""
    return [
        statement
        for query in captured
        for statement in _NEXT_STATEMENT.split(query["sql"])
        if not statement.startswith("PREPARE ")
    ]


def reads(captured: Iterable[Mapping[str, str]]) -> list[str]:
    return [s for s in statements(captured) if s.lstrip("( ").startswith(("SELECT", "EXECUTE"))]


def writes(captured: Iterable[Mapping[str, str]]) -> list[str]:
    return [s for s in statements(captured) if not s.lstrip("( ").startswith(("SELECT", "EXECUTE"))]
