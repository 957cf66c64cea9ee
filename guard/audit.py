"""The audit log: one JSON line per decision worth keeping, never a raw key.

Operators read it to see what guard did and why; it is appended to as decisions are made (a
listener of the pipeline), one ``write`` per line so concurrent writers never interleave.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import TYPE_CHECKING

from guard.models import Action, Usage
from guard.policy.model import AuditConfig

if TYPE_CHECKING:
    from guard.pipeline import Inspection

__all__ = ["AuditLog"]

logger = logging.getLogger("guard.audit")

_PROMPT_CHARS = 2000


class AuditLog:
    """Appends decisions to ``config.path`` (a JSONL file)."""

    def __init__(self, config: AuditConfig) -> None:
        if not config.path:
            raise ValueError("AuditLog needs audit.path")
        self.config = config
        self.path = config.path
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._failed = False

    def on_decision(self, inspection: Inspection) -> None:
        decision = inspection.decision
        if decision.action is Action.ALLOW and not inspection.shadow_matches:
            if not self.config.all_requests:
                return
        record = {
            "ts": round(inspection.started or time.time(), 3),
            "key_id": inspection.identity.key_id,
            "ip": inspection.identity.ip,
            "tier": inspection.tier,
            "route": inspection.request.route,
            "model": inspection.request.model,
            "rule": decision.rule or None,
            "action": decision.action.value,
            "enforced": decision.enforced.value,
            "shadow": decision.shadow,
            "shadow_rules": list(inspection.shadow_matches),
            "score": round(inspection.score.value, 4),
            "reasons": inspection.score.reasons,
            "signals": {s.name: round(s.value, 3) for s in inspection.score.signals},
            "campaign": inspection.campaign,
        }
        if self.config.include_prompt:
            record["prompt"] = inspection.request.prompt[:_PROMPT_CHARS]
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
        try:
            os.write(self._fd, line.encode())
        except OSError as exc:
            if not self._failed:
                self._failed = True
                logger.error("cannot write the audit log %s: %s", self.path, exc)
        else:
            self._failed = False

    def on_response(self, inspection: Inspection, usage: Usage, seconds: float) -> None:
        pass

    def on_store(self, operation: str, seconds: float, failed: bool) -> None:
        pass

    def close(self) -> None:
        try:
            os.close(self._fd)
        except OSError:
            pass
