"""Claims in plain prose: answers without numbers, steps or code come back wrong too."""

from __future__ import annotations

import json
import random
import re

import pytest
from decoys_samples import MIXED, PROSE
from test_decoys_stream import REQUESTS, events, reported, run, text_of

from guard.decoys import DecoyEngine
from guard.decoys.perturb import Perturber, PerturbParams
from guard.decoys.reference import reference_template
from guard.decoys.stream import ReplaceChannel, RewriteChannel, StreamRewriter
from guard.mock.text import count_tokens, split_pieces
from guard.policy.actions import Perturb

CLAIMS = PerturbParams(strength=0.3, numbers=False, steps=False, final=False, claims=True)
POLICY = PerturbParams.of(Perturb())
KEYS = [f"k_{i:032x}" for i in range(16)]

EXPLANATION = (
    "Tides are caused mainly by the gravity of the Moon, and to a lesser degree by the Sun. "
    "The side of the Earth facing the Moon is pulled more strongly than the centre, which is "
    "pulled more strongly than the far side, so the oceans bulge on both sides. As the Earth "
    "turns, a coast passes through both bulges, which is why most places see two high tides "
    "a day. Spring tides happen when the Sun and the Moon are aligned, and neap tides happen "
    "when they are at right angles; the difference between high and low water is larger "
    "during spring tides.\n\n"
    "Local geography matters as well. Bays and estuaries can amplify the range, because the "
    "water resonates with the tidal period, while the open ocean usually sees a smaller range."
)


@pytest.mark.parametrize(
    ("text", "altered"),
    [
        (
            "Heating a gas at constant volume will increase its pressure.",
            "Heating a gas at constant volume will decrease its pressure.",
        ),
        (  # the article follows the new word
            "Salt in water causes an increase in the boiling point.",
            "Salt in water causes a decrease in the boiling point.",
        ),
        ("Sound waves cannot travel through a vacuum.", "Sound waves can travel through a vacuum."),
        (
            "The sky looks blue because air scatters blue light strongly.",
            "Air scatters blue light strongly because the sky looks blue.",
        ),
        (
            "Unlike Python, the language Rust checks memory safety at compile time.",
            "Unlike Rust, the language Python checks memory safety at compile time.",
        ),
        (  # only a "not" to add: the second such clause takes it
            "Water is a compound. Ice is a solid.",
            "Water is a compound. Ice is not a solid.",
        ),
    ],
)
def test_each_kind_of_claim_turns_around(text: str, altered: str) -> None:
    perturber = Perturber("p")
    assert {perturber.apply(text, key, CLAIMS) for key in KEYS} == {altered}


def test_cause_and_effect_move_only_whole_markdown() -> None:
    perturber = Perturber("p")
    whole = "The **cache stays warm** because requests arrive every second."
    assert {perturber.apply(whole, key, CLAIMS) for key in KEYS} == {
        "Requests arrive every second because the **cache stays warm**."
    }
    torn = "The **cache stays warm because requests** arrive every second."
    for key in KEYS:
        assert perturber.apply(torn, key, CLAIMS).startswith("The **cache stays warm")


def test_questions_only_trade_words() -> None:
    text = "How do you keep up with the latest Java releases?"
    outs = {Perturber("p").apply(text, key, CLAIMS) for key in KEYS}
    assert outs == {"How do you keep up with the earliest Java releases?"}


def test_both_words_of_a_pair_trade_places() -> None:
    text = "The client opens the connection before the server answers."
    outs = {Perturber("p").apply(text, key, CLAIMS) for key in KEYS}
    assert "The server opens the connection before the client answers." in outs
    assert text not in outs


@pytest.mark.parametrize(
    "text",
    [
        "I hope this helps! Let me know if you have any other questions.",
        "Is the sky blue because of scattering?",
        'The button is labelled "Save changes" in the menu.',
        "## Why tides are higher in spring",
        '"required": true,\n"enabled": false\n',
        "debug: true\nverbose: false\n",
    ],
)
def test_asides_questions_quotations_headings_and_data_stay(text: str) -> None:
    perturber = Perturber("p")
    assert {perturber.apply(text, key, CLAIMS) for key in KEYS} == {text}


@pytest.mark.parametrize("params", [CLAIMS, POLICY], ids=["claims", "policy defaults"])
@pytest.mark.parametrize("text", [*PROSE, EXPLANATION])
def test_prose_answers_never_come_back_as_they_went(text: str, params: PerturbParams) -> None:
    perturber = Perturber("p")
    for key in KEYS:
        out = perturber.apply(text, key, params)
        assert out != text
        assert out.count("\n") == text.count("\n")
        if params is CLAIMS:  # words for words: punctuation kept in place
            assert re.sub(r"[\w' ]", "", out) == re.sub(r"[\w' ]", "", text)


