from __future__ import annotations

import random
import tracemalloc

import pytest

from guard.sse import SSEEvent, SSEParser


def parse(*chunks: bytes, max_size: int = 1 << 20) -> list[SSEEvent]:
    parser = SSEParser(max_size=max_size)
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    return events


def reference(stream: bytes) -> list[SSEEvent]:
    """The WHATWG algorithm, transcribed literally, on the whole stream at once."""
    text = stream.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines: list[str] = []
    line = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\r":
            lines.append(line)
            line = ""
            if i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
        elif ch == "\n":
            lines.append(line)
            line = ""
        else:
            line += ch
        i += 1
    events = []
    data, event_type, last_id = "", "", None
    for line in lines:
        if line == "":
            if data == "":
                event_type = ""
                continue
            if data.endswith("\n"):
                data = data[:-1]
            events.append(SSEEvent(data, event_type or "message", last_id))
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            field, value = line, ""
        if field == "data":
            data += value + "\n"
        elif field == "event":
            event_type = value
        elif field == "id" and "\0" not in value:
            last_id = value
    return events


def test_basic_events() -> None:
    stream = b'data: hello\n\nevent: update\ndata: {"a": 1}\nid: 42\n\n'
    assert parse(stream) == [
        SSEEvent("hello"),
        SSEEvent('{"a": 1}', event="update", id="42"),
    ]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert parse(b"data: first\ndata: second\ndata:\ndata: fourth\n\n") == [
        SSEEvent("first\nsecond\n\nfourth")
    ]


def test_only_one_leading_space_is_stripped() -> None:
    assert parse(b"data:no space\n\ndata:  two spaces\n\n") == [
        SSEEvent("no space"),
        SSEEvent(" two spaces"),
    ]


def test_comments_unknown_fields_and_empty_blocks_dispatch_nothing() -> None:
    stream = b": keep-alive\n\n:\n\nfoo: bar\n\nevent: lonely\n\n\n\n"
    assert parse(stream) == []


def test_event_type_resets_after_each_event_and_after_an_empty_block() -> None:
    stream = b"event: a\ndata: 1\n\ndata: 2\n\nevent: b\n\ndata: 3\n\n"
    assert [e.event for e in parse(stream)] == ["a", "message", "message"]


def test_field_without_colon_has_empty_value() -> None:
    assert parse(b"data\n\n") == [SSEEvent("")]
    assert parse(b"data\ndata\n\n") == [SSEEvent("\n")]


def test_last_event_id_persists_and_ignores_nul() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\nid\ndata: d\n\n"
    assert [(e.data, e.id) for e in parse(stream)] == [
        ("a", "1"),
        ("b", "1"),
        ("c", "1"),
        ("d", ""),
    ]


def test_retry_is_recorded_when_numeric() -> None:
    parser = SSEParser()
    parser.feed(b"retry: 3000\n\nretry: soon\n\n")
    assert parser.retry == 3000


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(newline: bytes) -> None:
    stream = newline.join([b"event: e", b"data: x", b"data: y", b"", b"data: z", b"", b""])
    assert parse(stream) == [SSEEvent("x\ny", event="e"), SSEEvent("z")]


def test_mixed_line_endings() -> None:
    assert parse(b"data: a\r\ndata: b\rdata: c\n\r\n") == [SSEEvent("a\nb\nc")]


def test_crlf_split_across_chunks_is_one_line_ending() -> None:
    # A CR at a chunk's end followed by LF must not read as an extra blank line, which
    # would dispatch "a" early and lose the second data line from that event.
    assert parse(b"data: a\r", b"\ndata: b\r\n\r\n") == [SSEEvent("a\nb")]
    assert parse(b"data: a\r", b"\n", b"\r", b"\n") == [SSEEvent("a")]


def test_bom_is_stripped_only_at_the_start() -> None:
    assert parse(b"\xef\xbb\xbfdata: a\n\n") == [SSEEvent("a")]
    assert parse(b"\xef", b"\xbb", b"\xbfdata: a\n\n") == [SSEEvent("a")]
    # A BOM later in the stream is part of the line (here, an unknown field name).
    assert parse(b"data: a\n\n\xef\xbb\xbfdata: b\n\n") == [SSEEvent("a")]


