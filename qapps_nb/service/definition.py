"""Make an uploaded file a card's default: ``GetQApp`` output → ``UpdateQApp`` input.

``UpdateQApp`` replaces the whole card list, so every card must be sent back as it was.
GetQApp's output and UpdateQApp's input differ in shape: the output carries members the
service computes (``dependencies``, ``memoryReferences``, ``pluginType``) or only reports
(``appDefinitionVersion``, ``canEdit``), which the input refuses, and it keeps
``initialPrompt`` at the top level where the input wants it inside the definition.
:func:`to_update_input` keeps exactly the members botocore's input shapes allow (read from
the client's own service model, so a new model version is followed, not a hand list),
moves ``initialPrompt``, and leaves every value it keeps untouched.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, AttachError, QAppsError
from .apps import fetch_app, forget_app
from .client import ClientOptions, call

if TYPE_CHECKING:
    from ..result import UploadResult

log = logging.getLogger("qapps_nb")


def to_update_input(app: Mapping[str, Any], service_model: Any) -> dict[str, Any]:
    """The ``appDefinition`` for UpdateQApp that recreates ``app`` (a GetQApp answer)."""
    definition = dict(app["appDefinition"])
    if app.get("initialPrompt") is not None and definition.get("initialPrompt") is None:
        definition["initialPrompt"] = app["initialPrompt"]
    shape = service_model.operation_model("UpdateQApp").input_shape.members["appDefinition"]
    fitted: dict[str, Any] = _fit(definition, shape)
    return fitted


def _fit(value: Any, shape: Any) -> Any:
    """``value`` with only the members ``shape`` (a botocore input shape) allows."""
    if value is None or getattr(shape, "is_document_type", False):
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        return {name: _fit(item, shape.members[name]) for name, item in value.items()
                if name in shape.members and item is not None}
    if kind == "list" and isinstance(value, list):
        return [_fit(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, Mapping):
        return {key: _fit(item, shape.value) for key, item in value.items()}
    return value


def with_default_file(definition: dict[str, Any], card_id: str, file_id: str,
                      file_name: str) -> dict[str, Any]:
    """A copy of an UpdateQApp ``appDefinition`` whose file card has this default file."""
    cards = []
    found = False
    for union in definition.get("cards", []):
        (kind, card), = union.items()
        if card.get("id") == card_id and kind == "fileUpload":
            card = {**card, "fileId": file_id, "filename": file_name}  # allowOverride kept
            found = True
        cards.append({kind: card})
    if not found:
        raise LookupError(card_id)
    return {**definition, "cards": cards}


def attach(result: UploadResult, options: ClientOptions) -> UploadResult:
    """Make the uploaded file its card's default (``UpdateQApp``); the new app version.

    Reads the app afresh first (not from the cache), so a change made meanwhile is kept.
    Any failure is an :class:`AttachError` that says the file IS stored and carries it.
    """
    app_title = card_title = None
    try:
        app = fetch_app(result.app_id, result.instance_id, options, refresh=True)
        app_title = app.title
        client = options.client()
        body = to_update_input(app.definition, client.meta.service_model)
        card_title = next((c.title for c in app.cards if c.card_id == result.card_id), None)
        try:
            body = with_default_file(body, result.card_id, result.file_id, result.file_name)
        except LookupError:
            raise AttachError(
                f"app {app.title!r} has no file-upload card {result.card_id} any more; "
                f"the file IS uploaded: fileId {result.file_id}", result=result,
                hint="check the app's cards with %qapps_apps") from None
        response = call(client, "update_q_app", instanceId=result.instance_id,
                        appId=result.app_id, appDefinition=body)
    except AttachError:
        raise
    except ApiError as exc:
        raise _attach_error(exc, result, app_title, card_title) from None
    except QAppsError as exc:
        raise AttachError(f"uploaded {result.file_name} (fileId {result.file_id}), but could "
                          f"not set it as the card's default file: {exc.message}",
                          result=result, code=exc.code, hint=exc.hint) from None
    finally:
        forget_app(result.app_id)
    version = int(response["appVersion"])
    log.info("fileId %s is now the default file of card %s (app %s version %d)",
             result.file_id, result.card_id, result.app_id, version)
    return dataclasses.replace(result, attached=True, app_version=version,
                               card_title=card_title or result.card_title)


def _attach_error(exc: ApiError, result: UploadResult, app_title: str | None,
                  card_title: str | None) -> AttachError:
    app = repr(app_title) if app_title else result.app_id
    common: dict[str, Any] = {"result": result, "code": exc.code, "status": exc.status,
                              "request_id": exc.request_id, "operation": exc.operation}
    if exc.operation == "update_q_app" and exc.code == "AccessDeniedException":
        return AttachError(
            f"only the owner of app {app} can set its default file; the file IS uploaded: "
            f"fileId {result.file_id}", hint="ask the app's owner to make it the default",
            **common)
    card = repr(card_title) if card_title else result.card_id
    return AttachError(
        f"uploaded {result.file_name} (fileId {result.file_id}), but setting it as the default "
        f"file of card {card} failed: {exc.message}", hint=exc.hint, **common)
