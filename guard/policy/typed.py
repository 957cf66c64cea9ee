"""Typed loading of YAML into dataclasses, and the JSON Schema of the same dataclasses.

The policy model is declared once, as dataclasses with type hints; this module walks a YAML
node tree against those hints. Doing the walk on nodes (not on plain Python values) is what
gives every problem a file:line:column, and deriving the JSON Schema from the same hints is
what keeps the schema editors use in step with what the loader accepts.

The walk never stops at the first problem: a value that cannot be read is left out (a list
item, a mapping entry, a field that has a default), the problem is recorded, and the walk goes
on, so one pass reports everything and the cross-field checks still see most of the policy.

What a model class may declare, besides typed fields:

* field metadata ``doc`` (a sentence for the schema and the reference) and ``alias`` (the
  YAML key, when it is not a valid Python name, e.g. ``import``);
* ``from_scalar(value)`` and ``scalar_schema``: a shorthand written as one scalar
  (``day: 24h`` for ``day: {seconds: 24h}``);
* ``__label__``: the field whose value names the object in problems (a rule's ``name``);
* ``__tag__`` and ``__variants__``: a tagged union, the tag key's value picking the class;
* ``__from_yaml__(node, loader, path)`` and ``__json_schema__(defs)``: a type read straight
  from nodes, for shapes that are not plain dataclasses (a rule's structured condition);
* ``__stand_ins__``: values for required fields that failed to load, so that the object
  (a rule whose action is misspelt) still takes part in the checks that follow;
* ``__mark__(where)``: called with the position an instance was read from;
* raising :class:`FieldError` from ``__post_init__`` to blame one key of the mapping.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import functools
import io
import re
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Union

import yaml

from guard.errors import PolicyProblem

__all__ = [
    "FieldError",
    "Invalid",
    "Loader",
    "Scalar",
    "Where",
    "compose",
    "json_schema",
    "scalar_value",
    "suggest",
    "yaml_key",
]

_MISSING = object()


@dataclasses.dataclass(frozen=True)
class Scalar:
    """Marks a type parsed from a string (e.g. ``"10MB"``, ``"1h"``), via ``parse``.

    Used as ``Annotated[int, Scalar(parse_size, schema)]``; ``parse`` raises ValueError with a
    message that says what is accepted.
    """

    parse: Callable[[Any], Any]
    schema: dict[str, Any] = dataclasses.field(compare=False)  # unhashable: kept out of hash


class FieldError(ValueError):
    """A model's ``__post_init__`` blaming one of its keys (or a dotted path below one, such
    as ``coverage.day``), so the problem points there."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class Invalid(Exception):
    """Raised by a ``__from_yaml__`` hook after recording its problems with the loader."""


class Where(NamedTuple):
    """A position in a policy file (1-based line and column)."""

    file: str
    line: int
    column: int


def yaml_key(field: dataclasses.Field[Any]) -> str:
    return str(field.metadata.get("alias", field.name))


