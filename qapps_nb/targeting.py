"""Where an upload goes: ids or names by precedence, checked locally, then looked up.

Two steps, so that bad input never reaches the network:

1. :func:`plan` picks every setting by precedence (option > ``%config`` > environment),
   reports *everything* missing in one line (ids, and then region and credentials too),
   and checks ids, names, scope and ``attach`` locally.
2. :meth:`Plan.resolve` turns titles into ids. An app and a card both given as ids need no
   call at all (they are sent as given); otherwise it reads the listing (only for an app
   title) and the app's definition, both cached per instance, and checks the card is one
   of the app's file-upload cards, all before any presign or upload.

A card set at a lower level than the app (say ``QAPPS_CARD_ID`` in the environment with
``app=`` given explicitly) was set for another app's configuration: when the app's
definition is read and that card is not one of its cards, it is ignored and the app's
only file-upload card is used.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import config, names
from .errors import ConfigurationError, ValidationError
from .service.client import ClientOptions, missing_error
from .validation import check_instance_id, check_scope, check_uuid

if TYPE_CHECKING:
    from .service.apps import App, Card


@dataclass(frozen=True)
class Target:
    """Where a file goes: validated ids and scope (titles, when they were looked up)."""

    instance_id: str
    app_id: str
    card_id: str
    scope: str
    session_id: str | None
    app_title: str | None = None
    card_title: str | None = None


@dataclass(frozen=True)
class Plan:
    """An upload's destination as asked: every setting picked and checked, no lookup yet."""

    instance_id: str
    app: config.Setting
    card: config.Setting
    """``card.value`` None: the app's only file-upload card."""
    scope: str
    session_id: str | None
    attach: bool
    options: ClientOptions

    @property
    def needs_lookup(self) -> bool:
        """False when app and card are both ids and nothing needs the app's definition."""
        return not (self.card.value is not None and names.is_id(self.card.value)
                    and names.is_id(self.app.value) and not self.attach)

    def ids_only(self) -> Target:
        if self.needs_lookup:
            raise ValidationError("app and card must be ids here (titles need a lookup)")
        return Target(self.instance_id, self.app.value, self.card.value, self.scope,
                      self.session_id)

    def resolve(self, *, refresh: bool = False) -> tuple[Target, App | None]:
        """Titles → ids (cached lookups); the app's definition when it was read."""
        if not self.needs_lookup:
            return self.ids_only(), None
        from .service import apps

        started = time.monotonic()
        app = apps.resolve_app(self.app.value, self.instance_id, self.options, refresh=refresh)
        if (self.card.value is not None and self.card.level <= self.app.level
                and not app.has_card(self.card.value) and app.read_at < started):
            # A definition from the cache may predate a new card: read it once more.
            app = apps.fetch_app(app.app_id, self.instance_id, self.options, refresh=True)
        card = self._file_card(app)
        if self.attach and app.can_edit is False:
            raise ConfigurationError(
                f"only the owner of app {app.title!r} can set its default file (you cannot "
                "edit it); nothing was uploaded — drop attach=True / --attach to just upload")
        target = Target(self.instance_id, app.app_id, card.card_id, self.scope,
                        self.session_id, app_title=app.title, card_title=card.title)
        return target, app

    def _file_card(self, app: App) -> Card:
        ref = self.card.value
        if ref is not None and self.card.level > self.app.level and not app.has_card(ref):
            ref = None  # set for another app's configuration, at a lower level
        if ref is None:
            return app.file_card(None)
        try:
            return app.file_card(ref)
        except ValidationError as exc:
            if self.card.origin in ("%config", "environment"):
                raise ValidationError(f"{exc.message} (card from {self.card.source})") from None
            raise


def plan(*, instance_id: str | None = None, app: str | None = None,
         app_id: str | None = None, card: str | None = None, card_id: str | None = None,
         scope: str | None = None, session_id: str | None = None, attach: bool = False,
         options: ClientOptions | None = None,
         configured: dict[str, Any] | None = None) -> Plan:
    """Every setting by precedence, checked locally; one line naming all that is missing.

    ``configured`` holds ``%config QAppsMagics`` values (the magic passes them; the
    Python API has none).
    """
    conf = configured or {}
    options = options or ClientOptions()
    instance = config.setting("instance_id", instance_id, conf.get("instance_id"))
    chosen_app = config.choose("app", explicit=app, explicit_id=app_id,
                               configured=conf.get("app"), configured_id=conf.get("app_id"))
    chosen_card = config.choose("card", explicit=card, explicit_id=card_id,
                                configured=conf.get("card"),
                                configured_id=conf.get("card_id"))
    missing = [name for name, s in (("instance_id", instance), ("app", chosen_app))
               if s.value is None]
    if missing:
        raise missing_error(missing, options)
    chosen_app = _checked(chosen_app)
    if chosen_card.value is not None:
        chosen_card = _checked(chosen_card)
    session = config.resolve("session_id", session_id, conf.get("session_id"))
    if session is not None:
        check_uuid(session, "session id")
    scope_value = config.resolve("scope", scope, conf.get("scope"))
    chosen_scope = check_scope(scope_value or ("SESSION" if session else "APPLICATION"), session)
    if attach and chosen_scope != "APPLICATION":
        raise ValidationError("attach=True makes the file the card's default file: it needs "
                              "scope APPLICATION (a session's file belongs to that run only)")
    return Plan(check_instance_id(instance.value), chosen_app, chosen_card, chosen_scope,
                session, bool(attach), options)


def _checked(chosen: config.Setting) -> config.Setting:
    """``*_id`` must be an id; ``app``/``card`` a title or an id."""
    what = chosen.name.removesuffix("_id")
    if chosen.by_id:
        check_uuid(chosen.value, f"{what} id")
        return chosen
    value = names.check_ref(chosen.value, what)
    return config.Setting(chosen.name, value, chosen.origin, chosen.variable)
