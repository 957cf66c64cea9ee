"""Who sends requests: client software (headers as real SDKs send them), addresses, keys.

Header names, order and values follow what the official SDKs, common HTTP libraries and
browsers send, because guard fingerprints clients by user agent and header order: a campaign
that shares one SDK build shares one fingerprint, while rotating clients look like strangers.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

__all__ = [
    "APIS",
    "Client",
    "NetworkPlan",
    "anthropic_client",
    "api_key",
    "browser_client",
    "datacenter_ip",
    "datacenter_subnet",
    "developer_client",
    "ipv6_address",
    "ipv6_prefix",
    "library_client",
    "openai_client",
    "residential_ip",
    "server_client",
    "subnet_ip",
]

#: The four request formats guard inspects.
APIS = ("chat", "messages", "responses", "completions")

_OPENAI_PY = (
    "1.35.15", "1.40.6", "1.45.0", "1.51.2", "1.54.4", "1.55.3", "1.58.1", "1.59.7", "1.61.1",
    "1.63.2", "1.66.3", "1.68.2", "1.70.0", "1.75.0", "1.78.1", "1.82.0", "1.86.0", "1.93.0",
    "1.97.1", "1.99.9", "1.101.0", "1.107.0",
)  # fmt: skip
_OPENAI_JS = (
    "4.52.7", "4.56.0", "4.67.3", "4.73.1", "4.77.0", "4.85.4", "4.91.1", "4.96.0", "5.0.1",
    "5.8.2", "5.12.2", "5.16.0",
)  # fmt: skip
_ANTHROPIC_PY = (
    "0.34.2", "0.36.2", "0.39.0", "0.40.0", "0.42.0", "0.45.2", "0.49.0", "0.51.0", "0.54.0",
    "0.57.1", "0.60.0", "0.64.0",
)  # fmt: skip
_ANTHROPIC_JS = ("0.27.3", "0.32.1", "0.33.1", "0.37.0", "0.39.0", "0.50.4", "0.56.0", "0.60.0")
_PY_RUNTIMES = ("3.9.19", "3.10.14", "3.11.9", "3.11.10", "3.12.4", "3.12.7", "3.12.8", "3.13.1")
_NODE_RUNTIMES = ("v18.19.1", "v20.11.1", "v20.17.0", "v20.18.1", "v22.9.0", "v22.12.0")
_OSES = (
    ("Linux", "x64"),
    ("Linux", "x64"),
    ("Linux", "arm64"),
    ("MacOS", "arm64"),
    ("MacOS", "x64"),
    ("Windows", "x64"),
)
_SERVER_OSES = (("Linux", "x64"), ("Linux", "x64"), ("Linux", "arm64"))


@dataclass(frozen=True, slots=True)
class Client:
    """One client software stack: the headers it sends, in the order it sends them."""

    headers: tuple[tuple[str, str], ...]
    family: str  # "openai-python", "browser", ... (for reading traffic files, not for guard)

    @property
    def user_agent(self) -> str:
        return dict(self.headers).get("user-agent", "")

    def header_dict(self) -> dict[str, str]:
        return dict(self.headers)


def _stainless(
    lang: str, version: str, os_arch: tuple[str, str], runtime: str, rt_version: str, mode: str
) -> list[tuple[str, str]]:
    headers = [
        ("x-stainless-lang", lang),
        ("x-stainless-package-version", version),
        ("x-stainless-os", os_arch[0]),
        ("x-stainless-arch", os_arch[1]),
        ("x-stainless-runtime", runtime),
        ("x-stainless-runtime-version", rt_version),
    ]
    if lang == "python":
        headers.append(("x-stainless-async", mode))
    headers.append(("x-stainless-retry-count", "0"))
    return headers


def openai_client(rng: random.Random, *, server: bool = False, node: bool | None = None) -> Client:
    """The official OpenAI SDK (Python or Node) as it sends a request."""
    os_arch = rng.choice(_SERVER_OSES if server else _OSES)
    if node if node is not None else rng.random() < 0.3:
        version = rng.choice(_OPENAI_JS)
        headers = [
            ("accept", "application/json"),
            ("content-type", "application/json"),
            ("user-agent", f"OpenAI/JS {version}"),
            *_stainless("js", version, os_arch, "node", rng.choice(_NODE_RUNTIMES), ""),
        ]
        return Client(tuple(headers), "openai-node")
    version = rng.choice(_OPENAI_PY)
    mode = "async:asyncio" if rng.random() < (0.6 if server else 0.25) else "false"
    headers = [
        ("accept-encoding", "gzip, deflate"),
        ("connection", "keep-alive"),
        ("accept", "application/json"),
        ("content-type", "application/json"),
        ("user-agent", f"OpenAI/Python {version}"),
        *_stainless("python", version, os_arch, "CPython", rng.choice(_PY_RUNTIMES), mode),
    ]
    if int(version.split(".")[1]) >= 58:  # the SDK sends its read timeout since 1.58
        headers.append(("x-stainless-read-timeout", "600"))
    return Client(tuple(headers), "openai-python")


def anthropic_client(
    rng: random.Random, *, server: bool = False, node: bool | None = None
) -> Client:
    """The official Anthropic SDK (Python or TypeScript)."""
    os_arch = rng.choice(_SERVER_OSES if server else _OSES)
    if node if node is not None else rng.random() < 0.3:
        version = rng.choice(_ANTHROPIC_JS)
        headers = [
            ("accept", "application/json"),
            ("content-type", "application/json"),
            ("user-agent", f"Anthropic/JS {version}"),
            *_stainless("js", version, os_arch, "node", rng.choice(_NODE_RUNTIMES), ""),
            ("anthropic-version", "2023-06-01"),
        ]
        return Client(tuple(headers), "anthropic-node")
    version = rng.choice(_ANTHROPIC_PY)
    mode = "async:asyncio" if rng.random() < (0.6 if server else 0.25) else "false"
    headers = [
        ("accept-encoding", "gzip, deflate"),
        ("connection", "keep-alive"),
        ("accept", "application/json"),
        ("content-type", "application/json"),
        ("user-agent", f"Anthropic/Python {version}"),
        *_stainless("python", version, os_arch, "CPython", rng.choice(_PY_RUNTIMES), mode),
        ("anthropic-version", "2023-06-01"),
    ]
    return Client(tuple(headers), "anthropic-python")


def library_client(rng: random.Random, api: str) -> Client:
    """A plain HTTP library or command-line tool, as scripts and small services use."""
    kind = rng.choice(("curl", "requests", "httpx", "aiohttp", "go", "axios", "okhttp"))
    if kind == "curl":
        version = rng.choice(("7.68.0", "7.81.0", "7.88.1", "8.4.0", "8.5.0", "8.7.1", "8.11.1"))
        headers = [
            ("user-agent", f"curl/{version}"),
            ("accept", "*/*"),
            ("content-type", "application/json"),
        ]
    elif kind == "requests":
        version = rng.choice(("2.28.2", "2.31.0", "2.32.3"))
        headers = [
            ("user-agent", f"python-requests/{version}"),
            ("accept-encoding", "gzip, deflate"),
            ("accept", "*/*"),
            ("connection", "keep-alive"),
            ("content-type", "application/json"),
        ]
    elif kind == "httpx":
        version = rng.choice(("0.25.2", "0.27.0", "0.27.2", "0.28.1"))
        headers = [
            ("accept", "*/*"),
            ("accept-encoding", "gzip, deflate"),
            ("connection", "keep-alive"),
            ("user-agent", f"python-httpx/{version}"),
            ("content-type", "application/json"),
        ]
    elif kind == "aiohttp":
        py, version = (
            rng.choice(("3.10", "3.11", "3.12")),
            rng.choice(("3.9.5", "3.10.10", "3.11.9")),
        )
        headers = [
            ("accept", "*/*"),
            ("accept-encoding", "gzip, deflate"),
            ("user-agent", f"Python/{py} aiohttp/{version}"),
            ("content-type", "application/json"),
        ]
    elif kind == "go":
        headers = [
            ("user-agent", "Go-http-client/1.1"),
            ("content-type", "application/json"),
            ("accept-encoding", "gzip"),
        ]
    elif kind == "axios":
        version = rng.choice(("1.6.8", "1.7.2", "1.7.9"))
        headers = [
            ("accept", "application/json, text/plain, */*"),
            ("content-type", "application/json"),
            ("user-agent", f"axios/{version}"),
            ("accept-encoding", "gzip, compress, deflate, br"),
        ]
    else:
        headers = [
            ("content-type", "application/json; charset=utf-8"),
            ("accept-encoding", "gzip"),
            ("user-agent", f"okhttp/{rng.choice(('4.9.3', '4.11.0', '4.12.0'))}"),
        ]
    if api == "messages":
        headers.append(("anthropic-version", "2023-06-01"))
    return Client(tuple(headers), kind)


_CHROME = ("124", "126", "128", "129", "130", "131", "132")
_PLATFORMS = (
    ('"Windows"', "Windows NT 10.0; Win64; x64"),
    ('"macOS"', "Macintosh; Intel Mac OS X 10_15_7"),
    ('"Linux"', "X11; Linux x86_64"),
)


def browser_client(rng: random.Random, api: str) -> Client:
    """A browser calling the API directly (playgrounds, front-end apps, extensions)."""
    roll = rng.random()
    if roll < 0.65:
        major = rng.choice(_CHROME)
        platform, ua_os = rng.choice(_PLATFORMS)
        ua = (
            f"Mozilla/5.0 ({ua_os}) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Safari/537.36"
        )
        headers = [
            (
                "sec-ch-ua",
                f'"Chromium";v="{major}", "Google Chrome";v="{major}", "Not?A_Brand";v="99"',
            ),
            ("sec-ch-ua-mobile", "?0"),
            ("sec-ch-ua-platform", platform),
            ("user-agent", ua),
            ("content-type", "application/json"),
            ("accept", "*/*"),
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "cors"),
            ("sec-fetch-dest", "empty"),
            ("accept-encoding", "gzip, deflate, br, zstd"),
            (
                "accept-language",
                rng.choice(
                    (
                        "en-US,en;q=0.9",
                        "en-GB,en;q=0.9",
                        "de-DE,de;q=0.9,en;q=0.8",
                        "fr-FR,fr;q=0.9,en;q=0.8",
                    )
                ),
            ),
        ]
    elif roll < 0.85:
        version = rng.choice(("128.0", "131.0", "133.0", "134.0"))
        _, ua_os = rng.choice(_PLATFORMS)
        ua = f"Mozilla/5.0 ({ua_os}; rv:{version}) Gecko/20100101 Firefox/{version}"
        headers = [
            ("user-agent", ua),
            ("accept", "*/*"),
            ("accept-language", "en-US,en;q=0.5"),
            ("accept-encoding", "gzip, deflate, br, zstd"),
            ("content-type", "application/json"),
            ("sec-fetch-dest", "empty"),
            ("sec-fetch-mode", "cors"),
            ("sec-fetch-site", "cross-site"),
        ]
    else:
        version = rng.choice(("17.5", "17.6", "18.1", "18.2"))
        ua = (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) Version/{version} Safari/605.1.15"
        )
        headers = [
            ("content-type", "application/json"),
            ("accept", "*/*"),
            ("accept-language", "en-US,en;q=0.9"),
            ("user-agent", ua),
            ("accept-encoding", "gzip, deflate, br"),
        ]
    if api == "messages":
        headers.append(("anthropic-version", "2023-06-01"))
        headers.append(("anthropic-dangerous-direct-browser-access", "true"))
    return Client(tuple(headers), "browser")


def developer_client(rng: random.Random, api: str) -> Client:
    """What one person's own scripts or chat front end would send."""
    roll = rng.random()
    if roll < 0.72:
        return anthropic_client(rng) if api == "messages" else openai_client(rng)
    if roll < 0.88:
        return library_client(rng, api)
    return browser_client(rng, api)


