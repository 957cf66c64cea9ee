"""Text patterns that say what a prompt is after, shared by the signals and the profile."""

from __future__ import annotations

import re

__all__ = ["acknowledgement", "asks_for_reasoning"]

_REASONING = re.compile(
    r"step[- ]by[- ]step|chain[- ]of[- ]thought|show (?:all )?(?:your|the) (?:work|reasoning|"
    r"thinking)|(?:explain|walk (?:me )?through) (?:your|the|each) (?:reasoning|thought|steps?)|"
    r"think (?:carefully |out loud |aloud )?(?:before|step)|reason(?:ing)? (?:process|trace)|"
    r"internal (?:reasoning|monologue|thoughts?)|hidden (?:reasoning|thoughts?|thinking)|"
    r"intermediate steps?|(?:full |complete )?derivation|<think>",
    re.IGNORECASE,
)
# Every alternative of _REASONING starts with one of these words. `str.find` locates them at C
# speed; the full pattern is then tried only where one starts, instead of at every position.
_ANCHORS = (
    "step", "chain", "show", "explain", "walk", "think", "reason", "internal", "hidden",
    "intermediate", "full", "complete", "derivation", "<think>",
)  # fmt: skip
_SCAN = 4000  # characters of prompt and system prompt examined


def asks_for_reasoning(text: str) -> bool:
    """Whether ``text`` asks for full step-by-step reasoning or hidden thinking."""
    head = text[:_SCAN].lower()
    match = _REASONING.match
    for anchor in _ANCHORS:
        start = head.find(anchor)
        while start >= 0:
            if match(head, start):
                return True
            start = head.find(anchor, start + 1)
    return False


# Words that answer an answer. "ok" and "alright" alone are filler people open new chats with
# ("Ok so what is ..."), so they count only with what makes them a reply; "next to" is a place.
_ACKNOWLEDGEMENT = re.compile(
    r"(?:\W*(?:(?:ok(?:ay)?|alright|k)[\s,.!]+(?:thank you|thanks?|thx|got it|cool|great|perfect"
    r"|now|then|next)|thank you|thanks?|thx|ty|got it|gotcha|cool|great|perfect|awesome|nice"
    r"|excellent|wonderful|makes sense|sounds good|understood|that help(?:s|ed)|i see(?=[.,!])"
    r"|and|next(?! to\b))"
    r"(?=[\s,!:;-]|\.(?:\s|$)|$)[\s,.!:;-]*)+",
    re.IGNORECASE,
)


def acknowledgement(text: str) -> int:
    """Length of the acknowledgement ``text`` opens with ("Thanks! Next: ...", "got it. ...",
    "and ..."), 0 for none: what a reply to an earlier answer starts with."""
    found = _ACKNOWLEDGEMENT.match(text, 0, 64)
    return found.end() if found else 0
