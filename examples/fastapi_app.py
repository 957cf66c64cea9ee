"""A FastAPI app serving an Anthropic-style messages endpoint, protected by guard.

Run:  uvicorn examples.fastapi_app:app --port 8000
Try:  curl -s localhost:8000/v1/messages -H 'x-api-key: sk-test' \
        -H 'Content-Type: application/json' \
        -d '{"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}'
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from guard import GuardMiddleware

app = FastAPI()
# Set GUARD_SECRET in the environment so key ids are stable across restarts and replicas.
app.add_middleware(GuardMiddleware, policy=None, store="memory://?max_keys=100000")


@app.post("/v1/messages")
async def messages(payload: dict[str, Any]) -> dict[str, Any]:
    content = payload["messages"][-1]["content"]
    question = (
        content
        if isinstance(content, str)
        else " ".join(block.get("text", "") for block in content if isinstance(block, dict))
    )
    answer = f"You asked: {question}"
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": payload.get("model", "example"),
        "content": [{"type": "text", "text": answer}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": len(question.split()), "output_tokens": len(answer.split())},
    }
