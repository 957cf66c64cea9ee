"""guard: protects an LLM API from distillation harvesting.

The public surface is re-exported here. The heavier names load on first use, so that
``import guard.errors`` (or a CLI subcommand) does not pay for the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from guard.errors import GuardError, PolicyError, RequestError, StoreError

if TYPE_CHECKING:
    from guard.middleware import GuardMiddleware
    from guard.pipeline import Pipeline
    from guard.policy import Policy, load_policy

__version__ = "0.1.0"

__all__ = [
    "GuardError",
    "GuardMiddleware",
    "Pipeline",
    "Policy",
    "PolicyError",
    "RequestError",
    "StoreError",
    "__version__",
    "load_policy",
]

_LAZY = {
    "GuardMiddleware": "guard.middleware",
    "Pipeline": "guard.pipeline",
    "Policy": "guard.policy",
    "load_policy": "guard.policy",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'guard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
