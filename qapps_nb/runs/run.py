"""``QAppRun``: one session of a Q App as the notebook sees it, outputs by card title.

A run is created once its session has started (:func:`qapps_nb.run_app`). It keeps the
last ``GetQAppSession`` answer; ``refresh()`` reads it again, ``wait()`` polls until the
session completes, ``stop()`` ends it. Inline it shows the outputs as safely rendered
Markdown under their card titles; as text (terminals, papermill logs) it shows them raw.
It holds no presigned fields and no credentials.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ..result import UploadResults
from ..service.apps import INPUT_TYPES, App, Card
from ..service.client import ClientOptions
from ..service.sessions import SessionSnapshot, get_session, stop_session

NOT_READ = "STARTED"
"""``status`` before the first ``GetQAppSession`` answer (the session exists)."""
COMPLETED, ERROR, WAITING, IN_PROGRESS = "COMPLETED", "ERROR", "WAITING", "IN_PROGRESS"


@dataclass(frozen=True)
class CardState:
    """One card of the run: what the app defines and what the session says now."""

    card_id: str
    title: str
    type: str
    state: str
    """``IN_PROGRESS``, ``WAITING``, ``COMPLETED`` or ``ERROR`` (empty before it is read)."""
    value: str
    """The card's ``currentValue``: an output's text once COMPLETED."""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def card_keys(cards: Iterable[Card]) -> dict[str, str]:
    """Card id → the key it has in ``outputs``/``cards``: its title, made unique if shared."""
    listed = list(cards)
    counts: dict[str, int] = {}
    for card in listed:
        counts[card.title] = counts.get(card.title, 0) + 1
    return {c.card_id: c.title if counts[c.title] == 1 else f"{c.title} ({c.card_id})"
            for c in listed}


class QAppRun:
    """One run (session) of a Q App: ``.status``, ``.outputs``, ``.cards``, ``.wait()``."""

    def __init__(self, app: App, session_id: str, *, options: ClientOptions | None = None,
                 uploads: Iterable[Any] = (), sandbox: bool = False) -> None:
        self.app = app
        """The app definition the session was started from (``App``: title, cards...)."""
        self.session_id = session_id
        self.uploads = UploadResults(uploads)
        """The UploadResults of the files sent to this session's file cards."""
        self.status = NOT_READ
        """The session's status: ``COMPLETED``, ``IN_PROGRESS``, ``WAITING``, ``ERROR``."""
        self.error: str | None = None
        """Why the run failed (one line), or None."""
        self.stopped = False
        """True once qapps-nb stopped the session (StopQAppSession)."""
        self.polls = 0
        """``GetQAppSession`` calls made for this run (``refresh`` and ``wait``)."""
        self.sandbox = bool(sandbox or app.sandbox)
        self.started = time.time()
        self._options = options or ClientOptions()
        self._snapshot: SessionSnapshot | None = None
        self._keys = card_keys(app.cards)
        self._lock = threading.Lock()

    # -- what the session says ------------------------------------------------------------
    @property
    def instance_id(self) -> str:
        return self.app.instance_id

    @property
    def cards(self) -> dict[str, CardState]:
        """Every card by title (app order): its type, state and current value."""
        snapshot = self._snapshot
        out: dict[str, CardState] = {}
        for card in self.app.cards:
            status = snapshot.cards.get(card.card_id) if snapshot else None
            out[self._keys[card.card_id]] = CardState(
                card_id=card.card_id, title=card.title, type=card.type,
                state=status.state if status else "", value=status.value if status else "")
        return out

    @property
    def outputs(self) -> dict[str, str]:
        """Output card title → its text, for every output card that has COMPLETED."""
        return {key: state.value for key, state in self.cards.items()
                if state.type not in INPUT_TYPES and state.state == COMPLETED}

    @property
    def done(self) -> bool:
        """The session ended: COMPLETED or ERROR (or qapps-nb stopped it)."""
        return self.status in (COMPLETED, ERROR) or self.stopped

    def waiting_for(self) -> list[CardState]:
        """Input cards the session is WAITING on."""
        return [c for c in self.cards.values() if c.type in INPUT_TYPES and c.state == WAITING]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict for pipelines and papermill (no secrets)."""
        return {
            "app_id": self.app.app_id, "app_title": self.app.title,
            "app_version": self.app.version, "instance_id": self.instance_id,
            "session_id": self.session_id, "status": self.status, "error": self.error,
            "stopped": self.stopped, "sandbox": self.sandbox, "outputs": self.outputs,
            "cards": {key: state.to_dict() for key, state in self.cards.items()},
            "uploads": [u.to_dict() for u in self.uploads if hasattr(u, "to_dict")],
        }

    # -- talking to Q Apps ----------------------------------------------------------------
    def refresh(self) -> QAppRun:
        """Read the session once (``GetQAppSession``) and update ``status``/``cards``."""
        self._poll()
        return self

    def _poll(self) -> bool:
        """One GetQAppSession; whether anything the user sees changed."""
        snapshot = get_session(self._options.client(), instance_id=self.instance_id,
                               session_id=self.session_id)
        with self._lock:
            self.polls += 1
            changed = (self._snapshot is None or snapshot.status != self._snapshot.status
                       or snapshot.cards != self._snapshot.cards)
            self._snapshot = snapshot
            self.status = snapshot.status or self.status
            self.sandbox = self.sandbox or snapshot.sandbox
        return changed

    def wait(self, timeout: float | None = 600, *,
             on_update: Callable[[QAppRun], Any] | None = None,
             cancel: threading.Event | None = None) -> QAppRun:
        """Poll until the session completes; returns the run, or raises one line.

        ``RunError``: a card ended in ERROR, or the session waits for inputs it will
        never get (the error names the cards). ``RunTimeout`` after ``timeout`` seconds
        (the session keeps running: call ``wait()`` again). Ctrl-C raises
        ``RunInterrupted`` (a ``KeyboardInterrupt``): polling stops, the session keeps
        running, ``wait()`` resumes. ``on_update(run)`` is called whenever a state changed.
        """
        from .errors import RunInterrupted
        from .waiting import Cancelled, wait_for

        try:
            wait_for(self, timeout, cancel=cancel, on_update=on_update)
        except (KeyboardInterrupt, Cancelled):
            raise RunInterrupted(
                f"stopped waiting for {self.app.title!r}: session {self.session_id} keeps "
                "running in Q Apps", run=self, hint=".wait() on the run resumes") from None
        return self

    def stop(self) -> QAppRun:
        """End the session (``StopQAppSession``; Q Apps deletes its data)."""
        stop_session(self._options.client(), instance_id=self.instance_id,
                     session_id=self.session_id)
        self.stopped = True
        return self

    def stop_after_failure(self) -> str:
        """Stop the session after a failure; says what happened, for the error line."""
        try:
            self.stop()
        except Exception as exc:  # the run already failed: report, don't mask it
            return f"session {self.session_id} was left (stopping it failed: {exc})"
        return f"session {self.session_id} stopped"

    # -- display --------------------------------------------------------------------------
    def __repr__(self) -> str:
        where = " SANDBOX" if self.sandbox else ""
        outputs = list(self.outputs)
        return (f"<QAppRun{where} {self.app.title!r} {self.status} "
                f"session_id={self.session_id} outputs={outputs}>")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        from .display import run_text

        p.text(repr(self) if cycle else run_text(self))

    def _repr_html_(self) -> str:
        from .display import run_html

        return run_html(self)


__all__ = ["COMPLETED", "ERROR", "IN_PROGRESS", "NOT_READ", "WAITING", "CardState", "QAppRun",
           "card_keys"]