def test_utf8_split_inside_a_character() -> None:
    text = "data: naïve café 🤖 中文\n\n".encode()
    for i in range(len(text) + 1):
        assert parse(text[:i], text[i:]) == [SSEEvent("naïve café 🤖 中文")]
    assert parse(*(text[i : i + 1] for i in range(len(text)))) == [SSEEvent("naïve café 🤖 中文")]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert parse(b"data: a\xffb\n\n") == [SSEEvent("a\ufffdb")]


def test_incomplete_event_at_end_is_not_dispatched() -> None:
    assert parse(b"data: a\n\ndata: b\n") == [SSEEvent("a")]
    assert parse(b"data: a\n\ndata: b") == [SSEEvent("a")]


def test_empty_chunks_are_harmless() -> None:
    assert parse(b"", b"data: a", b"", b"\n", b"", b"\n", b"") == [SSEEvent("a")]


def test_feed_returns_events_as_soon_as_they_complete() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: a\n") == []
    assert parser.feed(b"\ndata: b\n\ndata: c") == [SSEEvent("a"), SSEEvent("b")]
    assert parser.feed(b"\n\n") == [SSEEvent("c")]


def test_every_split_point_matches_the_reference() -> None:
    stream = (
        b'\xef\xbb\xbf: comment\r\nevent: start\r\ndata: {"x": "\xc3\xa9"}\r\nid: 7\r\n\r\n'
        b"data: one\rdata: two\r\rretry: 10\nid\ndata:\n\n"
    )
    expected = reference(stream)
    assert len(expected) == 3
    for i in range(len(stream) + 1):
        for j in range(i, len(stream) + 1, 7):
            assert parse(stream[:i], stream[i:j], stream[j:]) == expected, (i, j)


def test_random_streams_match_the_reference() -> None:
    rng = random.Random(1234)
    pieces = [
        b"data",
        b"data:",
        b"data: ",
        b"event:",
        b"id:",
        b"id: \x00",
        b"retry: 5",
        b": c",
        b":",
        b" ",
        b"x",
        b"\xc3\xa9",
        b"\xe4\xb8\xad",
        b"\xff",
        b"\r",
        b"\n",
        b"\r\n",
        b"\n\n",
        b"\xef\xbb\xbf",
    ]
    for _ in range(500):
        stream = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        chunks = []
        pos = 0
        while pos < len(stream):
            size = rng.randint(1, 8)
            chunks.append(stream[pos : pos + size])
            pos += size
        assert parse(*chunks) == reference(stream), stream


def test_over_long_line_is_dropped_with_its_event() -> None:
    long = b"data: " + b"x" * 100 + b"\n"
    stream = b"data: a\n\n" + b"data: b\n" + long + b"\n" + b"data: c\n\n"
    assert parse(stream, max_size=50) == [SSEEvent("a"), SSEEvent("c")]
    # The same line arriving in small pieces.
    chunks = [stream[i : i + 3] for i in range(0, len(stream), 3)]
    assert parse(*chunks, max_size=50) == [SSEEvent("a"), SSEEvent("c")]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_over_long_line_ends_at_any_line_ending(ending: bytes) -> None:
    chunks = [b"data: ", b"y" * 80, b"y" * 80 + ending, ending + b"data: ok" + ending + ending]
    assert parse(*chunks, max_size=64) == [SSEEvent("ok")]
    # Terminator alone in the next chunk, CR and LF split apart.
    if ending == b"\r\n":
        chunks = [b"data: " + b"y" * 80, b"\r", b"\n\r\ndata: ok\n\n"]
        assert parse(*chunks, max_size=64) == [SSEEvent("ok")]


def test_over_long_event_data_is_dropped() -> None:
    lines = b"".join(b"data: 0123456789\n" for _ in range(10))
    assert parse(lines + b"\ndata: next\n\n", max_size=64) == [SSEEvent("next")]


def test_a_line_without_end_does_not_grow_memory() -> None:
    parser = SSEParser(max_size=1024)
    parser.feed(b"data: ")
    chunk = b"z" * 65536
    tracemalloc.start()
    try:
        for _ in range(200):  # 13 MB of one line
            assert parser.feed(chunk) == []
        current, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current < 64 * 1024
    assert parser.feed(b"\n\ndata: after\n\n") == [SSEEvent("after")]


def test_max_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_size"):
        SSEParser(max_size=0)
