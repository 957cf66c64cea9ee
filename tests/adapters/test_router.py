from __future__ import annotations

import pytest

from guard.adapters import (
    AnthropicMessagesAdapter,
    GenericAdapter,
    GenericRoute,
    OpenAIChatAdapter,
    OpenAICompletionsAdapter,
    OpenAIResponsesAdapter,
    Router,
)
from guard.adapters.router import normalize_path

router = Router()


@pytest.mark.parametrize(
    ("path", "adapter"),
    [
        ("/v1/chat/completions", OpenAIChatAdapter),
        ("/v1/completions", OpenAICompletionsAdapter),
        ("/v1/responses", OpenAIResponsesAdapter),
        ("/v1/messages", AnthropicMessagesAdapter),
        # behind a mount prefix
        ("/openai/v1/chat/completions", OpenAIChatAdapter),
        ("/api/v1/messages", AnthropicMessagesAdapter),
        ("/proxy/team-a/v1/responses", OpenAIResponsesAdapter),
        ("/v1/v1/completions", OpenAICompletionsAdapter),
        # spellings upstreams commonly treat alike
        ("/v1/chat/completions/", OpenAIChatAdapter),
        ("//v1//chat/completions", OpenAIChatAdapter),
        ("/v1/messages?beta=true", AnthropicMessagesAdapter),
        ("/v1/responses/?x=1", OpenAIResponsesAdapter),
        # not generation endpoints
        ("/v1/messages/count_tokens", None),
        ("/v1/messages/batches", None),
        ("/v1/responses/resp_67ccd3a9da748190", None),
        ("/v1/responses/resp_1/input_items", None),
        ("/v1/chat/completions/chatcmpl-123", None),
        ("/v1/models", None),
        ("/v1/embeddings", None),
        ("/chat/completions", None),
        ("/v2/chat/completions", None),
        ("/v1/chat/completionsx", None),
        ("/xv1/messages", None),
        ("/", None),
        ("", None),
        ("/_guard/health", None),
    ],
)
def test_builtin_table(path: str, adapter: type | None) -> None:
    found = router.match(path)
    if adapter is None:
        assert found is None
    else:
        assert isinstance(found, adapter)
    assert router.match(path) is found  # cached answers are the same


def test_builtin_adapters_are_shared_instances() -> None:
    assert router.match("/v1/chat/completions") is router.match("/openai/v1/chat/completions")
    assert router.match("/v1/messages") is Router().match("/v1/messages")


def test_builtins_can_be_turned_off() -> None:
    assert Router(builtins=False).match("/v1/chat/completions") is None


def test_generic_routes_exact_and_prefix() -> None:
    predict = GenericRoute("predict", "/predict", "$.q")
    models = GenericRoute("models", "/models/*", "$.inputs")
    r = Router(generic=[predict, models])
    exact = r.match("/predict")
    assert isinstance(exact, GenericAdapter) and exact.config is predict
    assert r.match("/predict/") is exact
    assert r.match("/predict?debug=1") is exact
    assert r.match("/predict/x") is None
    prefix = r.match("/models/llama/generate")
    assert isinstance(prefix, GenericAdapter) and prefix.config is models
    assert r.match("/models") is None
    assert r.match("/models/") is None  # the same path as /models
    assert r.match("/models/a/v1/chat/completions") is prefix
    assert isinstance(r.match("/v1/chat/completions"), OpenAIChatAdapter)


def test_generic_routes_come_before_builtins() -> None:
    custom = GenericRoute("custom-chat", "/v1/chat/completions", "$.prompt")
    r = Router(generic=[custom])
    found = r.match("/v1/chat/completions")
    assert isinstance(found, GenericAdapter) and found.config is custom
    assert isinstance(r.match("/openai/v1/chat/completions"), OpenAIChatAdapter)
    catch_all = GenericRoute("all", "/*", "$.prompt")
    found = Router(generic=[catch_all]).match("/v1/messages")
    assert isinstance(found, GenericAdapter) and found.config is catch_all


def test_generic_routes_first_declared_wins() -> None:
    broad = GenericRoute("broad", "/api/*", "$.a")
    narrow = GenericRoute("narrow", "/api/chat", "$.b")
    first = Router(generic=[broad, narrow]).match("/api/chat")
    assert isinstance(first, GenericAdapter) and first.config is broad
    second = Router(generic=[narrow, broad]).match("/api/chat")
    assert isinstance(second, GenericAdapter) and second.config is narrow
    twice = Router(generic=[narrow, GenericRoute("dup", "/api/chat", "$.c")]).match("/api/chat")
    assert isinstance(twice, GenericAdapter) and twice.config is narrow


def test_ignored_paths_win_over_everything() -> None:
    r = Router(
        generic=[GenericRoute("p", "/predict", "$.q")],
        ignore=["/v1/messages", "/internal/*", "/predict"],
    )
    assert r.match("/v1/messages") is None
    assert r.match("/v1/messages/") is None
    assert r.match("/internal/v1/chat/completions") is None
    assert r.match("/predict") is None
    assert isinstance(r.match("/api/v1/messages"), AnthropicMessagesAdapter)
    assert isinstance(r.match("/v1/chat/completions"), OpenAIChatAdapter)


def test_cache_is_bounded() -> None:
    r = Router(cache_size=8)
    for i in range(1000):
        assert r.match(f"/random/{i}") is None
        assert isinstance(r.match(f"/m{i}/v1/messages"), AnthropicMessagesAdapter)
    assert len(r._cache) <= 8


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("/", "/"),
        ("", ""),
        ("//", "/"),
        ("/a/", "/a"),
        ("/a///b//", "/a/b"),
        ("/a?b=/c/", "/a"),
        ("/v1/messages", "/v1/messages"),
    ],
)
def test_normalize_path(raw: str, normal: str) -> None:
    assert normalize_path(raw) == normal
