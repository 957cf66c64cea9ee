from __future__ import annotations

import json
import random
from typing import Any

import pytest
from adapter_streams import (
    assert_chunking_invariant,
    chat_completion,
    chat_stream,
    completions_stream,
    responses_object,
    responses_stream,
    stream_usage,
)

from guard.adapters import OpenAIChatAdapter, OpenAICompletionsAdapter, OpenAIResponsesAdapter
from guard.adapters.base import Adapter
from guard.adapters.tokens import estimate_tokens
from guard.errors import BadRequest
from guard.models import Api, PromptRequest, Turn, Usage

chat = OpenAIChatAdapter()
completions = OpenAICompletionsAdapter()
responses = OpenAIResponsesAdapter()


# -- chat: parse ------------------------------------------------------------------------------


def test_chat_minimal_request_has_defaults() -> None:
    request = chat.parse({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})
    assert request == PromptRequest(
        api=Api.OPENAI,
        route="openai.chat",
        prompt="Hi",
        conversation=(Turn("user", "Hi"),),
        model="gpt-4o",
    )
    assert request.turns == 1


def test_chat_stream_with_stream_options() -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 64,
        "temperature": 1,
    }
    request = chat.parse(body)
    assert (request.stream, request.max_tokens, request.temperature) == (True, 64, 1.0)
    assert isinstance(request.temperature, float)
    assert request.system == "Be brief."
    assert request.conversation == (Turn("user", "Q"),)


def test_chat_max_completion_tokens_wins_over_max_tokens() -> None:
    body = {
        "messages": [{"role": "user", "content": "Q"}],
        "max_tokens": 10,
        "max_completion_tokens": 20,
    }
    assert chat.parse(body).max_tokens == 20
    body["max_completion_tokens"] = None
    assert chat.parse(body).max_tokens == 10


def test_chat_prompt_is_the_last_user_turn() -> None:
    body = {
        "messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "answer", "name": "bot"},
            {"role": "user", "content": "second", "name": "alice"},
            {"role": "assistant", "content": [{"type": "refusal", "refusal": "No."}]},
            {"role": "function", "name": "f", "content": None},
        ]
    }
    request = chat.parse(body)
    assert request.prompt == "second"
    assert request.turns == 2
    assert request.conversation[3] == Turn("assistant", "No.")
    assert request.conversation[4] == Turn("function", "")


def test_chat_with_no_user_turn_has_an_empty_prompt() -> None:
    request = chat.parse({"messages": [{"role": "developer", "content": "Only rules."}]})
    assert (request.prompt, request.system, request.conversation) == ("", "Only rules.", ())
    assert chat.parse({"messages": []}).prompt == ""


def test_chat_content_parts_skip_non_text() -> None:
    body = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                    {"type": "text", "text": "Describe"},
                    {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                    {"type": "file", "file": {"file_id": "file-abc"}},
                    {"type": "text", "text": "this."},
                ],
            }
        ]
    }
    assert chat.parse(body).prompt == "Describe\nthis."


def test_chat_counts_tools_and_legacy_functions() -> None:
    body = {
        "messages": [{"role": "user", "content": "Q"}],
        "tools": [{"type": "function", "function": {"name": "a"}}, {"type": "custom"}],
        "functions": [{"name": "legacy"}],
    }
    assert chat.parse(body).tools == 3


def test_chat_harvest_parameters() -> None:
    body = {
        "messages": [{"role": "user", "content": "Q"}],
        "n": 8,
        "logprobs": True,
        "top_logprobs": 20,
        "logit_bias": {"1734": 5},
    }
    request = chat.parse(body)
    assert (request.n, request.logprobs, request.top_logprobs, request.logit_bias) == (
        8,
        True,
        20,
        True,
    )
    body.update(n=None, logprobs=None, top_logprobs=None, logit_bias={})
    request = chat.parse(body)
    assert (request.n, request.logprobs, request.top_logprobs, request.logit_bias) == (
        1,
        False,
        None,
        False,
    )


def test_chat_unknown_fields_and_roles_are_fine() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "critic", "content": "hm", "weight": 2}],
        "reasoning_effort": "high",
        "some_future_field": {"x": 1},
        "max_tokens": 256.0,
    }
    request = chat.parse(body)
    assert request.conversation == (Turn("critic", "hm"),)
    assert request.max_tokens == 256


