"""Decoys, perturbations and watermarks: harvested answers made worthless and traceable.

Wiring API (what the middleware calls; one :class:`DecoyEngine` per pipeline, built with
guard's identity secret so ``guard trace`` can check its watermarks later)::

    engine = DecoyEngine(secret)

    # 1. Learn from genuine answers as they pass (any action, benign traffic included):
    tap = engine.recorder(route, request_json, cell=features.cell)  # when forwarding
    tap.start(status, headers); tap.feed(chunk) ...; tap.close()     # at the end
    #    (or engine.observe_genuine(route, request_json, status=..., headers=...,
    #     body=..., stream=..., arrivals=[...], cell=...) with a complete response)

    # 2. decoy (strategies mismatch, synthetic): answer without the upstream
    answer = engine.decoy("mismatch", route, request_json, key_id=key_id,
                          cell=features.cell, canary=then.canary)
    #    None -> not a route decoys know (generic routes): forward instead. Before any
    #    genuine answer was seen, the shape is guard.mock's and the text generic filler.
    #    A canary rides in ``engine.canary_share`` (default 25%) of decoys.
    #    JSON: sleep(answer.delay), send answer.status/headers/body.
    #    SSE: send answer.status/headers, then for delay, event in answer.events:
    #         sleep(delay); send(event).
    #    downgrade: texts of a cheaper model's answer (guard.decoys.Downgrader.ask, then
    #    guard.decoys.engine.answer_texts), dressed as the route's genuine answer:
    #    engine.render(route, request_json, texts, key_id=key_id, elapsed=seconds_spent)

    # 3. perturb / watermark a genuine answer (then = the policy's Perturb/Watermark):
    new = engine.perturb_json(route, body, key_id, then)      # None: send body unchanged
    new = engine.watermark_json(route, body, key_id, then)
    rw = engine.stream_transformer("perturb" | "watermark", route, key_id, then)
    send(rw.feed(chunk)) for each upstream chunk; send(rw.close()) at the end

Routes are the adapters' names: ``openai.chat``, ``openai.completions``,
``openai.responses``, ``anthropic.messages`` (others: pass through unchanged). After a
JSON rewrite the content-length header must be set to the new body's length.
"""

from guard.decoys.canary import Canaries
from guard.decoys.downgrade import Downgrader, DowngradeResponse, downgrade
from guard.decoys.engine import DecoyAnswer, DecoyEngine, GenuineRecorder
from guard.decoys.perturb import Perturber, PerturbParams
from guard.decoys.stream import StreamRewriter
from guard.decoys.trace import KeyTrace, trace
from guard.decoys.watermark import Watermarker, WatermarkScore

__all__ = [
    "Canaries",
    "DecoyAnswer",
    "DecoyEngine",
    "DowngradeResponse",
    "Downgrader",
    "GenuineRecorder",
    "KeyTrace",
    "PerturbParams",
    "Perturber",
    "StreamRewriter",
    "WatermarkScore",
    "Watermarker",
    "downgrade",
    "trace",
]
