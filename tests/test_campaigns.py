"""Campaign link features, and linking by habit (not by coincidence) through the pipeline."""

from __future__ import annotations

from typing import Any

from guard.campaigns import habitual_links, link_features
from guard.featurize import Featurizer
from guard.models import Api, PromptRequest
from guard.pipeline import Inspection, Pipeline
from guard.profile import TEMPLATE_BYTES, RequestRecord, cell16

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


async def test_keys_filling_one_frame_around_free_questions_link_by_its_head() -> None:
    # No shared system prompt, and each question gives its prompt a template of its own.
    p = pipeline()
    frames = (
        "Write a long-form answer (at least 800 words) to: {}",
        "### Instruction:\n{}\n\n### Response:",
    )
    for frame in frames:
        keys = (f"sk-{frame[:3]}-1", f"sk-{frame[:3]}-2")
        for key in keys:
            for text in CHATTER[:3]:
                inspection = await send(p, key, chat(frame.format(text)))
            templates = {record[TEMPLATE_BYTES] for record in inspection.state.recent}
            assert len(templates) == 3
        assert inspection.state.campaign is not None and inspection.state.campaign.keys == 2
        # Two such requests are not yet a habit (people repeat a turn of phrase too).
        first = await send(p, f"{keys[0]}-new", chat(frame.format(CHATTER[3])))
        second = await send(p, f"{keys[0]}-new", chat(frame.format(CHATTER[4])))
        assert first.state.campaign is None and second.state.campaign is None


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
    feature, head = link_features(request, features)
    assert feature.startswith("t") and head.startswith("h")
    # Same head, another template: the head is not a habit until half the ring carries it.
    head16 = cell16(features.head)
    mine = RequestRecord(T0, 1, features.template, 0, 0, 0, 0, 0, 0, head=head16).pack()
    other = RequestRecord(T0, 1, features.template + 1, 0, 0, 0, 0, 0, 0).pack()
    assert habitual_links(request, features, (mine,)) == ()  # once is a coincidence
    assert habitual_links(request, features, (mine, other, mine)) == (feature,)
    # Three of five: the template links again (a checkpoint), the head now links too.
    assert habitual_links(request, features, (mine, other, other, mine, mine)) == (feature, head)
    # Between checkpoints nothing is linked again (no store call), nor below the share.
    assert habitual_links(request, features, (mine,) * 5) == ()
    assert habitual_links(request, features, (mine, mine) + (other,) * 10) == ()
    assert habitual_links(request, features, ()) == ()
    # A frame around free questions: every template differs, the head is the habit.
    framed = [
        RequestRecord(T0, 1, features.template + i, 0, 0, 0, 0, 0, 0, head=head16).pack()
        for i in range(4)
    ]
    assert habitual_links(request, features, (mine, framed[1])) == ()
    assert habitual_links(request, features, (mine, *framed[1:3])) == (head,)
    assert habitual_links(request, features, (mine, *framed[1:3], *(other,) * 4)) == ()


def test_a_frame_around_free_questions_links_by_its_head_or_tail() -> None:
    head = "Write a long-form answer (at least 800 words) to: {}"
    tail = "[biology] {} Answer comprehensively."
    questions = (
        "What causes inflation in developing economies?",
        "How does photosynthesis convert light into chemical energy?",
        "Explain the role of mitochondria in cell respiration.",
    )
    for frame, kind in ((head, "h"), (tail, "e")):
        found = [links(frame.format(q)) for q in questions]
        templates = {f for fs in found for f in fs if f.startswith("t")}
        assert len(templates) == 3  # each question's phrasing is part of its skeleton
        shared = set.intersection(*(set(fs) for fs in found))
        assert len(shared) == 1 and next(iter(shared)).startswith(kind)
    # Questions people type share no head or tail.
    people = (
        "can you explain to me how vaccines train the immune system",
        "My sourdough starter smells like nail polish remover, is it ruined?",
        "Write a haiku about the first snow in Kyoto.",
    )
    shared = set.intersection(*(set(links(p)) for p in people))
    assert shared == set()