BAD_CHAT: list[tuple[Any, str]] = [
    ([], "The request body must be a JSON object."),
    ("hello", "The request body must be a JSON object."),
    ({}, "messages is required"),
    ({"messages": "hi"}, "messages must be a list of message objects."),
    ({"messages": ["hi"]}, "messages[0] must be an object with a role and content."),
    ({"messages": [{"content": "hi"}]}, "messages[0].role is required."),
    ({"messages": [{"role": 1, "content": "hi"}]}, "messages[0].role must be a string."),
    (
        {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": 5}]},
        "messages[1].content must be a string or a list of content parts.",
    ),
    (
        {"messages": [{"role": "user", "content": {"type": "text", "text": "a"}}]},
        "messages[0].content must be a string or a list of content parts.",
    ),
    (
        {"messages": [{"role": "user", "content": ["a"]}]},
        "messages[0].content[0] must be a content part object",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "text", "text": 3}]}]},
        "messages[0].content[0].text must be a string.",
    ),
    (
        {"messages": [{"role": "user", "content": [{"image_url": {}}]}]},
        "messages[0].content[0].type is required.",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": 7}]}]},
        "messages[0].content[0].type must be a string.",
    ),
    ({"messages": [], "model": 4}, "model must be a string."),
    ({"messages": [], "max_tokens": "100"}, "max_tokens must be an integer."),
    ({"messages": [], "max_completion_tokens": 1.5}, "max_completion_tokens must be an integer."),
    ({"messages": [], "max_tokens": True}, "max_tokens must be an integer."),
    ({"messages": [], "temperature": "hot"}, "temperature must be a number."),
    ({"messages": [], "stream": "yes"}, "stream must be true or false."),
    ({"messages": [], "n": 0}, "n must be a positive integer."),
    ({"messages": [], "logprobs": 1}, "logprobs must be true or false."),
    ({"messages": [], "logit_bias": [1]}, "logit_bias must be an object"),
    ({"messages": [], "tools": {"a": 1}}, "tools must be a list of tool definitions."),
]


@pytest.mark.parametrize(("body", "message"), BAD_CHAT)
def test_chat_bad_requests(body: Any, message: str) -> None:
    with pytest.raises(BadRequest) as info:
        chat.parse(body)
    assert info.value.message.startswith(message)
    assert info.value.status_code == 400


# -- completions: parse -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "text"),
    [
        ("Once upon a time", "Once upon a time"),
        (["a", "b", "c"], "a\nb\nc"),
        ([1, 2, 3], "1 2 3"),
        ([[1, 2], [3]], "1 2\n3"),
        ([], ""),
        (None, ""),
    ],
)
def test_completions_prompt_forms(prompt: Any, text: str) -> None:
    request = completions.parse({"model": "gpt-3.5-turbo-instruct", "prompt": prompt})
    assert request.prompt == text
    assert request.conversation == (Turn("user", text),)
    assert request.route == "openai.completions"


def test_completions_identical_token_prompts_read_identically() -> None:
    a = completions.parse({"prompt": [[15496, 995], [15496, 995]]}).prompt
    b = completions.parse({"prompt": "15496 995\n15496 995"}).prompt
    assert a == b


def test_completions_parameters() -> None:
    body = {
        "model": "davinci-002",
        "prompt": "x",
        "max_tokens": 100,
        "logprobs": 0,
        "n": 2,
        "best_of": 4,
        "echo": True,
        "stream": True,
        "logit_bias": {"50256": -100},
        "suffix": "y",
    }
    request = completions.parse(body)
    assert (request.max_tokens, request.n, request.stream) == (100, 2, True)
    assert (request.logprobs, request.top_logprobs, request.logit_bias) == (True, 0, True)
    assert completions.parse({"prompt": "x"}).logprobs is False


@pytest.mark.parametrize(
    "prompt", [5, {"text": "x"}, ["a", 1], [True], [[1, "a"]], [[1], 2], [1.5]]
)
def test_completions_bad_prompts(prompt: Any) -> None:
    with pytest.raises(BadRequest, match="prompt must be a string, a list of strings"):
        completions.parse({"prompt": prompt})


