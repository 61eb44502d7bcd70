"""Q App sessions: the card state machine, computed from timestamps when asked.

Input cards (text, file, form) are COMPLETED once they hold a value (a text input's
default counts, and so does a file card's default file) and WAITING until then.
Generated cards (q-query, q-plugin) are WAITING until every card they mention is
COMPLETED, IN_PROGRESS for ``model_latency`` seconds from that moment, then COMPLETED
with the local model's answer. Nothing runs in the background: each look at a session
works out from the recorded times where every card is by now, so a stopped sandbox
leaves no thread behind.

Inferred (AWS documents none of these): an empty text value does not complete a card;
a file card's currentValue is "" (as in AWS's example) while a text card's is its value;
a card whose dependency ended in ERROR ends in ERROR too; the session's status is ERROR
if any card is, else IN_PROGRESS if any card is, else WAITING if any card is, else
COMPLETED.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import local_model, model
from .apps import ACCOUNT, CARD_TYPES, GENERATED_KINDS, AppVersion, card_body, card_kind
from .apps import card_id as card_id_of
from .apps import dependencies as card_dependencies
from .store import StoredObject

WAITING, IN_PROGRESS, COMPLETED, ERROR = "WAITING", "IN_PROGRESS", "COMPLETED", "ERROR"
CARD_ERROR_MESSAGE = "The model could not produce an answer for this card (sandbox fault)."

FileLookup = Callable[[str | None], StoredObject | None]
ErrorTaker = Callable[[], str | None]
"""Returns the message of a queued ``card_error`` fault (consuming it), or None."""


@dataclass
class CardRun:
    """One card in one session."""

    card: dict[str, Any]
    state: str = WAITING
    value: str = ""
    """Text value, fileId, answer or error message, by card type and state."""
    done_at: float | None = None
    ready_at: float | None = None
    latency: float = 0.0

    @property
    def kind(self) -> str:
        return card_kind(self.card)

    @property
    def card_id(self) -> str:
        return card_id_of(self.card)

    @property
    def title(self) -> str:
        return str(card_body(self.card)["title"])

    @property
    def current_value(self) -> str:
        if self.kind == "fileUpload":
            return ""  # inferred: AWS's example shows "" for a completed input card
        return self.value


@dataclass
class Session:
    session_id: str
    instance_id: str
    app_id: str
    version: AppVersion
    started_at: float
    created: datetime
    stuck: bool = False
    """``stuck_waiting`` fault: input cards stay WAITING whatever arrives."""
    runs: dict[str, CardRun] = field(default_factory=dict)

    def arn(self, region: str) -> str:
        return (f"arn:aws:qapps:{region}:{ACCOUNT}:application/{self.instance_id}/qapp/"
                f"{self.app_id}/session/{self.session_id}")

    def start_inputs(self, now: float) -> None:
        """Defaults complete text and file cards at once; the rest wait."""
        for card in self.version.cards:
            run = CardRun(card)
            body = card_body(card)
            default = body.get("defaultValue") if run.kind == "textInput" else (
                body.get("fileId") if run.kind == "fileUpload" else None)
            if default and not self.stuck:
                run.state, run.value, run.done_at = COMPLETED, str(default), now
            self.runs[run.card_id] = run

    def any_waiting(self) -> bool:
        return any(r.state == WAITING for r in self.runs.values())

    def set_value(self, card_id: str, value: str, now: float) -> bool:
        """Give a WAITING input card its value; False when it is ignored."""
        run = self.runs[card_id]
        if self.stuck or run.state != WAITING or run.kind in GENERATED_KINDS or not value:
            return False
        run.state, run.value, run.done_at = COMPLETED, value, now
        return True

    def advance(self, now: float, latency: float, take_error: ErrorTaker,
                files: FileLookup) -> None:
        """Move generated cards along to where they are at ``now``."""
        ids = list(self.runs)
        changed = True
        while changed:
            changed = False
            for run in self.runs.values():
                if run.kind in GENERATED_KINDS and run.state not in (COMPLETED, ERROR):
                    changed |= self._step(run, ids, now, latency, take_error, files)

    def _step(self, run: CardRun, ids: list[str], now: float, latency: float,
              take_error: ErrorTaker, files: FileLookup) -> bool:
        deps = [self.runs[d] for d in card_dependencies(run.card, ids)]
        failed = next((d for d in deps if d.state == ERROR), None)
        if failed is not None:
            run.state, run.done_at = ERROR, failed.done_at
            run.value = f"Card {failed.title!r} ({failed.card_id}) ended in ERROR."
            return True
        if any(d.state != COMPLETED for d in deps):
            return False
        if run.ready_at is None:
            run.ready_at = max((d.done_at or self.started_at for d in deps),
                               default=self.started_at)
            run.latency = latency
        if now < run.ready_at + run.latency:
            changed = run.state != IN_PROGRESS
            run.state = IN_PROGRESS
            return changed
        run.done_at = run.ready_at + run.latency
        message = take_error()
        if message is not None:
            run.state, run.value = ERROR, message or CARD_ERROR_MESSAGE
            return True
        body = card_body(run.card)
        held = [_held(d, files) for d in deps]
        run.state = COMPLETED
        run.value = local_model.answer(run.title, str(body.get("prompt", "")), held)
        return True

    def status(self) -> str:
        states = {r.state for r in self.runs.values()}
        for state in (ERROR, IN_PROGRESS, WAITING):
            if state in states:
                return state
        return COMPLETED

    def output(self, region: str, latest_published: int | None) -> dict[str, Any]:
        """The GetQAppSession output."""
        out: dict[str, Any] = {"sessionId": self.session_id, "sessionArn": self.arn(region),
                               "appVersion": self.version.version}
        if latest_published is not None:
            out["latestPublishedAppVersion"] = latest_published
        out["status"] = self.status()
        out["cardStatus"] = {run.card_id: {"currentState": run.state,
                                           "currentValue": run.current_value}
                             for run in self.runs.values()}
        out["userIsHost"] = True
        return out


def _held(run: CardRun, files: FileLookup) -> local_model.Held:
    card_type = CARD_TYPES[run.kind]
    if run.kind == "fileUpload":
        return local_model.Held(run.card_id, run.title, card_type, file_id=run.value,
                                file=files(run.value))
    return local_model.Held(run.card_id, run.title, card_type, text=run.value)


class SessionStore:
    """Running sessions by id, and the ids of stopped ones. Thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._sessions: dict[str, Session] = {}
        self._stopped: set[str] = set()

    def add(self, session: Session) -> None:
        with self.lock:
            self._sessions[session.session_id] = session

    def get(self, instance_id: str | None, session_id: str) -> Session:
        """A running session (of this instance, when given), or ResourceNotFoundException."""
        with self.lock:
            session = self._sessions.get(session_id)
        if session is None or (instance_id is not None and session.instance_id != instance_id):
            stopped = " (it was stopped)" if session_id in self._stopped else ""
            raise model.not_found("QAppSession", session_id,
                                  f"Q App session {session_id} was not found{stopped}.")
        return session

    def find(self, session_id: str) -> Session | None:
        with self.lock:
            return self._sessions.get(session_id)

    def stop(self, session: Session) -> None:
        with self.lock:
            self._sessions.pop(session.session_id, None)
            self._stopped.add(session.session_id)

    def was_stopped(self, session_id: str) -> bool:
        with self.lock:
            return session_id in self._stopped

    def __iter__(self) -> Iterator[Session]:
        with self.lock:
            return iter(sorted(self._sessions.values(), key=lambda s: s.started_at))

    def clear(self) -> None:
        with self.lock:
            self._sessions.clear()
            self._stopped.clear()


def value_problems(session: Session, values: Sequence[Mapping[str, Any]], path: str,
                   file_problem: Callable[[str, str, str], str | None]) -> list[str]:
    """What is wrong with CardValues for this session (applies to WAITING cards only).

    ``file_problem(value, card_id, path)`` is the inferred file rule (file_values.py).
    """
    problems: list[str] = []
    for i, item in enumerate(values, 1):
        where = f"{path}.{i}.member"
        cid, value = item["cardId"], item["value"]
        run = session.runs.get(cid)
        if run is None:
            problems.append(f"Value '{cid}' at '{where}.cardId' failed to satisfy constraint: "
                            f"Member must be a card of app {session.app_id} version "
                            f"{session.version.version}")
        elif run.kind in GENERATED_KINDS:
            problems.append(f"Value '{cid}' at '{where}.cardId' failed to satisfy constraint: "
                            f"Member must be an input card (card {run.title!r} is "
                            f"{CARD_TYPES[run.kind]} and takes no value)")
        elif run.kind == "fileUpload" and run.state == WAITING:
            found = file_problem(value, cid, f"{where}.value")
            if found:
                problems.append(found)
    return problems
