"""The policy language's JSON Schema and its reference, both generated from the model.

``guard/policy/schema.json`` (what editors validate policies against) and the reference part
of ``docs/policy.md`` are written from the same dataclasses the loader reads, and tests fail
when either is stale. Regenerate both with::

    python -m guard.policy.reference
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guard.policy.actions import ACTIONS, Then
from guard.policy.conditions import Condition
from guard.policy.model import Policy
from guard.policy.names import STATIC_NAMES, TEMPLATES
from guard.policy.typed import Scalar, clean, json_schema, yaml_key

__all__ = [
    "DOCS_PATH",
    "REFERENCE_BEGIN",
    "REFERENCE_END",
    "SCHEMA_PATH",
    "main",
    "policy_schema",
    "reference_markdown",
    "schema_text",
    "updated_docs",
]

SCHEMA_PATH = Path(__file__).with_name("schema.json")
DOCS_PATH = Path(__file__).resolve().parent.parent.parent / "docs" / "policy.md"
REFERENCE_BEGIN = "<!-- BEGIN GENERATED REFERENCE (python -m guard.policy.reference) -->"
REFERENCE_END = "<!-- END GENERATED REFERENCE -->"


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file."""
    return json_schema(Policy, title="guard policy (version 1)")


def schema_text() -> str:
    """The JSON Schema as committed in ``guard/policy/schema.json``."""
    return json.dumps(policy_schema(), indent=2, ensure_ascii=False) + "\n"


# The reference ---------------------------------------------------------------------------


def _sections() -> Iterator[tuple[str, type]]:
    """(path, class) of every mapping in the model, first seen first, breadth first."""
    queue: list[tuple[str, Any]] = [("", Policy)]
    seen: set[type] = set()
    while queue:
        path, cls = queue.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        yield path, cls
        hints = typing.get_type_hints(cls, include_extras=True)
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            key = yaml_key(field)
            child = f"{path}.{key}" if path else key
            for inner, suffix in _nested(hints[field.name]):
                if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                    if inner is not Then and not issubclass(inner, Then):
                        queue.append((child + suffix, inner))


def _nested(tp: Any, suffix: str = "") -> Iterator[tuple[Any, str]]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        yield from _nested(typing.get_args(tp)[0], suffix)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            yield from _nested(arg, suffix)
    elif origin in (list, tuple):
        yield from _nested(typing.get_args(tp)[0], suffix + "[]")
    elif origin is dict:
        yield from _nested(typing.get_args(tp)[1], suffix + ".<name>")
    else:
        yield tp, suffix


def _anchor(cls: type) -> str:
    return "ref-" + cls.__name__.lower()


def _type_text(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        scalar = next((e for e in extras if isinstance(e, Scalar)), None)
        if scalar is not None:
            text = str(scalar.schema.get("description", "value"))
            return text.split(":")[0].split(" such as")[0].removeprefix("a ").removeprefix("an ")
        return _type_text(base)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_text(a) for a in typing.get_args(tp))
    if tp is type(None):
        return "null"
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in typing.get_args(tp))
    if origin in (list, tuple):
        return f"list of {_type_text(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"mapping of names to {_type_text(typing.get_args(tp)[1])}"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in tp)
    if tp is Condition:
        return "[condition](#ref-conditions)"
    if tp is Then:
        return "[action](#ref-actions)"
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return f"[{tp.__name__}](#{_anchor(tp)})"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(tp, str(tp))


def _default_text(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if dataclasses.is_dataclass(value):
        return "see its section"
    if isinstance(value, dict) and any(dataclasses.is_dataclass(v) for v in value.values()):
        return ", ".join(value) or "`{}`"
    shown = json.dumps(getattr(value, "value", value))
    return f"`{shown}`"


def _table(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls, include_extras=True)
    rows = ["| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        doc = _md(str(field.metadata.get("doc", "")))
        rows.append(
            f"| `{yaml_key(field)}` | {_type_text(hints[field.name])} | "
            f"{_default_text(field)} | {doc} |"
        )
    return rows


def _md(text: str) -> str:
    """Plain text made safe for Markdown: ``<name>`` is not an HTML tag, ``|`` not a cell."""
    return clean(text).replace("<", "&lt;").replace("|", "\\|")


def _doc_of(cls: type) -> str:
    return _md((cls.__doc__ or "").split("\n\n")[0])


def _rest_of(cls: type) -> str:
    parts = (cls.__doc__ or "").split("\n\n")[1:]
    return "\n\n".join(_md(p) for p in parts)


def reference_markdown() -> str:
    """The generated part of ``docs/policy.md``: every key, every action, every name."""
    out: list[str] = ["## Reference", ""]
    for path, cls in _sections():
        title = f"`{path}`" if path else "Top level"
        out += [f'<a id="{_anchor(cls)}"></a>', "", f"### {title}", "", _doc_of(cls), ""]
        if rest := _rest_of(cls):
            out += [rest, ""]
        out += [*_table(cls), ""]
    out += [
        '<a id="ref-actions"></a>',
        "",
        "### Actions (`then`)",
        "",
        _doc_of(Then) + " The parameters of each action:",
        "",
    ]
    for name, cls in ACTIONS.items():
        out += [f"#### `{name}`", "", _doc_of(cls), ""]
        if rest := _rest_of(cls):
            out += [rest, ""]
        if dataclasses.fields(cls):
            out += [*_table(cls), ""]
        else:
            out += ["No parameters.", ""]
    out += [
        '<a id="ref-conditions"></a>',
        "",
        "### Names in conditions (`when`)",
        "",
        "| Name | Meaning |",
        "|---|---|",
        *(f"| `{name}` | {_md(doc)} |" for name, doc in STATIC_NAMES.items()),
        *(f"| `{name}` | {_md(doc)} |" for name, doc in TEMPLATES.items()),
        "",
    ]
    return "\n".join(out)


def updated_docs(text: str) -> str:
    """``text`` (docs/policy.md) with its generated reference replaced by the current one."""
    before, begin, rest = text.partition(REFERENCE_BEGIN)
    _, end, after = rest.partition(REFERENCE_END)
    if not begin or not end:
        raise ValueError(f"docs/policy.md must contain {REFERENCE_BEGIN!r} and {REFERENCE_END!r}")
    return f"{before}{REFERENCE_BEGIN}\n\n{reference_markdown()}\n{REFERENCE_END}{after}"


def main() -> int:
    """Rewrite ``guard/policy/schema.json`` and the reference in ``docs/policy.md``."""
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    if DOCS_PATH.is_file():
        DOCS_PATH.write_text(updated_docs(DOCS_PATH.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {DOCS_PATH}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
