"""Waiting for a session: poll ``GetQAppSession`` with backoff until it ends, one line if not.

AWS offers no waiter for sessions, so a run polls. The schedule starts at about four polls
a second (a fast answer is seen quickly) and eases by 1.3× per poll to one every 2 s: a
session that answers in 5 s costs about 9 polls, one that takes a minute about 38.
Throttling is ridden out: botocore's standard retries first, then a longer pause here
(up to 10 s) before the next poll. Polling happens on the caller's thread and sleeps in
short steps, so Ctrl-C stops it at once and nothing keeps polling in the background.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ApiError
from ..service.apps import INPUT_TYPES
from .errors import RunError, RunTimeout
from .run import COMPLETED, ERROR, IN_PROGRESS, WAITING

if TYPE_CHECKING:
    from .run import QAppRun

FIRST_INTERVAL = 0.25
"""Seconds before the first poll: about four polls a second at first."""
GROWTH = 1.3
"""Each pause is this much longer than the one before..."""
MAX_INTERVAL = 2.0
"""...up to one poll every 2 s."""
THROTTLED_MAX = 10.0
"""Longest pause after a throttled (or failed) poll."""
STUCK_GRACE = 2.0
"""Seconds a session may sit WAITING on inputs that were all sent before it counts as stuck."""
TRANSIENT_LIMIT = 3
"""Polls in a row that may fail transiently (after botocore's own retries) before giving up."""
THROTTLING = frozenset({"ThrottlingException"})
TRANSIENT = frozenset({"InternalServerException", "EndpointConnectionError",
                       "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"})
_STEP = 0.1
"""Sleep granularity: short enough that Ctrl-C and cancellation are noticed at once."""


class Cancelled(Exception):
    """A batch was interrupted: a worker's wait stops at its next step."""


class Backoff:
    """The pause before each poll: 0.25 s, ×1.3 per poll, at most 2 s; longer when throttled."""

    def __init__(self) -> None:
        self.interval = FIRST_INTERVAL

    def next(self) -> float:
        current = self.interval
        self.interval = min(self.interval * GROWTH, MAX_INTERVAL)
        return current

    def slow_down(self) -> None:
        self.interval = min(max(self.interval * 2, 1.0), THROTTLED_MAX)


def schedule(seconds: float) -> list[float]:
    """When polls happen (seconds after the start) during the first ``seconds``: for docs."""
    backoff, at, times = Backoff(), 0.0, []
    while at < seconds:
        at += backoff.next()
        times.append(round(at, 3))
    return times


def pause(seconds: float, cancel: threading.Event | None) -> None:
    """Sleep in short steps (Ctrl-C is noticed at once; a cancelled batch stops)."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        if cancel is not None:
            if cancel.wait(min(left, _STEP)):
                raise Cancelled()
        else:
            time.sleep(min(left, _STEP))


def wait_for(run: QAppRun, timeout: float | None, *, cancel: threading.Event | None = None,
             on_update: Callable[[QAppRun], Any] | None = None) -> None:
    """Poll until the run's session COMPLETES; raise one line for every other ending."""
    if timeout is not None and timeout < 0:
        raise ValueError("timeout must be a number of seconds ≥ 0, or None for no limit")
    deadline = None if timeout is None else time.monotonic() + timeout
    backoff = Backoff()
    failed_in_a_row = 0
    stuck_since: float | None = None
    while not _finished(run):
        delay = backoff.next()
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timed_out(run, timeout)
            delay = min(delay, left)
        pause(delay, cancel)
        try:
            changed = run._poll()
        except ApiError as exc:
            if exc.code in THROTTLING or (exc.code in TRANSIENT
                                          and failed_in_a_row < TRANSIENT_LIMIT):
                failed_in_a_row += exc.code not in THROTTLING
                backoff.slow_down()
                continue
            raise RunError(f"reading session {run.session_id} of {run.app.title!r} failed: "
                           f"{exc.message}; the session may still be running", run=run,
                           code=exc.code, hint=".wait() on the run resumes") from None
        failed_in_a_row = 0
        if changed and on_update is not None:
            on_update(run)
        stuck_since = _check_stuck(run, stuck_since)


def _finished(run: QAppRun) -> bool:
    """True when the session COMPLETED; raises for ERROR; False while it runs."""
    if run.status == COMPLETED:
        return True
    errored = [c for c in run.cards.values() if c.state == ERROR]
    if run.status == ERROR or errored:
        if errored:
            card = errored[0]
            detail = " ".join(card.value.split())
            detail = f": {detail[:300]}" if detail else ""
            what = f"card {card.title!r} of {run.app.title!r} ended in ERROR{detail}"
        else:
            what = f"the session of {run.app.title!r} ended in ERROR"
        run.error = f"{what}; session {run.session_id} was left as it is"
        raise RunError(run.error, run=run, code="ERROR")
    if run.stopped:
        run.error = run.error or f"session {run.session_id} was stopped"
        raise RunError(run.error, run=run)
    return False


def _check_stuck(run: QAppRun, since: float | None) -> float | None:
    """A session WAITING for inputs that were all sent, and nothing in progress, is stuck.

    UpdateQAppSession is accepted even when a value does not move the session on, so a
    wrong value would otherwise mean waiting until the timeout. After :data:`STUCK_GRACE`
    seconds the session is stopped and the error names the cards it waits for.
    """
    waiting = run.waiting_for()
    busy = any(c.state == IN_PROGRESS for c in run.cards.values())
    if run.status != WAITING or not waiting or busy:
        return None
    now = time.monotonic()
    if since is None:
        return now
    if now - since < STUCK_GRACE:
        return since
    names = ", ".join(f"{c.title!r} ({c.type})" for c in waiting)
    what = (f"{run.app.title!r} is WAITING for {names} although every input was sent: the "
            "session did not accept them")
    run.error = f"{what}; {run.stop_after_failure()}"
    raise RunError(run.error, run=run, code="WAITING")


def _timed_out(run: QAppRun, timeout: float | None) -> RunTimeout:
    pending = [c.title for c in run.cards.values()
               if c.type not in INPUT_TYPES
               and c.state != COMPLETED]
    on = f" ({', '.join(repr(t) for t in pending)} not done)" if pending else ""
    return RunTimeout(
        f"{run.app.title!r} still running after {timeout:g} s: session {run.session_id} is "
        f"{run.status}{on} and keeps running in Q Apps", run=run,
        hint=".wait() on the run waits again")


__all__ = ["Backoff", "Cancelled", "pause", "schedule", "wait_for"]
