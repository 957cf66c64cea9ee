from __future__ import annotations

import itertools
import json
import math

import pytest

from guard.models import Action
from guard.policy import parse_policy
from guard.policy.actions import (
    ACTIONS,
    Allow,
    Block,
    Cap,
    Decoy,
    Perturb,
    Tarpit,
    Then,
    Throttle,
    Watermark,
    adaptive_limit,
)


def then_of(text: str) -> Then:
    policy = parse_policy(f"rules:\n  - name: r\n    when: score > 0.5\n    then: {text}\n")
    return policy.rules[0].then


def test_every_action_of_the_model_has_parameters_class() -> None:
    assert list(ACTIONS) == [a.value for a in Action]
    for name, cls in ACTIONS.items():
        assert cls.action.value == name
        assert then_of(name) == cls()  # a bare name is the action with its defaults


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{action: allow}", Allow()),
        ("{action: throttle, retry_after: 90s, message: slow}", Throttle(90.0, "slow")),
        (
            "{action: throttle, rate: 60/min, min_rate: 2/min, burst: 3, from_score: 0.6}",
            Throttle(rate="60/min", min_rate="2/min", burst=3, from_score=0.6),
        ),
        (
            "{action: tarpit, delay: 1500ms, jitter: 0.5, stream_delay: 20ms}",
            Tarpit(1.5, 0.5, 0.02),
        ),
        ("{action: block, status: 451, message: gone}", Block(451, "gone")),
        ("{action: cap, max_tokens: 256, strip: [n]}", Cap(256, ["n"])),
        (
            "{action: decoy, strategy: downgrade, upstream: 'http://s', model: m, canary: false}",
            Decoy("downgrade", "http://s", "m", False),
        ),
        (
            "{action: decoy, strategy: downgrade, upstream: 'http://s', api_key_env: K}",
            Decoy("downgrade", "http://s", api_key_env="K"),
        ),
        ("{action: decoy, strategy: synthetic}", Decoy("synthetic")),
        (
            "{action: perturb, strength: 1, final: true, code: true}",
            Perturb(1.0, final=True, code=True),
        ),
        ("{action: watermark, strength: 0}", Watermark(0.0)),
    ],
)
def test_parameters(text: str, expected: Then) -> None:
    assert then_of(text) == expected


def test_decisions_carry_what_the_client_sees() -> None:
    throttle = Throttle(retry_after=30.0, message="later").decision("r")
    assert (throttle.action, throttle.rule, throttle.retry_after, throttle.reason) == (
        Action.THROTTLE,
        "r",
        30.0,
        "later",
    )
    block = Block(status=451, message="gone").decision("b", shadow=True)
    assert (block.status, block.reason, block.shadow, block.enforced) == (
        451,
        "gone",
        True,
        Action.ALLOW,
    )
    assert Tarpit().decision("t").action is Action.TARPIT
    assert Throttle(rate="1/s").limited and not Throttle().limited


def test_parameters_reported_as_written() -> None:
    assert Tarpit(3.0).parameters() == {"delay": 3.0, "jitter": 0.25, "stream_delay": None}
    assert Allow().parameters() == {}


ADAPTIVE = Throttle(rate="60/min", min_rate="2/min", from_score=0.5, burst=4)


def per_minute(score: float, then: Throttle = ADAPTIVE) -> float:
    limit = adaptive_limit(then, score, "rule:r")
    return limit.limit * 60.0 / limit.period


def test_adaptive_rate_falls_with_suspicion() -> None:
    scores = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0]
    rates = [per_minute(s) for s in scores]
    assert rates[:3] == [60.0, 60.0, 60.0]  # full rate up to from_score
    assert all(a > b for a, b in itertools.pairwise(rates[2:]))  # then falling
    assert rates[-1] == pytest.approx(2.0)
    # Log-linear: halfway in score is the geometric mean of the two rates.
    assert per_minute(0.75) == pytest.approx(math.sqrt(60 * 2))
    assert per_minute(1.7) == pytest.approx(2.0) and per_minute(-1) == 60.0
    limit = adaptive_limit(ADAPTIVE, 0.9, "rule:r")
    assert (limit.name, limit.period, limit.burst) == ("rule:r", 60.0, 4)


def test_fixed_rate_and_edge_cases() -> None:
    fixed = Throttle(rate="5/10s")
    assert [per_minute(s, fixed) for s in (0.0, 1.0)] == [30.0, 30.0]
    same = Throttle(rate="10/min", min_rate="10/min")
    assert per_minute(0.99, same) == pytest.approx(10.0)
    assert per_minute(float("nan")) == pytest.approx(2.0)  # unknown suspicion: the floor
    with pytest.raises(ValueError, match="needs a throttle with a rate"):
        adaptive_limit(Throttle(), 0.5, "r")


def test_min_rate_in_other_units() -> None:
    then = Throttle(rate="1/s", min_rate="30/h", from_score=0.0)
    assert per_minute(1.0, then) == pytest.approx(0.5)
    assert per_minute(0.0, then) == pytest.approx(60.0)


def test_policy_says_whether_it_downgrades() -> None:
    decoy = {"action": "decoy", "strategy": "downgrade", "model": "cheap"}
    assert not parse_policy("{}").downgrades  # the default policy
    synthetic = {"rules": [{"name": "d", "then": {"action": "decoy", "strategy": "synthetic"}}]}
    assert not parse_policy(json.dumps(synthetic)).downgrades
    assert parse_policy(json.dumps({"rules": [{"name": "d", "then": decoy}]})).downgrades
    tiered = {
        "tiers": [
            {"name": "t", "match": {"ips": ["10.0.0.0/8"]}, "rules": [{"name": "d", "then": decoy}]}
        ]
    }
    assert parse_policy(json.dumps(tiered)).downgrades
