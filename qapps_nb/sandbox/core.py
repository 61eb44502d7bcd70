"""The :class:`Sandbox` object and :func:`running`: start, control and stop one sandbox.

A Sandbox serves from the moment it is created until :meth:`Sandbox.stop`; everything
tests need (objects, request log, faults, settings) hangs off it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import banner
from .demo_apps import DEMO_APPS
from .faults import TRANSIENT_KINDS
from .records import RequestRecord
from .server import SandboxHTTPServer
from .state import (
    CLIENT_ACCESS_KEY_ID,
    CLIENT_SECRET_ACCESS_KEY,
    DEFAULT_MAX_SIZE,
    DEFAULT_MODEL_LATENCY,
    DEFAULT_URL_TTL,
    SandboxState,
    Settings,
)
from .store import ObjectStore, StoredObject

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_qapps import QAppsClient

BANNER = banner.BANNER
AppsSource = str | Path | Sequence[Mapping[str, Any]]
"""Extra apps: a JSON file path, or a list of dicts (CreateQApp input or short form)."""


class Sandbox:
    """A running local Q Apps API + strict S3 POST endpoint on 127.0.0.1."""

    def __init__(self, *, port: int = 0, url_ttl: float = DEFAULT_URL_TTL,
                 max_size: int = DEFAULT_MAX_SIZE, storage_dir: str | Path | None = None,
                 clock_skew: float = 0.0, apps: AppsSource | None = None,
                 model_latency: float = DEFAULT_MODEL_LATENCY) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0-65535 (0 = any free port), not {port!r}")
        settings = Settings(url_ttl=url_ttl, max_size=max_size, clock_skew=clock_skew,
                            model_latency=model_latency)
        extra_apps = _load_apps(apps)
        owned = storage_dir is None
        if storage_dir is None:
            root = Path(tempfile.mkdtemp(prefix="qapps-sandbox-"))
        else:
            root = Path(storage_dir).expanduser().resolve()
            root.mkdir(parents=True, exist_ok=True)
        self._state = SandboxState(storage_dir=root, settings=settings,
                                   store=ObjectStore(root),
                                   initial_apps=(*DEMO_APPS, *extra_apps))
        self._on_stop: list[Callable[[], None]] = []
        try:
            self._server = SandboxHTTPServer(self._state, port)
        except BaseException:
            if owned:
                shutil.rmtree(root, ignore_errors=True)
            raise
        self._state.endpoint_url = f"http://127.0.0.1:{self._server.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"qapps-sandbox-{self._server.port}", daemon=True)
        self._thread.start()
        # Stops the server even if the Sandbox is dropped unstopped, and at interpreter exit.
        self._finalizer = weakref.finalize(self, _shutdown, self._server, self._state,
                                           self._thread, root if owned else None)

    # -- where and who --------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        """Q Apps API root: boto3 ``endpoint_url`` / ``AWS_ENDPOINT_URL_QAPPS``."""
        return self._state.endpoint_url

    @property
    def s3_url(self) -> str:
        """Where ``presignedUrl`` points (the sandbox's S3 bucket URL)."""
        return self._state.s3_url

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def region(self) -> str:
        return self._state.region

    @property
    def instance_id(self) -> str:
        return self._state.instance_id

    @property
    def app_id(self) -> str:
        return self._state.app_id

    @property
    def card_id(self) -> str:
        return self._state.card_id

    @property
    def session_id(self) -> str:
        """A demo session id for ``scope="SESSION"`` uploads."""
        return self._state.session_id

    @property
    def storage_dir(self) -> Path:
        return self._state.storage_dir

    @property
    def settings(self) -> Settings:
        """Mutable: ``url_ttl``, ``max_size``, ``clock_skew``, ``api_latency``, ``s3_latency``,
        ``model_latency``."""
        return self._state.settings

    @property
    def running(self) -> bool:
        return self._finalizer.alive

    # -- clients --------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """Environment that routes boto3 (and qapps-nb) in any process to this sandbox."""
        return {
            "AWS_ENDPOINT_URL_QAPPS": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": CLIENT_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": CLIENT_SECRET_ACCESS_KEY,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,  # the variable botocore reads
            "QAPPS_INSTANCE_ID": self.instance_id,
            "QAPPS_APP_ID": self.app_id,
            "QAPPS_CARD_ID": self.card_id,
        }

    def boto3_session(self) -> boto3.Session:
        """A boto3 Session with the dummy sandbox credentials and region.

        It ignores ``AWS_PROFILE`` / ``AWS_DEFAULT_PROFILE``: a profile set in the shell
        (even one that does not exist here) must not change or break a sandbox session.
        """
        import boto3
        import botocore.session

        core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        return boto3.Session(aws_access_key_id=CLIENT_ACCESS_KEY_ID,
                             aws_secret_access_key=CLIENT_SECRET_ACCESS_KEY,
                             region_name=self.region, botocore_session=core)

    def client(self, **kwargs: Any) -> QAppsClient:
        """A boto3 ``qapps`` client pointed at this sandbox."""
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        return self.boto3_session().client("qapps", **kwargs)

    # -- objects --------------------------------------------------------------------------
    def objects(self) -> list[StoredObject]:
        """Stored uploads, oldest first."""
        return self._state.store.list()

    def object_path(self, key_or_file_id: str) -> Path:
        """The file on disk of an object (KeyError when there is none)."""
        return self._state.store.find(key_or_file_id).path

    def read_object(self, key_or_file_id: str) -> bytes:
        return self.object_path(key_or_file_id).read_bytes()

    def clear_objects(self) -> None:
        self._state.store.clear()

    # -- apps and sessions ----------------------------------------------------------------
    def add_app(self, title: str, cards: Sequence[Mapping[str, Any]], *,
                description: str | None = None, initial_prompt: str | None = None,
                owned: bool = True) -> str:
        """Add a Q App (``cards`` as boto3's ``create_q_app`` takes them); its app id.

        Card ids and types are filled in where missing. ``owned=False`` makes an app the
        caller uses but does not own: ``canEdit`` is false and UpdateQApp is refused.
        Checked like CreateQApp (ValueError with AWS's wording). ``reset()`` drops it.
        """
        from .app_ops import add_app
        from .apps import AppSpec, complete_card

        spec = AppSpec(title=title, cards=tuple(complete_card(c) for c in cards),
                       description=description, initial_prompt=initial_prompt, owned=owned)
        return add_app(self._state, spec)

    def apps(self) -> list[dict[str, Any]]:
        """Every app, oldest first, as GetQApp outputs (timestamps as ISO strings)."""
        return [a.get_output(self.region) for a in self._state.apps.all()]

    def app(self, app_id: str) -> dict[str, Any]:
        """The latest GetQApp output of an app (KeyError when there is none)."""
        app = self._state.apps.find(app_id)
        if app is None:
            raise KeyError(f"no app {app_id!r} in this sandbox")
        return app.get_output(self.region)

    def session(self, session_id: str) -> dict[str, Any]:
        """The GetQAppSession output of a running session, as of now (KeyError if none)."""
        from .session_ops import session_output

        session = self._state.sessions.find(session_id)
        if session is None:
            raise KeyError(f"no running session {session_id!r} in this sandbox")
        return session_output(self._state, session)

    def sessions(self) -> list[dict[str, Any]]:
        """Every running session's GetQAppSession output, oldest first."""
        from .session_ops import session_output

        return [session_output(self._state, s) for s in self._state.sessions]

    # -- log, faults, latency -------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        return self._state.log.snapshot()

    def clear_requests(self) -> None:
        self._state.log.clear()

    def inject(self, kind: str, times: int = 1, **params: Any) -> None:
        """Queue a fault for the next ``times`` matching requests (see ``faults.py``)."""
        self._state.faults.inject(kind, times, **params)

    def inject_random(self, rate: float, kinds: Iterable[str] = TRANSIENT_KINDS,
                      seed: int | None = None) -> None:
        """Fail each request with probability ``rate`` with one of ``kinds`` (load tests).

        Queued faults still come first; ``rate=0`` or :meth:`clear_faults` turns it off.
        """
        self._state.faults.inject_random(rate, kinds, seed)

    @property
    def faults(self) -> list[dict[str, Any]]:
        """Queued faults not yet consumed."""
        return self._state.faults.pending()

    def clear_faults(self) -> None:
        self._state.faults.clear()

    def set_latency(self, api: float = 0.0, s3: float = 0.0) -> None:
        """Add ``api`` seconds to every Q Apps request and ``s3`` to every S3 request."""
        if api < 0 or s3 < 0:
            raise ValueError("latency must not be negative")
        self.settings.api_latency = api
        self.settings.s3_latency = s3

    def reset(self, *, objects: bool = True) -> None:
        """Back to the start: settings, faults, latency, log, the demo apps (and those
        given at start; added apps go), no sessions, and no objects unless ``objects=False``."""
        self._state.reset(objects=objects)

    # -- lifecycle ------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop serving, hang up open connections, delete a temporary storage dir."""
        self._finalizer()
        callbacks, self._on_stop = self._on_stop, []
        for callback in callbacks:
            callback()

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this sandbox stops (notebook.start restores the env)."""
        self._on_stop.append(callback)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- display --------------------------------------------------------------------------
    def _routed_here(self) -> bool:
        return os.environ.get("AWS_ENDPOINT_URL_QAPPS") == self.endpoint_url

    def __repr__(self) -> str:
        return banner.text(self.running, self.endpoint_url, self.instance_id, self.app_id,
                           self.card_id, routed_here=self._routed_here())

    def _repr_html_(self) -> str:
        rows = [("Q Apps endpoint", self.endpoint_url), ("S3 endpoint", self.s3_url),
                ("instance id", self.instance_id)]
        if self.running:
            titles = {a["appId"]: a["title"] for a in self.apps()}
            rows += [("apps", ", ".join(titles.values())),
                     ("their ids", f"{self.endpoint_url}/_sandbox")]
            default = titles.get(self.app_id)
            rows += [(f"app id ({default})" if default else "app id", self.app_id),
                     ("card id", self.card_id),
                     ("objects stored", str(len(self.objects())))]
        else:
            rows += [("app id", self.app_id), ("card id", self.card_id)]
        return banner.html(self.running, rows, routed_here=self._routed_here())


def _shutdown(server: SandboxHTTPServer, state: SandboxState, thread: threading.Thread,
              temp_root: Path | None) -> None:
    state.stopping.set()
    server.shutdown()
    server.server_close()
    server.close_connections()
    thread.join(timeout=5)
    if temp_root is not None:
        shutil.rmtree(temp_root, ignore_errors=True)


@contextmanager
def running(*, port: int = 0, url_ttl: float = DEFAULT_URL_TTL,
            max_size: int = DEFAULT_MAX_SIZE, storage_dir: str | Path | None = None,
            clock_skew: float = 0.0, apps: AppsSource | None = None,
            model_latency: float = DEFAULT_MODEL_LATENCY) -> Iterator[Sandbox]:
    """``with running() as sb:`` — a sandbox for the block; the environment is untouched."""
    sandbox = Sandbox(port=port, url_ttl=url_ttl, max_size=max_size,
                      storage_dir=storage_dir, clock_skew=clock_skew, apps=apps,
                      model_latency=model_latency)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _load_apps(source: AppsSource | None) -> list[Any]:
    """Validated extra app specs (ValueError naming the file or app when one is wrong)."""
    if source is None:
        return []
    from .app_ops import check_spec
    from .demo_apps import load_app_specs

    specs = load_app_specs(source)
    taken = {spec.app_id for spec in DEMO_APPS}
    for spec in specs:
        check_spec(spec)
        if spec.app_id is not None and spec.app_id in taken:
            raise ValueError(f"app {spec.title!r}: another app already has id {spec.app_id}")
        taken.add(spec.app_id)
    return specs
