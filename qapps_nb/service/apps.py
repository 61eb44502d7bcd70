"""Q Apps and their cards, found by the names people see (``ListQApps``, ``GetQApp``).

The Q Apps web UI shows app and card *titles*, never card ids, so every call that takes an
app or a card takes either. Listings and definitions are cached per instance for
:data:`CACHE_SECONDS`: ten uploads to one app by title cost one listing walk and one
``GetQApp``. An id given as an id needs no listing at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import config
from ..errors import ValidationError
from ..names import check_ref, is_id
from ..names import fold as _fold
from ..names import listed as _names
from ..validation import check_instance_id
from .client import ClientOptions, call, is_sandbox, missing_error

CACHE_SECONDS = 60.0
"""How long a listing or an app definition is reused before it is read again."""

UNION_TYPES: Mapping[str, str] = {
    "textInput": "text-input", "qQuery": "q-query", "qPlugin": "q-plugin",
    "fileUpload": "file-upload", "formInput": "form-input",
}
"""Card union key → the ``type`` value its cards carry (the model's CardType enum)."""
INPUT_TYPES = frozenset({"text-input", "file-upload", "form-input"})
FILE_UPLOAD = "file-upload"
TEXT_INPUT = "text-input"


@dataclass(frozen=True)
class Card:
    """One card of an app definition, as ``GetQApp`` returns it (the output shape)."""

    card_id: str
    title: str
    type: str
    kind: str
    """The union key in the definition: ``fileUpload``, ``textInput``, ``qQuery``..."""
    data: Mapping[str, Any] = field(repr=False, compare=False)
    """The card's members as returned (``prompt``, ``fileId``, ``dependencies``...)."""

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES

    @property
    def is_file(self) -> bool:
        return self.type == FILE_UPLOAD

    @property
    def default_file_id(self) -> str | None:
        """A file card's default file (``fileId``), or None."""
        return self.data.get("fileId") or None

    @property
    def default_file_name(self) -> str | None:
        return self.data.get("filename") or None

    @property
    def default_value(self) -> str | None:
        """A text card's default value, or None."""
        return self.data.get("defaultValue") or None

    @property
    def dependencies(self) -> tuple[str, ...]:
        return tuple(self.data.get("dependencies") or ())

    @classmethod
    def from_union(cls, union: Mapping[str, Any]) -> Card:
        (kind, data), = union.items()  # a Card union has exactly one key
        return cls(card_id=data["id"], title=data.get("title", ""),
                   type=data.get("type") or UNION_TYPES.get(kind, kind), kind=kind, data=data)


@dataclass(frozen=True)
class AppSummary:
    """One app of ``ListQApps``: no cards (``get_app`` reads those)."""

    app_id: str
    title: str
    description: str | None = None
    status: str | None = None
    can_edit: bool | None = None
    is_verified: bool | None = None
    created_at: datetime | None = None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> AppSummary:
        return cls(app_id=item["appId"], title=item.get("title", ""),
                   description=item.get("description"), status=item.get("status"),
                   can_edit=item.get("canEdit"), is_verified=item.get("isVerified"),
                   created_at=item.get("createdAt"))


class AppList(list[AppSummary]):
    """Every app the user can see; a plain list that shows as a table."""

    instance_id: str = ""
    sandbox: bool = False
    read_at: float = 0.0
    """``time.monotonic()`` when the listing was read (it may come from the cache)."""

    def _repr_html_(self) -> str:
        from .apps_display import app_list_html

        return app_list_html(self)

    def __repr__(self) -> str:
        from .apps_display import app_list_text

        return app_list_text(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))


