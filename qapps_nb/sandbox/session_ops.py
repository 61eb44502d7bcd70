"""The session operations: Start/Get/Update/StopQAppSession (``sessions.py`` holds the
state machine, ``file_values.py`` the inferred file-card rule).

Documented behaviour followed here: StartQAppSession needs an existing ``appVersion``;
UpdateQAppSession "is only valid when at least one card of the session is in the
WAITING state" and ignores inputs for cards that are not WAITING; StopQAppSession
"deletes all data related to the session and makes it invalid for future uses".

Inferred: StartQAppSession's optional ``sessionId`` names an existing session of the
same app, which is returned ("new or retrieved" session) with its initial values
applied as an update; an unknown one is ResourceNotFoundException. An instance runs at
most :data:`MAX_SESSIONS` sessions at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from . import model
from .errors import validation_error
from .file_values import session_file_problem, stored_file
from .qapps_api import ApiRequest, ApiResponse, Operation, ok
from .sessions import Session, value_problems
from .state import SandboxState

MAX_SESSIONS = 10_000


def _take_card_error(state: SandboxState) -> str | None:
    fault = state.faults.take_kind("card_error")
    return None if fault is None else str(fault.params.get("message", ""))


def advance(state: SandboxState, session: Session) -> None:
    """Bring a session's cards to where they are now (caller holds the sessions lock)."""
    session.advance(time.monotonic(), state.settings.model_latency,
                    lambda: _take_card_error(state),
                    lambda file_id: stored_file(state.store, file_id))


def session_output(state: SandboxState, session: Session) -> dict[str, Any]:
    """GetQAppSession's output for a session, as of now."""
    with state.sessions.lock:
        advance(state, session)
        app = state.apps.find(session.app_id)
        published = app.latest.version if app is not None and app.status == "PUBLISHED" \
            else None
        return session.output(state.region, published)


def _apply(state: SandboxState, session: Session, values: Sequence[Mapping[str, Any]],
           path: str) -> None:
    """Check every value, then give the WAITING cards theirs (caller holds the lock)."""
    def file_problem(value: str, card_id: str, where: str) -> str | None:
        return session_file_problem(state.store, value, session_id=session.session_id,
                                    card_id=card_id, path=where)

    problems = value_problems(session, values, path, file_problem)
    if problems:
        raise validation_error(problems)
    now = time.monotonic()
    for item in values:
        session.set_value(item["cardId"], item["value"], now)


def _ids(state: SandboxState, session: Session) -> dict[str, Any]:
    return {"sessionId": session.session_id, "sessionArn": session.arn(state.region)}


def start_q_app_session(state: SandboxState, request: ApiRequest) -> ApiResponse:
    params = request.params
    app = state.apps.get(request.instance_id, params["appId"])
    version = state.apps.version(app, params["appVersion"])
    values = params.get("initialValues") or []
    wanted = params.get("sessionId")
    with state.sessions.lock:
        if wanted is not None:
            session = state.sessions.get(request.instance_id, wanted)
            if session.app_id != app.app_id:
                raise validation_error([
                    f"Value '{model.shown(wanted)}' at 'sessionId' failed to satisfy "
                    f"constraint: Member must be a session of app {app.app_id}"])
            advance(state, session)
            _apply(state, session, values, "initialValues")
            advance(state, session)
            return ok(_ids(state, session))
        if sum(1 for s in state.sessions if s.instance_id == request.instance_id) \
                >= MAX_SESSIONS:
            raise model.model_error(
                "ServiceQuotaExceededException",
                f"This instance already runs {MAX_SESSIONS} sessions (the sandbox's limit); "
                "stop some with StopQAppSession.", resourceId=request.instance_id,
                resourceType="QAppSession", serviceCode="qapps", quotaCode="sandbox-sessions")
        now = time.monotonic()
        session = Session(session_id=str(uuid.uuid4()), instance_id=request.instance_id,
                          app_id=app.app_id, version=version, started_at=now,
                          created=state.now())
        session.start_inputs(now)
        _apply(state, session, values, "initialValues")  # refuses before anything is kept
        session.stuck = state.faults.take_kind("stuck_waiting") is not None
        if session.stuck:
            session.runs.clear()
            session.start_inputs(now)
        state.sessions.add(session)
        advance(state, session)
        return ok(_ids(state, session))


def get_q_app_session(state: SandboxState, request: ApiRequest) -> ApiResponse:
    session = state.sessions.get(request.instance_id, request.params["sessionId"])
    return ok(session_output(state, session))


def update_q_app_session(state: SandboxState, request: ApiRequest) -> ApiResponse:
    params = request.params
    session = state.sessions.get(request.instance_id, params["sessionId"])
    with state.sessions.lock:
        advance(state, session)
        if not session.any_waiting():
            raise validation_error([
                f"Value '{session.session_id}' at 'sessionId' failed to satisfy constraint: "
                f"Member must be a session with a card in the WAITING state (this one is "
                f"{session.status()})"])
        _apply(state, session, params.get("values") or [], "values")
        advance(state, session)
    return ok(_ids(state, session))


def stop_q_app_session(state: SandboxState, request: ApiRequest) -> ApiResponse:
    session = state.sessions.get(request.instance_id, request.params["sessionId"])
    state.sessions.stop(session)
    return ok()


HANDLERS: dict[str, Operation] = {
    "StartQAppSession": start_q_app_session, "GetQAppSession": get_q_app_session,
    "UpdateQAppSession": update_q_app_session, "StopQAppSession": stop_q_app_session,
}
