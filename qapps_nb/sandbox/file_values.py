"""Which fileIds a file-upload card accepts. INFERRED rules, kept in this one place.

AWS documents no ``CardValue`` format for file-upload cards, and says only that
CreatePresignedUrl with scope APPLICATION gives a card's default file while scope
SESSION (with a ``sessionId``) gives "a file for a single Q App run". The sandbox
infers, and enforces:

- a card's **default file** (``fileUpload.fileId`` in UpdateQApp) is the fileId of a
  stored upload made with scope APPLICATION for that app and that card;
- a file card's **session value** (``CardValue.value`` in StartQAppSession or
  UpdateQAppSession) is the fileId of a stored upload made with scope SESSION for that
  session and that card.

Anything else is a ValidationException that says what the fileId was uploaded for.
The ObjectStore records scope, app, card and session for every stored upload.
"""

from __future__ import annotations

from .store import ObjectStore, StoredObject


def _find(store: ObjectStore, file_id: str) -> StoredObject | None:
    if "/" in file_id:
        return None  # an object key, not a fileId
    try:
        return store.find(file_id)
    except KeyError:
        return None


def _describe(obj: StoredObject | None) -> str:
    if obj is None:
        return "no file with this id was uploaded to the sandbox"
    where = f"app {obj.app_id}, card {obj.card_id}"
    if obj.session_id:
        where += f", session {obj.session_id}"
    return f"it was uploaded with scope {obj.scope} for {where}"


def _fail(file_id: str, path: str, wanted: str, obj: StoredObject | None) -> str:
    return (f"Value '{file_id}' at '{path}' failed to satisfy constraint: Member must be "
            f"the fileId of a file uploaded with {wanted} ({_describe(obj)})")


def default_file_problem(store: ObjectStore, file_id: str, *, app_id: str, card_id: str,
                         path: str) -> str | None:
    """Why ``file_id`` cannot be the default file of ``card_id`` in ``app_id`` (or None)."""
    obj = _find(store, file_id)
    if (obj is not None and obj.scope == "APPLICATION" and obj.app_id == app_id
            and obj.card_id == card_id):
        return None
    return _fail(file_id, path, f"scope APPLICATION for app {app_id} and card {card_id}", obj)


def session_file_problem(store: ObjectStore, value: str, *, session_id: str, card_id: str,
                         path: str) -> str | None:
    """Why ``value`` cannot be the session value of file card ``card_id`` (or None)."""
    obj = _find(store, value)
    if (obj is not None and obj.scope == "SESSION" and obj.session_id == session_id
            and obj.card_id == card_id):
        return None
    return _fail(value, path, f"scope SESSION for session {session_id} and card {card_id}",
                 obj)


def stored_file(store: ObjectStore, file_id: str | None) -> StoredObject | None:
    """The stored upload behind an accepted fileId (None once objects were cleared)."""
    return _find(store, file_id) if file_id else None
