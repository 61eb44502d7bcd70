"""Why a field's value would be refused: the same rules as the pipeline, in widget words.

The front end checks ids as they are typed (``helpers.js``, kept equal to ``validation.py``
by a test); the kernel checks again here, and also knows what the pickers know: a card
that is not one of the chosen app's file-upload cards is refused before any byte moves.
An app or card given by title (``app=``, ``QAPPS_CARD``...) becomes an id here once the
pickers' apps are listed, or gets the reason it has none yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import validation
from ..errors import ValidationError
from ..names import fold

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
    wanted = fold(title)
    return [e for e in entries if fold(e["title"]) == wanted]


def looking_for(wanted: dict[str, str | None]) -> dict[str, str]:
    """Why each field given by title has no id yet: the apps are not listed yet."""
    return {name: f"looking for {title!r} among your apps…"
            for name, title in wanted.items() if title}


def resolve_titles(wanted: dict[str, str | None], status: str, apps: list[dict[str, Any]],
                   known: Callable[[str], dict[str, Any] | None], app_id: str,
                   card_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """An app or card given by title becomes an id once the apps are known.

    ``wanted``: ``app_id``/``card_id`` → the title given for it, or None. ``status`` and
    ``apps``: the pickers' listing; ``known``: a listed app's entry by id; ``app_id`` and
    ``card_id``: the fields now. Returns the ids to set and, for a title not resolved,
    why; a field in neither keeps the reason it had.
    """
    ids: dict[str, str] = {}
    reasons: dict[str, str] = {}
    if status == "failed":
        reasons = {name: f"cannot look up {title!r} (listing apps failed); type the id"
                   for name, title in wanted.items() if title}
        return ids, reasons
    app_title, card_title = wanted["app_id"], wanted["card_id"]
    if app_title:
        found = find_by_title(apps, app_title)
        if len(found) == 1:
            ids["app_id"] = found[0]["app_id"]
        elif found:
            reasons["app_id"] = f"{len(found)} apps are titled {app_title!r}; pick one"
        elif status == "ready":
            reasons["app_id"] = f"no app titled {app_title!r} with a file-upload card; pick one"
    app = known(ids.get("app_id", app_id))
    if app is None:
        return ids, reasons
    if card_title:
        cards = find_by_title(app["cards"], card_title)
        if len(cards) == 1:
            ids["card_id"] = cards[0]["card_id"]
        else:
            reasons["card_id"] = (f"{app['title']!r} has no file-upload card titled "
                                  f"{card_title!r}; pick one")
    elif not card_id and len(app["cards"]) == 1:
        ids["card_id"] = app["cards"][0]["card_id"]
    return ids, reasons
