from __future__ import annotations

from guard.campaigns import link_features
from guard.featurize import Featurizer
from guard.models import Api, PromptRequest

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
