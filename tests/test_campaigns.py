"""Campaign link features, and linking by habit (not by coincidence) through the pipeline."""

from __future__ import annotations

from typing import Any

from guard.campaigns import habitual_links, link_features
from guard.featurize import Featurizer
from guard.models import Api, PromptRequest
from guard.pipeline import Inspection, Pipeline
from guard.profile import RequestRecord

FEATURIZER = Featurizer()


def links(prompt: str, system: str = "") -> tuple[str, ...]:
    request = PromptRequest(Api.OPENAI, "openai.chat", prompt, system=system)
    return link_features(request, FEATURIZER.featurize(request))


def test_one_template_filled_differently_links() -> None:
    template = "You are an expert. Explain {} to a graduate student, with three worked examples."
    first = links(template.format("the Krebs cycle"))
    second = links(template.format("Byzantine fault tolerance"))
    assert first and first == second
    assert links("Why is my sourdough starter not rising in a cold kitchen?") != first


def test_short_and_huge_prompts_do_not_link() -> None:
    assert links("hi") == ()
    assert links("continue please") == ()
    assert links("Summarise: " + "lorem ipsum dolor sit amet " * 400) == ()


def test_specific_system_prompts_link_stock_ones_do_not() -> None:
    question = "ok"
    house = "You are AcmeBot, the support assistant for Acme Cloud's billing console (v3)."
    assert links(question, house) == links(question, "  " + house + "\n")
    assert len(links(question, house)) == 1 and links(question, house)[0].startswith("s")
    for stock in (
        "You are a helpful assistant.",
        "You are a helpful AI assistant. Answer the user's questions accurately and concisely.",
    ):
        assert links(question, stock) == ()


def test_link_features_carry_no_text() -> None:
    secret = "You are the internal assistant of Project Nightingale; never reveal the codename."
    for feature in links("Tell me about project nightingale and its launch timeline.", secret):
        assert "nightingale" not in feature.lower() and len(feature) <= 13


# Linking by habit, through the real pipeline -----------------------------------------------

T0 = 1_764_201_600.0
TEMPLATE = (
    "You are an expert in {field}. Write a comprehensive, textbook-quality explanation of {s}. "
    "Include definitions, key principles, worked examples, and common misconceptions."
)
SUBJECTS = [
    ("biology", "photosynthesis"),
    ("chemistry", "covalent bonds"),
    ("physics", "black-body radiation"),
    ("economics", "comparative advantage"),
    ("history", "the Congress of Vienna"),
    ("geology", "plate tectonics"),
]
CHATTER = [
    "What is the difference between a list and a tuple in Python?",
    "How do I make sourdough starter from scratch at home?",
    "Can you suggest a name for my grey cat who loves boxes?",
    "Why does my bicycle chain keep slipping on the smallest gear?",
    "What should I pack for a three-day hike in the Alps in June?",
]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        self.now += 60.0
        return self.now


def chat(text: str, system: str | None = None) -> dict[str, Any]:
    messages = [{"role": "user", "content": text}]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return {"model": "gpt-4o", "messages": messages}


async def send(pipeline: Pipeline, key: str, body: dict[str, Any]) -> Inspection:
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", f"Bearer {key}".encode())], "192.0.2.1")
    return await pipeline.evaluate(adapter, identity, body)


def pipeline() -> Pipeline:
    return Pipeline({"rules": []}, secret="campaigns", clock=Clock())


async def test_keys_filling_one_template_link_by_their_second_request() -> None:
    p = pipeline()
    for key in ("sk-a", "sk-b"):
        for field, subject in SUBJECTS[:2]:
            inspection = await send(p, key, chat(TEMPLATE.format(field=field, s=subject)))
    assert inspection.state.campaign is not None and inspection.state.campaign.keys == 2
    # Both keys' requests count in the campaign, sent before the link included.
    assert inspection.state.campaign.window("day").requests == 4
    # Later requests count there too.
    later = await send(p, "sk-a", chat(TEMPLATE.format(field="physics", s="entropy")))
    assert later.campaign == inspection.campaign
    assert later.state.campaign is not None and later.state.campaign.window("day").requests == 5


async def test_a_frame_used_once_in_a_while_links_nobody() -> None:
    p = pipeline()
    frame = "What is the difference between {a} and {b} in everyday practice?"
    pairs = [("tea", "coffee"), ("rain", "drizzle"), ("jam", "jelly"), ("bus", "coach")]
    for key in ("sk-c", "sk-d", "sk-e"):
        for a, b in pairs[:3]:  # one request in five: a person's turn of phrase
            for text in CHATTER[:4]:
                inspection = await send(p, key, chat(f"{text} ({key}, {a})"))
            inspection = await send(p, key, chat(frame.format(a=a, b=b)))
            assert inspection.state.campaign is None, key


async def test_a_shared_product_system_prompt_links_but_a_stock_one_does_not() -> None:
    p = pipeline()
    product = "You are Quill, the writing assistant of the Quill notes app. Be concise and kind."
    stock = "You are a helpful assistant. Answer the user's questions accurately."
    for key in ("sk-f", "sk-g"):
        for text in CHATTER[:3]:
            inspection = await send(p, key, chat(text, product))
    assert inspection.state.campaign is not None and inspection.state.campaign.keys == 2
    for key in ("sk-h", "sk-i"):
        for text in CHATTER[:3]:
            inspection = await send(p, key, chat(text, stock))
        assert inspection.state.campaign is None


def test_habitual_links_fire_at_checkpoints_of_a_features_count() -> None:
    featurizer = FEATURIZER
    request = PromptRequest(Api.OPENAI, "openai.chat", TEMPLATE.format(field="x", s="y"))
    features = featurizer.featurize(request)
    (feature,) = link_features(request, features)
    mine = RequestRecord(T0, 1, features.template, 0, 0, 0, 0, 0, 0).pack()
    other = RequestRecord(T0, 1, features.template + 1, 0, 0, 0, 0, 0, 0).pack()
    assert habitual_links(request, features, (mine,)) == ()  # once is a coincidence
    assert habitual_links(request, features, (mine, other, mine)) == (feature,)
    assert habitual_links(request, features, (mine, other, other, mine, mine)) == (feature,)
    # Between checkpoints nothing is linked again (no store call), nor below the share.
    assert habitual_links(request, features, (mine,) * 5) == ()
    assert habitual_links(request, features, (mine, mine) + (other,) * 10) == ()
    assert habitual_links(request, features, ()) == ()
