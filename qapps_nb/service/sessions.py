"""Q App sessions: start, read, feed and stop one run of an app (``*QAppSession``).

Thin wrappers over the shared client and :func:`~qapps_nb.service.client.call`, so every
failure is one :class:`~qapps_nb.errors.ApiError` line naming the operation, and
botocore's standard retries (throttling, 5xx) apply to each call. Answers are turned into
small frozen snapshots; nothing here waits or decides what a state means (``runs/`` does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from .client import call, is_sandbox

EXECUTION_STATES = ("IN_PROGRESS", "WAITING", "COMPLETED", "ERROR")
"""The model's ExecutionStatus enum: the same for a session and for each of its cards."""
MAX_CARD_VALUE = 40_000
"""``CardValue.value`` is 0..40000 characters."""
MAX_CARD_VALUES = 20
"""``initialValues`` / ``values`` take at most 20 CardValues per call."""


@dataclass(frozen=True)
class CardStatus:
    """One card of a session: its ``currentState`` and ``currentValue`` (an output's text)."""

    state: str
    value: str


@dataclass(frozen=True)
class SessionSnapshot:
    """One ``GetQAppSession`` answer: the session's status and every card's status by id."""

    session_id: str
    status: str
    cards: Mapping[str, CardStatus] = field(default_factory=dict)
    app_version: int | None = None
    sandbox: bool = False

    @classmethod
    def from_response(cls, response: Mapping[str, Any]) -> SessionSnapshot:
        cards = {
            card_id: CardStatus(state=str(status.get("currentState", "")),
                                value=str(status.get("currentValue") or ""))
            for card_id, status in (response.get("cardStatus") or {}).items()
        }
        version = response.get("appVersion")
        return cls(session_id=response["sessionId"], status=str(response.get("status", "")),
                   cards=cards, app_version=int(version) if version is not None else None,
                   sandbox=is_sandbox(dict(response)))


@dataclass(frozen=True)
class StartedSession:
    session_id: str
    session_arn: str
    sandbox: bool = False


def card_value(card_id: str, value: str) -> dict[str, str]:
    """One ``CardValue`` (``{cardId, value}``), refused locally when too long for the model."""
    if len(value) > MAX_CARD_VALUE:
        raise ValidationError(f"a card value is {len(value):,} characters; Q Apps takes at "
                              f"most {MAX_CARD_VALUE:,}")
    return {"cardId": card_id, "value": value}


def _values(values: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    listed = [dict(v) for v in values]
    if len(listed) > MAX_CARD_VALUES:
        raise ValidationError(f"{len(listed)} card values in one call; Q Apps takes at most "
                              f"{MAX_CARD_VALUES}")
    return listed


def start_session(client: Any, *, instance_id: str, app_id: str, app_version: int,
                  initial_values: Iterable[Mapping[str, str]] = ()) -> StartedSession:
    """``StartQAppSession`` for one app version; text inputs go in ``initialValues``."""
    params: dict[str, Any] = {"instanceId": instance_id, "appId": app_id,
                              "appVersion": int(app_version)}
    values = _values(initial_values)
    if values:
        params["initialValues"] = values
    response = call(client, "start_q_app_session", **params)
    return StartedSession(session_id=response["sessionId"],
                          session_arn=response.get("sessionArn", ""),
                          sandbox=is_sandbox(response))


def get_session(client: Any, *, instance_id: str, session_id: str) -> SessionSnapshot:
    """``GetQAppSession``: the session's status and each card's state and value."""
    response = call(client, "get_q_app_session", instanceId=instance_id, sessionId=session_id)
    return SessionSnapshot.from_response(response)


def update_session(client: Any, *, instance_id: str, session_id: str,
                   values: Iterable[Mapping[str, str]]) -> None:
    """``UpdateQAppSession``: values for cards that are WAITING (others are ignored by AWS)."""
    call(client, "update_q_app_session", instanceId=instance_id, sessionId=session_id,
         values=_values(values))


def stop_session(client: Any, *, instance_id: str, session_id: str) -> None:
    """``StopQAppSession``: ends the session and deletes its data."""
    call(client, "stop_q_app_session", instanceId=instance_id, sessionId=session_id)


__all__ = ["EXECUTION_STATES", "CardStatus", "SessionSnapshot", "StartedSession", "card_value",
           "get_session", "start_session", "stop_session", "update_session"]
