"""Keeps the bot's child processes up: a child that exits or stops answering is started again.

- A child that exits (a crash, `kill -9`) is started again after a back-off: 1 s, then twice as long
  for each further restart within `window_s`, at most `max_backoff_s`.
- A child with a health URL that has answered once and then does not answer for `hang_s` (a hung
  event loop, a stopped process) is killed (SIGKILL to its process group) and started the same way;
  a restarted child that does not answer within `start_timeout_s` counts as hung too.
- More than `max_restarts` restarts of one child within `window_s` is a crash loop: `CrashLoop` is
  raised with a message naming the child and its last failure, and `bot.run` stops everything
  instead of restarting forever.

Every failure and restart is one log line (logger `bot.supervisor`): which child, what happened, when
it is started again. The policy comes from the environment (`Policy.from_env`, see README).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


class CrashLoop(RuntimeError):
    """A child failed too often in too little time; the message says which and why."""


@dataclass(frozen=True)
class Policy:
    """When a child counts as failed and how restarts are paced."""

    first_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_restarts: int = 5
    window_s: float = 600.0
    hang_s: float = 60.0
    start_timeout_s: float = 240.0
    probe_every_s: float = 5.0
    probe_timeout_s: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Policy:
        """SUPERVISE_HANG_SECONDS, SUPERVISE_MAX_RESTARTS and SUPERVISE_WINDOW_SECONDS, else the defaults."""
        env = os.environ if env is None else env
        hang = float(env.get("SUPERVISE_HANG_SECONDS") or cls.hang_s)
        return cls(
            hang_s=hang,
            probe_every_s=min(cls.probe_every_s, max(hang / 4, 0.2)),
            probe_timeout_s=min(cls.probe_timeout_s, max(hang / 2, 0.5)),
            max_restarts=int(env.get("SUPERVISE_MAX_RESTARTS") or cls.max_restarts),
            window_s=float(env.get("SUPERVISE_WINDOW_SECONDS") or cls.window_s),
        )


def answers(url: str, timeout: float) -> bool:
    """Whether `url` (on 127.0.0.1) answers 2xx within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
            return 200 <= response.status < 300
    except OSError:
        return False


@dataclass
class _Watch:
    """What the supervisor knows about one child."""

    started: float
    answered: float | None = None
    next_probe: float = 0.0
    restart_at: float | None = None
    failures: deque[float] = field(default_factory=deque)


class Supervisor:
    """Watches `processes` (name → running child) and restarts a failed one with `restart(name)`."""

    def __init__(
        self,
        processes: dict[str, subprocess.Popen[bytes]],
        restart: Callable[[str], None],
        health_urls: Mapping[str, str],
        policy: Policy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._processes = processes
        self._restart = restart
        self._health_urls = dict(health_urls)
        self._policy = policy or Policy()
        self._clock = clock
        now = clock()
        self._watches = {
            name: _Watch(started=now, answered=now) for name in processes
        }  # ready when handed over

    def tick(self) -> None:
        """Look at every child once: restart what is due, notice exits and hangs. Raises CrashLoop."""
        for name in list(self._processes):
            self._look_at(name, self._watches.setdefault(name, _Watch(started=self._clock())))

    def _look_at(self, name: str, watch: _Watch) -> None:
        now = self._clock()
        if watch.restart_at is not None:
            if now >= watch.restart_at:
                self._restart(name)
                self._watches[name] = _Watch(started=self._clock(), failures=watch.failures)
                logger.warning("%s started again (pid %d)", name, self._processes[name].pid)
            return
        process = self._processes[name]
        code = process.poll()
        if code is not None:
            self._failed(name, watch, f"exited with code {code}")
            return
        url = self._health_urls.get(name)
        if url is None or now < watch.next_probe:
            return
        if answers(url, self._policy.probe_timeout_s):
            if watch.answered is None:
                logger.warning("%s answers again", name)
            watch.answered = self._clock()
            watch.next_probe = watch.answered + self._policy.probe_every_s
            return
        now = self._clock()
        watch.next_probe = now + self._policy.probe_every_s
        if watch.answered is None and now - watch.started >= self._policy.start_timeout_s:
            self._kill(process)
            self._failed(
                name, watch, f"did not answer {url} within {self._policy.start_timeout_s:.0f} s of starting"
            )
        elif watch.answered is not None and now - watch.answered >= self._policy.hang_s:
            self._kill(process)
            self._failed(name, watch, f"did not answer {url} for {now - watch.answered:.0f} s (hung); killed")

    def _failed(self, name: str, watch: _Watch, what: str) -> None:
        now = self._clock()
        watch.failures.append(now)
        while watch.failures and now - watch.failures[0] > self._policy.window_s:
            watch.failures.popleft()
        count = len(watch.failures)
        if count > self._policy.max_restarts:
            message = (
                f"{name} {what}; it failed {count} times within {self._policy.window_s:.0f} s, "
                "so it is not restarted again (see its log; fix the cause, then start the bot again)"
            )
            logger.error("%s", message)
            raise CrashLoop(message)
        backoff = min(self._policy.max_backoff_s, self._policy.first_backoff_s * 2 ** (count - 1))
        watch.restart_at = now + backoff
        logger.warning(
            "%s %s; restarting it in %.1f s (failure %d of at most %d within %.0f s)",
            name,
            what,
            backoff,
            count,
            self._policy.max_restarts,
            self._policy.window_s,
        )

    @staticmethod
    def _kill(process: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its own process group (bot.run starts it so)
        except ProcessLookupError:
            pass
        process.wait()
