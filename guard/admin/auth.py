"""Bearer-token authentication of the admin endpoints.

The token is compared with :func:`hmac.compare_digest` so the time a wrong guess takes says
nothing about how much of it was right. Missing and wrong credentials both answer 401 with a
``WWW-Authenticate: Bearer`` challenge, as RFC 6750 section 3.1 prescribes (``invalid_token``
for a wrong one); 403 would mean "authenticated but not allowed", which never happens here.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Iterable

__all__ = ["Auth", "BearerAuth"]


class Auth(enum.Enum):
    """The outcome of checking a request's credentials."""

    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"


class BearerAuth:
    """Checks ``Authorization: Bearer <token>`` against the configured token."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("an admin token must not be empty")
        self._token = token.encode()

    def check(self, headers: Iterable[tuple[bytes, bytes]]) -> Auth:
        value = b""
        for name, header in headers:
            if name == b"authorization":
                value = header
                break
        scheme, _, credentials = value.strip().partition(b" ")
        if not value or scheme.lower() != b"bearer":
            return Auth.MISSING
        if hmac.compare_digest(credentials.strip(), self._token):
            return Auth.OK
        return Auth.INVALID

    @staticmethod
    def challenge(result: Auth) -> str:
        """The ``WWW-Authenticate`` value of a 401 for ``result``."""
        if result is Auth.INVALID:
            return 'Bearer realm="guard", error="invalid_token"'
        return 'Bearer realm="guard"'