def server_client(rng: random.Random, api: str) -> Client:
    """What a product's backend sends: an official SDK on a Linux server, often async."""
    if rng.random() < 0.85:
        if api == "messages":
            return anthropic_client(rng, server=True)
        return openai_client(rng, server=True)
    return library_client(rng, api)


# ---------------------------------------------------------------------------------------------
# Addresses. Documentation ranges plus synthetic ones drawn from wide, realistic-looking blocks.

_RESIDENTIAL_V4 = (
    24, 31, 37, 46, 47, 49, 58, 59, 60, 61, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78,
    79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 101,
    109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 151,
    171, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 186, 187, 188, 189, 190, 191, 197,
    200, 201, 203, 210, 211, 217, 218, 219, 220, 221, 222,
)  # fmt: skip
_DATACENTER_V4 = (
    (3,), (13,), (18,), (34,), (35,), (44,), (52,), (54,), (20,), (40,), (104,), (138, 68),
    (139, 59), (142, 93), (143, 198), (146, 190), (157, 245), (159, 65), (159, 89), (161, 35),
    (164, 90), (165, 22), (167, 99), (5, 9), (78, 46), (88, 99), (95, 216), (116, 202),
    (135, 181), (144, 76), (148, 251), (162, 55), (168, 119), (176, 9), (45, 32), (45, 76),
    (45, 79), (66, 42), (51, 15), (51, 38), (141, 94), (15, 204), (178, 62),
)  # fmt: skip
_DOC_V4 = ("192.0.2", "198.51.100", "203.0.113")
_V6_PREFIXES = (
    "2a02:",
    "2a01:",
    "2600:",
    "2601:",
    "2602:",
    "2603:",
    "2804:",
    "2001:db8:",
    "2a00:",
    "240e:",
    "2409:",
    "2405:",
)


