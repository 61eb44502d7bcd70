"""``%qapps_upload`` / ``%%qapps_upload``: upload files, variables or a cell body to Q Apps.

Parses the line (``upload_args.py``), turns SOURCE tokens into payloads (``sources.py``)
and calls :func:`qapps_nb.upload` / :func:`qapps_nb.upload_many`. With no SOURCE it shows
the upload widget with the settings filled in.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from .. import config
from ..errors import BatchUploadError
from ..result import UploadResult, UploadResults
from . import upload_args
from .args import HelpShown

if TYPE_CHECKING:
    from ..targeting import Plan, Target
    from .core import QAppsMagics

INTERRUPTED = ("interrupted: uploads stopped; S3 keeps no partial file (any that had "
               "finished are stored)")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C / Interrupt kernel during ``%qapps_upload``: still a ``KeyboardInterrupt``
    (the rest of the cell does not run, ``except KeyboardInterrupt`` catches it), not a
    usage error, and IPython shows it as one line instead of frames of qapps-nb."""

    def _render_traceback_(self) -> list[str]:
        return [f"KeyboardInterrupt: {self}"]


def run(magics: QAppsMagics, line: str, cell: str | None,
        local_ns: dict[str, Any] | None) -> Any:
    """One ``%qapps_upload`` call; a partly failed batch still shows what was stored."""
    try:
        args = upload_args.parse(line)
    except HelpShown:  # argparse already printed the help
        return None
    try:
        return _run(magics, args, cell, local_ns)
    except BatchUploadError as exc:
        magics.store(args.out, UploadResults(exc.results, stats=exc.stats))
        done = UploadResults((r for r in exc.results if not isinstance(r, BaseException)),
                             stats=exc.stats)
        if done:
            from IPython.display import display

            display(done)
        raise


def _run(magics: QAppsMagics, args: Any, cell: str | None,
         local_ns: dict[str, Any] | None) -> Any:
    from . import sources

    settings = settings_for(magics, args)
    if cell is None and not args.sources:
        widget = _widget(settings, args, args.max_workers or magics.max_workers)
        magics.store(args.out, widget)
        return widget
    if cell is not None and args.sources:
        raise UsageError("%%qapps_upload uploads the cell body; give sources to the line "
                         "magic %qapps_upload instead")
    # Missing settings (all of them at once), malformed ids and names fail here, before
    # any data is serialized or anything is sent.
    where = destination(magics, args)
    namespace = magics.namespace(local_ns)
    if cell is not None:
        payloads = [sources.prepare_cell(cell, args.name)]
        plural = False
    else:
        payloads = sources.prepare(args.sources, namespace, args.name)
        plural = len(payloads) > 1 or sources.is_plural(args.sources, namespace)
    try:
        if args.attach and len(payloads) > 1:
            raise UsageError(f"--attach makes one file the card's default: give one SOURCE "
                             f"(got {len(payloads)} files)")
        target, _ = where.resolve()  # titles → ids (cached), before anything is sent
        settings.update(instance_id=target.instance_id, app_id=target.app_id,
                        card_id=target.card_id, scope=target.scope,
                        session_id=target.session_id, attach=args.attach)
        result = _send(magics, args, payloads, plural, settings, target)
    finally:
        for payload in payloads:  # temporary spools of serialized data
            payload.close()
    magics.store(args.out, result)
    return result


def _send(magics: QAppsMagics, args: Any, payloads: list[Any], plural: bool,
          settings: dict[str, Any], target: Target) -> Any:
    """The upload itself; an interrupt stops the worker threads and says what is kept."""
    import qapps_nb

    progress = False if args.quiet or not magics.show_progress else None
    cancel = threading.Event()  # an interrupt stops the worker threads too
    result: Any
    try:
        if not plural:
            result = _titled(qapps_nb.upload(payloads[0], progress=progress, cancel=cancel,
                                             **settings), target)
            magics.history.append(result)
        else:
            workers = args.max_workers or magics.max_workers
            result = qapps_nb.upload_many(
                payloads, max_workers=workers, progress=progress, cancel=cancel, **settings)
            result[:] = [_titled(r, target) for r in result]  # keeps the batch's stats
            magics.history.extend(result)
    except KeyboardInterrupt:
        cancel.set()
        raise Interrupted(INTERRUPTED) from None
    return result


def settings_for(magics: QAppsMagics, args: Any) -> dict[str, Any]:
    """Instance, session, scope and AWS settings, each by precedence: option > %config >
    QAPPS_* > default.

    The app and card are not here: :func:`destination` picks them (a title or an id) and
    the upload takes the ids it looks up; the widget takes the options as given.
    """
    scope, drop_session = _scope_options(args)
    explicit = {"instance_id": args.instance_id, "session_id": args.session_id, "scope": scope}
    settings = {name: config.resolve(name, value, getattr(magics, name))
                for name, value in explicit.items()}
    if drop_session:
        settings["session_id"] = None
    options = magics.client_options(args)
    settings.update(profile=options.profile, region=options.region,
                    endpoint_url=options.endpoint_url)
    return settings


def _scope_options(args: Any) -> tuple[str | None, bool]:
    """The scope the options ask for, and whether they drop a configured session id.

    An explicit option beats a configured neighbour: --session-id alone means session
    scope, --scope application alone drops a configured session id.
    """
    scope = "SESSION" if args.session_id and not args.scope else args.scope
    return scope, args.scope == "APPLICATION" and not args.session_id


def destination(magics: QAppsMagics, args: Any) -> Plan:
    """Where the upload goes, every setting by precedence with its level (no lookup yet)."""
    from ..targeting import plan

    configured = {name: getattr(magics, name) for name in
                  ("instance_id", "app", "app_id", "card", "card_id", "session_id", "scope")}
    scope, drop_session = _scope_options(args)
    if drop_session:
        configured["session_id"] = None
    return plan(instance_id=args.instance_id, app=args.app, app_id=args.app_id,
                card=args.card, card_id=args.card_id, scope=scope,
                session_id=args.session_id, attach=args.attach, configured=configured,
                options=magics.client_options(args))


def _titled(result: Any, target: Target) -> Any:
    """The titles looked up for the whole call, on each result."""
    if isinstance(result, UploadResult) and target.card_title and not result.card_title:
        return dataclasses.replace(result, app_title=target.app_title,
                                   card_title=target.card_title)
    return result


def _widget(settings: dict[str, Any], args: Any, max_workers: int) -> Any:
    """No SOURCE: the upload widget, prefilled (the widget itself reports missing ids).

    The app and card options go as given (a title or an id, and ``--attach``); the widget
    takes ``%config`` and the environment for them the same way the magic does.
    """
    try:
        from ..widget import UploadWidget
    except ImportError as exc:
        raise UsageError(f"the upload widget is not available ({exc}); give a SOURCE, "
                         "e.g. %qapps_upload data.csv") from None
    given = {name: getattr(args, name) for name in ("app", "app_id", "card", "card_id")}
    others = {k: v for k, v in settings.items() if k not in given}
    return UploadWidget(max_workers=max_workers, attach=args.attach, **given, **others)
