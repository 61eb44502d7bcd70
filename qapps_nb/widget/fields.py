"""Why a field's value would be refused: the same rules as the pipeline, in widget words.

The front end checks ids as they are typed (``helpers.js``, kept equal to ``validation.py``
by a test); the kernel checks again here, and also knows what the pickers know: a card
that is not one of the chosen app's file-upload cards is refused before any byte moves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import validation
from ..errors import ValidationError

EMPTY = {
    "instance_id": "required: the Amazon Q Business application id",
    "app_id": "required: choose an app, or type its id",
    "card_id": "required: choose a file-upload card, or type its id",
    "session_id": "required: the Q App session id (a UUID)",
}
"""An empty field, in the words the front end uses for it too (``helpers.js``)."""


def field_errors(values: dict[str, Any], app: dict[str, Any] | None,
                 wanted: dict[str, str | None]) -> dict[str, str]:
    """``{field: reason}`` for ``values`` (instance_id, app_id, card_id, session_id, scope).

    ``app``: the picker entry of ``values["app_id"]`` when the apps are known, else None.
    ``wanted``: an app or card given by title that is not resolved (yet), with the reason.
    """
    errors: dict[str, str] = {}
    checks: list[tuple[str, Callable[[], object]]] = [
        ("instance_id", lambda: validation.check_instance_id(values["instance_id"])),
        ("app_id", lambda: validation.check_uuid(values["app_id"], "app id")),
        ("card_id", lambda: validation.check_uuid(values["card_id"], "card id")),
    ]
    if values["scope"] == "SESSION":
        checks.append(("session_id",
                       lambda: validation.check_uuid(values["session_id"], "session id")))
    for name, check in checks:
        try:
            check()
        except ValidationError as exc:
            errors[name] = EMPTY[name] if not values[name] else exc.message
    for name, reason in wanted.items():
        if reason:
            errors[name] = reason
    if app is not None and "card_id" not in errors and "app_id" not in errors:
        cards = {c["card_id"]: c for c in app["cards"]}
        if values["card_id"] not in cards:
            titles = ", ".join(repr(c["title"]) for c in app["cards"]) or "none"
            errors["card_id"] = (f"not a file-upload card of {app['title']!r}; its file "
                                 f"cards: {titles}")
    return errors


def find_by_title(entries: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    """Entries whose ``title`` equals ``title``, ignoring case and repeated spaces."""
    wanted = " ".join(title.split()).casefold()
    return [e for e in entries if " ".join(e["title"].split()).casefold() == wanted]