def residential_ip(rng: random.Random) -> str:
    return (
        f"{rng.choice(_RESIDENTIAL_V4)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
        f"{rng.randint(1, 254)}"
    )


def datacenter_subnet(rng: random.Random) -> str:
    """A /24 in a hosting provider's space (or a documentation range), as 'a.b.c'."""
    if rng.random() < 0.15:
        return rng.choice(_DOC_V4)
    head = rng.choice(_DATACENTER_V4)
    octets = [*head, *(rng.randint(0, 255) for _ in range(3 - len(head)))]
    return ".".join(str(o) for o in octets)


def datacenter_ip(rng: random.Random) -> str:
    return subnet_ip(rng, datacenter_subnet(rng))


def subnet_ip(rng: random.Random, subnet: str) -> str:
    """An address inside ``subnet``: 'a.b.c' (a /24) or an IPv6 prefix ending in ':'."""
    if subnet.endswith(":"):
        return subnet + ":".join(f"{rng.randrange(1 << 16):x}" for _ in range(4))
    return f"{subnet}.{rng.randint(1, 254)}"


def ipv6_prefix(rng: random.Random) -> str:
    """A /64 as 'xxxx:xxxx:xxxx:xxxx:' (the part a household or a server keeps)."""
    head = rng.choice(_V6_PREFIXES)
    groups = 4 - head.count(":")
    return head + ":".join(f"{rng.randrange(1 << 16):x}" for _ in range(groups)) + ":"


def ipv6_address(rng: random.Random) -> str:
    return subnet_ip(rng, ipv6_prefix(rng))


class NetworkPlan:
    """Address choices that several actors share: a mobile carrier's CGNAT pools, where many
    unrelated people appear behind few addresses (a classic false link between keys)."""

    def __init__(self, rng: random.Random) -> None:
        self.cgnat = [f"172.{rng.randint(56, 58)}.{rng.randint(0, 255)}" for _ in range(4)]

    def home_ip(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.17:
            return ipv6_address(rng)
        if roll < 0.27:
            return subnet_ip(rng, rng.choice(self.cgnat))
        return residential_ip(rng)


# ---------------------------------------------------------------------------------------------
# Keys. The format depends on the API only, never on who holds the key.

_ALNUM = string.ascii_letters + string.digits


def api_key(rng: random.Random, api: str) -> str:
    body = "".join(rng.choice(_ALNUM) for _ in range(48))
    if api == "messages":
        return f"sk-ant-api03-{body}"
    return f"sk-proj-{body}" if rng.random() < 0.7 else f"sk-{body}"
