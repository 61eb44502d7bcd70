"""Q Apps and their definitions: the app store, versions, and cards in output shape.

Cards are kept as the ``CardInput`` unions CreateQApp/UpdateQApp take and turned into
the ``Card`` output shapes GetQApp returns: ``type`` on every card, ``dependencies``
computed from the ``@<cardId>`` mentions in prompts (the service says it "calculates the
dependencies between the cards by inspecting the references in the prompts"). Every
update stores a new version, so sessions and ``GetQApp(appVersion=N)`` can use old ones.

Inferred (AWS documents none of these): ``appDefinitionVersion`` is "1"; a q-query's
``outputSource`` defaults to "approved-sources"; a q-plugin's ``pluginType`` is CUSTOM;
``requiredCapabilities`` are FileUpload (a file card), CreatorMode (an llm q-query),
RetrievalMode (an approved-sources q-query) and PluginMode (a q-plugin card); created
apps are DRAFT; an UpdateQApp ``appDefinition`` replaces the whole definition, so an
omitted ``initialPrompt`` is cleared; a card whose ``type`` disagrees with its union key,
two cards with one id, and prompts that mention each other in a circle are refused.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..validation import UUID_PATTERN
from . import model
from .policy import iso_ms

CARD_TYPES = {"textInput": "text-input", "qQuery": "q-query", "qPlugin": "q-plugin",
              "fileUpload": "file-upload", "formInput": "form-input"}
"""Union key → the ``type`` value it implies."""
GENERATED_KINDS = ("qQuery", "qPlugin")
APP_DEFINITION_VERSION = "1"
DEFAULT_OUTPUT_SOURCE = "approved-sources"
ACCOUNT = "000000000000"
SANDBOX_USER = "5a4db0e1-0000-4000-8000-000000000001"
"""The caller, as createdBy/updatedBy show it."""
OTHER_USER = "5a4db0e1-0000-4000-8000-000000000002"
"""The owner of apps the caller does not own (``owned=False``)."""
_MENTION = re.compile(f"@({UUID_PATTERN.pattern})", re.ASCII)


# -- cards -------------------------------------------------------------------------------
def card_kind(card: Mapping[str, Any]) -> str:
    """The union key of a (validated) card: ``textInput``, ``qQuery``..."""
    return next(k for k in CARD_TYPES if card.get(k) is not None)


def card_body(card: Mapping[str, Any]) -> dict[str, Any]:
    return dict(card[card_kind(card)])


def card_id(card: Mapping[str, Any]) -> str:
    return str(card_body(card)["id"])


def mentions(prompt: str) -> list[str]:
    """Card ids mentioned as ``@<cardId>``, first mention first, each once."""
    return list(dict.fromkeys(_MENTION.findall(prompt)))


def dependencies(card: Mapping[str, Any], known_ids: Iterable[str]) -> list[str]:
    """The cards this card's prompt mentions (input cards depend on nothing)."""
    body = card_body(card)
    known = set(known_ids)
    return [i for i in mentions(str(body.get("prompt", ""))) if i in known and i != body["id"]]


def output_card(card: Mapping[str, Any], known_ids: Iterable[str]) -> dict[str, Any]:
    """The ``Card`` output union for a stored ``CardInput``."""
    kind = card_kind(card)
    body = card_body(card)
    body["dependencies"] = dependencies(card, known_ids)
    if kind == "qQuery":
        body.setdefault("outputSource", DEFAULT_OUTPUT_SOURCE)
    elif kind == "qPlugin":
        body["pluginType"] = "CUSTOM"
    return {kind: body}


def complete_card(card: Mapping[str, Any]) -> dict[str, Any]:
    """A card with ``id`` and ``type`` filled in where missing (for Python callers)."""
    out = copy.deepcopy(dict(card))
    present = [k for k in CARD_TYPES if isinstance(out.get(k), dict)]
    if len(present) == 1:
        body = out[present[0]]
        body.setdefault("id", str(uuid.uuid4()))
        body.setdefault("type", CARD_TYPES[present[0]])
    return out


