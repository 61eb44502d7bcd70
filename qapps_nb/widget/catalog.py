"""The apps the widget's pickers offer: the instance's apps that have a file-upload card.

``ListQApps`` returns no cards, so finding the apps a file can go to takes one ``GetQApp``
per app. That cost stays off the kernel's main thread and out of the user's way: a
background thread lists the apps, then reads the definitions a few at a time (the app
already in the App field first), publishing each app with a file card as soon as it is
known. Listings and definitions come from ``service.apps``' short-lived cache, so a second
widget on the same instance costs nothing. A failure to list says why in one line and the
widget falls back to typed ids; an app whose definition cannot be read is skipped and
counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from ..errors import ApiError, QAppsError
from ..service.apps import App, fetch_app, fetch_apps
from ..service.client import ClientOptions
from .messages import for_widget

log = logging.getLogger("qapps_nb.widget")
WORKERS = 4
"""GetQApp calls at once while checking which apps have a file-upload card."""
INTERVAL = 0.25
"""Seconds between two progress updates of the pickers while apps are being read."""


def app_entry(app: App) -> dict[str, Any]:
    """What the picker needs of one app: titles, ids, default files; never more."""
    canedit = app.definition.get("appDefinition", {}).get("canEdit")
    return {"app_id": app.app_id, "title": app.title, "version": app.version,
            "can_edit": canedit if isinstance(canedit, bool) else None,
            "cards": [{"card_id": c.card_id, "title": c.title,
                       "default_file": c.default_file_name or ""} for c in app.file_cards]}


@dataclass
class CatalogState:
    """One snapshot for the synced traits ``apps``, ``apps_status``, ``apps_message``."""

    status: str = "off"
    """off (no instance or listing turned off), loading, ready, failed."""
    message: str = ""
    apps: list[dict[str, Any]] = field(default_factory=list)
    sandbox: bool = False


class Catalog:
    """Loads the pickers' apps in the background; a new load supersedes the old one."""

    def __init__(self, publish: Callable[[CatalogState], None]) -> None:
        self._publish = publish
        self._lock = threading.Lock()
        self._generation = 0
        self._closed = False
        self._apps: dict[str, dict[str, Any]] = {}
        self._last_emit = 0.0
        self._status, self._message, self._sandbox = "off", "", False

    def load(self, instance_id: str, options: ClientOptions, *, first: str | None = None,
             refresh: bool = False) -> threading.Thread:
        """List ``instance_id``'s apps in a daemon thread; ``first``: read this app first."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._apps = {}
        thread = threading.Thread(target=self._run, name="qapps-widget-apps", daemon=True,
                                  args=(generation, instance_id, options, first, refresh))
        thread.start()
        return thread

    def stop(self) -> None:
        """Forget the apps and abandon any load in progress (no instance id, or a new one)."""
        with self._lock:
            self._generation += 1
            self._apps = {}
            self._status, self._message = "off", ""
        self._publish(CatalogState())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._generation += 1

    def known(self, app_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._apps.get(app_id)

    def card_title(self, app_id: str, card_id: str) -> str | None:
        """The title of one of a listed app's file-upload cards, or None when not known."""
        app = self.known(app_id)
        return next((c["title"] for c in (app or {}).get("cards", ())
                     if c["card_id"] == card_id), None)

    def set_default(self, app_id: str, card_id: str, file_name: str, version: int) -> None:
        """A file was just attached as a card's default: show it in the picker."""
        with self._lock:
            entry = self._apps.get(app_id)
            if entry is None:
                return
            cards = [dict(c, default_file=file_name) if c["card_id"] == card_id else c
                     for c in entry["cards"]]
            self._apps[app_id] = dict(entry, cards=cards, version=version)
            state = CatalogState(status=self._status, message=self._message,
                                 apps=self._sorted(), sandbox=self._sandbox)
        self._publish(state)

    def _current(self, generation: int) -> bool:
        return not self._closed and generation == self._generation

    def _sorted(self) -> list[dict[str, Any]]:
        return sorted(self._apps.values(), key=lambda a: (a["title"].casefold(), a["app_id"]))

    def _emit(self, generation: int, state: CatalogState, *, throttle: bool = False) -> None:
        """Publish unless superseded; progress at most every ``INTERVAL`` seconds."""
        with self._lock:
            if not self._current(generation):
                return
            now = time.monotonic()
            if throttle and now - self._last_emit < INTERVAL:
                return
            self._last_emit = now
            state.apps = self._sorted()
            self._status, self._message, self._sandbox = state.status, state.message, \
                state.sandbox
        self._publish(state)

    def _run(self, generation: int, instance_id: str, options: ClientOptions,
             first: str | None, refresh: bool) -> None:
        self._emit(generation, CatalogState(status="loading", message="listing apps…"))
        try:
            listing = fetch_apps(instance_id, options, refresh=refresh)
        except QAppsError as exc:
            self._emit(generation, CatalogState(status="failed", message=listing_failed(exc)))
            return
        except Exception as exc:  # never let a listing problem break the widget
            log.exception("qapps-nb widget: listing apps failed")
            self._emit(generation, CatalogState(
                status="failed", message=f"cannot list apps ({type(exc).__name__}); "
                                         "type the ids"))
            return
        order = sorted(listing, key=lambda a: a.app_id != first)  # the current app first
        total, checked = len(order), 0
        skipped: list[BaseException] = []
        sandbox = listing.sandbox

        def progress() -> str:
            return f"checking apps for file-upload cards: {checked} of {total}"

        self._emit(generation, CatalogState(status="loading", message=progress(),
                                            sandbox=sandbox))
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="qapps-widget-app") \
                as pool:
            futures = {pool.submit(self._read, generation, s.app_id, instance_id, options,
                                   refresh): s for s in order}
            for future in as_completed(futures):
                if not self._current(generation):
                    for f in futures:
                        f.cancel()
                    return
                checked += 1
                try:
                    app = future.result()
                except QAppsError as exc:
                    skipped.append(exc)
                    continue
                except Exception as exc:
                    log.exception("qapps-nb widget: reading an app failed")
                    skipped.append(exc)
                    continue
                if app is None:
                    continue
                if app.file_cards:
                    with self._lock:
                        if self._current(generation):
                            self._apps[app.app_id] = app_entry(app)
                self._emit(generation, CatalogState(status="loading", message=progress(),
                                                    sandbox=sandbox), throttle=True)
        self._emit(generation, CatalogState(status="ready", sandbox=sandbox,
                                            message=_summary(total, len(self._apps), skipped)))

    def _read(self, generation: int, app_id: str, instance_id: str, options: ClientOptions,
              refresh: bool) -> App | None:
        if not self._current(generation):
            return None
        return fetch_app(app_id, instance_id, options, refresh=refresh)


