"""A rule's ``when:``: an expression, or structured conditions compiled to one.

Operators may write a condition in the expression language (``guard.policy.expr``)::

    when: score >= 0.9 and route in ['openai.chat']

or as structured conditions, a mapping whose entries must all hold::

    when:
      score: ">= 0.9"                 # a comparison: ==, !=, <, <=, >, >=, in, not in
      route: [openai.chat]            # a list: one of these values
      tier: free                      # any other value: equal to it
      any:                            # all / any: lists of conditions (mappings or expressions)
        - budget.coverage.day: "> 1"
        - "signal.novelty > 0.8"
      not: {has_system: true}         # not: one condition

Both become one expression text, so a rule has one engine, one ``explain`` and one set of
semantics. The text is kept with the position each part of it came from (:class:`Span`), so a
problem found when the names are checked points at the YAML key or column the operator wrote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from guard.policy.names import NAME_PATTERN, STATIC_NAMES
from guard.policy.typed import Invalid, Where, scalar_value

if TYPE_CHECKING:
    from guard.policy.typed import Loader

__all__ = ["COMBINATORS", "Condition", "Span", "ValueRef", "literal"]

COMBINATORS = ("all", "any", "not")

_NAME = re.compile(NAME_PATTERN)
_OPERATOR = re.compile(r"^\s*(==|!=|>=|<=|>|<|not\s+in(?=[\s\[])|in(?=[\s\[]))\s*", re.DOTALL)
_SCALARS = {"type": ["string", "number", "boolean", "null"]}


class Span(NamedTuple):
    """Expression text ``[start, end)`` came from ``where``; ``exact``: char for char."""

    start: int
    end: int
    where: Where
    exact: bool


class ValueRef(NamedTuple):
    """A literal a structured condition compares a name with, e.g. ``tier: free``."""

    name: str
    value: Any
    where: Where


class Condition(str):
    """A condition's expression text, remembering where in the policy each part came from.

    It *is* the text (a ``str``), so anything that compiles or shows a condition keeps
    working; ``Condition("score > 0.5")`` makes one from text alone.
    """

    spans: tuple[Span, ...]
    structured: bool
    values: tuple[ValueRef, ...]

    def __new__(
        cls,
        text: str,
        spans: Sequence[Span] = (),
        *,
        structured: bool = False,
        values: Sequence[ValueRef] = (),
    ) -> Condition:
        self = super().__new__(cls, text)
        self.spans = tuple(spans)
        self.structured = structured
        self.values = tuple(values)
        return self

    def __reduce__(self) -> Any:
        return (_rebuild, (str(self), self.spans, self.structured, self.values))

    def locate(self, offset: int) -> tuple[Where | None, bool]:
        """Where character ``offset`` of the text was written, and whether exactly."""
        for span in self.spans:
            if span.start <= offset < span.end or (offset == span.end == len(self)):
                if span.exact:
                    where = span.where
                    return where._replace(column=where.column + offset - span.start), True
                return span.where, False
        if self.spans:
            return self.spans[0].where, False
        return None, False

    @classmethod
    def __from_yaml__(cls, node: yaml.Node, loader: Loader, path: str) -> Condition:
        piece = _Compiler(loader).condition(node, path)
        if piece is None:
            raise Invalid
        return cls(
            piece.text,
            piece.spans,
            structured=isinstance(node, yaml.MappingNode),
            values=piece.values,
        )

    @classmethod
    def __json_schema__(cls, defs: dict[str, Any]) -> dict[str, Any]:
        ref = {"$ref": "#/$defs/Condition"}
        leaf = {
            "anyOf": [_SCALARS, {"type": "array", "items": _SCALARS}],
            "description": "a comparison such as '>= 0.9', a list of values (one of them), "
            "or a value (equal to it)",
        }
        names = {name: {**leaf, "description": doc} for name, doc in STATIC_NAMES.items()}
        return {
            "description": "A condition: an expression string, or a mapping of structured "
            "conditions that must all hold.",
            "anyOf": [
                {
                    "type": "string",
                    "minLength": 1,
                    "description": "an expression, e.g. 'score >= 0.9 and budget.coverage.day > 1'",
                },
                {"type": "boolean"},
                {
                    "type": "object",
                    "minProperties": 1,
                    "properties": {
                        "all": {
                            "type": "array",
                            "items": ref,
                            "minItems": 1,
                            "description": "conditions that must all hold",
                        },
                        "any": {
                            "type": "array",
                            "items": ref,
                            "minItems": 1,
                            "description": "conditions of which one must hold",
                        },
                        "not": {**ref, "description": "a condition that must not hold"},
                        **names,
                    },
                    "propertyNames": {"pattern": NAME_PATTERN},
                    "additionalProperties": leaf,
                },
            ],
        }


def _rebuild(
    text: str, spans: tuple[Span, ...], structured: bool, values: tuple[ValueRef, ...]
) -> Condition:
    return Condition(text, spans, structured=structured, values=values)


def literal(value: Any) -> str:
    """``value`` written as an expression literal; ValueError for what has none."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be compared with")
        return repr(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in "\\'":
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 32:
                out.append(f"\\x{ord(ch):02x}")
            else:
                out.append(ch)
        return "'" + "".join(out) + "'"
    raise ValueError(f"a {type(value).__name__} value cannot be compared with; quote it")


class _Piece(NamedTuple):
    text: str
    spans: tuple[Span, ...]
    values: tuple[ValueRef, ...]
    kind: str  # "atom", "and", "or", "not", or "expr" (text of unknown shape)

    def shifted(self, by: int) -> tuple[Span, ...]:
        return tuple(s._replace(start=s.start + by, end=s.end + by) for s in self.spans)


def _join(pieces: list[_Piece], op: str) -> _Piece:
    if len(pieces) == 1:
        return pieces[0]
    wrap = {"expr", "or"} if op == "and" else {"expr"}
    text = ""
    spans: list[Span] = []
    values: list[ValueRef] = []
    for i, piece in enumerate(pieces):
        if i:
            text += f" {op} "
        if piece.kind in wrap:
            text += "("
            spans.extend(piece.shifted(len(text)))
            text += piece.text + ")"
        else:
            spans.extend(piece.shifted(len(text)))
            text += piece.text
        values.extend(piece.values)
    return _Piece(text, tuple(spans), tuple(values), op)


class _Compiler:
    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.ok = True

    def problem(self, node: yaml.Node, path: str, message: str) -> None:
        self.loader.problem(node, path, message)
        self.ok = False

    def condition(self, node: yaml.Node, path: str) -> _Piece | None:
        piece = self._condition(node, path)
        return piece if self.ok else None

    def _condition(self, node: yaml.Node, path: str) -> _Piece | None:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.ScalarNode):
            value = scalar_value(node)
            if isinstance(value, bool):
                text = "true" if value else "false"
                return _Piece(text, (self._span(node, 0, len(text), exact=False),), (), "atom")
            if not isinstance(value, str) or not value.strip():
                shown = "nothing" if value is None or value == "" else repr(value)
                self.problem(
                    node,
                    path,
                    f"expected a condition (an expression such as 'score >= 0.9', or a "
                    f"mapping of conditions), got {shown}",
                )
                return None
            return _Piece(value, _text_spans(node, value, self.loader), (), "expr")
        self.problem(
            node,
            path,
            "expected an expression or a mapping of conditions, got a list "
            "(to require all of them, write 'all: [...]'; one of them: 'any: [...]')",
        )
        return None

    def _mapping(self, node: yaml.MappingNode, path: str) -> _Piece | None:
        if not node.value:
            self.problem(node, path, "empty condition: name at least one value, or all/any/not")
            return None
        pieces: list[_Piece] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problem(
                    key_node, path, "keys must be names, e.g. score or budget.coverage.day"
                )
                continue
            child = f"{path}.{key}"
            if key in seen:
                self.problem(key_node, path, f"duplicate key {key!r}")
                continue
            seen.add(key)
            piece: _Piece | None
            if key in ("all", "any"):
                piece = self._list(key, value_node, child)
            elif key == "not":
                piece = self._not(value_node, child)
            elif not _NAME.match(key):
                self.problem(
                    key_node,
                    path,
                    f"{key!r} is not a name: names are words joined by dots, such as "
                    "'score' or 'budget.coverage.day'",
                )
                continue
            else:
                piece = self._leaf(key, key_node, value_node, child)
            if piece is not None:
                pieces.append(piece)
        return _join(pieces, "and") if pieces else None

    def _list(self, key: str, node: yaml.Node, path: str) -> _Piece | None:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            what = "an empty list" if isinstance(node, yaml.SequenceNode) else "not a list"
            self.problem(node, path, f"expected a list of conditions, got {what}")
            return None
        pieces = [self._condition(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        found = [p for p in pieces if p is not None]
        if len(found) != len(pieces):
            return None
        return _join(found, "and" if key == "all" else "or")

    def _not(self, node: yaml.Node, path: str) -> _Piece | None:
        inner = self._condition(node, path)
        if inner is None:
            return None
        if inner.kind == "atom":
            return _Piece("not " + inner.text, inner.shifted(4), inner.values, "not")
        return _Piece(f"not ({inner.text})", inner.shifted(5), inner.values, "not")

    def _leaf(self, name: str, key_node: yaml.Node, node: yaml.Node, path: str) -> _Piece | None:
        name_span = _exact_span(key_node, name, 0, self.loader)
        where = self.loader.position(node)
        assert where is not None
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                value = scalar_value(item) if isinstance(item, yaml.ScalarNode) else item
                try:
                    items.append((literal(value), value))
                except ValueError as exc:
                    self.problem(item, f"{path}[{i}]", f"{exc} (use a list of plain values)")
            if len(items) != len(node.value):
                return None
            if not items:
                self.problem(node, path, "an empty list matches nothing: list the values")
                return None
            text = f"{name} in [{', '.join(t for t, _ in items)}]"
            refs = tuple(ValueRef(name, v, where) for _, v in items)
            rest = Span(len(name), len(text), where, False)
            return _Piece(text, (name_span, rest), refs, "atom")
        if isinstance(node, yaml.MappingNode):
            self.problem(
                node,
                path,
                "expected a comparison such as '>= 0.9', a list of values or a value "
                "(to combine conditions, use all/any/not)",
            )
            return None
        value = scalar_value(node)
        if isinstance(value, str):
            match = _OPERATOR.match(value)
            if match is not None:
                op = " ".join(match.group(1).split())
                operand = value[match.end() :]
                if not operand.strip():
                    self.problem(node, path, f"nothing to compare with after {op!r}")
                    return None
                head = f"{name} {op} "
                text = head + operand
                operand_spans = _text_spans(node, value, self.loader, skip=match.end())
                shift = len(head)
                spans = (
                    name_span,
                    *(s._replace(start=s.start + shift, end=s.end + shift) for s in operand_spans),
                )
                return _Piece(text, spans, (), "atom")
            if value.lstrip().startswith("="):
                self.problem(node, path, f"{value!r}: use '==' to compare for equality")
                return None
        try:
            text = f"{name} == {literal(value)}"
        except ValueError as exc:
            self.problem(node, path, str(exc))
            return None
        rest = Span(len(name), len(text), where, False)
        return _Piece(text, (name_span, rest), (ValueRef(name, value, where),), "atom")

    def _span(self, node: yaml.Node, start: int, end: int, *, exact: bool) -> Span:
        where = self.loader.position(node)
        assert where is not None
        return Span(start, end, where, exact)


def _exact_span(node: yaml.Node, text: str, start: int, loader: Loader) -> Span:
    spans = _text_spans(node, text, loader)
    return spans[0]._replace(start=start, end=start + len(text))


def _text_spans(node: yaml.Node, value: str, loader: Loader, *, skip: int = 0) -> tuple[Span, ...]:
    """Spans mapping ``value[skip:]`` (offsets from 0) onto the file, exactly where possible.

    Plain and quoted scalars on one line map char for char when the file holds the text
    verbatim (no escapes); literal blocks (``|``) map line by line; anything else points at
    the scalar's start.
    """
    where = loader.position(node)
    assert where is not None
    fallback = (Span(0, max(1, len(value) - skip), where, False),)
    source = loader.sources.get(where.file)
    if source is None or not isinstance(node, yaml.ScalarNode):
        return fallback
    lines = source.split("\n")
    first = where.line - 1
    style = node.style or ""  # plain: None from PyYAML, "" from libyaml
    if style in ("", "'", '"') and node.end_mark.line == node.start_mark.line:
        start = where.column - 1 + (1 if style else 0)
        if lines[first][start : start + len(value)] != value:
            return fallback
        at = where._replace(column=start + 1 + skip)
        return (Span(0, len(value) - skip, at, True),)
    if style == "|":
        body = lines[first + 1 :]
        content = next((line for line in body if line.strip()), "")
        indent = len(content) - len(content.lstrip(" "))
        spans: list[Span] = []
        pos = 0
        for k, text in enumerate(value.split("\n")):
            if text and (k >= len(body) or body[k][indent:] != text):
                return fallback
            begin, end = pos - skip, pos + len(text) - skip
            if end > 0 and text:
                column = indent + 1 + max(0, skip - pos)
                at = Where(where.file, where.line + k + 1, column)
                spans.append(Span(max(0, begin), end, at, True))
            pos += len(text) + 1
        return tuple(spans) or fallback
    return fallback
