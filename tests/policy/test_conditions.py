from __future__ import annotations

import pickle

import pytest

from guard.errors import PolicyError
from guard.policy import parse_policy
from guard.policy.conditions import Condition, literal
from guard.policy.expr import compile_expr


def when_of(yaml_when: str) -> Condition:
    policy = parse_policy(f"rules:\n  - name: r\n    then: log\n    when: {yaml_when}\n")
    when = policy.rules[0].when
    assert isinstance(when, Condition)
    return when


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("yaml_when", "text"),
    [
        ("score >= 0.9", "score >= 0.9"),
        ("{score: '>= 0.9'}", "score >= 0.9"),
        ("{score: '>0.9'}", "score > 0.9"),
        (
            "{route: [openai.chat, anthropic.messages]}",
            "route in ['openai.chat', 'anthropic.messages']",
        ),
        (
            "{tier: default, stream: true, n: 2, max_tokens: null}",
            "tier == 'default' and stream == true and n == 2 and max_tokens == null",
        ),
        ("{model: \"in ['a', 'b']\"}", "model in ['a', 'b']"),
        ("{model: \"not  in ['a']\"}", "model not in ['a']"),
        ("{temperature: 0.5}", "temperature == 0.5"),
        ("{any: [{score: '> 0.9'}, over_budget]}", "score > 0.9 or (over_budget)"),
        (
            "{score: '> 0.5', any: ['stream or logprobs', {n: '> 1'}]}",
            "score > 0.5 and ((stream or logprobs) or n > 1)",
        ),
        (
            "{all: [{score: '> 0.5'}, {any: [{n: '> 1'}, {logprobs: true}]}]}",
            "score > 0.5 and (n > 1 or logprobs == true)",
        ),
        ("{not: {has_system: true}}", "not has_system == true"),
        ("{not: {score: '> 0.5', n: 1}}", "not (score > 0.5 and n == 1)"),
        ("true", "true"),
    ],
)
def test_structured_conditions_compile_to_expressions(yaml_when: str, text: str) -> None:
    when = when_of(yaml_when)
    assert str(when) == text
    compile_expr(str(when))  # valid expression text


def test_structured_and_expression_agree() -> None:
    structured = compile_expr(
        str(when_of("{score: '>= 0.9', route: [openai.chat], not: {tier: default}}"))
    )
    written = compile_expr("score >= 0.9 and route in ['openai.chat'] and not tier == 'default'")
    for score in (0.5, 0.95):
        for route in ("openai.chat", "anthropic.messages"):
            for tier in ("free", "default"):
                ctx = {"score": score, "route": route, "tier": tier}
                assert structured.truth(ctx) is written.truth(ctx)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("it's", "'it\\'s'"),
        ("a\\b", "'a\\\\b'"),
        ("line\nbreak\t\x01", "'line\\nbreak\\t\\x01'"),
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (0.25, "0.25"),
    ],
)
def test_literals_round_trip(value: object, text: str) -> None:
    assert literal(value) == text
    assert compile_expr(text).evaluate({}) == value


def test_literals_refused() -> None:
    with pytest.raises(ValueError, match="cannot be compared"):
        literal(float("inf"))
    with pytest.raises(ValueError, match="quote it"):
        literal(object())


def test_problems_point_at_the_column_written() -> None:
    found = problems(
        "rules:\n"
        "  - name: plain\n"
        "    when: score > 0.5 and nope\n"
        "    then: log\n"
        "  - name: quoted\n"
        '    when: "score > 0.5 and nope"\n'
        "    then: log\n"
        "  - name: block\n"
        "    when: |\n"
        "      score > 0.5 and\n"
        "        nope\n"
        "    then: log\n"
        "  - name: escaped\n"
        '    when: "score > 0.5 and \\x6eope"\n'
        "    then: log\n"
        "  - name: structured\n"
        "    when: {score: '> 0.5', any: [{nope: 1}, 'n > 1 and nope']}\n"
        "    then: log\n"
    )
    nope = "unknown name 'nope'; see the names in docs/policy.md"
    assert found == [
        f"p.yaml:3:27: [rule 'plain'] rules[0].when: {nope}",
        f"p.yaml:6:28: [rule 'quoted'] rules[1].when: {nope}",
        f"p.yaml:11:9: [rule 'block'] rules[2].when: {nope}",
        # Escapes in the file: the column in the file is unknown, the condition's is given.
        f"p.yaml:14:11: [rule 'escaped'] rules[3].when: {nope} (at column 17 of the condition)",
        # Each unknown name once per condition, where it first appears.
        f"p.yaml:17:35: [rule 'structured'] rules[4].when: {nope}",
    ]


def test_operand_of_a_comparison_is_located() -> None:
    found = problems("rules:\n  - name: r\n    when: {score: '>= scroe'}\n    then: log\n")
    assert found == [
        "p.yaml:3:23: [rule 'r'] rules[0].when: unknown name 'scroe' (did you mean 'score'?)"
    ]


def test_conditions_pickle_with_their_positions() -> None:
    when = when_of("{score: '> 0.5'}")
    copy = pickle.loads(pickle.dumps(when))
    assert copy == when and copy.spans == when.spans and copy.structured


def test_plain_text_condition() -> None:
    when = Condition("score > 0.5")
    assert when == "score > 0.5" and when.locate(3) == (None, False)