def test_completions_bad_body() -> None:
    with pytest.raises(BadRequest, match="JSON object"):
        completions.parse(["x"])
    with pytest.raises(BadRequest, match="logprobs must be an integer"):
        completions.parse({"prompt": "x", "logprobs": True})


# -- responses: parse -------------------------------------------------------------------------


def test_responses_string_input() -> None:
    request = responses.parse(
        {"model": "gpt-4.1", "input": "Hi", "instructions": "Be nice.", "max_output_tokens": 9}
    )
    assert (request.prompt, request.system, request.max_tokens) == ("Hi", "Be nice.", 9)
    assert request.conversation == (Turn("user", "Hi"),)


def test_responses_items_without_input_are_allowed() -> None:
    request = responses.parse({"model": "gpt-4.1", "previous_response_id": "resp_1"})
    assert (request.prompt, request.conversation) == ("", ())


def test_responses_message_items_and_tool_outputs() -> None:
    body = {
        "input": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": [{"type": "input_text", "text": "q1"}]},
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "item_reference", "id": "msg_0"},
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
            {
                "type": "function_call_output",
                "call_id": "c",
                "output": [{"type": "input_text", "text": "result"}],
            },
            {"type": "local_shell_call_output", "id": "x", "output": "ls output"},
            {"type": "message", "role": "user", "content": "q2"},
        ],
        "tools": [{"type": "function", "name": "f"}, {"type": "file_search"}],
        "top_logprobs": 0,
    }
    request = responses.parse(body)
    assert request.system == "sys"
    assert request.prompt == "q2"
    assert request.conversation == (
        Turn("user", "q1"),
        Turn("tool", "result"),
        Turn("tool", "ls output"),
        Turn("user", "q2"),
    )
    assert (request.tools, request.logprobs, request.top_logprobs) == (2, False, 0)


BAD_RESPONSES: list[tuple[Any, str]] = [
    (None, "The request body must be a JSON object."),
    ({"input": 3}, "input must be a string or a list of input items."),
    ({"input": ["hi"]}, "input[0] must be an input item object."),
    ({"input": [{"content": "hi"}]}, "input[0].role is required"),
    ({"input": [{"type": "message", "content": "hi"}]}, "input[0].role is required"),
    ({"input": [{"role": ["user"], "content": "hi"}]}, "input[0].role must be a string."),
    ({"input": [{"type": 1}]}, "input[0].type must be a string."),
    (
        {"input": [{"role": "user", "content": 1}]},
        "input[0].content must be a string or a list of content parts.",
    ),
    (
        {"input": [{"role": "user", "content": [{"type": "input_text"}]}]},
        "input[0].content[0].text must be a string.",
    ),
    (
        {"input": [{"type": "function_call_output", "call_id": "c", "output": 5}]},
        "input[0].output must be a string or a list of content parts.",
    ),
    ({"input": "x", "instructions": ["a"]}, "instructions must be a string."),
    ({"input": "x", "max_output_tokens": "9"}, "max_output_tokens must be an integer."),
    ({"input": "x", "include": "all"}, "include must be a list of strings."),
]


@pytest.mark.parametrize(("body", "message"), BAD_RESPONSES)
def test_responses_bad_requests(body: Any, message: str) -> None:
    with pytest.raises(BadRequest) as info:
        responses.parse(body)
    assert info.value.message.startswith(message)


# -- usage from JSON --------------------------------------------------------------------------


def test_usage_from_json_bodies() -> None:
    assert chat.usage(chat_completion(12, 34)) == Usage(12, 34)
    assert completions.usage(chat_completion(1, 2)) == Usage(1, 2)
    assert responses.usage(responses_object(usage=(7, 8))) == Usage(7, 8)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"usage": None},
        {"error": {"message": "Rate limit reached", "type": "requests"}},
        {"usage": "lots"},
    ],
)
def test_usage_absent(body: Any) -> None:
    assert chat.usage(body) is None
    assert completions.usage(body) is None
    assert responses.usage(body) is None


