"""The dashboard in a real headless Chromium, against guard under real uvicorn with traffic.

Chromium comes from Debian (``apt-get install chromium``); the test installs it when it is
missing and it can (root, apt-get present), and skips with the reason otherwise.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from admin_traffic import TOKEN, guard_app, key_id, send_traffic

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
)
ALLOW_GREY = (0x9A, 0xA5, 0xB1)
BLOCK_RED = (0xD6, 0x45, 0x45)


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _find_chromium()
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.skip("chromium is not installed and cannot be (needs root and apt-get)")
    try:
        install = [apt, "install", "-y", "-q", "chromium"]
        if subprocess.run(install, capture_output=True, timeout=600).returncode != 0:
            subprocess.run([apt, "update", "-q"], capture_output=True, timeout=600)
            subprocess.run(install, capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"chromium is not installed and apt-get failed: {exc}")
    found = _find_chromium()
    if found is None:
        pytest.skip("chromium is not installed and 'apt-get install chromium' did not install it")
    return found


async def run_chromium(chromium: str, profile: Path, *args: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
    return stdout


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, []
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat.append(chunk)
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        flt = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if flt == 1:
                line[i] = (line[i] + left) & 0xFF
            elif flt == 2:
                line[i] = (line[i] + up) & 0xFF
            elif flt == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif flt == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [_rgb(row, channels) for row in rows]


def _rgb(row: bytes, channels: int) -> bytes:
    if channels == 3:
        return row
    return b"".join(row[i : i + 3] for i in range(0, len(row), 4))


def count_color(rows: list[bytes], color: tuple[int, int, int], tolerance: int = 6) -> int:
    """Pixels within ``tolerance`` of ``color`` on every channel."""
    count = 0
    r0, g0, b0 = color
    for row in rows:
        for i in range(0, len(row), 3):
            if (
                abs(row[i] - r0) <= tolerance
                and abs(row[i + 1] - g0) <= tolerance
                and abs(row[i + 2] - b0) <= tolerance
            ):
                count += 1
    return count


@pytest.mark.slow
async def test_dashboard_renders_live_charts(chromium: str, serve_app: Any, tmp_path: Path) -> None:
    # A clock that moves 2 s per reading spreads the traffic over minutes: several buckets of
    # the actions chart, and coverage lines with a real slope.
    start = time.time() - 3600
    ticks = itertools.count()
    app = guard_app(clock=lambda: start + 2 * next(ticks))
    async with serve_app(app) as base:
        sent = await send_traffic(app, base_url=base, rounds=24)
        url = f"{base}/_guard/#token={TOKEN}"
        dom = (await run_chromium(chromium, tmp_path / "dom", "--dump-dom", url)).decode()
        shot = tmp_path / "dashboard.png"
        await run_chromium(
            chromium, tmp_path / "shot", "--window-size=1400,800", f"--screenshot={shot}", url
        )

    # The page took the token from the fragment, loaded the summary and drew it.
    assert '<form id="login" hidden=""' in dom
    assert '<main id="main">' in dom
    assert app.pipeline.policy.hash in dom
    shown = re.search(r'id="t-requests" class="big">(\d+)<', dom)
    assert shown is not None and shown.group(1) == str(sum(sent.values()))
    actions = re.search(r'<svg[^>]*data-chart="actions".*?</svg>', dom, re.S)
    assert actions is not None
    counts = {
        action: sum(int(n) for n in re.findall(r'data-count="(\d+)"', group))
        for action, group in re.findall(r'<g data-action="(\w+)"[^>]*>(.*?)</g>', actions.group(0))
    }
    assert counts["block"] > 0 and sum(counts.values()) == sum(sent.values())
    assert len(set(re.findall(r'<rect x="([\d.]+)"', actions.group(0)))) > 5  # buckets
    keys_chart = re.search(r'<svg[^>]*data-chart="keys".*?</svg>', dom, re.S)
    assert keys_chart is not None
    lines = re.findall(
        r'<path d="(M[^"]+)" class="series"[^>]*data-points="(\d+)"', keys_chart.group(0)
    )
    assert len(lines) == min(6, len(sent))
    assert all(int(points) >= 2 and d.count("L") >= 1 for d, points in lines)
    assert 'data-chart="campaigns"' in dom and re.search(
        r'data-chart="campaigns".*?class="series"', dom, re.S
    )
    rows = re.findall(r'<tr data-key="(k_[0-9a-f]+)"', dom)
    assert set(rows) == {key_id(app, raw) for raw in sent}
    assert all(raw not in dom for raw in sent)

    # The screenshot shows the charts: stacked bars in the action colours, drawn lines.
    width, height, pixels = read_png(shot.read_bytes())
    assert (width, height) == (1400, 800)
    assert count_color(pixels, ALLOW_GREY) > 2000
    assert count_color(pixels, BLOCK_RED) > 500
    line_colors = [(0x3F, 0x8C, 0xFF), (0x2B, 0xB0, 0xA8), (0x7C, 0x5C, 0xFF), (0xE8, 0x59, 0x0C)]
    assert sum(count_color(pixels, color, 20) for color in line_colors) > 300


@pytest.mark.slow
async def test_dashboard_without_token_asks_for_it(
    chromium: str, serve_app: Any, tmp_path: Path
) -> None:
    async with serve_app(guard_app()) as base:
        dom = (await run_chromium(chromium, tmp_path, "--dump-dom", f"{base}/_guard/")).decode()
        wrong = (
            await run_chromium(chromium, tmp_path, "--dump-dom", f"{base}/_guard/#token=nope")
        ).decode()
    assert '<form id="login">' in dom and '<main id="main" hidden=""' in dom
    assert '<form id="login">' in wrong
    assert "The admin token is wrong." in wrong
