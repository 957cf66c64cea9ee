"""The Anthropic SDK pointed at guard instead of the API: only ``base_url`` changes.

Run guard first (``guard serve --upstream mock`` needs no network or real key; in front of
the real API use ``--upstream https://api.anthropic.com``, or ``--route
/v1/messages=https://api.anthropic.com`` beside an OpenAI upstream), then::

    python examples/anthropic_client.py
    GUARD_URL=http://guard.internal:8080 ANTHROPIC_API_KEY=sk-ant-... \
        python examples/anthropic_client.py
"""

from __future__ import annotations

import os

import anthropic


def main() -> None:
    client = anthropic.Anthropic(
        base_url=os.environ.get("GUARD_URL", "http://127.0.0.1:8080"),
        api_key=os.environ.get("ANTHROPIC_API_KEY", "sk-ant-example-key"),
    )
    model = os.environ.get("ANTHROPIC_MODEL", "claude-3-5-haiku-latest")
    message = client.messages.create(
        model=model,
        max_tokens=200,
        messages=[{"role": "user", "content": "In one sentence: why is the sky blue?"}],
    )
    print("".join(block.text for block in message.content if block.type == "text"))

    with client.messages.stream(
        model=model,
        max_tokens=200,
        messages=[{"role": "user", "content": "Write a haiku about tide pools."}],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
    print()

    # A refusal comes back in Anthropic's error shape, so the SDK raises its usual errors.
    try:
        client.messages.create(
            model=model, max_tokens=50, messages=[{"role": "user", "content": "One more?"}]
        )
    except anthropic.RateLimitError as exc:
        print("throttled by guard; retry after", exc.response.headers.get("retry-after"), "s")
    except anthropic.PermissionDeniedError:
        print("blocked by guard")


if __name__ == "__main__":
    main()
