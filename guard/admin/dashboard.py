"""The dashboard's files: one HTML page, its script and stylesheet, shipped in the package.

Everything is served by guard itself (no CDN, no web fonts, no chart library), so the page works
on an isolated network. Its Content-Security-Policy allows nothing but same-origin scripts,
styles and requests; charts are SVG drawn by the page's own script.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

__all__ = ["PAGE_HEADERS", "Asset", "assets"]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

PAGE_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def assets() -> dict[str, Asset]:
    """The files of ``guard/admin/static``, by name, read once."""
    found: dict[str, Asset] = {}
    for item in resources.files("guard.admin").joinpath("static").iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1]
        if not item.is_file() or suffix not in _TYPES:
            continue
        body = item.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        found[item.name] = Asset(body, _TYPES[suffix], etag)
    return found
