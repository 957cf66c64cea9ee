"""Admin authentication: bearer token, constant-time compare, disabled without a token."""

from __future__ import annotations

import hmac

import pytest
from admin_traffic import TOKEN, admin, guard_app

from guard.admin.auth import Auth, BearerAuth

PRIVATE = ("/_guard/metrics", "/_guard/keys", "/_guard/campaigns", "/_guard/api/summary")


@pytest.mark.parametrize("path", PRIVATE)
async def test_missing_token_is_401_with_a_bearer_challenge(path: str) -> None:
    async with admin(guard_app(), token=None) as client:
        response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="guard"'
    assert "Authorization: Bearer" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", PRIVATE)
async def test_wrong_token_is_401_invalid_token(path: str) -> None:
    async with admin(guard_app(), token=TOKEN + "x") as client:
        response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="guard", error="invalid_token"'
    assert response.json() == {"error": {"status": 401, "message": "The admin token is wrong."}}


@pytest.mark.parametrize("path", PRIVATE)
async def test_right_token_is_200(path: str) -> None:
    async with admin(guard_app()) as client:
        response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


async def test_other_schemes_and_malformed_headers_are_refused() -> None:
    app = guard_app()
    async with admin(app, token=None) as client:
        for value in (f"Basic {TOKEN}", TOKEN, f"Bearer{TOKEN}", "Bearer", f"Bearer  {TOKEN}x"):
            response = await client.get("/_guard/keys", headers={"authorization": value})
            assert response.status_code == 401, value
        # The scheme is case-insensitive (RFC 9110 section 11.1).
        response = await client.get("/_guard/keys", headers={"authorization": f"bearer {TOKEN}"})
        assert response.status_code == 200


async def test_token_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    async with admin(guard_app(), token="short") as client:
        assert (await client.get("/_guard/keys")).status_code == 401
        right = await client.get("/_guard/keys", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
    # Every guess, of any length, goes through compare_digest, never through ==.
    assert compared == [(b"short", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


async def test_without_a_token_everything_but_health_is_404() -> None:
    app = guard_app(admin_token=None)
    async with admin(app, token="anything") as client:
        for path in (*PRIVATE, "/_guard/", "/_guard/static/dashboard.js", "/_guard/keys/k_1"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert "GUARD_ADMIN_TOKEN" in response.json()["error"]["message"]
        assert (await client.get("/_guard/health")).status_code == 200


async def test_dashboard_page_and_assets_need_no_token() -> None:
    async with admin(guard_app(), token=None) as client:
        page = await client.get("/_guard/")
        script = await client.get("/_guard/static/dashboard.js")
        style = await client.get("/_guard/static/dashboard.css")
        redirect = await client.get("/_guard")
        missing = await client.get("/_guard/static/nope.js")
        html_as_asset = await client.get("/_guard/static/dashboard.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert script.headers["content-type"].startswith("text/javascript")
    assert style.headers["content-type"].startswith("text/css")
    assert redirect.status_code == 308 and redirect.headers["location"] == "/_guard/"
    assert missing.status_code == 404 and html_as_asset.status_code == 404
    # Served by guard itself: nothing is loaded from another origin.
    for body in (page.text, script.text, style.text):
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in body


async def test_assets_revalidate_with_etags() -> None:
    async with admin(guard_app(), token=None) as client:
        first = await client.get("/_guard/static/dashboard.js")
        again = await client.get(
            "/_guard/static/dashboard.js", headers={"if-none-match": first.headers["etag"]}
        )
    assert again.status_code == 304 and again.content == b""


async def test_only_get_and_head() -> None:
    async with admin(guard_app()) as client:
        post = await client.post("/_guard/keys")
        head = await client.head("/_guard/health")
    assert post.status_code == 405 and post.headers["allow"] == "GET, HEAD"
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0


def test_bearer_auth_unit() -> None:
    checker = BearerAuth("tok")
    assert checker.check([(b"authorization", b"Bearer tok")]) is Auth.OK
    assert checker.check([(b"authorization", b"Bearer nope")]) is Auth.INVALID
    assert checker.check([]) is Auth.MISSING
    with pytest.raises(ValueError):
        BearerAuth("")