def test_markdown_code_json_and_urls_stay_as_they_were() -> None:
    perturber = Perturber("p")
    params = PerturbParams(strength=1.0, numbers=False, steps=False, claims=True)
    protected = r"```.*?```|https?://\S+|`[^`\n]+`|\S+@\S+|^(?:#+ |\d+\. |\| )"
    changed = 0
    for key in KEYS:
        out = perturber.apply(MIXED, key, params)
        assert re.findall(protected, out, flags=re.M | re.S) == re.findall(
            protected, MIXED, flags=re.M | re.S
        )
        for mark in "*`[]()#|>_\n":
            assert out.count(mark) == MIXED.count(mark)
        block = re.search(r"```json\n(.*?)```", out, flags=re.S)
        assert block is not None
        assert json.loads(block.group(1))["hosts"] == ["a.example", "b.example"]
        changed += out != MIXED
    assert changed == len(KEYS)


def test_strength_zero_changes_nothing() -> None:
    perturber = Perturber("p")
    params = PerturbParams(strength=0.0, numbers=True, steps=True, claims=True, code=True)
    for text in [*PROSE, EXPLANATION, MIXED]:
        assert perturber.apply(text, KEYS[0], params) == text


def test_same_key_same_answer_same_claims() -> None:
    first = [Perturber("p").apply(EXPLANATION, key, CLAIMS) for key in KEYS]
    assert first == [Perturber("p").apply(EXPLANATION, key, CLAIMS) for key in KEYS]
    assert len(set(first)) >= 3  # and keys differ from one another


def test_strength_sets_how_many_clauses_change() -> None:
    perturber = Perturber("p")

    def changed_words(strength: float) -> int:
        params = PerturbParams(strength=strength, numbers=False, steps=False, claims=True)
        total = 0
        for key in KEYS:
            out = perturber.apply(EXPLANATION, key, params).split()
            total += sum(a != b for a, b in zip(out, EXPLANATION.split(), strict=False))
        return total

    assert 0 < changed_words(0.1) < changed_words(1.0)


# Streams -------------------------------------------------------------------------------------


def genuine_stream(route: str, text: str, seed: int) -> bytes:
    """A genuine-looking stream of ``text`` on ``route`` (reference events, text deltas of
    one to three tokens)."""
    request = REQUESTS[route]
    template = reference_template(route, request, True)
    assert template is not None
    rewriter = StreamRewriter(
        route,
        lambda _: ReplaceChannel(split_pieces(text, random.Random(seed), 1.5)),
        replace=True,
        request=request,
    )
    return rewriter.feed(template.body) + rewriter.close()


RUN_ON = (
    "Because the ocean floor, the shape of the coast, the width of the shelf, the depth of "
    "the basin and the period of the waves all differ from place to place, the range of the "
    "tide in a harbour can be larger or smaller than the average range and it is usually more "
    "than a metre in most harbours around the world although enclosed seas see almost none. "
)
#: Lines and a sentence far past the stream's holdback, cut mid-sentence in streams.
LONG = RUN_ON + EXPLANATION.replace("\n\n", " ") + " " + RUN_ON.replace("more", "less")


@pytest.mark.parametrize("route", list(REQUESTS))
@pytest.mark.parametrize("seed", range(3))
def test_streams_are_perturbed_as_the_same_answer_sent_whole(route: str, seed: int) -> None:
    engine = DecoyEngine("p")
    params = PerturbParams(strength=0.8, numbers=True, steps=False, final=False, claims=True)
    for text in [EXPLANATION, LONG, PROSE[seed]]:
        whole = engine.text_rewriter("perturb", KEYS[seed], params)(text)
        assert whole != text
        body = genuine_stream(route, text, seed)
        rewrite = engine.text_rewriter("perturb", KEYS[seed], params)
        out = run(route, body, random.Random(seed), rewrite=rewrite)
        assert text_of(route, out) == whole
        assert reported(route, out) == count_tokens(whole)
        assert all(isinstance(e, dict) for e in events(out))


def test_a_streamed_answer_is_cut_the_same_way_however_it_arrives() -> None:
    perturber = Perturber("p")
    whole = perturber.apply(LONG, KEYS[3], CLAIMS)
    for seed in range(10):
        rng = random.Random(seed)
        channel = RewriteChannel(perturber.rewriter(KEYS[3], CLAIMS))
        out, i = [], 0
        while i < len(LONG):
            n = rng.randint(1, 40)
            out += channel.delta(LONG[i : i + n])
            i += n
        out += channel.end()
        assert "".join(out) == whole
