"""A key's recent requests, in a few bytes each.

Coverage windows say *how much* a key covers; they cannot say how it asks. For that every key
keeps a short ring of its latest requests as fixed-size records (what was asked: cell and
template; how: conversation shape, parameters, payload; who: system prompt, client, network;
when; and 16 bits each of its prompt and of the question before it, so a history can be checked
against what the key really asked). Signals read shares and spreads off the ring. A record is
40 bytes, so a ring of 48 costs 1.9 KiB per key (``sketch.ring`` in the policy), and the store
keeps it as opaque bytes (a Redis list trimmed on every push; records of another size, from
another version, are skipped).
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import mmh3

from guard.models import Features, Identity, PromptRequest, Turn
from guard.patterns import acknowledgement, asks_for_reasoning

__all__ = [
    "HEAD_BYTES",
    "SYSTEM_BYTES",
    "TAIL_BYTES",
    "TEMPLATE_BYTES",
    "Columns",
    "Flag",
    "RequestRecord",
    "cell16",
    "network_of",
]

_FORMAT = struct.Struct("<dIIHHHHHHHHHHHH")  # 40 bytes
TEMPLATE_BYTES = slice(12, 16)
"""Where a packed record keeps its template hash: comparable without unpacking."""
SYSTEM_BYTES = slice(16, 18)
"""Where a packed record keeps its system prompt hash."""
HEAD_BYTES = slice(32, 34)
"""Where a packed record keeps its template head's hash (0: none)."""
TAIL_BYTES = slice(34, 36)
"""Where a packed record keeps its template tail's hash (0: none)."""
_LONG_OUTPUT = 4096
_DOCUMENT_WORDS = 120  # a prompt this long with one dominant paragraph carries a payload


class Flag(enum.IntFlag):
    """What kind of request a record stands for."""

    MULTI_TURN = 1 << 0  # earlier turns in the conversation
    FOLLOW_UP = 1 << 1  # the prompt refers back to an earlier answer
    REASONING = 1 << 2  # asks for full step-by-step reasoning
    SAMPLES = 1 << 3  # n > 1
    LOGIT = 1 << 4  # logprobs together with logit_bias
    LONG_OUTPUT = 1 << 5  # max_tokens >= 4096
    TOOLS = 1 << 6  # tool definitions or tool results
    DOCUMENT = 1 << 7  # the prompt carries a long payload (a document to work on)
    STREAM = 1 << 8
    SYSTEM = 1 << 9  # has a system prompt
    CASUAL = 1 << 10  # typed by hand: a lowercase start, no closing punctuation, a lone "i"
    ORPHAN = 1 << 11  # acknowledges an earlier answer ("thanks! next: ...") but sends no history


_FOLLOW_UP = re.compile(
    r"\b(?:you (?:said|mentioned|wrote|suggested)|your (?:answer|code|example|suggestion|last)|"
    r"(?:the|that|this) (?:code|example|answer|solution|fix|version|error|one)|above|earlier|"
    r"previous|instead|again|also|what about|and if|but (?:what|how|why)|thanks|thank you|"
    r"it (?:still|doesn't|does not|didn't|works|worked|fails|failed)|"
    r"that (?:worked|fixed|helped))\b",
    re.IGNORECASE,
)