def listing_failed(exc: QAppsError) -> str:
    """One line under the App field: why there is no list, and to type the ids instead.

    A refusal (no ``qapps:ListQApps`` permission) is normal for some users: it needs no
    advice beyond typing the ids. Anything else keeps its "what to do" (credentials...).
    """
    operation = getattr(exc, "operation", None)
    if isinstance(exc, ApiError) and exc.code == "AccessDeniedException":
        reason = exc.message.replace(f"Q Apps {operation} failed: ", "")
        return f"cannot list your apps: {reason} [{exc.code}]; type the ids instead"
    line = for_widget(exc)
    if operation:  # "Q Apps list_q_apps failed: " says what the start of this line says
        line = line.replace(f"Q Apps {operation} failed: ", "")
    line = line.replace(" — see the AWS code above", "")
    return f"cannot list your apps: {line}; type the ids instead"


def _summary(total: int, found: int, skipped: list[BaseException]) -> str:
    """The line under the pickers once every app was checked ("" when all is well)."""
    reason = ""
    if skipped:
        first = skipped[0]
        reason = f" [{getattr(first, 'code', None) or type(first).__name__}]"
    if total == 0:
        return "this instance shows you no apps; type the ids"
    if found == 0 and len(skipped) == total:
        return f"none of your {total} apps could be read{reason}; type the ids"
    parts = []
    if found == 0:
        parts.append(f"none of your {total} apps has a file-upload card; type the ids")
    if skipped:
        parts.append(f"{len(skipped)} app{'s' if len(skipped) > 1 else ''} could not be "
                     f"read{reason}")
    return "; ".join(parts)
