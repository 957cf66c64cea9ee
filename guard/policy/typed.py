"""Typed loading of YAML into dataclasses, and the JSON Schema of the same dataclasses.

The policy model is declared once, as dataclasses with type hints; this module walks a YAML
node tree against those hints. Doing the walk on nodes (not on plain Python values) is what
gives every problem a file:line:column, and deriving the JSON Schema from the same hints is
what keeps the schema editors use in step with what the loader accepts.

Field metadata understood here: ``doc`` (a sentence for the schema and the reference) and
``alias`` (the YAML key, when it is not a valid Python name, e.g. ``import``).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Union

import yaml

from guard.errors import PolicyProblem

__all__ = ["Loader", "Scalar", "json_schema", "yaml_key"]

_MISSING = object()


@dataclasses.dataclass(frozen=True)
class Scalar:
    """Marks a type parsed from a string (e.g. ``"10MB"``, ``"1h"``), via ``parse``.

    Used as ``Annotated[int, Scalar(parse_size, schema)]``; ``parse`` raises ValueError with a
    message that says what is accepted.
    """

    parse: Callable[[Any], Any]
    schema: dict[str, Any] = dataclasses.field(compare=False)  # unhashable: kept out of hash


def yaml_key(field: dataclasses.Field[Any]) -> str:
    return str(field.metadata.get("alias", field.name))


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _describe(typing.get_args(tp)[0])
    if _is_union(tp):
        return " or ".join(_describe(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        return "a list"
    if origin is dict:
        return "a mapping"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


class _Invalid(Exception):
    pass


class Loader:
    """Converts YAML nodes to typed values, collecting every problem instead of stopping."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[PolicyProblem] = []

    def problem(self, node: yaml.Node | None, path: str, message: str) -> None:
        line = column = None
        if node is not None and node.start_mark is not None:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        where = f"{path}: " if path else ""
        self.problems.append(PolicyProblem(where + message, self.file, line, column))

    def load(self, node: yaml.Node, tp: Any, path: str = "") -> Any:
        try:
            return self._convert(node, tp, path)
        except _Invalid:
            return _MISSING

    # The walk -----------------------------------------------------------------------------

    def _fail(self, node: yaml.Node, path: str, message: str) -> typing.NoReturn:
        self.problem(node, path, message)
        raise _Invalid

    def _convert(self, node: yaml.Node, tp: Any, path: str) -> Any:
        origin = typing.get_origin(tp)
        if tp is Any:
            return _plain(node)
        if origin is typing.Annotated:
            base, *extras = typing.get_args(tp)
            scalar = next((e for e in extras if isinstance(e, Scalar)), None)
            if scalar is None:
                return self._convert(node, base, path)
            if not isinstance(node, yaml.ScalarNode):
                self._fail(node, path, f"expected {scalar.schema.get('description', 'a value')}")
            try:
                return scalar.parse(_scalar(node))
            except ValueError as exc:
                self._fail(node, path, str(exc))
        if _is_union(tp):
            return self._union(node, tp, path)
        if origin is typing.Literal:
            value = _scalar(node) if isinstance(node, yaml.ScalarNode) else _MISSING
            if value in typing.get_args(tp):
                return value
            self._fail(
                node, path, f"expected {_describe(tp)}{_suggest(value, typing.get_args(tp))}"
            )
        if origin is list or origin is tuple:
            if not isinstance(node, yaml.SequenceNode):
                self._fail(node, path, f"expected a list, got {_kind(node)}")
            (item,) = typing.get_args(tp)[:1]
            items = []
            ok = True
            for i, child in enumerate(node.value):
                try:
                    items.append(self._convert(child, item, f"{path}[{i}]"))
                except _Invalid:
                    ok = False
            if not ok:
                raise _Invalid
            return items if origin is list else tuple(items)
        if origin is dict:
            return self._mapping(node, typing.get_args(tp)[1], path)
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            return self._dataclass(node, tp, path)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            value = _scalar(node) if isinstance(node, yaml.ScalarNode) else _MISSING
            for member in tp:
                if member.value == value:
                    return member
            values = [m.value for m in tp]
            self._fail(node, path, f"expected {_describe(tp)}{_suggest(value, values)}")
        return self._primitive(node, tp, path)

    def _primitive(self, node: yaml.Node, tp: Any, path: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self._fail(node, path, f"expected {_describe(tp)}, got {_kind(node)}")
        value = _scalar(node)
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if tp is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            return node.value
        if isinstance(value, tp) and not (tp is int and isinstance(value, bool)):
            return value
        self._fail(node, path, f"expected {_describe(tp)}, got {value!r}")

    def _union(self, node: yaml.Node, tp: Any, path: str) -> Any:
        options = typing.get_args(tp)
        if type(None) in options and isinstance(node, yaml.ScalarNode) and _scalar(node) is None:
            return None
        candidates = [o for o in options if o is not type(None)]
        # Pick the option whose shape matches the node, so the error speaks of that option.
        for option in candidates:
            if _shape_matches(node, option):
                return self._convert(node, option, path)
        self._fail(node, path, f"expected {_describe(tp)}, got {_kind(node)}")

    def _mapping(self, node: yaml.Node, value_tp: Any, path: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            self._fail(node, path, f"expected a mapping, got {_kind(node)}")
        result: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            key = str(_scalar(key_node)) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.problem(key_node, path, "keys must be plain strings")
                ok = False
                continue
            if key in result:
                self.problem(key_node, path, f"duplicate key {key!r}")
                ok = False
                continue
            try:
                result[key] = self._convert(value_node, value_tp, _join(path, key))
            except _Invalid:
                ok = False
        if not ok:
            raise _Invalid
        return result

    def _dataclass(self, node: yaml.Node, cls: type, path: str) -> Any:
        from_scalar = getattr(cls, "from_scalar", None)
        if not isinstance(node, yaml.MappingNode):
            if from_scalar is not None and isinstance(node, yaml.ScalarNode):
                try:
                    return from_scalar(_scalar(node))
                except ValueError as exc:
                    self._fail(node, path, str(exc))
            self._fail(node, path, f"expected a mapping, got {_kind(node)}")
        fields = {yaml_key(f): f for f in dataclasses.fields(cls) if f.init}
        hints = _hints(cls)
        kwargs: dict[str, Any] = {}
        seen: set[str] = set()
        ok = True
        for key_node, value_node in node.value:
            key = str(_scalar(key_node)) if isinstance(key_node, yaml.ScalarNode) else ""
            field = fields.get(key)
            if field is None:
                hint = _suggest(key, list(fields))
                self.problem(key_node, path, f"unknown key {key!r}{hint}")
                ok = False
                continue
            if key in seen:
                self.problem(key_node, path, f"duplicate key {key!r}")
                ok = False
                continue
            seen.add(key)
            try:
                kwargs[field.name] = self._convert(value_node, hints[field.name], _join(path, key))
            except _Invalid:
                ok = False
        for key, field in fields.items():
            if key not in seen and _required(field):
                self.problem(node, path, f"missing required key {key!r}")
                ok = False
        if not ok:
            raise _Invalid
        try:
            instance = cls(**kwargs)
        except (TypeError, ValueError) as exc:
            self._fail(node, path, str(exc))
        post = getattr(instance, "__mark__", None)
        if post is not None:
            post(node)
        return instance


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = _scalar(node)
    return "nothing" if value is None else repr(value)


_constructor = yaml.SafeLoader(b"")


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return _MISSING
    return _constructor.construct_object(node)


def _plain(node: yaml.Node) -> Any:
    return _constructor.construct_object(node, deep=True)


def _suggest(value: Any, options: typing.Iterable[Any]) -> str:
    if not isinstance(value, str):
        return ""
    words = [str(o) for o in options]
    close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shape_matches(node: yaml.Node, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        if any(isinstance(e, Scalar) for e in extras):
            return isinstance(node, yaml.ScalarNode)
        return _shape_matches(node, base)
    if origin in (list, tuple):
        return isinstance(node, yaml.SequenceNode)
    if origin is dict:
        return isinstance(node, yaml.MappingNode)
    if dataclasses.is_dataclass(tp):
        return isinstance(node, yaml.MappingNode) or (
            isinstance(node, yaml.ScalarNode) and hasattr(tp, "from_scalar")
        )
    if not isinstance(node, yaml.ScalarNode):
        return tp is Any
    value = _scalar(node)
    if origin is typing.Literal:
        return value in typing.get_args(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return True
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is bool:
        return isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    return tp is Any


# JSON Schema -------------------------------------------------------------------------------

_PRIMITIVE_SCHEMAS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    Any: {},
}


def json_schema(cls: type, *, title: str, schema_id: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a dataclass model, definitions hoisted to ``$defs``."""
    defs: dict[str, Any] = {}
    root = _schema(cls, defs)
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if schema_id:
        schema["$id"] = schema_id
    schema["title"] = title
    schema.update(defs.pop(cls.__name__))
    del root
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        scalar = next((e for e in extras if isinstance(e, Scalar)), None)
        return dict(scalar.schema) if scalar else _schema(base, defs)
    if _is_union(tp):
        options = [_schema(a, defs) for a in typing.get_args(tp)]
        return {"anyOf": options}
    if tp is type(None):
        return {"type": "null"}
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(tp))}
    if origin in (list, tuple):
        return {"type": "array", "items": _schema(typing.get_args(tp)[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(typing.get_args(tp)[1], defs)}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = _hints(tp)
            properties: dict[str, Any] = {}
            required: list[str] = []
            for field in dataclasses.fields(tp):
                if not field.init:
                    continue
                key = yaml_key(field)
                prop = _schema(hints[field.name], defs)
                doc = field.metadata.get("doc")
                if doc:
                    prop = {**prop, "description": _clean(doc)}
                default = _default(field)
                if default is not _MISSING:
                    prop = {**prop, "default": default}
                properties[key] = prop
                if _required(field):
                    required.append(key)
            body: dict[str, Any] = {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            }
            if tp.__doc__:
                body["description"] = _clean(tp.__doc__.split("\n\n")[0])
            if required:
                body["required"] = required
            scalar_schema = getattr(tp, "scalar_schema", None)
            defs[name] = {"anyOf": [scalar_schema, body]} if scalar_schema else body
        return {"$ref": f"#/$defs/{name}"}
    if tp in _PRIMITIVE_SCHEMAS:
        return dict(_PRIMITIVE_SCHEMAS[tp])
    raise TypeError(f"no JSON Schema for {tp!r}")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return _MISSING
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _MISSING
    if isinstance(value, (list, tuple)):
        items = [_jsonable(v) for v in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    if isinstance(value, dict):
        out = {str(k): _jsonable(v) for k, v in value.items()}
        return _MISSING if any(v is _MISSING for v in out.values()) else out
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _MISSING
