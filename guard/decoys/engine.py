"""``DecoyEngine``: what the middleware calls to decoy, perturb or watermark an answer.

It learns from the genuine traffic it is shown (:meth:`DecoyEngine.observe_genuine`, or a
:class:`GenuineRecorder` tapping a response as it passes): per route, the latest genuine
responses as templates (wire shape and headers), their answers (the synthetic decoy's
corpus), their latency (decoys arrive as slowly), and per semantic cell a few answers
(the mismatch decoy). Everything is bounded: an LRU of routes, fixed-size deques inside.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cachetools import LRUCache

from guard.adapters.anthropic import AnthropicMessagesAdapter
from guard.adapters.base import Adapter
from guard.adapters.openai import (
    OpenAIChatAdapter,
    OpenAICompletionsAdapter,
    OpenAIResponsesAdapter,
)
from guard.decoys.cadence import Cadence
from guard.decoys.canary import Canaries
from guard.decoys.formats import (
    ROUTES,
    Template,
    render_headers,
    render_json,
    request_texts,
    response_texts,
    rewrite_json,
)
from guard.decoys.keyed import Keyed
from guard.decoys.mismatch import AnswerBank
from guard.decoys.perturb import Perturber, PerturbParams
from guard.decoys.reference import reference_template
from guard.decoys.stream import ReplaceChannel, RewriteChannel, StreamRewriter
from guard.decoys.synthetic import SyntheticWriter
from guard.decoys.watermark import Watermarker
from guard.mock.text import count_tokens, split_pieces, truncate_tokens
from guard.sse import SSEParser

__all__ = ["DecoyAnswer", "DecoyEngine", "GenuineRecorder", "Kind", "Strategy", "answer_texts"]

Headers = Sequence[tuple[bytes, bytes]]
Strategy = Literal["mismatch", "synthetic"]
Kind = Literal["perturb", "watermark", "canary"]

_ADAPTERS: Mapping[str, Adapter] = {
    "openai.chat": OpenAIChatAdapter(),
    "openai.completions": OpenAICompletionsAdapter(),
    "openai.responses": OpenAIResponsesAdapter(),
    "anthropic.messages": AnthropicMessagesAdapter(),
}
_TRUNCATED = re.compile(
    rb'"finish_reason":\s*"(?:length|content_filter)"|"stop_reason":\s*"max_tokens"'
    rb'|"status":\s*"incomplete"'
)
_MAX_RECORD = 1 << 20
_MAX_WANTED = 256
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True, slots=True)
class DecoyAnswer:
    """A decoy response ready to send.

    JSON: wait ``delay`` seconds, then send ``status``, ``headers`` and ``body``. Streams:
    send ``status`` and ``headers``, then each of ``events`` after its delay (seconds).
    """

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes | None = None
    events: list[tuple[float, bytes]] | None = None
    delay: float = 0.0
    text: str = ""


class _Route:
    """What the engine remembers of one route."""

    __slots__ = ("cadence", "templates", "wanted", "writer")

    def __init__(self, answers: int) -> None:
        self.templates: LRUCache[tuple[Any, ...], deque[Template]] = LRUCache(maxsize=16)
        self.writer = SyntheticWriter(answers=answers)
        self.cadence = Cadence()
        self.wanted = 0  # genuine answers to record beyond the usual sample


class DecoyEngine:
    """Decoys, perturbations and watermarks for one secret (guard's identity secret).

    Pure apart from what it observes: the same secret, key id and text always give the
    same watermark and perturbation, so ``guard trace`` can check them later.
    """

    def __init__(
        self,
        secret: bytes | str,
        *,
        routes: int = 64,
        answers_per_route: int = 1000,
        cells: int = 4096,
        answers_per_cell: int = 6,
        canary_share: float = 0.25,
    ) -> None:
        #: Share of decoys that carry a canary (when the policy asks for canaries): each
        #: one is a phrase a classifier could learn, so only some decoys carry one.
        self.canary_share = canary_share
        self.watermarker = Watermarker(secret)
        self.perturber = Perturber(secret)
        self.canaries = Canaries(secret)
        self.keyed = Keyed(secret, "decoy")
        self.bank = AnswerBank(cells=cells, per_cell=answers_per_cell)
        self._routes: LRUCache[str, _Route] = LRUCache(maxsize=routes)
        self._answers = answers_per_route

    def _route(self, route: str) -> _Route:
        state = self._routes.get(route)
        if state is None:
            state = self._routes[route] = _Route(self._answers)
        return state

    # Learning from genuine answers -------------------------------------------------------

    def wants(self, route: str) -> bool:
        """Whether to record the next genuine answer on ``route`` although it is not in
        the usual sample: decoys there have drained the answers they recombine. One is
        wanted per decoy served while they are short, so the extra recording is paid for
        by harvest traffic, never by benign traffic alone."""
        state = self._routes.get(route)
        if state is None or state.wanted <= 0:
            return False
        state.wanted -= 1
        return True

    def recorder(
        self,
        route: str,
        request: Any,
        *,
        cell: int | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> GenuineRecorder:
        """A tap for one genuine response; start it when the request goes upstream."""
        return GenuineRecorder(self, route, request, cell, clock)

    def observe_genuine(
        self,
        route: str,
        request: Any,
        *,
        status: int,
        headers: Headers,
        body: bytes,
        stream: bool,
        arrivals: Sequence[float] = (),
        cell: int | None = None,
    ) -> None:
        """Learn from a complete genuine response (``arrivals``: seconds from sending the
        request to each body chunk; a stream's chunks are its events)."""
        if route not in ROUTES or status != 200 or not isinstance(request, dict):
            return
        if stream:
            texts, reported, reported_input, deltas = _stream_facts(route, body)
        else:
            try:
                obj = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return
            texts = [text for _, text in response_texts(route, obj)]
            usage = _ADAPTERS[route].usage(obj)
            reported = usage.output_tokens if usage else None
            reported_input = usage.input_tokens if usage else None
            deltas = 0
        answer = "".join(texts)
        if not answer.strip():
            return
        state = self._route(route)
        prompt = _prompt(route, request)
        state.writer.add(texts[0])
        if cell is not None:
            self.bank.add(cell, _digest(prompt), texts[0])
        if arrivals:
            if stream:
                state.cadence.observe_stream(list(arrivals))
            else:
                state.cadence.observe_json(arrivals[-1], len(answer))
        if _TRUNCATED.search(body):
            return  # a decoy should end as naturally as a complete answer
        mock_out = sum(count_tokens(text) for text in texts)
        mock_in = sum(count_tokens(text) for text in request_texts(route, request))
        template = Template(
            route=route,
            stream=stream,
            status=status,
            headers=tuple(headers),
            body=body,
            ratio=reported / mock_out if reported and mock_out else 1.0,
            input_ratio=reported_input / mock_in if reported_input and mock_in else 1.0,
            tokens_per_delta=mock_out / deltas if deltas else 2.0,
        )
        templates = state.templates.get(_shape(route, request, stream))
        if templates is None:
            templates = state.templates[_shape(route, request, stream)] = deque(maxlen=4)
        templates.append(template)

    # Decoys -----------------------------------------------------------------------------

    def decoy(
        self,
        strategy: Strategy,
        route: str,
        request: Any,
        *,
        key_id: str,
        cell: int | None = None,
        canary: bool = True,
    ) -> DecoyAnswer | None:
        """A decoy answer to ``request`` in the route's wire format, or ``None`` when there
        is nothing to make one from yet (no genuine answer seen; forward the request).

        ``downgrade`` is not made here: see :func:`guard.decoys.downgrade.downgrade`.
        """
        if strategy not in ("mismatch", "synthetic"):
            raise ValueError(
                f"decoy strategy {strategy!r} is not made here: mismatch and synthetic are; "
                "downgrade is guard.decoys.downgrade.downgrade()"
            )
        if route not in ROUTES or not isinstance(request, dict):
            return None
        prompt = _prompt(route, request)
        rng = self.keyed.rng(key_id, strategy, _digest(prompt))
        state = self._route(route)
        template = self._template(route, request, request.get("stream") is True)
        if template is None:
            return None
        texts: list[str] = []
        for _ in range(_choices(route, request)):
            text = None
            if strategy == "mismatch" and cell is not None:
                text = self.bank.pick(cell, _digest(prompt), rng)
                if text:
                    state.writer.spend(text)
            if not text:
                related = self.bank.texts(cell) if cell is not None else ()
                text = state.writer.write(rng, prompt, related=related)
                text = text or self._any_writer(rng, prompt)
            if not text:
                # Nothing genuine seen yet: the reference answer is generic, on-topic filler.
                fallback = reference_template(route, {**request, "n": 1}, False)
                text = _template_text(fallback) if fallback is not None else ""
            if not text:
                return None
            texts.append(text)
        if state.writer.hungry:
            state.wanted = min(state.wanted + 1, _MAX_WANTED)
        return self._render(template, request, texts, key_id, canary, rng, 0.0)

    def render(
        self,
        route: str,
        request: Any,
        texts: Sequence[str],
        *,
        key_id: str,
        canary: bool = True,
        elapsed: float = 0.0,
    ) -> DecoyAnswer | None:
        """``texts`` (one per choice) as the answer to ``request``, in the wire format,
        headers and cadence of the route's genuine answers, as a decoy is: the downgrade
        decoy's text made to look like the genuine model's answer. ``elapsed``: seconds
        already spent getting the texts, taken off the delay a genuine answer would have
        had. ``None``: not a route decoys know, or no text."""
        if route not in ROUTES or not isinstance(request, dict) or not any(texts):
            return None
        template = self._template(route, request, request.get("stream") is True)
        if template is None:
            return None
        rng = self.keyed.rng(key_id, "render", _digest(_prompt(route, request)))
        return self._render(template, request, texts, key_id, canary, rng, elapsed)

    def _render(
        self,
        template: Template,
        request: dict[str, Any],
        texts: Sequence[str],
        key_id: str,
        canary: bool,
        rng: random.Random,
        elapsed: float,
    ) -> DecoyAnswer:
        route = template.route
        salt = _digest(_prompt(route, request))
        if canary and self.keyed.unit(key_id, "canary", salt) < self.canary_share:
            texts = [self.canaries.weave(text, key_id, salt) for text in texts]
        texts = [_fit(text, _max_tokens(route, request), template.ratio) for text in texts]
        cadence = self._route(route).cadence
        ids: dict[str, str] = {}
        now = int(time.time())
        if not template.stream:
            body = render_json(template, request, texts, now=now, ids=ids)
            delay = cadence.json_delay(rng, sum(map(len, texts)))
            headers = render_headers(
                template.headers, length=len(body), ids=ids, processing_ms=round(delay * 1000)
            )
            wait = max(0.0, delay - elapsed)
            return DecoyAnswer(template.status, headers, body, None, wait, texts[0])
        queue = list(texts)

        def channel(name: str) -> ReplaceChannel:
            text = queue.pop(0) if queue else ""
            return ReplaceChannel(split_pieces(text, rng, template.tokens_per_delta))

        rewriter = StreamRewriter(
            route,
            channel,
            replace=True,
            request=request,
            now=now,
            input_ratio=template.input_ratio,
            ids=ids,
        )
        events = rewriter.feed_events(template.body)
        tail = rewriter.close()
        if tail:
            events.append(tail)
        delays = cadence.stream_delays(rng, len(events))
        headers = render_headers(
            template.headers, length=None, ids=ids, processing_ms=round(delays[0] * 1000)
        )
        if delays:
            delays[0] = max(0.0, delays[0] - elapsed)
        return DecoyAnswer(
            template.status, headers, None, list(zip(delays, events, strict=True)), 0.0, texts[0]
        )

    def _any_writer(self, rng: random.Random, prompt: str) -> str:
        """Text from another route's corpus (a route never answered before)."""
        for state in list(self._routes.values()):
            text = state.writer.write(rng, prompt)
            if text:
                return text
        return ""

    def _template(self, route: str, request: dict[str, Any], stream: bool) -> Template | None:
        templates = self._route(route).templates.get(_shape(route, request, stream))
        if templates:
            return templates[-1]
        return reference_template(route, request, stream)

    # Rewriting genuine answers ------------------------------------------------------------

    def text_rewriter(self, kind: Kind, key_id: str, params: Any = None) -> Callable[[str], str]:
        """A piecewise text rewriter: perturb (``params``: PerturbParams or the policy's
        Perturb action), watermark (``params``: strength, or the Watermark action) or
        canary (weaves one canary sentence at the end)."""
        if kind == "perturb":
            if not isinstance(params, PerturbParams):
                params = PerturbParams.of(params) if params is not None else PerturbParams()
            return self.perturber.rewriter(key_id, params)
        if kind == "watermark":
            return self.watermarker.rewriter(key_id, _strength(params))
        if kind == "canary":
            return lambda text: self.canaries.weave(text, key_id, _digest(text[:200]))
        raise ValueError(f"unknown rewrite kind {kind!r}: use perturb, watermark or canary")

    def rewrite_json(
        self, kind: Kind, route: str, body: bytes, key_id: str, params: Any = None
    ) -> bytes | None:
        """A genuine JSON body with its answer rewritten (``None``: send it unchanged)."""
        return rewrite_json(
            route, body, lambda _, text: self.text_rewriter(kind, key_id, params)(text)
        )

    def perturb_json(
        self, route: str, body: bytes, key_id: str, params: Any = None
    ) -> bytes | None:
        return self.rewrite_json("perturb", route, body, key_id, params)

    def watermark_json(
        self, route: str, body: bytes, key_id: str, strength: Any = 0.5
    ) -> bytes | None:
        return self.rewrite_json("watermark", route, body, key_id, strength)

    def stream_transformer(
        self, kind: Kind, route: str, key_id: str, params: Any = None
    ) -> StreamRewriter:
        """Rewrites a genuine SSE body on the fly: ``feed(bytes) -> bytes``, ``close()``."""
        if kind == "canary":
            raise ValueError("canaries are woven into whole answers: use rewrite_json")

        def channel(name: str) -> RewriteChannel:
            return RewriteChannel(self.text_rewriter(kind, key_id, params))

        return StreamRewriter(route, channel)


class GenuineRecorder:
    """Watches one genuine response pass (bounded: 1 MiB of body) and hands it to the
    engine at :meth:`close`. Call :meth:`start` with the status and headers, :meth:`feed`
    with each body chunk as it is sent on."""

    __slots__ = (
        "_arrivals",
        "_cell",
        "_chunks",
        "_clock",
        "_engine",
        "_headers",
        "_request",
        "_route",
        "_size",
        "_started",
        "_status",
        "_stream",
    )

    def __init__(
        self,
        engine: DecoyEngine,
        route: str,
        request: Any,
        cell: int | None,
        clock: Callable[[], float],
    ) -> None:
        self._engine = engine
        self._route = route
        self._request = request
        self._cell = cell
        self._clock = clock
        self._started = clock()
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._stream = False
        self._chunks: list[bytes] = []
        self._arrivals: list[float] = []
        self._size = 0

    def start(self, status: int, headers: Headers) -> None:
        self._status = status
        self._headers = list(headers)
        for name, value in headers:
            if name.lower() == b"content-type":
                self._stream = value.split(b";", 1)[0].strip().lower() == b"text/event-stream"

    def feed(self, chunk: bytes) -> None:
        if not chunk or self._size > _MAX_RECORD:
            return
        self._size += len(chunk)
        self._chunks.append(chunk)
        self._arrivals.append(self._clock() - self._started)

    def close(self) -> None:
        if self._size > _MAX_RECORD or not self._chunks:
            return
        self._engine.observe_genuine(
            self._route,
            self._request,
            status=self._status,
            headers=self._headers,
            body=b"".join(self._chunks),
            stream=self._stream,
            arrivals=self._arrivals,
            cell=self._cell,
        )


def answer_texts(route: str, status: int, headers: Headers, body: bytes) -> list[str]:
    """The answer texts (one per choice) of a complete response on ``route``, JSON or SSE;
    empty for an error or a body without text."""
    if route not in ROUTES or status != 200:
        return []
    for name, value in headers:
        if name.lower() == b"content-type" and value.lower().startswith(b"text/event-stream"):
            return [text for text in _stream_facts(route, body)[0] if text.strip()]
    try:
        obj = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    return [text for _, text in response_texts(route, obj) if text.strip()]


def _template_text(template: Template) -> str:
    try:
        obj = json.loads(template.body)
    except ValueError:
        return ""
    texts = response_texts(template.route, obj)
    return texts[0][1] if texts else ""


def _stream_facts(route: str, body: bytes) -> tuple[list[str], int | None, int | None, int]:
    """(texts, reported output tokens, reported input tokens, text deltas) of a stream."""
    channels: dict[str, RewriteChannel] = {}

    def channel(name: str) -> RewriteChannel:
        channels[name] = RewriteChannel(lambda text: text)
        return channels[name]

    StreamRewriter(route, channel).feed(body)
    usage = _ADAPTERS[route].stream_usage()
    for event in SSEParser().feed(body):
        usage.feed(event)
    reported_output = getattr(usage, "reported_output", None)
    reported_input = getattr(usage, "reported_input", None)
    deltas = sum(len(c.old) for c in channels.values())
    return ["".join(c.old) for c in channels.values()], reported_output, reported_input, deltas


def _shape(route: str, request: Mapping[str, Any], stream: bool) -> tuple[Any, ...]:
    """What a template must share with a request: JSON or stream, choices, usage chunk."""
    if route in ("openai.chat", "openai.completions"):
        options = request.get("stream_options")
        usage = isinstance(options, dict) and options.get("include_usage") is True
        return (stream, _choices(route, request), usage if stream else None)
    return (stream,)


def _choices(route: str, request: Mapping[str, Any]) -> int:
    n = request.get("n")
    if route in ("openai.chat", "openai.completions") and isinstance(n, int) and 1 <= n <= 16:
        return n
    return 1


def _prompt(route: str, request: Any) -> str:
    texts = request_texts(route, request)
    return texts[-1] if texts else ""


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _max_tokens(route: str, request: Mapping[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        value = request.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return 16 if route == "openai.completions" else None


def _fit(text: str, max_tokens: int | None, ratio: float) -> str:
    """``text`` cut at a sentence end to stay under the request's output limit."""
    if max_tokens is None:
        return text
    budget = max(1, int(max_tokens * 0.9 / max(ratio, 1e-6)))
    if count_tokens(text) <= budget:
        return text
    cut = truncate_tokens(text, budget)
    ends = [m.end() for m in _SENTENCE_END.finditer(cut)]
    return cut[: ends[-1]] if ends else cut


def _strength(params: Any) -> float:
    if params is None:
        return 0.5
    if isinstance(params, (int, float)):
        return float(params)
    return float(getattr(params, "strength", 0.5))
