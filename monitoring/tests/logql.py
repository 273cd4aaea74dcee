"""Just enough LogQL to run the dashboards' queries against log lines in a test.

Covers what monitoring/dashboards/logql.py uses: a stream selector with =, !=, =~, !~;
line filters |=, !=, |~, !~; `| json`; label filters with =, !=, =~, !~, >, >=, <, <= joined
by `and` / `or` (and, like LogQL, a comma) with parentheses. Label regexes are anchored, as in
LogQL; line-filter regexes search the line.
"""

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Line = dict[str, Any]  # a parsed JSON log line
Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)|(?P<number>-?\d+(?:\.\d+)?)'
    r"|(?P<op>\|=|\|~|!=|!~|=~|>=|<=|[=><|(),{}])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
# Line filters look inside the whole line: a substring, or a regex found anywhere (unanchored).
_LINE_FILTERS: dict[str, Callable[[str, str], bool]] = {
    "|=": lambda raw, text: text in raw,
    "!=": lambda raw, text: text not in raw,
    "|~": lambda raw, pattern: re.search(pattern, raw) is not None,
    "!~": lambda raw, pattern: re.search(pattern, raw) is None,
}


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    query = query.strip()
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read LogQL at {query[position:]!r}")
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "string":
            text = json.loads(text) if text.startswith('"') else text[1:-1]
        tokens.append((kind, text))
        position = match.end()
    return tokens


def _matcher(op: str, expected: Any) -> Callable[[Any], bool]:
    if op in _COMPARE:
        return lambda value: _number(value) is not None and _COMPARE[op](_number(value), float(expected))
    if op in ("=~", "!~"):
        pattern = re.compile(expected)
        found = lambda value: value is not None and pattern.fullmatch(str(value)) is not None  # noqa: E731
        return found if op == "=~" else (lambda value: not found(value))
    if op == "=":
        return lambda value: value is not None and str(value) == expected
    return lambda value: value is None or str(value) != expected


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class Query:
    stream: Predicate  # on the stream's labels
    stages: list[Callable[[str, dict[str, Any]], bool]]  # on the raw line and its fields so far
    fields: set[str]  # the JSON fields the label filters read

    def matches(self, line: Line, labels: dict[str, str]) -> bool:
        if not self.stream(labels):
            return False
        raw, fields = json.dumps(line), dict(labels)
        return all(stage(raw, fields) for stage in self.stages)


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokens(query)
        self.position = 0
        self.fields: set[str] = set()

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        _kind, text = self.tokens[self.position]
        if expected is not None and text != expected:
            raise ValueError(f"expected {expected!r}, found {text!r}")
        self.position += 1
        return text

    def query(self) -> Query:
        stream = self.selector()
        stages: list[Callable[[str, dict[str, Any]], bool]] = []
        while self.peek() is not None:
            op = self.take()
            if op in _LINE_FILTERS:
                value = self.take()
                stages.append(lambda raw, fields, test=_LINE_FILTERS[op], value=value: test(raw, value))
            elif op == "|" and self.peek() == ("word", "json"):
                self.take()
                stages.append(lambda raw, fields: fields.update(json.loads(raw)) or True)
            elif op == "|":
                predicate = self.disjunction()
                stages.append(lambda raw, fields, predicate=predicate: predicate(fields))
            else:
                raise ValueError(f"unexpected {op!r}")
        return Query(stream, stages, self.fields)

    def selector(self) -> Predicate:
        self.take("{")
        parts: list[Predicate] = []
        while self.peek() != ("op", "}"):
            name, op, value = self.take(), self.take(), self.take()
            check = _matcher(op, value)
            parts.append(lambda labels, name=name, check=check: check(labels.get(name)))
            if self.peek() == ("op", ","):
                self.take()
        self.take("}")
        return lambda labels: all(part(labels) for part in parts)

    def disjunction(self) -> Predicate:
        left = self.conjunction()
        while self.peek() == ("word", "or"):
            self.take()
            right = self.conjunction()
            left = lambda fields, a=left, b=right: a(fields) or b(fields)  # noqa: E731
        return left

    def conjunction(self) -> Predicate:
        left = self.term()
        while self.peek() in (("word", "and"), ("op", ",")):
            self.take()
            right = self.term()
            left = lambda fields, a=left, b=right: a(fields) and b(fields)  # noqa: E731
        return left

    def term(self) -> Predicate:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        name, op, value = self.take(), self.take(), self.take()
        self.fields.add(name)
        check = _matcher(op, value)
        return lambda fields: check(fields.get(name))


def parse(query: str) -> Query:
    return _Parser(query).query()