@dataclass(frozen=True)
class App:
    """One app definition (``GetQApp``): its version and cards, found by title or id."""

    app_id: str
    title: str
    version: int
    cards: tuple[Card, ...]
    instance_id: str
    description: str | None = None
    status: str | None = None
    initial_prompt: str | None = None
    sandbox: bool = False
    can_edit: bool | None = None
    """``appDefinition.canEdit``: whether you may change the definition (set default files)."""
    definition: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The whole ``GetQApp`` answer (no response metadata), for round trips."""
    read_at: float = field(default=0.0, repr=False, compare=False)
    """``time.monotonic()`` when it was read (it may come from the cache)."""

    @classmethod
    def from_response(cls, response: Mapping[str, Any], instance_id: str) -> App:
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        cards = tuple(Card.from_union(c) for c in body["appDefinition"].get("cards", ()))
        return cls(app_id=body["appId"], title=body.get("title", ""),
                   version=int(body["appVersion"]), cards=cards, instance_id=instance_id,
                   description=body.get("description"), status=body.get("status"),
                   initial_prompt=body.get("initialPrompt"),
                   sandbox=is_sandbox(dict(response)),
                   can_edit=body["appDefinition"].get("canEdit"), definition=body,
                   read_at=time.monotonic())

    def _repr_html_(self) -> str:
        from .apps_display import app_html

        return app_html(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        from .apps_display import app_text

        p.text(app_text(self))

    @property
    def file_cards(self) -> list[Card]:
        return [c for c in self.cards if c.is_file]

    @property
    def input_cards(self) -> list[Card]:
        return [c for c in self.cards if c.is_input]

    @property
    def output_cards(self) -> list[Card]:
        return [c for c in self.cards if not c.is_input]

    def has_card(self, title_or_id: str) -> bool:
        """Whether a card has this id or title (case ignored)."""
        wanted = _fold(title_or_id)
        return any(c.card_id == title_or_id or _fold(c.title) == wanted for c in self.cards)

    def card(self, title_or_id: str) -> Card:
        """The card with this id, else this title (case ignored); one line when none or many."""
        for c in self.cards:
            if c.card_id == title_or_id:
                return c
        wanted = _fold(title_or_id)
        matches = [c for c in self.cards if _fold(c.title) == wanted]
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(f"{c.title!r} ({c.card_id})" for c in matches)
            raise ValidationError(f"app {self.title!r} has {len(matches)} cards titled "
                                  f"{title_or_id!r}: {listed}; pass the card id")
        files = _names(c.title for c in self.file_cards) or "none"
        raise ValidationError(f"app {self.title!r} has no card {title_or_id!r}; its "
                              f"file-upload cards: {files}")

    def file_card(self, title_or_id: str | None = None) -> Card:
        """The file-upload card to upload to: the named one, or the app's only file card."""
        files = self.file_cards
        if title_or_id is None:
            if len(files) == 1:
                return files[0]
            if not files:
                raise ValidationError(f"app {self.title!r} has no file-upload card, so it "
                                      "takes no files")
            raise ValidationError(f"app {self.title!r} has {len(files)} file-upload cards: "
                                  f"{_names(c.title for c in files)}; say which with card= "
                                  "(magic: --card)")
        found = self.card(title_or_id)
        if not found.is_file:
            raise ValidationError(
                f"card {found.title!r} of app {self.title!r} is a {found.type} card, not a "
                f"file-upload card; its file cards: {_names(c.title for c in files) or 'none'}")
        return found


# -- the cache: per instance and account, short-lived ------------------------------------------
_lock = threading.Lock()
_listings: dict[tuple[Any, ...], tuple[float, AppList]] = {}
_definitions: dict[tuple[Any, ...], tuple[float, App]] = {}


def clear_cache() -> None:
    """Forget every cached listing and definition (the next call reads them again)."""
    with _lock:
        _listings.clear()
        _definitions.clear()


def _fresh(entry: tuple[float, Any] | None) -> Any:
    if entry is None or time.monotonic() - entry[0] > CACHE_SECONDS:
        return None
    return entry[1]


def instance_of(instance_id: str | None, options: ClientOptions | None = None,
                configured: str | None = None) -> str:
    """The instance id by precedence (explicit, %config, ``QAPPS_INSTANCE_ID``), checked.

    When it is missing, the error also names a missing region or credentials.
    """
    value = config.resolve("instance_id", instance_id, configured)
    if not value:
        raise missing_error(["instance_id"], options or ClientOptions())
    return check_instance_id(value)