class _Named(io.StringIO):
    """Text with a name: libyaml names the marks of a stream after its ``name``."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


def compose(text: str, file: str) -> yaml.Node | None:
    """The YAML node tree of ``text``; every mark carries ``file`` as its name (imports).

    libyaml composes (about 20 times faster than pure Python) when PyYAML was built with it.
    """
    if getattr(yaml, "__with_libyaml__", False):
        return yaml.compose(_Named(text, file), Loader=yaml.CSafeLoader)
    loader = yaml.SafeLoader(text)
    loader.name = file
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        scalar = next((e for e in extras if isinstance(e, Scalar)), None)
        if scalar is not None and "description" in scalar.schema:
            return str(scalar.schema["description"]).split(":")[0]
        return _describe(base)
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


class Loader:
    """Converts YAML nodes to typed values, collecting every problem instead of stopping.

    ``where`` maps each path read (``rules[2].when``, ``budgets.coverage.day``) to the
    position of its value, and ``key_where`` to the position of its key, so checks made
    after loading can still point at the right place.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[PolicyProblem] = []
        self.where: dict[str, Where] = {}
        self.key_where: dict[str, Where] = {}
        self.failed: list[str] = []  # the path of every problem
        self.sources: dict[str, str] = {}  # file -> text, to map columns inside scalars
        self._label: str | None = None

    def position(self, node: yaml.Node | None) -> Where | None:
        if node is None or node.start_mark is None:
            return None
        mark = node.start_mark
        return Where(self._file_of(mark), mark.line + 1, mark.column + 1)

    def _file_of(self, mark: yaml.Mark) -> str:
        name = str(mark.name)
        return self.file if name.startswith("<") and name.endswith(">") else name

    def problem(
        self, node: yaml.Node | None, path: str, message: str, *, at: Where | None = None
    ) -> None:
        where = at or self.position(node)
        self.failed.append(path)
        prefix = f"{path}: " if path else ""
        if where is None:
            problem = PolicyProblem(prefix + message, self.file, rule=self._label)
        else:
            file, line, column = where
            problem = PolicyProblem(prefix + message, file, line, column, self._label)
        self.problems.append(problem)

    def fail(self, node: yaml.Node, path: str, message: str) -> typing.NoReturn:
        self.problem(node, path, message)
        raise Invalid

    def load(self, node: yaml.Node, tp: Any, path: str = "") -> Any:
        """``node`` read as ``tp``; a sentinel when nothing could be read (see ``problems``)."""
        try:
            return self.convert(node, tp, path)
        except Invalid:
            return _MISSING

    @staticmethod
    def loaded(value: Any) -> bool:
        return value is not _MISSING

    def locate(self, path: str, *, key: bool = False) -> Where | None:
        """Where ``path`` (or, failing that, its nearest parent) was written."""
        table = self.key_where if key else self.where
        while path:
            where = table.get(path)
            if where is not None:
                return where
            parent = re.sub(r"(\.[^.\[\]]*|\[\d+\])$", "", path)
            if parent == path:
                break
            path, table = parent, self.where
        return None

    # The walk -----------------------------------------------------------------------------

    def convert(self, node: yaml.Node, tp: Any, path: str) -> Any:
        """``node`` read as ``tp``, or :class:`Invalid` after recording why not."""
        origin = typing.get_origin(tp)
        if tp is Any:
            return _plain(node)
        hook = getattr(tp, "__from_yaml__", None) if isinstance(tp, type) else None
        if hook is not None:
            return hook(node, self, path)
        if origin is typing.Annotated:
            base, *extras = typing.get_args(tp)
            scalar = next((e for e in extras if isinstance(e, Scalar)), None)
            if scalar is None:
                return self.convert(node, base, path)
            if not isinstance(node, yaml.ScalarNode):
                wanted = scalar.schema.get("description", "a value")
                self.fail(node, path, f"expected {wanted}, got {_kind(node)}")
            try:
                return scalar.parse(scalar_value(node))
            except ValueError as exc:
                self.fail(node, path, str(exc))
        if _is_union(tp):
            return self._union(node, tp, path)
        if origin is typing.Literal:
            value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else _MISSING
            if value in typing.get_args(tp):
                return value
            self.fail(node, path, f"expected {_describe(tp)}{suggest(value, typing.get_args(tp))}")
        if origin is list or origin is tuple:
            return self._sequence(node, tp, path)
        if origin is dict:
            return self._mapping(node, typing.get_args(tp)[1], path)
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            return self._dataclass(node, tp, path)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else _MISSING
            for member in tp:
                if member.value == value:
                    return member
            values = [m.value for m in tp]
            self.fail(node, path, f"expected {_describe(tp)}{suggest(value, values)}")
        return self._primitive(node, tp, path)

    def _primitive(self, node: yaml.Node, tp: Any, path: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, path, f"expected {_describe(tp)}, got {_kind(node)}")
        value = scalar_value(node)
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if tp is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            return node.value
        if isinstance(value, tp) and not (tp is int and isinstance(value, bool)):
            return value
        self.fail(node, path, f"expected {_describe(tp)}, got {value!r}")

    def _union(self, node: yaml.Node, tp: Any, path: str) -> Any:
        options = typing.get_args(tp)
        if (
            type(None) in options
            and isinstance(node, yaml.ScalarNode)
            and scalar_value(node) is None
        ):
            return None
        candidates = [o for o in options if o is not type(None)]
        # Pick the option whose shape matches the node, so the error speaks of that option.
        for option in candidates:
            if _shape_matches(node, option):
                return self.convert(node, option, path)
        self.fail(node, path, f"expected {_describe(tp)}, got {_kind(node)}")

    def _sequence(self, node: yaml.Node, tp: Any, path: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, path, f"expected a list, got {_kind(node)}")
        (item,) = typing.get_args(tp)[:1]
        items = []
        for i, child in enumerate(node.value):
            child_path = f"{path}[{i}]"
            where = self.position(child)
            if where is not None:
                self.where[child_path] = self.key_where[child_path] = where
            try:
                items.append(self.convert(child, item, child_path))
            except Invalid:
                pass  # reported; the rest of the list is still read
        return items if typing.get_origin(tp) is list else tuple(items)

    def _entries(self, node: yaml.MappingNode, path: str) -> list[tuple[str, yaml.Node, str]]:
        """(key, value node, path) of each entry; bad and duplicate keys are reported."""
        entries: list[tuple[str, yaml.Node, str]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                self.problem(key_node, path, "keys must be plain strings")
                continue
            key = str(key)
            if key in seen:
                self.problem(key_node, path, f"duplicate key {key!r}")
                continue
            seen.add(key)
            child_path = _join(path, key)
            key_at, value_at = self.position(key_node), self.position(value_node)
            if key_at is not None and value_at is not None:
                self.key_where[child_path], self.where[child_path] = key_at, value_at
            entries.append((key, value_node, child_path))
        return entries

    def _mapping(self, node: yaml.Node, value_tp: Any, path: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path, f"expected a mapping, got {_kind(node)}")
        result: dict[str, Any] = {}
        for key, value_node, child_path in self._entries(node, path):
            try:
                result[key] = self.convert(value_node, value_tp, child_path)
            except Invalid:
                pass
        return result

    def _dataclass(self, node: yaml.Node, cls: type, path: str) -> Any:
        from_scalar = getattr(cls, "from_scalar", None)
        if not isinstance(node, yaml.MappingNode):
            if from_scalar is not None and isinstance(node, yaml.ScalarNode):
                try:
                    instance = from_scalar(scalar_value(node))
                except ValueError as exc:
                    self.fail(node, path, str(exc))
                return self._marked(instance, node)
            self.fail(node, path, f"expected a mapping, got {_kind(node)}")
        variants: dict[str, type] | None = vars(cls).get("__variants__")
        if variants is not None:
            return self._variant(node, cls, variants, path)
        label_key = getattr(cls, "__label__", None)
        saved = self._label
        if label_key is not None:
            self._label = _label_of(node, label_key) or saved
        try:
            return self._fields(node, cls, path)
        finally:
            self._label = saved

    def _variant(
        self, node: yaml.MappingNode, base: type, variants: dict[str, type], path: str
    ) -> Any:
        tag: str = base.__tag__  # type: ignore[attr-defined]
        tag_node = next(
            (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == tag), None
        )
        if tag_node is None:
            self.fail(node, path, f"missing required key {tag!r}")
        value = scalar_value(tag_node) if isinstance(tag_node, yaml.ScalarNode) else _MISSING
        cls = variants.get(value) if isinstance(value, str) else None
        if cls is None or not isinstance(value, str):
            shown = repr(value) if value is not _MISSING else _kind(tag_node)
            self.fail(
                tag_node,
                _join(path, tag),
                f"unknown {tag} {shown}{suggest(value, variants)}: use one of "
                + ", ".join(variants),
            )
        return self._fields(node, cls, path, tag=(tag, value))

    def _fields(
        self, node: yaml.MappingNode, cls: type, path: str, tag: tuple[str, str] | None = None
    ) -> Any:
        fields = {yaml_key(f): f for f in dataclasses.fields(cls) if f.init}
        hints = _hints(cls)
        kwargs: dict[str, Any] = {}
        key_nodes: dict[str, yaml.Node] = {}
        reported = len(self.problems)
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            key = "" if key is None else str(key)
            if key in key_nodes:
                self.problem(key_node, path, f"duplicate key {key!r}")
                continue
            key_nodes[key] = key_node
            if tag is not None and key == tag[0]:
                continue
            field = fields.get(key)
            if field is None:
                self.problem(key_node, path, _unknown_key(key, list(fields), tag))
                continue
            child_path = _join(path, key)
            key_at, value_at = self.position(key_node), self.position(value_node)
            if key_at is not None and value_at is not None:
                self.key_where[child_path], self.where[child_path] = key_at, value_at
            try:
                kwargs[field.name] = self.convert(value_node, hints[field.name], child_path)
            except Invalid:
                stand_in = getattr(cls, "__stand_ins__", {}).get(field.name)
                if stand_in is not None:
                    kwargs[field.name] = stand_in()
                elif _required(field):
                    raise
        for key, field in fields.items():
            if key not in key_nodes and _required(field):
                self.fail(node, path, f"missing required key {key!r}")
        # With a problem inside (a list item left out, a field left at its default), the
        # instance is incomplete: its own checks would only repeat that problem.
        complete = len(self.problems) == reported
        try:
            instance = cls(**kwargs)
        except FieldError as exc:
            if not complete:
                raise Invalid from None  # likely a consequence of a problem already reported
            blamed = _join(path, exc.key)
            if exc.key in key_nodes:
                self.fail(key_nodes[exc.key], blamed, str(exc))
            self.problem(node, blamed, str(exc), at=self.where.get(blamed))
            raise Invalid from None
        except (TypeError, ValueError) as exc:
            if not complete:
                raise Invalid from None
            self.fail(node, path, str(exc))
        return self._marked(instance, node)

    def _marked(self, instance: Any, node: yaml.Node) -> Any:
        post = getattr(instance, "__mark__", None)
        if post is not None:
            where = self.position(node)
            if where is not None:
                post(where)
        return instance


def _label_of(node: yaml.MappingNode, key: str) -> str | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            if isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
    return None


def _unknown_key(key: str, known: list[str], tag: tuple[str, str] | None) -> str:
    if tag is None:
        return f"unknown key {key!r}{suggest(key, known)}"
    variant = tag[1]
    if not known:
        return f"{key!r} is not a parameter of {variant} ({variant} takes no parameters)"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{key!r} is not a parameter of {variant} ({hint}parameters: {', '.join(known)})"


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = scalar_value(node)
    return "nothing" if value is None else repr(value)


_constructor = yaml.SafeLoader("")


def scalar_value(node: yaml.Node) -> Any:
    """The Python value of a scalar node, as YAML's safe loader reads it.

    The tag's constructor is called directly: ``construct_object`` would remember every node
    it ever saw (a leak across reloads) and is not safe to share between threads.
    """
    if not isinstance(node, yaml.ScalarNode):
        return _MISSING
    construct = _constructor.yaml_constructors.get(node.tag)
    if construct is None:
        return node.value  # an unknown tag: its text
    return construct(_constructor, node)


def _plain(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node, deep=True)


def suggest(value: Any, options: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the option closest to ``value``, or nothing."""
    if not isinstance(value, str):
        return ""
    words = [str(o) for o in options]
    close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shape_matches(node: yaml.Node, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and hasattr(tp, "__from_yaml__"):
        return True
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
    value = scalar_value(node)
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
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
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
    _schema(cls, defs)
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if schema_id:
        schema["$id"] = schema_id
    schema["title"] = title
    schema.update(defs.pop(cls.__name__))
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    hook = getattr(tp, "__json_schema__", None) if isinstance(tp, type) else None
    if hook is not None:
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = hook(defs)
        return {"$ref": f"#/$defs/{name}"}
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        scalar = next((e for e in extras if isinstance(e, Scalar)), None)
        return dict(scalar.schema) if scalar else _schema(base, defs)
    if _is_union(tp):
        args = typing.get_args(tp)
        options = [_schema(a, defs) for a in args if a is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
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
            defs[name] = _dataclass_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if tp in _PRIMITIVE_SCHEMAS:
        return dict(_PRIMITIVE_SCHEMAS[tp])
    raise TypeError(f"no JSON Schema for {tp!r}")


def _dataclass_schema(tp: type, defs: dict[str, Any]) -> dict[str, Any]:
    variants: dict[str, type] | None = vars(tp).get("__variants__")
    scalar_schema = vars(tp).get("scalar_schema")
    if variants is not None:
        refs = [_schema(v, defs) for v in variants.values()]
        options = [scalar_schema, *refs] if scalar_schema else refs
        body: dict[str, Any] = {"anyOf": options}
        if tp.__doc__:
            body["description"] = clean(tp.__doc__.split("\n\n")[0])
        return body
    hints = _hints(tp)
    properties: dict[str, Any] = {}
    required: list[str] = []
    tag = getattr(tp, "__tag__", None)
    tag_value = getattr(tp, tag, None) if tag else None
    if tag and tag_value is not None:
        value = tag_value.value if isinstance(tag_value, enum.Enum) else tag_value
        properties[tag] = {"const": value}
        required.append(tag)
    for field in dataclasses.fields(tp):
        if not field.init:
            continue
        key = yaml_key(field)
        prop = _schema(hints[field.name], defs)
        doc = field.metadata.get("doc")
        if doc:
            prop = {**prop, "description": clean(doc)}
        default = _default(field)
        if default is not _MISSING:
            prop = {**prop, "default": default}
        properties[key] = prop
        if _required(field):
            required.append(key)
    body = {"type": "object", "properties": properties, "additionalProperties": False}
    if tp.__doc__:
        body["description"] = clean(tp.__doc__.split("\n\n")[0])
    if required:
        body["required"] = required
    return {"anyOf": [scalar_schema, body]} if scalar_schema else body


def clean(text: str) -> str:
    """``text`` on one line, runs of white space collapsed."""
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
        fields = {yaml_key(f): getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
        return _jsonable(fields)
    if isinstance(value, (list, tuple)):
        items = [_jsonable(v) for v in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    if isinstance(value, dict):
        out = {str(k): _jsonable(v) for k, v in value.items()}
        return _MISSING if any(v is _MISSING for v in out.values()) else out
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _MISSING