def test_usage_ignores_junk_values() -> None:
    assert chat.usage({"usage": {"prompt_tokens": "3", "completion_tokens": -1}}) == Usage(0, 0)
    assert chat.usage({"usage": {"input_tokens": 4, "output_tokens": 5}}) == Usage(4, 5)


# -- usage from streams -----------------------------------------------------------------------


def test_chat_stream_with_usage() -> None:
    assert_chunking_invariant(chat, chat_stream(include_usage=True, usage=(25, 9)), Usage(25, 9))


def test_chat_stream_without_usage_is_estimated_from_deltas() -> None:
    text = "".join(["Hello", "!", " How", " can", " I", " help", " you", " today", "?"])
    assert_chunking_invariant(chat, chat_stream(), Usage(0, estimate_tokens(len(text))))


def test_chat_stream_estimate_counts_tool_arguments() -> None:
    args = ['{"ci', 'ty": "Par', 'is"}']
    stream = chat_stream(texts=[], tool_arguments=args)
    assert_chunking_invariant(chat, stream, Usage(0, estimate_tokens(len("".join(args)))))


def test_chat_stream_long_random_chunkings() -> None:
    rng = random.Random(7)
    words = ["alpha", " beta", " γάμμα", " 中文", " 🤖", "\n", " delta"]
    texts = [rng.choice(words) for _ in range(300)]
    stream = chat_stream(texts=texts, include_usage=True, usage=(300, 700))
    assert_chunking_invariant(chat, stream, Usage(300, 700))
    stream = chat_stream(texts=texts)
    assert_chunking_invariant(chat, stream, Usage(0, estimate_tokens(len("".join(texts)))))


def test_chat_stream_cut_before_the_usage_chunk_falls_back_to_the_estimate() -> None:
    stream = chat_stream(include_usage=True)
    cut = stream[: stream.index(b'"choices":[]')]
    assert stream_usage(chat, [cut]).output_tokens == estimate_tokens(
        len("Hello! How can I help you today?")
    )


def test_completions_stream() -> None:
    text = "Hello! How can I help you today?"
    assert_chunking_invariant(
        completions, completions_stream(), Usage(0, estimate_tokens(len(text)))
    )
    stream = completions_stream(include_usage=True, usage=(5, 9))
    assert_chunking_invariant(completions, stream, Usage(5, 9))


def test_responses_stream() -> None:
    stream = responses_stream(usage=(36, 87), reasoning=["Let me", " think."])
    assert_chunking_invariant(responses, stream, Usage(36, 87))


def test_responses_stream_cut_short_is_estimated_from_every_text_delta() -> None:
    stream = responses_stream(reasoning=["Let me", " think."], complete=False)
    chars = len("Let me think.") + len("Hello! How can I help you today?")
    assert_chunking_invariant(responses, stream, Usage(0, estimate_tokens(chars)))


def test_responses_stream_incomplete_event_carries_usage() -> None:
    response = responses_object(status="incomplete", usage=(10, 4096))
    event = {"type": "response.incomplete", "sequence_number": 3, "response": response}
    stream = f"event: response.incomplete\ndata: {json.dumps(event)}\n\n".encode()
    assert stream_usage(responses, [stream]) == Usage(10, 4096)


def test_responses_audio_deltas_are_not_text() -> None:
    stream = (
        b'event: response.audio.delta\ndata: {"type":"response.audio.delta","delta":"'
        + b"A" * 4000
        + b'"}\n\n'
    )
    assert stream_usage(responses, [stream]) == Usage(0, 0)


@pytest.mark.parametrize("adapter", [chat, completions, responses])
def test_stream_usage_never_raises_on_junk(adapter: Adapter) -> None:
    junk = (
        b'data: [DONE]\n\ndata: not json\n\ndata: [1, 2]\n\ndata: {"choices": 5}\n\n'
        b'data: {"choices": [1, {"delta": 3}, {"delta": {"tool_calls": [1, {"function": 2}]}}]}\n\n'
        b'data: {"usage": {"prompt_tokens": null}}\n\ndata: {"type": 5}\n\n'
        b'data: {"type": "response.completed", "response": {"usage": [1]}}\n\n'
        + b"data: "
        + b'{"a":' * 50000
        + b"\n\n"
    )
    usage = stream_usage(adapter, [junk])
    assert usage.output_tokens >= 0
