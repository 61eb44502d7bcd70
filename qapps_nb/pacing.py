"""Shared pacing for retries: uploads to one service back off together and keep retrying
while that service keeps storing files.

Why: with retries counted per request, a burst of throttling or 5xx answers let one
unlucky worker spend its whole budget inside the burst while the others slept, so a
batch lost a file although the service recovered a moment later. Prior art: rclone's
pacer (one sleep time per remote, doubled on errors, decayed on success), the AWS SDKs'
retry quota (retries stop when the client as a whole keeps failing) and botocore's
adaptive mode (a client-side limiter hooked on ``before-send`` / ``needs-retry``).

One :class:`Pacer` per service endpoint per process is shared by every upload: a single
``upload()``, the workers of ``upload_many()`` and the widget's queue alike. Its rules:

1. **Hold.** A failure right after a success is taken as isolated: only that file waits
   before its next try (its own jittered backoff). A second failure in a row means a
   burst: then a hold is set that every attempt to that service waits for. The hold
   doubles once per round of failures (an attempt sent before the last backoff does not
   double it again), is jittered between half and all of it, and halves on each success.
   Both honour ``Retry-After`` up to a cap. (Holding everyone for every isolated fault
   made a batch with 5% random faults six times slower.)
2. **A file's budget.** A file uploaded alone is tried ``attempts`` times, as a plain
   retrying client would. While other uploads run at the same time (a batch, the widget's
   queue), it keeps trying, up to ``max_attempts``, for as long as the batch as a whole is
   making progress: a burst spread over many workers must not exhaust one unlucky file.
3. **Service down.** The batch is not making progress when every request to the service
   has failed for ``give_up_after`` seconds and at least ``down_after`` times in a row
   (twice a file's maximum, so a burst spread over workers that reach the service one at a
   time is not mistaken for an outage): then files give up at their next failure and new
   ones are not sent while the last failure is recent, so a dead service fails a batch in
   bounded time. Each line says why and after how many attempts.

The one boto3 client is shared by every Q Apps call; the other operations (apps,
sessions) keep botocore's ``standard`` retries. For ``CreatePresignedUrl`` the pacer is
hooked into that client where botocore's adaptive mode hooks its limiter
(``service/presign.py``): every HTTP attempt waits for the hold, is counted and reports
its outcome, and a retryable answer ends botocore's call, so rules 1-3 alone decide when
to try again. Left to botocore, its own backoff (1 s·2ⁿ between 5xx retries in botocore
1.35) would sleep on top of the hold, and its silent gaps would look like a recovering
service. The S3 POST (``transport.py``) has no SDK: its loop follows the same rules
directly.

Tests make the delays small with :func:`configure`; the algorithm stays the same.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from .errors import UploadCancelled

__all__ = ["GiveUp", "Pacer", "PacingPolicy", "Tries", "configure", "in_company", "pacer_for",
           "policy", "reset", "restore", "uploading"]


@dataclass(frozen=True)
class PacingPolicy:
    """Numbers for one service; :func:`configure` replaces them (tests use small delays)."""

    attempts: int
    """Tries of a file uploaded alone."""
    max_attempts: int
    """Tries of a file at most, while other uploads run and the service is not down."""
    base_delay: float = 0.25
    max_delay: float = 8.0
    retry_after_cap: float = 20.0
    """A ``Retry-After`` longer than this is shortened to it."""
    give_up_after: float = 30.0
    """Seconds of nothing but failures after which the service counts as down ..."""
    down_after: int = 40
    """... provided at least this many requests failed in a row."""


_DEFAULTS = {
    # one botocore call is 5 attempts (standard mode, total_max_attempts=5)
    "qapps": PacingPolicy(attempts=5, max_attempts=20, down_after=40),
    "s3": PacingPolicy(attempts=4, max_attempts=20, down_after=40),
}
_LABELS = {"qapps": "Q Apps", "s3": "S3"}
_policies = dict(_DEFAULTS)
_pacers: dict[tuple[str, str], Pacer] = {}
_lock = threading.Lock()
_uploads = 0


def policy(service: str) -> PacingPolicy:
    return _policies[service]


def configure(service: str | None = None, **changes: Any) -> dict[str, PacingPolicy]:
    """Change policy fields (``base_delay=0.01``...) of one service, or of both.

    Returns the previous policies; :func:`restore` puts them back.
    """
    previous = dict(_policies)
    for name in ([service] if service else list(_policies)):
        _policies[name] = replace(_policies[name], **changes)
    return previous


def restore(policies: dict[str, PacingPolicy]) -> None:
    _policies.update(policies)


def reset() -> None:
    """Forget every pacer and restore the default policies (a fresh process, for tests)."""
    with _lock:
        _pacers.clear()
    _policies.clear()
    _policies.update(_DEFAULTS)


@contextmanager
def uploading() -> Iterator[None]:
    """Count one upload in flight (rule 2 asks whether a file is alone)."""
    global _uploads
    with _lock:
        _uploads += 1
    try:
        yield
    finally:
        with _lock:
            _uploads -= 1


def in_company() -> bool:
    """Whether other uploads run in this process at the same time."""
    with _lock:
        return _uploads > 1


def pacer_for(service: str, endpoint: str) -> Pacer:
    """The process-wide pacer of one service endpoint (``"s3"``/``"qapps"``, scheme://host)."""
    key = (service, endpoint)
    with _lock:
        pacer = _pacers.get(key)
        if pacer is None:
            pacer = _pacers[key] = Pacer(service)
        return pacer


class GiveUp(Exception):
    """The pacer refuses an attempt: the service is down. ``reason`` completes the line."""

    def __init__(self, reason: str, code: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass
class Tries:
    """One file's attempts at one service (counted across retries and renewed URLs)."""

    count: int = 0
    waited: float = 0.0
    own_delay: float = 0.0
    """This file's own backoff after isolated failures (doubles per failure)."""
    own_until: float = 0.0

    @property
    def retries(self) -> int:
        return max(0, self.count - 1)


def retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds, for :meth:`Pacer.failed` (AWS sends seconds,
    never the HTTP-date form)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class Pacer:
    """Shared hold, success/failure record and give-up rules for one service endpoint."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.label = _LABELS.get(service, service)
        self._lock = threading.Lock()
        self._delay = 0.0
        self._hold_until = 0.0
        self._escalated_at = float("-inf")
        self._successes = 0
        self._streak = 0
        self._streak_since: float | None = None
        self._last_failure = float("-inf")
        self._last_event = float("-inf")
        self.last_code: str | None = None

    @property
    def policy(self) -> PacingPolicy:
        return _policies[self.service]

    # -- before an attempt ------------------------------------------------------------------
    def before_attempt(self, tries: Tries, cancel: threading.Event | None = None) -> float:
        """Wait for the shared hold, count the attempt; return its start time.

        Raises :class:`GiveUp` while the service is down, ``UploadCancelled`` on cancel.
        """
        self._refuse_if_down(tries)
        while True:
            with self._lock:
                now = time.monotonic()
                self._forget_if_idle(now)
                wait = max(self._hold_until, tries.own_until) - now
            if wait <= 0:
                break
            tries.waited += wait
            if cancel is not None:
                if cancel.wait(wait):
                    raise UploadCancelled("upload cancelled; nothing was stored")
            else:
                time.sleep(wait)
        self._refuse_if_down(tries)
        if cancel is not None and cancel.is_set():
            raise UploadCancelled("upload cancelled; nothing was stored")
        tries.count += 1
        return time.monotonic()

    def _refuse_if_down(self, tries: Tries) -> None:
        with self._lock:
            down = self._down(time.monotonic())
            code = self.last_code
        if down:
            done = (f"gave up after {tries.count} attempt{'s' * (tries.count != 1)}"
                    if tries.count else "not sent")
            raise GiveUp(f"{done}: {down}", code)

    # -- after an attempt -------------------------------------------------------------------
    def succeeded(self) -> None:
        with self._lock:
            self._successes += 1
            self._streak = 0
            self._streak_since = None
            half = self._delay / 2
            self._delay = half if half >= self.policy.base_delay else 0.0
            self._last_event = time.monotonic()

    def failed(self, tries: Tries, started: float, code: str | None,
               retry_after: float | None = None) -> None:
        """A transient failure of an attempt that began at ``started``: back off."""
        p = self.policy
        waited_for = min(retry_after, p.retry_after_cap) if retry_after else 0.0
        with self._lock:
            now = time.monotonic()
            self.last_code = code
            self._streak += 1
            if self._streak_since is None:
                self._streak_since = now
            self._last_failure = self._last_event = now
            tries.own_delay = min(p.max_delay, max(p.base_delay, tries.own_delay * 2))
            if self._streak == 1:  # isolated so far: only this file waits
                own = tries.own_delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter
                tries.own_until = now + max(own, waited_for)
                return
            if started >= self._escalated_at:  # sent after the last backoff: a new round
                self._delay = min(p.max_delay, max(p.base_delay, self._delay * 2))
                self._escalated_at = now
            hold = self._delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security
            self._hold_until = max(self._hold_until, now + max(hold, waited_for))

    def give_up_reason(self, tries: Tries) -> str | None:
        """After a failure: None to try again, else how the line ends ("gave up after...")."""
        p = self.policy
        with self._lock:
            down = self._down(time.monotonic())
        done = f"gave up after {tries.count} attempt{'s' * (tries.count != 1)}"
        if down:
            return f"{done}: {down}"
        if tries.count >= p.max_attempts:
            return done
        if tries.count >= p.attempts and not in_company():
            return done
        return None

    # -- state --------------------------------------------------------------------------------
    def _down(self, now: float) -> str | None:
        """Why the service counts as down, or None. Caller holds the lock."""
        p = self.policy
        if self._streak_since is None or self._streak < p.down_after:
            return None
        span = self._last_failure - self._streak_since
        if span < p.give_up_after or now - self._last_failure > p.max_delay:
            return None  # not long enough, or no news for a while: let a request probe
        return (f"every {self.label} request failed for the last {span:.0f} s "
                f"({self._streak} in a row)")

    def _forget_if_idle(self, now: float) -> None:
        """Nothing happened for a long while: start afresh. Caller holds the lock."""
        if now - self._last_event > 4 * self.policy.max_delay and now >= self._hold_until:
            self._delay = 0.0
            self._streak = 0
            self._streak_since = None

    def snapshot(self) -> dict[str, Any]:
        """Current state, for logs and tests."""
        with self._lock:
            return {"delay": self._delay, "hold": max(0.0, self._hold_until - time.monotonic()),
                    "successes": self._successes, "streak": self._streak}