def definition_problems(cards: Sequence[Mapping[str, Any]],
                        path: str = "appDefinition.cards") -> list[str]:
    """Rules beyond the model (inferred): type matches the union key, unique ids, no cycles."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, card in enumerate(cards, 1):
        kind = card_kind(card)
        body = card[kind]
        where = f"{path}.{i}.member.{kind}"
        if body["type"] != CARD_TYPES[kind]:
            problems.append(f"Value '{model.shown(body['type'])}' at '{where}.type' failed to "
                            f"satisfy constraint: Member must be {CARD_TYPES[kind]} for a "
                            f"{kind} card")
        if body["id"] in seen:
            problems.append(f"Value '{body['id']}' at '{where}.id' failed to satisfy "
                            "constraint: Member must be unique among the app's cards")
        seen.add(body["id"])
    cycle = _cycle(cards)
    if cycle:
        problems.append(f"Value at '{path}' failed to satisfy constraint: cards must not "
                        f"reference each other in a circle ({' -> '.join(cycle)})")
    return problems


def _cycle(cards: Sequence[Mapping[str, Any]]) -> list[str]:
    ids = [card_id(c) for c in cards]
    graph = {card_id(c): dependencies(c, ids) for c in cards}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str]:
        state[node] = 1
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                return [*trail[trail.index(dep):], dep] if dep in trail else [node, dep]
            if dep not in state:
                found = visit(dep, [*trail, dep])
                if found:
                    return found
        state[node] = 2
        return []

    for node in graph:
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return []


def required_capabilities(cards: Sequence[Mapping[str, Any]]) -> list[str]:
    caps: list[str] = []
    for card in cards:
        kind = card_kind(card)
        body = card[kind]
        if kind == "fileUpload":
            caps.append("FileUpload")
        elif kind == "qQuery":
            source = body.get("outputSource", DEFAULT_OUTPUT_SOURCE)
            caps.append("CreatorMode" if source == "llm" else "RetrievalMode")
        elif kind == "qPlugin":
            caps.append("PluginMode")
    order = ["FileUpload", "CreatorMode", "RetrievalMode", "PluginMode"]
    return [c for c in order if c in caps]


# -- apps --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AppVersion:
    """One stored version of an app (immutable; an update appends a new one)."""

    version: int
    title: str
    description: str | None
    initial_prompt: str | None
    cards: tuple[dict[str, Any], ...]
    updated_at: datetime
    updated_by: str

    @property
    def card_ids(self) -> list[str]:
        return [card_id(c) for c in self.cards]


@dataclass
class StoredApp:
    app_id: str
    instance_id: str
    created_at: datetime
    created_by: str
    owned: bool
    status: str
    seq: int
    versions: list[AppVersion] = field(default_factory=list)

    @property
    def latest(self) -> AppVersion:
        return self.versions[-1]

    def arn(self, region: str) -> str:
        return (f"arn:aws:qapps:{region}:{ACCOUNT}:application/{self.instance_id}/qapp/"
                f"{self.app_id}")

    def meta(self, region: str, version: AppVersion | None = None) -> dict[str, Any]:
        """The AppMeta members (CreateQApp/UpdateQApp output; most of GetQApp's)."""
        v = version or self.latest
        out: dict[str, Any] = {"appId": self.app_id, "appArn": self.arn(region),
                               "title": v.title}
        if v.description is not None:
            out["description"] = v.description
        if v.initial_prompt is not None:
            out["initialPrompt"] = v.initial_prompt
        out.update({
            "appVersion": v.version, "status": self.status,
            "createdAt": iso_ms(self.created_at), "createdBy": self.created_by,
            "updatedAt": iso_ms(v.updated_at), "updatedBy": v.updated_by,
            "requiredCapabilities": required_capabilities(v.cards)})
        return out

    def get_output(self, region: str, version: AppVersion | None = None) -> dict[str, Any]:
        """The GetQApp output for a version (the latest by default)."""
        v = version or self.latest
        ids = v.card_ids
        return {**self.meta(region, v), "appDefinition": {
            "appDefinitionVersion": APP_DEFINITION_VERSION,
            "cards": [output_card(c, ids) for c in v.cards],
            "canEdit": self.owned}}

    def user_item(self, region: str) -> dict[str, Any]:
        """The UserAppItem ListQApps shows for it."""
        v = self.latest
        out: dict[str, Any] = {"appId": self.app_id, "appArn": self.arn(region),
                               "title": v.title}
        if v.description is not None:
            out["description"] = v.description
        out.update({"createdAt": iso_ms(self.created_at), "canEdit": self.owned,
                    "status": self.status, "isVerified": False})
        return out


@dataclass(frozen=True)
class AppSpec:
    """An app to have at start and after every reset (demo apps, ``--apps FILE``)."""

    title: str
    cards: tuple[dict[str, Any], ...]
    description: str | None = None
    initial_prompt: str | None = None
    owned: bool = True
    app_id: str | None = None
    status: str = "PUBLISHED"


class AppStore:
    """Every app of every instance, in creation order. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, StoredApp] = {}
        self._seq = itertools.count(1)

    def create(self, instance_id: str, title: str, cards: Sequence[Mapping[str, Any]], *,
               now: datetime, description: str | None = None,
               initial_prompt: str | None = None, owned: bool = True,
               status: str = "DRAFT", app_id: str | None = None) -> StoredApp:
        user = SANDBOX_USER if owned else OTHER_USER
        with self._lock:
            new_id = app_id or str(uuid.uuid4())
            if new_id in self._apps:
                raise ValueError(f"an app with id {new_id} already exists")
            app = StoredApp(app_id=new_id, instance_id=instance_id, created_at=now,
                            created_by=user, owned=owned, status=status,
                            seq=next(self._seq))
            stored = tuple(copy.deepcopy([dict(c) for c in cards]))
            app.versions.append(AppVersion(1, title, description, initial_prompt, stored,
                                           now, user))
            self._apps[new_id] = app
        return app

    def get(self, instance_id: str, app_id: str) -> StoredApp:
        """An app of this instance, or ResourceNotFoundException."""
        with self._lock:
            app = self._apps.get(app_id)
        if app is None or app.instance_id != instance_id:
            raise model.not_found("QApp", app_id, f"Q App {app_id} was not found.")
        return app

    def find(self, app_id: str) -> StoredApp | None:
        """An app in any instance (for the Python API and control routes)."""
        with self._lock:
            return self._apps.get(app_id)

    @staticmethod
    def version(app: StoredApp, number: int | None) -> AppVersion:
        if number is None:
            return app.latest
        for v in app.versions:
            if v.version == number:
                return v
        raise model.not_found("QAppVersion", f"{app.app_id}:{number}",
                              f"Version {number} of Q App {app.app_id} was not found "
                              f"(latest is {app.latest.version}).")

    def update(self, app: StoredApp, *, now: datetime, title: str | None = None,
               description: str | None = None,
               definition: Mapping[str, Any] | None = None) -> AppVersion:
        """Store a new version: given members replace the old ones."""
        with self._lock:
            old = app.latest
            cards = old.cards if definition is None else tuple(
                copy.deepcopy([dict(c) for c in definition["cards"]]))
            prompt = old.initial_prompt if definition is None else definition.get(
                "initialPrompt")
            new = AppVersion(old.version + 1, old.title if title is None else title,
                             old.description if description is None else description,
                             prompt, cards, now, SANDBOX_USER)
            app.versions.append(new)
        return new

    def delete(self, app: StoredApp) -> None:
        with self._lock:
            self._apps.pop(app.app_id, None)

    def page(self, instance_id: str, after: int, limit: int) -> tuple[list[StoredApp], int | None]:
        """Apps created after sequence number ``after``; the next page's ``after`` or None."""
        with self._lock:
            apps = sorted((a for a in self._apps.values()
                           if a.instance_id == instance_id and a.seq > after),
                          key=lambda a: a.seq)
        chosen = apps[:limit]
        return chosen, (chosen[-1].seq if len(apps) > limit else None)

    def all(self) -> list[StoredApp]:
        with self._lock:
            return sorted(self._apps.values(), key=lambda a: a.seq)

    def replace_all(self, instance_id: str, specs: Iterable[AppSpec], now: datetime) -> None:
        """Forget every app, then create ``specs`` (what a reset does)."""
        with self._lock:
            self._apps.clear()
        for spec in specs:
            self.create(instance_id, spec.title, spec.cards, now=now,
                        description=spec.description, initial_prompt=spec.initial_prompt,
                        owned=spec.owned, status=spec.status, app_id=spec.app_id)
