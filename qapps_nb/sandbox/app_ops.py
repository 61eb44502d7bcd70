"""The app operations: ListQApps, GetQApp, CreateQApp, UpdateQApp, DeleteQApp.

Inputs arrive already checked against the model (``qapps_api.dispatch``); these add
what the model cannot say: apps belong to the instance in the ``instance-id`` header,
only the owner may change an app, and a default file must be an upload made for that
app and card (``file_values.py``).

Inferred: ListQApps pages hold 20 apps unless ``limit`` says otherwise, in creation
order; its ``nextToken`` is opaque. An instance holds at most :data:`MAX_APPS` apps.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from . import model
from .apps import AppSpec, StoredApp, card_body, card_kind, definition_problems
from .errors import validation_error
from .file_values import default_file_problem
from .qapps_api import ApiRequest, ApiResponse, Operation, ok
from .state import SandboxState

DEFAULT_PAGE = 20
MAX_APPS = 10_000
_TOKEN = re.compile(r"apps-after-(\d{1,12})")


# -- helpers the Python API shares -------------------------------------------------------
def spec_problems(spec: AppSpec) -> list[str]:
    """Model and definition problems of an app given in Python or an ``--apps`` file."""
    problems = model.validate("Title", spec.title, "title")
    if spec.description is not None:
        problems += model.validate("Description", spec.description, "description")
    definition: dict[str, Any] = {"cards": list(spec.cards)}
    if spec.initial_prompt is not None:
        definition["initialPrompt"] = spec.initial_prompt
    problems += model.validate("AppDefinitionInput", definition, "appDefinition")
    if spec.app_id is not None:
        problems += model.validate("UUID", spec.app_id, "appId")
    if problems:
        return problems
    return definition_problems(spec.cards)  # needs cards the model accepts


def check_spec(spec: AppSpec) -> None:
    """ValueError with the AWS-worded problems of an app spec (Python callers)."""
    problems = spec_problems(spec)
    if problems:
        raise ValueError(f"app {spec.title!r} is not valid: " + "; ".join(problems))


def _forbid(app: StoredApp, operation: str) -> None:
    if not app.owned:
        raise model.model_error(
            "AccessDeniedException",
            f"User is not authorized to perform: qapps:{operation} on Q App {app.app_id}: "
            "only its owner can change it")


def _file_problems(state: SandboxState, app_id: str, cards: Sequence[Mapping[str, Any]],
                   current: StoredApp | None) -> list[str]:
    """Default fileIds must be APPLICATION uploads for this app and card (or unchanged)."""
    before: dict[str, Any] = {}
    if current is not None:
        before = {card_body(c)["id"]: card_body(c).get("fileId")
                  for c in current.latest.cards if card_kind(c) == "fileUpload"}
    problems: list[str] = []
    for i, card in enumerate(cards, 1):
        if card_kind(card) != "fileUpload":
            continue
        body = card_body(card)
        file_id = body.get("fileId")
        if file_id is None or before.get(body["id"]) == file_id:
            continue
        found = default_file_problem(
            state.store, file_id, app_id=app_id, card_id=body["id"],
            path=f"appDefinition.cards.{i}.member.fileUpload.fileId")
        if found:
            problems.append(found)
    return problems


# -- operations --------------------------------------------------------------------------
def list_q_apps(state: SandboxState, request: ApiRequest) -> ApiResponse:
    params = request.params
    after = 0
    token = params.get("nextToken")
    if token:
        after = _read_token(token)
    apps, next_after = state.apps.page(request.instance_id, after,
                                       params.get("limit") or DEFAULT_PAGE)
    out: dict[str, Any] = {"apps": [a.user_item(state.region) for a in apps]}
    if next_after is not None:
        out["nextToken"] = base64.urlsafe_b64encode(
            f"apps-after-{next_after}".encode()).decode()
    return ok(out)


def _read_token(token: str) -> int:
    try:
        match = _TOKEN.fullmatch(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, ValueError):
        match = None
    if match is None:
        raise validation_error([f"Value '{model.shown(token)}' at 'nextToken' failed to "
                                "satisfy constraint: Member must be a nextToken from a "
                                "previous ListQApps response"])
    return int(match[1])


def get_q_app(state: SandboxState, request: ApiRequest) -> ApiResponse:
    app = state.apps.get(request.instance_id, request.params["appId"])
    version = state.apps.version(app, request.params.get("appVersion"))
    return ok(app.get_output(state.region, version))


def create_q_app(state: SandboxState, request: ApiRequest) -> ApiResponse:
    params = request.params
    definition = params["appDefinition"]
    cards = definition["cards"]
    app_id = str(uuid.uuid4())
    problems = definition_problems(cards) or _file_problems(state, app_id, cards, None)
    if problems:
        raise validation_error(problems)
    if len(state.apps.page(request.instance_id, 0, MAX_APPS)[0]) >= MAX_APPS:
        raise model.model_error(
            "ServiceQuotaExceededException",
            f"This instance already holds {MAX_APPS} Q Apps (the sandbox's limit).",
            resourceId=request.instance_id, resourceType="QApp", serviceCode="qapps",
            quotaCode="sandbox-apps")
    app = state.apps.create(request.instance_id, params["title"], cards, now=state.now(),
                            description=params.get("description"),
                            initial_prompt=definition.get("initialPrompt"), app_id=app_id)
    return ok(app.meta(state.region))


def update_q_app(state: SandboxState, request: ApiRequest) -> ApiResponse:
    params = request.params
    app = state.apps.get(request.instance_id, params["appId"])
    _forbid(app, "UpdateQApp")
    definition = params.get("appDefinition")
    if definition is not None:
        cards = definition["cards"]
        problems = definition_problems(cards) or _file_problems(state, app.app_id, cards, app)
        if problems:
            raise validation_error(problems)
    state.apps.update(app, now=state.now(), title=params.get("title"),
                      description=params.get("description"), definition=definition)
    return ok(app.meta(state.region))


def delete_q_app(state: SandboxState, request: ApiRequest) -> ApiResponse:
    app = state.apps.get(request.instance_id, request.params["appId"])
    _forbid(app, "DeleteQApp")
    state.apps.delete(app)
    return ok()


HANDLERS: dict[str, Operation] = {
    "ListQApps": list_q_apps, "GetQApp": get_q_app, "CreateQApp": create_q_app,
    "UpdateQApp": update_q_app, "DeleteQApp": delete_q_app,
}


def add_app(state: SandboxState, spec: AppSpec, instance_id: str | None = None) -> str:
    """Create an app from Python or a file (validated like CreateQApp); its id."""
    check_spec(spec)
    app = state.apps.create(instance_id or state.instance_id, spec.title, spec.cards,
                            now=state.now(), description=spec.description,
                            initial_prompt=spec.initial_prompt, owned=spec.owned,
                            status=spec.status, app_id=spec.app_id)
    return app.app_id

