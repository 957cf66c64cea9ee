"""Answers split into what may be rewritten (prose) and what must pass byte for byte.

Watermarks and perturbations only ever touch prose words and numbers; fenced and indented
code, inline code, URLs, e-mail addresses, HTML tags, link targets, LaTeX and markdown line
markers (headings, list markers, quotes, table rules) are handed back unchanged. Streams are
cut anywhere, so the splitter carries a small :class:`TextState` from one piece of text to
the next (inside a fence? at the start of a line? inside inline code?), and
:func:`safe_cut` says how much of a buffered stream can be rewritten now without splitting a
sentence or a word, always at one of the text's :func:`boundaries`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CODE",
    "HOLDBACK",
    "INLINE",
    "MARKUP",
    "PROSE",
    "URL",
    "WORD",
    "Segment",
    "TextState",
    "boundaries",
    "safe_cut",
    "segments",
]

PROSE = "prose"
CODE = "code"  # a line of a code block (the fence lines are MARKUP)
INLINE = "inline"  # `inline code`
URL = "url"  # URLs, e-mail addresses, HTML tags, link targets, LaTeX
MARKUP = "markup"  # markdown line markers and fences

#: A prose word: letters with inner apostrophes (straight or curly) or hyphens.
WORD = re.compile(r"[A-Za-z]+(?:['\u2019-][A-Za-z]+)*")

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")
_PREFIX = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|>[ \t]?|[-*+][ \t]|\d{1,3}[.)][ \t]|\|)(?:[ \t]*)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
#: A line of bare JSON, told by its start alone (a stream's line may not have ended yet).
_JSONISH = re.compile(r"^[ \t]*[\[{][ \t]*(?:$|[\"'\[{\d-]|\n)")
_PROTECTED = re.compile(
    r"`"
    r"|(?:https?|ftp)://[^\s<>\"]+"
    r"|www\.[^\s<>\"]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|</?[A-Za-z][^<>\n]{0,80}>"
    r"|\]\([^()\s]*\)"
    r"|\$\$?[^$\n]+\$\$?"
    r"|\\\(.+?\\\)"
)
_URL_TAIL = ".,;:!?'\""
#: A line break, or a sentence or clause end (once what follows its spaces is known). Not a
#: colon: what follows "key: " tells data from prose, so it comes in the same piece.
_BREAK = re.compile(r"\n|[.!?;][\"')\]*_]*[ \t]+(?=[^ \t])")
_BLANKS = re.compile(r"[ \t]*")
_SPACE = re.compile(r"[ \t]")
#: How many characters of a streamed line are held back at most, give or take a word.
HOLDBACK = 200


@dataclass(slots=True)
class TextState:
    """Where a stream of text stands between two pieces."""

    fence: str = ""  # the open fence ("```", "~~~~"), "" outside code blocks
    lang: str = ""  # the open fence's info string
    line_start: bool = True
    inline: bool = False  # inside `inline code` (never carried across a newline)
    code_line: bool = False  # the line under way is indented code or bare JSON


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str
    text: str
    lang: str = ""  # CODE: the fence's language


def segments(text: str, state: TextState | None = None) -> list[Segment]:
    """``text`` as segments whose texts concatenate back to it; ``state`` is updated."""
    state = state if state is not None else TextState()
    out: list[Segment] = []
    for match in _LINE.finditer(text):
        line = match.group()
        starts = state.line_start
        state.line_start = line.endswith("\n")
        if not starts and state.code_line:  # the rest of a line of code
            out.append(Segment(CODE, line))
            state.code_line = not state.line_start
            continue
        if state.fence:
            if starts and _closes(line, state.fence):
                out.append(Segment(MARKUP, line))
                state.fence, state.lang = "", ""
            else:
                out.append(Segment(CODE, line, state.lang))
            continue
        if starts:
            fence = _FENCE.match(line)
            if fence is not None:
                out.append(Segment(MARKUP, line))
                state.fence, state.lang = fence.group(1), fence.group(2).lower()
                state.inline = False
                continue
            if (line.startswith(("    ", "\t")) and line.strip()) or _JSONISH.match(line):
                out.append(Segment(CODE, line))
                state.code_line = not state.line_start
                continue
            if _TABLE_RULE.match(line):
                out.append(Segment(MARKUP, line))
                continue
            prefix = _PREFIX.match(line)
            if prefix is not None and prefix.end():
                out.append(Segment(MARKUP, line[: prefix.end()]))
                line = line[prefix.end() :]
        _inline(line, state, out)
        if state.line_start:
            state.inline = False
    return out


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) <= 3
        and stripped.startswith(fence)
        and not stripped.strip(fence[0])
    )


def _inline(line: str, state: TextState, out: list[Segment]) -> None:
    """Split one line (or the piece of one) into prose and protected spans."""
    pos = 0
    if state.inline:
        close = line.find("`")
        if close < 0:
            out.append(Segment(INLINE, line))
            return
        out.append(Segment(INLINE, line[: close + 1]))
        state.inline = False
        pos = close + 1
    while pos < len(line):
        match = _PROTECTED.search(line, pos)
        if match is None:
            out.append(Segment(PROSE, line[pos:]))
            return
        start, end = match.span()
        token = match.group()
        if token == "`":
            run = re.match(r"`+", line[start:])
            ticks = run.group() if run else "`"
            close = line.find(ticks, start + len(ticks))
            if close < 0:
                end = len(line)
                if not line.endswith("\n"):
                    state.inline = len(ticks) == 1
            else:
                end = close + len(ticks)
            kind = INLINE
        else:
            kind = URL
            if token[0] not in "<]$\\":
                while end > start + 1 and line[end - 1] in _URL_TAIL:
                    end -= 1
                if line[end - 1] == ")" and "(" not in line[start:end]:
                    end -= 1
        if start > pos:
            out.append(Segment(PROSE, line[pos:start]))
        out.append(Segment(kind, line[start:end]))
        pos = end


def boundaries(text: str, limit: int = HOLDBACK) -> Iterator[int]:
    """Where ``text``, which starts at one, may be cut, in order: after each line break and
    sentence or clause end (".", "!", "?", ";" and the spaces after them); and where more
    than ``limit`` characters (counted from the first one that is not a space) pass without
    either, after the first space past ``limit``.

    The positions depend on the text alone: a stream is only ever cut at them, so an answer
    split here into clauses is split alike whether it came whole or in pieces of any size.
    """
    pos = 0
    while True:
        start = _BLANKS.match(text, pos).end()  # type: ignore[union-attr]
        end = _BREAK.search(text, start)
        if end is not None and end.start() < start + limit:
            pos = end.end()
        else:
            space = _SPACE.search(text, start + limit)
            ends = [m.end() for m in (space, end) if m is not None]
            if not ends:
                return
            pos = min(ends)
        yield pos


def safe_cut(text: str, limit: int = HOLDBACK) -> int:
    """How much of buffered ``text`` (which starts at one of its :func:`boundaries`) can be
    rewritten now: up to its last line break; past ``limit`` characters without one, up to
    its last boundary; past four times that, all of it (a peer that never sends a space must
    not grow the buffer)."""
    newline = text.rfind("\n")
    if newline >= 0:
        return newline + 1
    if len(text) < limit:
        return 0
    last = max(boundaries(text, limit), default=0)
    if last:
        return last
    return len(text) if len(text) >= 4 * limit else 0
