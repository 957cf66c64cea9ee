"""Exceptions raised by guard.

The tree::

    GuardError
     ├── PolicyError        a policy file or mapping is invalid (carries every problem found)
     ├── StoreError         a state backend failed; the caller fails open or closed
     └── RequestError       a client request guard cannot inspect (answered in the API's shape)
          ├── BadRequest          malformed JSON, invalid UTF-8, wrong shape (400)
          ├── UnsupportedMediaType  not JSON (415)
          ├── PayloadTooLarge     over the configured body limit (413)
          └── MissingApiKey       the policy requires a key and none was sent (401)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BadRequest",
    "GuardError",
    "MissingApiKey",
    "PayloadTooLarge",
    "PolicyError",
    "PolicyProblem",
    "RequestError",
    "StoreError",
    "UnsupportedMediaType",
]


class GuardError(Exception):
    """Base class of every error guard raises on purpose."""


@dataclass(frozen=True)
class PolicyProblem:
    """One problem in a policy, located as precisely as the source allows."""

    message: str
    file: str = "<policy>"
    line: int | None = None
    column: int | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        rule = f" [rule {self.rule!r}]" if self.rule else ""
        return f"{where}:{rule} {self.message}"


class PolicyError(GuardError):
    """A policy could not be loaded; ``problems`` lists everything wrong with it at once."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class StoreError(GuardError):
    """A state backend failed (unreachable, timed out, or answered nonsense)."""


class RequestError(GuardError):
    """A request guard refuses to pass on because it cannot be inspected safely."""

    status_code = 400
    error_type = "invalid_request_error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class BadRequest(RequestError):
    status_code = 400


class UnsupportedMediaType(RequestError):
    status_code = 415


class PayloadTooLarge(RequestError):
    status_code = 413
    error_type = "request_too_large"


class MissingApiKey(RequestError):
    status_code = 401
    error_type = "authentication_error"
