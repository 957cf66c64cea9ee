from __future__ import annotations

from typing import Any

import pytest

from guard.adapters.jsonpath import JsonPath, JsonPathError

DOC: dict[str, Any] = {
    "model": "m",
    "messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "first"},
        {"role": "user", "content": "last"},
    ],
    "weird key": {"a.b": 1, "it's": 2, 'say "hi"': 3},
    "inputs": ["x", "y", 3],
    "nested": [[1, 2], [3]],
    "n": 0,
    "null": None,
}


@pytest.mark.parametrize(
    ("expression", "matches"),
    [
        ("$", [DOC]),
        ("$.model", ["m"]),
        ("$.messages[0].role", ["system"]),
        ("$.messages[-1].content", ["last"]),
        ("$.messages[-3].content", ["sys"]),
        ("$.messages[3]", []),
        ("$.messages[-4]", []),
        ("$.messages[*].content", ["sys", "first", "last"]),
        ("$.messages.*.role", ["system", "user", "user"]),
        ("$['weird key']['a.b']", [1]),
        ('$["weird key"]["it\'s"]', [2]),
        ("$['weird key']['it\\'s']", [2]),
        ("$['weird key']['say \"hi\"']", [3]),
        ("$.weird key", None),
        ("$.nested[*][0]", [1, 3]),
        ("$.nested[*][*]", [1, 2, 3]),
        ("$.n", [0]),
        ("$.null", [None]),
        ("$.missing", []),
        ("$.model.deeper", []),
        ("$.model[0]", []),
        ("$.messages.role", []),
        ("$['messages'][1]['content']", ["first"]),
        ("$.mixed-case_Key9", []),
    ],
)
def test_find(expression: str, matches: list[Any] | None) -> None:
    if matches is None:
        with pytest.raises(JsonPathError):
            JsonPath(expression)
        return
    assert JsonPath(expression).find(DOC) == matches


def test_first_and_text() -> None:
    assert JsonPath("$.messages[*].content").first(DOC) == "sys"
    assert JsonPath("$.missing").first(DOC) is None
    assert JsonPath("$.messages[*].content").text(DOC) == "sys\nfirst\nlast"
    assert JsonPath("$.messages[1].content").text(DOC) == "first"
    assert JsonPath("$.inputs").text(DOC) == "x\ny"
    assert JsonPath("$.inputs[*]").text(DOC) == "x\ny"
    assert JsonPath("$.n").text(DOC) is None
    assert JsonPath("$.missing").text(DOC) is None


def test_paths_work_on_any_json_value() -> None:
    assert JsonPath("$[0].text").find([{"text": "a"}]) == ["a"]
    assert JsonPath("$.a").find("string") == []
    assert JsonPath("$[*]").find({"a": 1, "b": 2}) == [1, 2]
    assert JsonPath("$[0]").find(None) == []


def test_equality_is_by_meaning() -> None:
    assert JsonPath("$.a[0]") == JsonPath("$['a'][0]")
    assert hash(JsonPath("$.a[0]")) == hash(JsonPath('$["a"][0]'))
    assert JsonPath("$.a") != JsonPath("$.b")
    assert repr(JsonPath("$.a")) == "JsonPath('$.a')"


@pytest.mark.parametrize(
    ("expression", "position", "reason"),
    [
        ("", 0, "starts with '$'"),
        ("messages[0]", 0, "starts with '$'"),
        ("$.", 2, "expected a member name"),
        ("$..a", 2, "recursive descent"),
        ("$.a.", 4, "expected a member name"),
        ("$a", 1, "unexpected 'a'"),
        ("$.a]", 3, "unexpected ']'"),
        ("$.a[", 4, "unclosed '['"),
        ("$.a[0", 5, "expected ']'"),
        ("$.a[]", 4, "expected an index"),
        ("$.a[-]", 4, "expected digits"),
        ("$.a[1.5]", 5, "expected ']'"),
        ("$.a['b]", 4, "unterminated quoted name"),
        ("$.a['b'", 7, "expected ']'"),
        ("$.a[?(@.x)]", 4, "expected an index"),
        ("$.a[0:2]", 5, "expected ']'"),
        ("$.a b", 3, "unexpected ' '"),
    ],
)
def test_syntax_errors_carry_the_position(expression: str, position: int, reason: str) -> None:
    with pytest.raises(JsonPathError) as info:
        JsonPath(expression)
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.expression, error.position) == (expression, position)
    assert reason in error.reason
    assert f"at position {position}" in str(error)
