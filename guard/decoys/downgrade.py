"""The ``downgrade`` decoy: the request answered by a cheaper model or upstream.

The answer is genuine model output, in the real wire format, just from a weaker model: a
harvester cannot tell it from the real thing by its form, and a student trained on it
learns the weaker model. The middleware owns the HTTP session and decides which headers
(credentials) the decoy upstream gets; this function only sends the request there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

__all__ = ["DowngradeResponse", "downgrade"]

_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"content-length",
        b"host",
    }
)


@dataclass(frozen=True, slots=True)
class DowngradeResponse:
    """The decoy upstream's complete answer (``body`` is the whole JSON or SSE body)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


async def downgrade(
    session: aiohttp.ClientSession,
    upstream: str,
    path: str,
    request: Mapping[str, Any],
    headers: Sequence[tuple[bytes, bytes]] = (),
    *,
    model: str | None = None,
    timeout: float = 120.0,
) -> DowngradeResponse:
    """Send ``request`` (a decoded JSON body) to ``upstream`` + ``path``, with ``model``
    replacing the requested model, and return the whole answer.

    The answer keeps the *requested* model name where the upstream echoes it, so the client
    sees the model it asked for. Errors of the connection propagate (aiohttp's); the caller
    falls back to the genuine upstream or another decoy.
    """
    body = dict(request)
    asked = body.get("model")
    if model:
        body["model"] = model
    send = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in headers
        if name.lower() not in _HOP_BY_HOP
    }
    send["content-type"] = "application/json"
    url = upstream.rstrip("/") + path
    limit = aiohttp.ClientTimeout(total=timeout)
    async with session.post(url, data=json.dumps(body), headers=send, timeout=limit) as response:
        content = await response.read()
        out_headers = [
            (name.lower(), value)
            for name, value in response.raw_headers
            if name.lower() not in _HOP_BY_HOP
        ]
        status = response.status
    if model and isinstance(asked, str) and asked != model:
        content = content.replace(json.dumps(model).encode(), json.dumps(asked).encode())
    return DowngradeResponse(status, out_headers, content)
