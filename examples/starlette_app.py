"""A Starlette app serving an OpenAI-style chat endpoint, protected by guard.

Run:  uvicorn examples.starlette_app:app --port 8000
Try:  curl -s localhost:8000/v1/chat/completions -H 'Authorization: Bearer sk-test' \
        -H 'Content-Type: application/json' \
        -d '{"model": "m", "messages": [{"role": "user", "content": "Hello"}]}'
"""

from __future__ import annotations

import time
import uuid

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from guard import GuardMiddleware


async def chat_completions(request: Request) -> JSONResponse:
    payload = await request.json()
    question = payload["messages"][-1]["content"]
    answer = f"You asked: {question}"
    return JSONResponse(
        {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": payload.get("model", "example"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": len(question.split()),
                "completion_tokens": len(answer.split()),
                "total_tokens": len(question.split()) + len(answer.split()),
            },
        }
    )


app = Starlette(
    routes=[Route("/v1/chat/completions", chat_completions, methods=["POST"])],
    # policy=None uses guard's bundled default policy; pass a path to use your own.
    middleware=[Middleware(GuardMiddleware, policy=None)],
)
