"""``import:``: building a policy on shared files.

Imports are resolved on the YAML node trees, before anything is typed, so every value keeps
the file and position it was written at: a problem in an imported file is reported there.

How files merge (the importing file is written *over* its imports, in the order listed):

* ``windows``, ``rate_limits``: entry by entry; the importing file's entry wins.
* ``budgets``: per kind and window (``budgets.coverage.day``), campaign budgets likewise.
* ``rules`` and ``tiers``: by name. The imported ones come first, in their order; an entry of
  the importing file with the same name replaces the imported one *in place* (so a shared
  rule set can be tuned without reordering it); entries with new names follow.
* Anything else (``mode``, ``identity``, ``scoring``, ...): the importing file's value, when it
  has one, replaces the imported value as a whole.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from guard.policy.typed import Loader, Where, compose, scalar_value

__all__ = ["resolve_imports"]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_BY_ENTRY = ("windows", "rate_limits")
_BY_NAME = ("rules", "tiers")


def resolve_imports(
    node: yaml.Node, file: str, loader: Loader, base: Path | None = None
) -> tuple[yaml.Node, list[str]]:
    """``node`` with its imports merged in, and the files that were read.

    ``base`` is the directory import paths are relative to (default: ``file``'s). Problems
    (missing files, cycles, invalid YAML) are recorded with ``loader``.
    """
    files: list[str] = []
    directory = base if base is not None else Path(file).parent
    merged = _resolve(node, directory, loader, [(os.path.abspath(file), file)], files)
    return merged, files


Stack = list[tuple[str, str]]  # (absolute path, path as shown) of the files being imported


def _resolve(
    node: yaml.Node, directory: Path, loader: Loader, stack: Stack, files: list[str]
) -> yaml.Node:
    if not isinstance(node, yaml.MappingNode):
        return node
    entries = _import_entries(node)
    if not entries:
        return node
    combined: yaml.MappingNode | None = None
    for entry in entries:
        imported = _read(entry, directory, loader, stack, files)
        if imported is not None:
            combined = imported if combined is None else _merge(combined, imported)
    if combined is None:
        return node
    return _merge(_without_import(combined), node)


def _import_entries(node: yaml.MappingNode) -> list[yaml.ScalarNode]:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "import":
            if isinstance(value, yaml.SequenceNode):
                return [
                    item
                    for item in value.value
                    if isinstance(item, yaml.ScalarNode) and isinstance(scalar_value(item), str)
                ]
            if isinstance(value, yaml.ScalarNode) and isinstance(scalar_value(value), str):
                return [value]  # the typed walk reports that it should be a list
    return []


def _read(
    entry: yaml.ScalarNode, directory: Path, loader: Loader, stack: Stack, files: list[str]
) -> yaml.MappingNode | None:
    written = str(entry.value)
    path = directory / written
    absolute = os.path.abspath(path)
    shown = os.path.normpath(path)
    seen = [a for a, _ in stack]
    if absolute in seen:
        start = seen.index(absolute)
        cycle = " -> ".join([*(s for _, s in stack[start:]), stack[start][1]])
        loader.problem(entry, "import", f"import cycle: {cycle}; remove one of these imports")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        loader.problem(
            entry,
            "import",
            f"cannot import {written!r}: {reason} (looked for {shown}; import paths are "
            "relative to the importing file)",
        )
        return None
    try:
        node = compose(text, shown)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = Where(shown, mark.line + 1, mark.column + 1) if mark is not None else None
        loader.problem(entry, "", f"invalid YAML: {exc.problem}", at=at)
        return None
    files.append(shown)
    loader.sources[shown] = text
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        loader.problem(node, "", "an imported policy must be a mapping of policy keys")
        return None
    resolved = _resolve(node, path.parent, loader, [*stack, (absolute, shown)], files)
    assert isinstance(resolved, yaml.MappingNode)
    return resolved


def _without_import(node: yaml.MappingNode) -> yaml.MappingNode:
    value = [
        (k, v)
        for k, v in node.value
        if not (isinstance(k, yaml.ScalarNode) and k.value == "import")
    ]
    return yaml.MappingNode(node.tag, value, node.start_mark, node.end_mark)


def _key(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _merge(base: yaml.MappingNode, top: yaml.MappingNode, depth: str = "") -> yaml.MappingNode:
    """``top`` written over ``base`` (see the module docstring)."""
    result: list[tuple[yaml.Node, yaml.Node]] = []
    top_entries = {_key(k): (k, v) for k, v in top.value}
    used: set[str | None] = set()
    for key_node, value_node in base.value:
        key = _key(key_node)
        if key not in top_entries:
            result.append((key_node, value_node))
            continue
        used.add(key)
        top_key, top_value = top_entries[key]
        result.append((top_key, _merge_value(key, value_node, top_value, depth)))
    result.extend((k, v) for k, v in top.value if _key(k) not in used)
    return yaml.MappingNode(top.tag or _MAP_TAG, result, top.start_mark, top.end_mark)


def _merge_value(key: str | None, base: yaml.Node, top: yaml.Node, depth: str) -> yaml.Node:
    path = f"{depth}.{key}" if depth else str(key)
    if isinstance(base, yaml.MappingNode) and isinstance(top, yaml.MappingNode):
        if path in ("budgets", "budgets.campaign"):
            return _merge(base, top, path)
        if path in _BY_ENTRY or path.startswith("budgets."):
            return _merge_entries(base, top)
    if isinstance(base, yaml.SequenceNode) and isinstance(top, yaml.SequenceNode):
        if path in _BY_NAME:
            return _merge_named(base, top)
    return top


def _merge_entries(base: yaml.MappingNode, top: yaml.MappingNode) -> yaml.MappingNode:
    """One level: entries of ``top`` replace those of ``base`` with the same key."""
    top_keys = {_key(k) for k, _ in top.value}
    kept = [(k, v) for k, v in base.value if _key(k) not in top_keys]
    return yaml.MappingNode(
        top.tag or _MAP_TAG, kept + list(top.value), top.start_mark, top.end_mark
    )


def _name_of(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if _key(key) == "name" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def _merge_named(base: yaml.SequenceNode, top: yaml.SequenceNode) -> yaml.SequenceNode:
    replacements: dict[str, yaml.Node] = {}
    appended: list[yaml.Node] = []
    base_names = {_name_of(item) for item in base.value} - {None}
    for item in top.value:
        name = _name_of(item)
        if name is not None and name in base_names and name not in replacements:
            replacements[name] = item
        else:
            appended.append(item)
    items = []
    for item in base.value:
        name = _name_of(item)
        items.append(replacements.get(name, item) if name is not None else item)
    return yaml.SequenceNode(top.tag or _SEQ_TAG, items + appended, top.start_mark, top.end_mark)
