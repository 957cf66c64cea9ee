"""A built-in fake of the OpenAI and Anthropic APIs, for tests, benchmarks and demos.

``MockUpstream`` is a pure ASGI app; :func:`count_tokens` is the tokenizer behind every usage
number it reports, so callers can recompute them exactly.
"""

from __future__ import annotations

from guard.mock.app import MockUpstream
from guard.mock.text import count_tokens

__all__ = ["MockUpstream", "count_tokens"]