def fetch_apps(instance_id: str, options: ClientOptions, *, refresh: bool = False) -> AppList:
    """Every app of ``ListQApps``, following ``nextToken`` to the end (cached)."""
    key = (instance_id, options.cache_key())
    with _lock:
        cached = None if refresh else _fresh(_listings.get(key))
    if cached is not None:
        return cached
    client = options.client()
    apps = AppList()
    apps.instance_id = instance_id
    apps.read_at = time.monotonic()
    token: str | None = None
    while True:
        params: dict[str, Any] = {"instanceId": instance_id, "limit": 100}
        if token:
            params["nextToken"] = token
        response = call(client, "list_q_apps", **params)
        apps.sandbox = apps.sandbox or is_sandbox(response)
        apps.extend(AppSummary.from_item(item) for item in response.get("apps", ()))
        token = response.get("nextToken")
        if not token:
            break
    with _lock:
        _listings[key] = (time.monotonic(), apps)
    return apps


def fetch_app(app_id: str, instance_id: str, options: ClientOptions, *,
              refresh: bool = False) -> App:
    """The latest definition of one app by id (``GetQApp``; cached)."""
    key = (instance_id, options.cache_key(), app_id)
    with _lock:
        cached = None if refresh else _fresh(_definitions.get(key))
    if cached is not None:
        return cached
    response = call(options.client(), "get_q_app", instanceId=instance_id, appId=app_id)
    app = App.from_response(response, instance_id)
    with _lock:
        _definitions[key] = (time.monotonic(), app)
    return app


def forget_app(app_id: str) -> None:
    """Drop one app's cached definition (after it was changed)."""
    with _lock:
        for key in [k for k in _definitions if k[-1] == app_id]:
            del _definitions[key]


def resolve_app_id(app: str, instance_id: str, options: ClientOptions, *,
                   refresh: bool = False) -> str:
    """An app id as is; else the one app with this title (case ignored), from the listing."""
    if not isinstance(app, str) or not app.strip():
        raise ValidationError("app is empty: give an app title or id")
    if is_id(app):
        return app
    started = time.monotonic()
    apps = fetch_apps(instance_id, options, refresh=refresh)
    wanted = _fold(app)
    matches = [a for a in apps if _fold(a.title) == wanted]
    if not matches and apps.read_at < started:
        # A cached listing may predate the app: read it once more before saying "no".
        apps = fetch_apps(instance_id, options, refresh=True)
        matches = [a for a in apps if _fold(a.title) == wanted]
    if len(matches) == 1:
        return matches[0].app_id
    if matches:
        listed = ", ".join(f"{a.title!r} ({a.app_id})" for a in matches)
        raise ValidationError(f"{len(matches)} apps are titled {app!r}: {listed}; "
                              "pass the app id")
    if not apps:
        raise ValidationError(f"no app titled {app!r}: instance {instance_id} shows you no apps")
    raise ValidationError(f"no app titled {app!r}; apps you can use: "
                          f"{_names((a.title for a in apps), limit=5)} (%qapps_apps or "
                          "qapps_nb.list_apps() lists them all)")


def resolve_app(app: str, instance_id: str, options: ClientOptions, *,
                refresh: bool = False) -> App:
    """The definition of an app given by id or title."""
    app_id = resolve_app_id(app, instance_id, options, refresh=refresh)
    return fetch_app(app_id, instance_id, options, refresh=refresh)


def list_apps(*, instance_id: str | None = None, session: Any = None, profile: str | None = None,
              region: str | None = None, endpoint_url: str | None = None,
              refresh: bool = False) -> AppList:
    """Every Q App you can see in the instance (``ListQApps``, all pages), as a table."""
    options = ClientOptions(session, profile, region, endpoint_url)
    return fetch_apps(instance_of(instance_id, options), options, refresh=refresh)


def get_app(app: str, *, instance_id: str | None = None, session: Any = None,
            profile: str | None = None, region: str | None = None,
            endpoint_url: str | None = None, refresh: bool = False) -> App:
    """One app by id or title (case ignored), with its cards; shows as a card table."""
    options = ClientOptions(session, profile, region, endpoint_url)
    instance = instance_of(instance_id, options)
    return resolve_app(check_ref(app, "app"), instance, options, refresh=refresh)
