"""A small JSONPath subset for pointing guard at fields of APIs it does not know.

Supported: the root ``$``, member names ``$.a.b``, quoted names ``$['a b']`` / ``$["a"]``,
indexes ``$.a[0]`` and from the end ``$.a[-1]``, and wildcards ``$.a[*].b`` / ``$.a.*``.
Filters, slices and recursive descent are not: a policy's paths should name fields, not search
for them. Paths are compiled once, when the policy loads; a bad one raises
:class:`JsonPathError` carrying the position, so the loader can point at it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeAlias

__all__ = ["JsonPath", "JsonPathError"]


class JsonPathError(ValueError):
    """A JSON path that does not parse. ``position`` is the 0-based offset of the problem."""

    def __init__(
        self, expression: str, position: int, reason: str, *, field: str | None = None
    ) -> None:
        self.expression = expression
        self.position = position
        self.reason = reason
        self.field = field
        where = f"{field}: " if field else ""
        super().__init__(
            f"{where}invalid JSON path {expression!r} at position {position}: {reason}."
        )


class _Wildcard:
    __slots__ = ()

    def __repr__(self) -> str:
        return "*"


_WILDCARD: Final = _Wildcard()
_MISSING: Final = object()

_Step: TypeAlias = "str | int | _Wildcard"
_Fail: TypeAlias = Callable[[int, str], JsonPathError]


class JsonPath:
    """A compiled path; :meth:`find` returns every match in document order."""

    __slots__ = ("_simple", "_steps", "expression")

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self._steps: tuple[_Step, ...] = tuple(_parse(expression))
        self._simple = not any(isinstance(s, _Wildcard) for s in self._steps)

    def __repr__(self) -> str:
        return f"JsonPath({self.expression!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonPath) and other._steps == self._steps

    def __hash__(self) -> int:
        return hash(self._steps)

    def find(self, document: Any) -> list[Any]:
        if self._simple:
            value = self._get(document)
            return [] if value is _MISSING else [value]
        nodes = [document]
        for step in self._steps:
            found: list[Any] = []
            for node in nodes:
                if isinstance(step, _Wildcard):
                    if isinstance(node, dict):
                        found.extend(node.values())
                    elif isinstance(node, list):
                        found.extend(node)
                else:
                    value = _step(node, step)
                    if value is not _MISSING:
                        found.append(value)
            nodes = found
            if not nodes:
                break
        return nodes

    def first(self, document: Any) -> Any:
        """The first match, or ``None`` when there is none."""
        if self._simple:
            value = self._get(document)
            return None if value is _MISSING else value
        found = self.find(document)
        return found[0] if found else None

    def text(self, document: Any) -> str | None:
        """The matched strings (and strings in matched lists) joined with newlines, or
        ``None`` when the path matches no string at all."""
        texts: list[str] = []
        for value in self.find(document):
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list):
                texts.extend(v for v in value if isinstance(v, str))
        if not texts:
            return None
        return texts[0] if len(texts) == 1 else "\n".join(texts)

    def _get(self, node: Any) -> Any:
        for step in self._steps:
            node = _step(node, step)
            if node is _MISSING:
                break
        return node


def _step(node: Any, step: _Step) -> Any:
    if isinstance(step, str):
        return node.get(step, _MISSING) if isinstance(node, dict) else _MISSING
    if isinstance(step, int) and isinstance(node, list) and -len(node) <= step < len(node):
        return node[step]
    return _MISSING


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-"


def _parse(expression: str) -> list[_Step]:
    def fail(position: int, reason: str) -> JsonPathError:
        return JsonPathError(expression, position, reason)

    if not expression.startswith("$"):
        raise fail(0, "a JSON path starts with '$'")
    steps: list[_Step] = []
    pos, end = 1, len(expression)
    while pos < end:
        ch = expression[pos]
        if ch == ".":
            pos += 1
            if pos < end and expression[pos] == "*":
                steps.append(_WILDCARD)
                pos += 1
                continue
            if pos < end and expression[pos] == ".":
                raise fail(pos, "recursive descent '..' is not supported")
            start = pos
            while pos < end and _is_name_char(expression[pos]):
                pos += 1
            if pos == start:
                raise fail(pos, "expected a member name after '.'")
            steps.append(expression[start:pos])
        elif ch == "[":
            pos += 1
            if pos >= end:
                raise fail(pos, "unclosed '['")
            ch = expression[pos]
            if ch == "*":
                steps.append(_WILDCARD)
                pos += 1
            elif ch in "'\"":
                name, pos = _quoted(expression, pos, fail)
                steps.append(name)
            elif ch == "-" or ch.isdigit():
                start = pos
                pos += 1
                while pos < end and expression[pos].isdigit():
                    pos += 1
                digits = expression[start:pos]
                if digits == "-":
                    raise fail(start, "expected digits after '-'")
                steps.append(int(digits))
            else:
                raise fail(pos, "expected an index, '*' or a quoted name inside '[ ]'")
            if pos >= end or expression[pos] != "]":
                raise fail(pos, "expected ']'")
            pos += 1
        else:
            raise fail(pos, f"unexpected {ch!r}; expected '.' or '['")
    return steps


def _quoted(expression: str, pos: int, fail: _Fail) -> tuple[str, int]:
    """Read a quoted member name starting at the quote; backslash escapes the next char."""
    quote = expression[pos]
    start = pos
    pos += 1
    chars: list[str] = []
    while pos < len(expression):
        ch = expression[pos]
        if ch == "\\" and pos + 1 < len(expression):
            chars.append(expression[pos + 1])
            pos += 2
        elif ch == quote:
            return "".join(chars), pos + 1
        else:
            chars.append(ch)
            pos += 1
    raise fail(start, "unterminated quoted name")
