"""HTTP control routes under ``/_sandbox``: faults, objects, request log, settings.

They give CLI users and other processes (a notebook kernel, CI scripts) the same
controls the Python API has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .state import SandboxState

PREFIX = "/_sandbox"
_SETTINGS = ("url_ttl", "max_size", "clock_skew", "api_latency", "s3_latency")


@dataclass
class ControlResponse:
    status: int
    body: bytes | Path
    content_type: str = "application/json"


def _json(data: Any, status: int = 200) -> ControlResponse:
    return ControlResponse(status, json.dumps(data, indent=1).encode())


def _error(status: int, message: str) -> ControlResponse:
    return _json({"error": message}, status)


def info(state: SandboxState) -> dict[str, Any]:
    """What a client needs to talk to this sandbox (no secrets)."""
    return {
        "sandbox": True, "endpoint_url": state.endpoint_url, "s3_url": state.s3_url,
        "region": state.region, "instance_id": state.instance_id, "app_id": state.app_id,
        "card_id": state.card_id, "session_id": state.session_id,
        "settings": settings_json(state),
    }


def settings_json(state: SandboxState) -> dict[str, Any]:
    return {name: getattr(state.settings, name) for name in _SETTINGS}


def _update_settings(state: SandboxState, body: dict[str, Any]) -> ControlResponse:
    unknown = sorted(set(body) - set(_SETTINGS))
    if unknown:
        return _error(400, f"unknown settings: {', '.join(unknown)}")
    new = state.settings.copy()
    try:
        for name, value in body.items():
            setattr(new, name, int(value) if name == "max_size" else float(value))
        new.validate()
    except (TypeError, ValueError) as exc:
        return _error(400, str(exc))
    state.settings.restore(new)
    return _json(settings_json(state))


def handle(state: SandboxState, method: str, path: str, raw: bytes) -> ControlResponse:
    """Answer one control request. ``path`` is the URL path without the query."""
    route = path[len(PREFIX):].rstrip("/") or "/"
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _error(400, "body must be JSON")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object")

    if route == "/" and method == "GET":
        return _json(info(state))
    if route == "/faults":
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
    if route == "/objects":
        if method == "GET":
            return _json([o.to_json() for o in state.store.list()])
        if method == "DELETE":
            state.store.clear()
            return _json([])
    if route.startswith("/objects/") and method == "GET":
        try:
            obj = state.store.find(unquote(route[len("/objects/"):]))
        except KeyError as exc:
            return _error(404, str(exc.args[0]))
        return ControlResponse(200, obj.path, "application/octet-stream")
    if route == "/requests":
        if method == "GET":
            return _json([r.to_json() for r in state.log.snapshot()])
        if method == "DELETE":
            state.log.clear()
            return _json([])
    if route == "/settings":
        if method == "GET":
            return _json(settings_json(state))
        if method in ("PUT", "PATCH", "POST"):
            return _update_settings(state, body)
    return _error(404, f"no control route {method} {path}")
