"""The OpenAI SDK pointed at guard instead of the API: only ``base_url`` changes.

Run guard first (``guard serve --upstream mock`` needs no network or real key), then::

    python examples/openai_client.py
    GUARD_URL=http://guard.internal:8080 OPENAI_API_KEY=sk-... python examples/openai_client.py

guard forwards the request, key included, to its upstream; the answer (and its stream) comes
back unchanged unless the policy acts.
"""

from __future__ import annotations

import os

import openai


def main() -> None:
    client = openai.OpenAI(
        base_url=os.environ.get("GUARD_URL", "http://127.0.0.1:8080") + "/v1",
        api_key=os.environ.get("OPENAI_API_KEY", "sk-example-key"),
    )
    model = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    completion = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "In one sentence: why is the sky blue?"}],
    )
    print(completion.choices[0].message.content)

    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Write a haiku about tide pools."}],
        stream=True,
    )
    for chunk in stream:
        if chunk.choices:
            print(chunk.choices[0].delta.content or "", end="", flush=True)
    print()

    # A refusal comes back in the API's own error shape, so the SDK raises its usual errors.
    try:
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "One more question?"}]
        )
    except openai.RateLimitError as exc:
        print("throttled by guard; retry after", exc.response.headers.get("retry-after"), "s")
    except openai.PermissionDeniedError:
        print("blocked by guard")


if __name__ == "__main__":
    main()
