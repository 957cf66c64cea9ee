"""Hot reload: pick up a changed policy file without dropping a request.

A small polling loop (no extra dependency, works on every filesystem and in containers where
inotify events do not cross mounts) compares the policy's files (the policy, its imports and
key lists) by modification time and size. A new version that fails to load is rejected with
one log line per problem and the last good policy stays active; ``reload_now`` serves SIGHUP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from guard.errors import PolicyError
from guard.pipeline import Pipeline

__all__ = ["PolicyWatcher"]

logger = logging.getLogger("guard.reload")

Stamp = tuple[float, int] | None


class PolicyWatcher:
    """Reloads ``pipeline``'s policy from ``path`` when it (or a file it uses) changes."""

    def __init__(
        self, pipeline: Pipeline, path: str | os.PathLike[str], *, interval: float = 1.0
    ) -> None:
        self.pipeline = pipeline
        self.path = Path(path)
        self.interval = interval
        self._stamps = self._read_stamps()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="guard-policy-watch"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def check(self) -> bool:
        """Reload if a watched file changed; returns whether a new policy became active."""
        stamps = self._read_stamps()
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        return self.reload_now()

    def reload_now(self) -> bool:
        """Load the policy file again; keep the current policy if the new one is invalid."""
        old = self.pipeline.policy
        try:
            new = self.pipeline.reload(self.path)
        except PolicyError as exc:
            logger.error(
                "policy %s rejected, keeping policy %s active: %d problem(s)",
                self.path,
                old.hash,
                len(exc.problems),
            )
            for problem in exc.problems:
                logger.error("%s", problem)
            return False
        self._stamps = self._read_stamps()
        logger.warning("policy reloaded from %s: %s -> %s", self.path, old.hash, new.hash)
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.check()
            except Exception:  # never let the watcher die silently
                logger.exception("policy watch failed")

    def _read_stamps(self) -> dict[str, Stamp]:
        files = {str(self.path), *(str(f) for f in self.pipeline.policy.files)}
        return {name: _stamp(name) for name in sorted(files)}


def _stamp(name: str) -> Stamp:
    try:
        st = os.stat(name)
    except OSError:
        return None
    return (st.st_mtime, st.st_size)
