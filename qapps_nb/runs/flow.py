"""``run_app``: resolve the app, check the inputs, start a session, feed it, wait.

The order is what keeps failures clean. Everything that can be refused locally (card
names, missing inputs, wrong kinds, unreadable files) is refused before
``StartQAppSession``. After the session has started, any failure stops it when it could
never finish (its inputs were not all given) and the error line says so, with the id.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from ..errors import QAppsError, UploadCancelled
from ..result import UploadResults
from ..service.apps import App, fetch_app, instance_of, resolve_app_id
from ..service.client import ClientOptions
from ..service.sessions import StartedSession, card_value, start_session, update_session
from .errors import RunError, RunInterrupted
from .file_cards import FileInputFailed, session_card_values, upload_session_files
from .inputs import InputPlan, check_inputs, close_all, prepare_files
from .run import QAppRun
from .waiting import Cancelled


def load_app(app: str | App, instance_id: str | None, options: ClientOptions) -> App:
    """The app to run: an ``App`` as is, else by id or title with a fresh ``GetQApp``.

    The definition is read again (not taken from the 60 s cache) because the session is
    started with its ``appVersion``: a card changed a moment ago must be the one that runs.
    """
    if isinstance(app, App):
        return app
    instance = instance_of(instance_id)
    app_id = resolve_app_id(app, instance, options)
    return fetch_app(app_id, instance, options, refresh=True)


def run_app(app: str | App, inputs: dict[str, Any] | None = None, *,
            instance_id: str | None = None, timeout: float | None = 600,
            progress: Any = None, wait: bool = True, session: Any = None,
            profile: str | None = None, region: str | None = None,
            endpoint_url: str | None = None, max_workers: int = 4) -> QAppRun:
    """Run a Q App once and return the run (its outputs by output card title).

    ``app``: an app id or title (or an ``App`` from ``get_app``). ``inputs`` maps a card
    title or id to a value: a ``str`` for a text-input card, any upload source for a
    file-upload card (path, DataFrame, bytes, dict, ``qapps_nb.Text``, FileUpload...).
    Unknown cards, missing inputs and values of the wrong kind are refused in one line
    before any session starts. File inputs are uploaded concurrently (``max_workers``)
    with scope SESSION; ``progress`` is as for ``upload`` (their byte bars).

    ``wait=False`` returns as soon as the inputs are given (``run.wait()`` later).
    Otherwise waits up to ``timeout`` seconds (None: no limit); see :meth:`QAppRun.wait`
    for how a wait can end. AWS settings are as for ``upload``.
    """
    options = ClientOptions(session, profile, region, endpoint_url)
    the_app = load_app(app, instance_id, options)
    plan = check_inputs(the_app, inputs)
    run = start_run(plan, options, progress=progress, max_workers=max_workers)
    if wait:
        run.wait(timeout)
    else:
        run.refresh()
    return run


def start_run(plan: InputPlan, options: ClientOptions, *, progress: Any = None,
              cancel: threading.Event | None = None, max_workers: int = 4) -> QAppRun:
    """Start the session and give it every input; the run is returned before any waiting."""
    app = plan.app
    payloads = prepare_files(plan)  # unreadable files fail here, before the session
    try:
        client = options.client()
        started, interrupted = _start_session(client, plan)
        run = QAppRun(app, started.session_id, options=options, sandbox=started.sandbox)
        if interrupted:
            raise _interrupted(run)
        try:
            if payloads:
                uploads = upload_session_files(
                    payloads, instance_id=app.instance_id, app_id=app.app_id,
                    session_id=run.session_id, options=options, progress=progress,
                    cancel=cancel, max_workers=max_workers)
                run.uploads = UploadResults(uploads.values())
                update_session(client, instance_id=app.instance_id, session_id=run.session_id,
                               values=session_card_values(uploads))
        except FileInputFailed as exc:
            run.uploads = UploadResults(exc.stored.values())
            if isinstance(exc.cause, UploadCancelled) and cancel is not None and cancel.is_set():
                raise _interrupted(run) from None
            title = plan.card(exc.card_id).title
            raise _failed(run, f"uploading {title!r} failed: {exc.cause}", exc.cause) from None
        except QAppsError as exc:
            raise _failed(run, f"giving the files to the session failed: {exc}", exc) from None
        except (KeyboardInterrupt, Cancelled):
            raise _interrupted(run) from None
    finally:
        close_all(payloads.values())
    return run


def _start_session(client: Any, plan: InputPlan) -> tuple[StartedSession, bool]:
    """``StartQAppSession``, such that a Ctrl-C during the call leaves no unknown session.

    Only the main thread receives Ctrl-C, so there the call runs in a worker while the
    main thread waits in short slices. On Ctrl-C the call is let finish (the client's
    timeouts bound it) and the caller stops the session it started, naming it; an
    interrupted call would otherwise leave a session running whose id nobody has.
    Returns the started session and whether Ctrl-C came while it started.
    """
    app = plan.app
    values = [card_value(cid, value) for cid, value in plan.text.items()]

    def start() -> StartedSession:
        return start_session(client, instance_id=app.instance_id, app_id=app.app_id,
                             app_version=app.version, initial_values=values)

    if threading.current_thread() is not threading.main_thread():
        return start(), False
    interrupted = False
    with ThreadPoolExecutor(1, thread_name_prefix="qapps-run-start") as pool:
        future = pool.submit(start)
        try:
            while not wait_futures([future], timeout=0.1).done:
                pass
        except KeyboardInterrupt:
            interrupted = True
        try:
            return future.result(), interrupted
        except QAppsError:
            if not interrupted:
                raise
            raise RunInterrupted(f"interrupted while starting {app.title!r}: no session "
                                 "was started; nothing ran") from None


def _failed(run: QAppRun, what: str, cause: QAppsError) -> RunError:
    """The inputs could not all be given: the session could never finish, so it is stopped."""
    run.error = f"{run.app.title!r}: {what}; {run.stop_after_failure()}"
    return RunError(run.error, run=run, code=cause.code)


def _interrupted(run: QAppRun) -> RunInterrupted:
    run.error = (f"interrupted before {run.app.title!r} had all its inputs: "
                 f"{run.stop_after_failure()}; nothing ran")
    return RunInterrupted(run.error, run=run)


__all__ = ["load_app", "run_app", "start_run"]
