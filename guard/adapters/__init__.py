"""Format adapters: read the prompt from a request and the token usage from its response.

:class:`Router` picks the adapter for a path; each adapter knows one API format.
"""

from guard.adapters.anthropic import AnthropicMessagesAdapter
from guard.adapters.base import Adapter, StreamUsage
from guard.adapters.generic import GenericAdapter, GenericRoute
from guard.adapters.jsonpath import JsonPath, JsonPathError
from guard.adapters.openai import (
    OpenAIChatAdapter,
    OpenAICompletionsAdapter,
    OpenAIResponsesAdapter,
)
from guard.adapters.router import Router
from guard.adapters.tokens import estimate_tokens

__all__ = [
    "Adapter",
    "AnthropicMessagesAdapter",
    "GenericAdapter",
    "GenericRoute",
    "JsonPath",
    "JsonPathError",
    "OpenAIChatAdapter",
    "OpenAICompletionsAdapter",
    "OpenAIResponsesAdapter",
    "Router",
    "StreamUsage",
    "estimate_tokens",
]
