"""HTTP control routes under ``/_sandbox``: apps, sessions, faults, objects, log, settings.

They give CLI users and other processes (a notebook kernel, CI scripts) the same
controls the Python API has. ``GET /_sandbox`` is the landing page: HTML for a browser,
JSON (what clients have always read) otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .apps import card_body
from .state import SETTING_NAMES, SandboxState

PREFIX = "/_sandbox"


@dataclass
class ControlResponse:
    status: int
    body: bytes | Path
    content_type: str = "application/json"


def _json(data: Any, status: int = 200) -> ControlResponse:
    return ControlResponse(status, json.dumps(data, indent=1).encode())


def _error(status: int, message: str) -> ControlResponse:
    return _json({"error": message}, status)


def apps_summary(state: SandboxState) -> list[dict[str, Any]]:
    """Each app with its real ids: what a user needs to try it."""
    out = []
    for app in state.apps.all():
        version = app.latest
        cards = [{"id": body["id"], "title": body["title"], "type": body["type"]}
                 for body in map(card_body, version.cards)]
        out.append({"appId": app.app_id, "title": version.title,
                    "description": version.description, "instanceId": app.instance_id,
                    "appVersion": version.version, "status": app.status,
                    "canEdit": app.owned, "cards": cards})
    return out


def info(state: SandboxState) -> dict[str, Any]:
    """What a client needs to talk to this sandbox (no secrets)."""
    return {
        "sandbox": True, "endpoint_url": state.endpoint_url, "s3_url": state.s3_url,
        "region": state.region, "instance_id": state.instance_id, "app_id": state.app_id,
        "card_id": state.card_id, "session_id": state.session_id,
        "settings": settings_json(state), "apps": apps_summary(state),
    }


def settings_json(state: SandboxState) -> dict[str, Any]:
    return {name: getattr(state.settings, name) for name in SETTING_NAMES}


def _update_settings(state: SandboxState, body: dict[str, Any]) -> ControlResponse:
    unknown = sorted(set(body) - set(SETTING_NAMES))
    if unknown:
        return _error(400, f"unknown settings: {', '.join(unknown)}")
    new = state.settings.copy()
    try:
        for name, value in body.items():
            setattr(new, name, int(value) if name == "max_size" else float(value))
        new.validate()
    except (TypeError, ValueError, OverflowError) as exc:
        return _error(400, str(exc))
    state.settings.restore(new)
    return _json(settings_json(state))


def _wants_html(accept: str, query: Mapping[str, list[str]]) -> bool:
    fmt = (query.get("format") or [""])[-1]
    if fmt:
        return fmt == "html"
    return "text/html" in accept.lower()


def _apps(state: SandboxState, method: str, rest: str, body: dict[str, Any]
          ) -> ControlResponse | None:
    from .app_ops import add_app
    from .demo_apps import app_spec

    if rest == "" and method == "GET":
        return _json([a.get_output(state.region) for a in state.apps.all()])
    if rest == "" and method == "POST":
        try:
            app_id = add_app(state, app_spec(body))
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        return _json({"appId": app_id}, 201)
    app = state.apps.find(unquote(rest.lstrip("/"))) if rest else None
    if rest and app is None:
        return _error(404, f"no app {rest.lstrip('/')!r}")
    if app is not None and method == "GET":
        return _json(app.get_output(state.region))
    if app is not None and method == "DELETE":
        state.apps.delete(app)
        return _json({"appId": app.app_id, "deleted": True})
    return None


def _sessions(state: SandboxState, method: str, rest: str) -> ControlResponse | None:
    from .session_ops import session_output

    if method != "GET":
        return None
    if rest == "":
        return _json([session_output(state, s) for s in state.sessions])
    session = state.sessions.find(rest.lstrip("/"))
    if session is None:
        return _error(404, f"no running session {rest.lstrip('/')!r}")
    return _json(session_output(state, session))


def _faults(state: SandboxState, method: str, body: dict[str, Any]) -> ControlResponse | None:
    if method == "GET":
        return _json(state.faults.pending())
    if method == "POST":
        params = dict(body)
        kind = params.pop("kind", None)
        times = params.pop("times", 1)
        try:
            state.faults.inject(str(kind), int(times), **params)
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        return _json(state.faults.pending(), 201)
    if method == "DELETE":
        state.faults.clear()
        return _json([])
    return None


def handle(state: SandboxState, method: str, path: str, raw: bytes, *, accept: str = "",
           query: Mapping[str, list[str]] | None = None) -> ControlResponse:
    """Answer one control request. ``path`` is the URL path without the query."""
    route = path[len(PREFIX):].rstrip("/") or "/"
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _error(400, "body must be JSON")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object")
    answer: ControlResponse | None = None

    if route == "/" and method in ("GET", "HEAD"):
        if _wants_html(accept, query or {}):
            from .landing import landing_page

            return ControlResponse(200, landing_page(state, apps_summary(state)).encode(),
                                   "text/html; charset=utf-8")
        return _json(info(state))
    if route == "/faults":
        answer = _faults(state, method, body)
    elif route == "/apps" or route.startswith("/apps/"):
        answer = _apps(state, method, route[len("/apps"):], body)
    elif route == "/sessions" or route.startswith("/sessions/"):
        answer = _sessions(state, method, route[len("/sessions"):])
    elif route == "/reset" and method == "POST":
        state.reset(objects=bool(body.get("objects", True)))
        answer = _json(info(state))
    elif route == "/objects":
        if method == "GET":
            answer = _json([o.to_json() for o in state.store.list()])
        elif method == "DELETE":
            state.store.clear()
            answer = _json([])
    elif route.startswith("/objects/") and method == "GET":
        try:
            obj = state.store.find(unquote(route[len("/objects/"):]))
        except KeyError as exc:
            return _error(404, str(exc.args[0]))
        return ControlResponse(200, obj.path, "application/octet-stream")
    elif route == "/requests":
        if method == "GET":
            answer = _json([r.to_json() for r in state.log.snapshot()])
        elif method == "DELETE":
            state.log.clear()
            answer = _json([])
    elif route == "/settings":
        if method == "GET":
            answer = _json(settings_json(state))
        elif method in ("PUT", "PATCH", "POST"):
            answer = _update_settings(state, body)
    return answer or _error(404, f"no control route {method} {path}")
