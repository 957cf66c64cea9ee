from __future__ import annotations

import dataclasses

import pytest
from adapter_streams import assert_chunking_invariant, stream_usage

from guard.adapters import GenericAdapter, GenericRoute, JsonPathError
from guard.adapters.tokens import estimate_tokens
from guard.errors import BadRequest
from guard.models import Api, PromptRequest, Turn, Usage

ROUTE = GenericRoute(
    name="predict",
    path="/predict",
    prompt="$.inputs.question",
    api=Api.GENERIC,
    system="$.inputs.context",
    model="$.model_id",
    max_tokens="$.parameters.max_new_tokens",
    stream="$.stream",
    conversation="$.history",
    usage_input="$.usage.in",
    usage_output="$.usage.out",
)
adapter = GenericAdapter(ROUTE)


def test_every_field_is_read() -> None:
    body = {
        "model_id": "my-llm-7b",
        "inputs": {"question": "What is DNS?", "context": "You answer networking questions."},
        "parameters": {"max_new_tokens": 512, "temperature": 0.1},
        "stream": True,
        "history": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [{"type": "text", "text": "Hello"}, "there"]},
            {"role": "user", "content": "What is DNS?"},
            {"content": "no role: skipped"},
            7,
        ],
    }
    assert adapter.parse(body) == PromptRequest(
        api=Api.GENERIC,
        route="generic.predict",
        prompt="What is DNS?",
        conversation=(
            Turn("user", "Hi"),
            Turn("assistant", "Hello\nthere"),
            Turn("user", "What is DNS?"),
        ),
        system="You answer networking questions.",
        model="my-llm-7b",
        max_tokens=512,
        stream=True,
    )


def test_only_the_prompt_is_required() -> None:
    minimal = GenericAdapter(GenericRoute("ask", "/ask", "$.q"))
    assert minimal.api is Api.OPENAI
    request = minimal.parse({"q": "hello", "model": "ignored"})
    assert request == PromptRequest(
        api=Api.OPENAI, route="generic.ask", prompt="hello", conversation=(Turn("user", "hello"),)
    )


def test_wildcard_prompt_joins_matches() -> None:
    batch = GenericAdapter(GenericRoute("batch", "/batch", "$.items[*].text"))
    body = {"items": [{"text": "one"}, {"text": "two"}, {"id": 3}]}
    assert batch.parse(body).prompt == "one\ntwo"


def test_conversation_of_strings_and_of_a_list() -> None:
    strings = GenericAdapter(GenericRoute("s", "/s", "$.turns[-1]", conversation="$.turns"))
    assert strings.parse({"turns": ["a", "b"]}).conversation == (
        Turn("user", "a"),
        Turn("user", "b"),
    )
    request = strings.parse({"turns": ["only"]})
    assert request.conversation == (Turn("user", "only"),)


def test_values_of_the_wrong_type_are_left_out() -> None:
    body = {
        "model_id": 5,
        "inputs": {"question": "q", "context": ["a", "b"]},
        "parameters": {"max_new_tokens": "lots"},
        "stream": "yes",
        "history": "not a list",
    }
    request = adapter.parse(body)
    assert (request.model, request.max_tokens, request.stream) == ("", None, False)
    assert request.system == "a\nb"
    assert request.conversation == (Turn("user", "not a list"),)
    body["parameters"] = {"max_new_tokens": True}
    assert adapter.parse(body).max_tokens is None


@pytest.mark.parametrize(
    "body",
    [{"inputs": {}}, {"inputs": {"question": 5}}, {}, [1, 2], {"inputs": {"question": None}}],
)
def test_missing_prompt_is_a_bad_request(body: object) -> None:
    with pytest.raises(BadRequest, match=r"no prompt at \$\.inputs\.question \(route 'predict'\)"):
        adapter.parse(body)


@pytest.mark.parametrize("body", ["text", 5, None, True])
def test_body_must_be_json_object_or_array(body: object) -> None:
    with pytest.raises(BadRequest, match="must be a JSON object"):
        adapter.parse(body)


def test_usage_from_json() -> None:
    assert adapter.usage({"usage": {"in": 12, "out": 40}}) == Usage(12, 40)
    assert adapter.usage({"usage": {"out": 40}}) == Usage(0, 40)
    assert adapter.usage({"usage": {"in": -1, "out": "x"}}) is None
    assert adapter.usage({"result": "no usage"}) is None
    assert GenericAdapter(GenericRoute("a", "/a", "$.q")).usage({"usage": {"in": 1}}) is None


def test_stream_usage_reads_the_paths_in_events() -> None:
    stream = (
        b'data: {"token": {"text": "Hello"}, "usage": null}\n\n'
        b'data: {"token": {"text": " world"}}\n\n'
        b'data: {"usage": {"in": 7, "out": 2}}\n\n'
    )
    assert_chunking_invariant(adapter, stream, Usage(7, 2))


def test_stream_usage_estimates_from_event_text_when_no_usage() -> None:
    stream = b'data: {"token": {"text": "Hello", "id": 1}}\n\ndata: plain words\n\n'
    expected = estimate_tokens(len("Hello") + len("plain words"))
    assert_chunking_invariant(adapter, stream, Usage(0, expected))


def test_stream_usage_survives_deep_json() -> None:
    deep = b'data: {"a":' * 30000
    stream = deep + b"\n\n" + b'data: {"usage": {"out": 3}}\n\n'
    assert stream_usage(adapter, [stream]).output_tokens == 3
    nested = b"data: " + b"[" * 900 + b'"x"' + b"]" * 900 + b"\n\n"
    assert stream_usage(adapter, [nested, b"data: ok\n\n"]) == Usage(0, 1)


def test_route_validation() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        GenericRoute("", "/a", "$.q")
    with pytest.raises(ValueError, match="must start with '/'"):
        GenericRoute("a", "a", "$.q")
    with pytest.raises(ValueError, match=r"'\*' may only end a path"):
        GenericRoute("a", "/a/*/b", "$.q")
    GenericRoute("a", "/a/*", "$.q")


def test_bad_json_path_names_the_field() -> None:
    with pytest.raises(JsonPathError) as info:
        GenericRoute("a", "/a", "$.q", usage_output="$.usage[out]")
    assert (info.value.field, info.value.position) == ("usage_output", 8)
    assert str(info.value).startswith(
        "usage_output: invalid JSON path '$.usage[out]' at position 8"
    )


def test_every_path_field_is_validated() -> None:
    path_fields = [
        f.name
        for f in dataclasses.fields(GenericRoute)
        if f.name not in {"name", "path", "api", "prompt"}
    ]
    for name in [*path_fields, "prompt"]:
        kwargs = {"prompt": "$.q", name: "bad"}
        with pytest.raises(JsonPathError) as info:
            GenericRoute("a", "/a", **kwargs)  # type: ignore[arg-type]
        assert info.value.field == name


def test_routes_are_frozen_and_hashable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ROUTE.prompt = "$.other"  # type: ignore[misc]
    assert {ROUTE: 1}[GenericRoute(**dataclasses.asdict(ROUTE))] == 1
