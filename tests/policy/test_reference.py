"""The committed JSON Schema and docs/policy.md are current, and the schema agrees with the
loader on real policies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from guard.policy import Policy
from guard.policy.actions import ACTIONS
from guard.policy.reference import (
    DOCS_PATH,
    REFERENCE_BEGIN,
    SCHEMA_PATH,
    policy_schema,
    schema_text,
    updated_docs,
)

HERE = Path(__file__).parent
REGENERATE = "regenerate it with: python -m guard.policy.reference"


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        f"guard/policy/schema.json is stale; {REGENERATE}"
    )


def test_docs_reference_is_current() -> None:
    text = DOCS_PATH.read_text(encoding="utf-8")
    assert REFERENCE_BEGIN in text
    assert updated_docs(text) == text, f"the reference in docs/policy.md is stale; {REGENERATE}"


def test_docs_mention_every_key_and_action() -> None:
    text = DOCS_PATH.read_text(encoding="utf-8")
    for key in policy_schema()["properties"]:
        assert f"| `{key}` |" in text
    for action in ACTIONS:
        assert f"#### `{action}`" in text


def test_updated_docs_needs_the_markers() -> None:
    with pytest.raises(ValueError, match="must contain"):
        updated_docs("# no markers")


# A validator for the part of JSON Schema the generated schema uses, so the schema is checked
# against real policies without a dependency.


class Invalid(Exception):
    pass


_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> None:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        validate(value, root["$defs"][name], root, path)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                validate(value, option, root, path)
                break
            except Invalid as exc:
                errors.append(str(exc))
        else:
            raise Invalid(f"{path}: no option of anyOf matches: {errors}")
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_TYPES[k](value) for k in kinds):
            raise Invalid(f"{path}: {value!r} is not of type {kind}")
    if "enum" in schema and value not in schema["enum"]:
        raise Invalid(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        raise Invalid(f"{path}: {value!r} is not {schema['const']!r}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise Invalid(f"{path}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            raise Invalid(f"{path}: too short")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            raise Invalid(f"{path}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            raise Invalid(f"{path}: above maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            raise Invalid(f"{path}: not above exclusiveMinimum")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise Invalid(f"{path}: too few items")
        for i, item in enumerate(value):
            if "items" in schema:
                validate(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            raise Invalid(f"{path}: too few properties")
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                raise Invalid(f"{path}: missing {key!r}")
        for key, item in value.items():
            if "propertyNames" in schema:
                validate(key, schema["propertyNames"], root, f"{path}.{key}")
            if key in properties:
                validate(item, properties[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                raise Invalid(f"{path}: unexpected key {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                validate(item, schema["additionalProperties"], root, f"{path}.{key}")


SCHEMA = policy_schema()
ACCEPTED = [
    *sorted((HERE / "valid").rglob("*.yaml")),
    *sorted((HERE.parent.parent / "policies").glob("*.yaml")),
]


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda p: p.name)
def test_schema_accepts_valid_policies(path: Path) -> None:
    validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, SCHEMA, SCHEMA)


@pytest.mark.parametrize(
    "fixture",
    [
        "unknown_key.yaml",
        "wrong_type.yaml",
        "action_parameter.yaml",
        "unknown_action.yaml",
        "structured_condition.yaml",
        "action_values.yaml",
        "raw_key.yaml",
    ],
)
def test_schema_rejects_what_the_loader_rejects(fixture: str) -> None:
    data = yaml.safe_load((HERE / "invalid" / fixture).read_text(encoding="utf-8"))
    with pytest.raises(Invalid):
        validate(data, SCHEMA, SCHEMA)


def test_schema_covers_the_model() -> None:
    assert SCHEMA["$schema"].endswith("2020-12/schema")
    assert set(SCHEMA["properties"]) == {
        "import" if name == "imports" else name for name in Policy.__dataclass_fields__
    } - {"source", "files", "_matcher", "_digest", "_base"}
    then = SCHEMA["$defs"]["Then"]["anyOf"]
    assert then[0]["enum"] == list(ACTIONS)
    throttle = SCHEMA["$defs"]["Throttle"]
    assert throttle["properties"]["action"] == {"const": "throttle"}
    assert throttle["required"] == ["action"] and throttle["additionalProperties"] is False