class Columns(NamedTuple):
    """A ring's records field by field (those the signals read), newest first."""

    ts: tuple[float, ...]
    cell: tuple[int, ...]
    template: tuple[int, ...]
    client: tuple[int, ...]
    network: tuple[int, ...]
    flags: tuple[int, ...]
    second: tuple[int, ...]
    third: tuple[int, ...]
    prompt: tuple[int, ...]
    parent: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    ts: float
    cell: int  # low 32 bits of the semantic cell
    template: int  # low 32 bits of the template fingerprint
    system: int  # 16-bit hash of the system prompt, 0 for none
    client: int  # 16-bit hash of the client fingerprint
    network: int  # 16-bit hash of the /24 (IPv4) or /48 (IPv6)
    prompt_chars: int
    max_tokens: int  # 0 when not set
    flags: int
    second: int = 0  # 16-bit hashes of the cells of the prompt's next heaviest terms (0: none)
    third: int = 0
    head: int = 0  # 16-bit hashes of the template's head and tail (0: none)
    tail: int = 0
    prompt: int = 0  # 16-bit hash of the prompt (the last user turn), as a later history quotes it
    parent: int = 0  # 16-bit hash of the user turn before it in the history (0: none)

    def pack(self) -> bytes:
        return _FORMAT.pack(
            self.ts,
            self.cell & 0xFFFFFFFF,
            self.template & 0xFFFFFFFF,
            self.system & 0xFFFF,
            self.client & 0xFFFF,
            self.network & 0xFFFF,
            min(self.prompt_chars, 0xFFFF),
            min(self.max_tokens, 0xFFFF),
            self.flags & 0xFFFF,
            self.second & 0xFFFF,
            self.third & 0xFFFF,
            self.head & 0xFFFF,
            self.tail & 0xFFFF,
            self.prompt & 0xFFFF,
            self.parent & 0xFFFF,
        )

    @classmethod
    def unpack(cls, data: bytes) -> RequestRecord:
        return cls(*_FORMAT.unpack(data))

    @staticmethod
    def columns(items: Sequence[bytes]) -> Columns | None:
        """The columns of packed records, or None."""
        size = _FORMAT.size
        blob = b"".join(items)
        if len(blob) != size * len(items):  # a record of another size: skip it
            blob = b"".join(item for item in items if len(item) == size)
        if not blob:
            return None
        flat = _rows(len(blob) // size).unpack(blob)  # one C call for the whole ring
        fields = len(_FORMAT.format) - 1
        return Columns(
            flat[0::fields],
            flat[1::fields],
            flat[2::fields],
            flat[4::fields],
            flat[5::fields],
            flat[8::fields],
            flat[9::fields],
            flat[10::fields],
            flat[13::fields],
            flat[14::fields],
        )

    @classmethod
    def of(
        cls, now: float, identity: Identity, request: PromptRequest, features: Features
    ) -> RequestRecord:
        flags = 0
        typed = request.prompt  # what tells how its sender types (CASUAL)
        if len(request.conversation) > 1:
            flags |= Flag.MULTI_TURN
            if _FOLLOW_UP.search(request.prompt[:2000]):
                flags |= Flag.FOLLOW_UP
        else:
            # A reply with nothing to reply to: cover, and no evidence of how its sender types.
            opening = acknowledgement(request.prompt)
            if opening:
                flags |= Flag.ORPHAN
                typed = typed[opening:]
        if asks_for_reasoning(request.prompt) or asks_for_reasoning(request.system):
            flags |= Flag.REASONING
        if request.n > 1:
            flags |= Flag.SAMPLES
        if request.logprobs and request.logit_bias:
            flags |= Flag.LOGIT
        if request.max_tokens is not None and request.max_tokens >= _LONG_OUTPUT:
            flags |= Flag.LONG_OUTPUT
        if request.tools or any(t.role == "tool" for t in request.conversation):
            flags |= Flag.TOOLS
        if _carries_document(request.prompt):
            flags |= Flag.DOCUMENT
        if request.stream:
            flags |= Flag.STREAM
        if request.system:
            flags |= Flag.SYSTEM
        if _casual(typed):
            flags |= Flag.CASUAL
        runners_up = [*map(cell16, features.runners_up[:2]), 0, 0]
        return cls(
            now,
            features.cell,
            features.template,
            _hash16(request.system) if request.system else 0,
            _hash16(identity.client),
            _hash16(network_of(identity.ip)),
            len(request.prompt),
            request.max_tokens or 0,
            flags,
            second=runners_up[0],
            third=runners_up[1],
            head=cell16(features.head) if features.head else 0,
            tail=cell16(features.tail) if features.tail else 0,
            prompt=_quoted(request.prompt),
            parent=_parent(request.conversation),
        )


@functools.lru_cache(maxsize=512)
def _rows(count: int) -> struct.Struct:
    """A struct for ``count`` records back to back."""
    return struct.Struct("<" + _FORMAT.format[1:] * count)


def cell16(cell: int) -> int:
    """16 bits of a cell, never 0 (which stands for none): how records keep runners-up."""
    return (cell & 0xFFFF) or 1


def _hash16(text: str) -> int:
    return (mmh3.hash(text, 0x6775, signed=False) & 0xFFFF) or 1


_QUOTED_CHARS = 1000  # of a turn, hashed: enough to tell turns apart, cheap on long pastes


def _quoted(text: str) -> int:
    """16-bit hash of a user turn as a later request's history would quote it (0: empty)."""
    head = text[:_QUOTED_CHARS].strip()
    return _hash16(head) if head else 0


def _parent(conversation: Sequence[Turn]) -> int:
    """:func:`_quoted` of the user turn before the last one, with an answer between them (0 when
    there is none): in a conversation a person holds, the key sent it as a request of its own."""
    answered = False
    last_user = False
    for turn in reversed(conversation):
        if turn.role == "user":
            if not last_user:
                last_user = True
            elif answered:
                return _quoted(turn.text)
        elif turn.role == "assistant" and last_user:
            answered = True
    return 0


_CLOSING = frozenset(".?!:;)]}\"'`*>")
# A last line that fills a labelled field ("...\nTopic: the causes of inflation"): a form.
_FIELD = re.compile(r"\n[ \t]*[A-Z][A-Za-z]*(?: [A-Za-z]+){0,2}:[ \t]+\S[^\n]*\Z")


def _casual(prompt: str) -> bool:
    """Whether a prompt reads as typed by a person in a hurry: it starts in lowercase, ends
    without punctuation, or says "i" for "I". Prompts a script writes or an LLM generates are
    tidy; people's, in chat logs, are often not. A form's last field ends without
    punctuation too ("Topic: ..." under an instruction): that is how a template is laid out,
    not how a person types."""
    text = prompt[:2000].strip()
    if not text:
        return False
    if text[0].islower() or " i " in text:
        return True
    return text[-1] not in _CLOSING and not text[-1].isdigit() and not _FIELD.search(text)


def _carries_document(prompt: str) -> bool:
    """A long prompt whose bulk is one block of text: a document, not a question."""
    if len(prompt) < _DOCUMENT_WORDS * 5:
        return False
    blocks = [b for b in prompt.split("\n\n") if b.strip()]
    longest = max((len(b) for b in blocks), default=0)
    return (longest >= 0.6 * len(prompt) and longest >= _DOCUMENT_WORDS * 5) or len(blocks) >= 3


@functools.lru_cache(maxsize=4096)
def network_of(ip: str) -> str:
    """The /24 of an IPv4 address or the /48 of an IPv6 one: the unit of an address range."""
    head, dot, last = ip.rpartition(".")
    if dot and last.isdigit() and head.count(".") == 2 and ":" not in ip:
        return f"{head}.0/24"  # the common case, without ipaddress's cost
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
