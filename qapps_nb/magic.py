"""``%qapps_upload`` / ``%%qapps_upload``: upload files, variables or a cell body to Q Apps.

Load it with ``%load_ext qapps_nb``, or in every kernel from ``ipython_config.py``::

    c.InteractiveShellApp.extensions = ["qapps_nb"]
    c.QAppsMagics.instance_id = "..."      # any trait below; see %config QAppsMagics

The magic only parses, resolves configuration and calls :func:`qapps_nb.upload` /
:func:`qapps_nb.upload_many`; it does no network work itself. Precedence of every setting:
option > ``%config QAppsMagics.x`` > ``QAPPS_*`` environment > default. Expected failures
(every :class:`~qapps_nb.errors.QAppsError`, a missing file, a bad option) show as one
``UsageError`` line without a traceback; anything else keeps its traceback.

Importing this module must stay cheap (``%load_ext`` ≤ 150 ms): boto3, pandas, the
pipeline and the widget are imported only when the magic runs.
"""

from __future__ import annotations

import html
import re
import threading
import warnings
from collections import ChainMap
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    magics_class,
    needs_local_scope,
    output_can_be_silenced,
)
from traitlets import Bool, Int, TraitError, Unicode, validate

from . import config, magic_args, validation
from .errors import BatchUploadError, QAppsError, ValidationError

_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class UploadResults(list):
    """A plain list of results (index it, loop over it) that shows as a small HTML table.

    After a partly failed batch, failed entries hold the exception instead of a result.
    """

    def _repr_html_(self) -> str:
        from .result import format_size

        esc = html.escape
        rows = []
        for item in self:
            if isinstance(item, BaseException):
                rows.append(f'<tr><td colspan="4">failed: {esc(str(item))}</td></tr>')
                continue
            badge = " <small>(sandbox)</small>" if item.sandbox else ""
            rows.append(
                f"<tr><td>{esc(item.file_name)}{badge}</td><td><code>{esc(item.file_id)}</code>"
                f"</td><td>{esc(item.expiration.isoformat())} ({esc(item.expires_in())})"
                f"</td><td>{esc(format_size(item.size))}</td></tr>"
            )
        head = "".join(f'<th style="text-align:left">{h}</th>'
                       for h in ("file", "fileId", "expires", "size"))
        return (f'<table class="qapps-nb-results"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')


def _trait_error(exc: ValidationError, name: str) -> TraitError:
    return TraitError(f"QAppsMagics.{name}: {exc.message}")


@magics_class
class QAppsMagics(Magics):
    """Upload to Amazon Q Apps from a notebook; every setting below works with ``%config``."""

    instance_id = Unicode(
        None, allow_none=True,
        help="Amazon Q Business instance id; else QAPPS_INSTANCE_ID. Option: -i/--instance-id.",
    ).tag(config=True)
    app_id = Unicode(
        None, allow_none=True, help="Q App id (a UUID); else QAPPS_APP_ID. Option: -a/--app-id.",
    ).tag(config=True)
    card_id = Unicode(
        None, allow_none=True,
        help="File-upload card id (a UUID); else QAPPS_CARD_ID. Option: -c/--card-id.",
    ).tag(config=True)
    session_id = Unicode(
        None, allow_none=True,
        help="Q App session id (a UUID) for session-scoped files; else QAPPS_SESSION_ID. "
             "Option: -s/--session-id.",
    ).tag(config=True)
    scope = Unicode(
        None, allow_none=True,
        help="'application' or 'session' (any case); else QAPPS_SCOPE; default application, "
             "or session when a session id is set. Option: --scope.",
    ).tag(config=True)
    profile = Unicode(
        None, allow_none=True,
        help="AWS profile; else boto3's own (AWS_PROFILE). Option: --profile.",
    ).tag(config=True)
    region = Unicode(
        None, allow_none=True, help="AWS region; else boto3's own (AWS_REGION). Option: --region.",
    ).tag(config=True)
    endpoint_url = Unicode(
        None, allow_none=True,
        help="Q Apps endpoint URL; else AWS_ENDPOINT_URL_QAPPS or the AWS default. "
             "Option: --endpoint-url.",
    ).tag(config=True)
    show_progress = Bool(
        True, help="Show tqdm progress bars while hashing and sending (-q/--quiet turns them off).",
    ).tag(config=True)
    max_workers = Int(
        4, help="Uploads at once when several sources are given (1-64). Option: --max-workers.",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        self._loaded = False
        super().__init__(shell=shell, **kwargs)
        self._loaded = True
        self.history: list[Any] = []
        """Every UploadResult this kernel produced, oldest first (used by the demo)."""

    def _load_config(self, cfg: Any, section_names: Any = None, traits: Any = None) -> None:
        """While the extension loads, a refused config value is a warning, not a failure.

        ``%config`` (after loading) raises the ``TraitError`` as usual. During loading
        (ipython_config.py, or a bad ``%config`` value kept in the shell's shared config
        across ``%reload_ext``) the magic still loads: the good values apply, each refused
        one keeps its default and the warning says what to fix.
        """
        try:
            super()._load_config(cfg, section_names=section_names, traits=traits)
        except TraitError:
            if self._loaded:
                raise
            every = self.traits(config=True) if traits is None else traits
            with warnings.catch_warnings():  # one trait at a time: the rest look "unknown"
                warnings.filterwarnings("ignore", message="Config option .* not recognized")
                for name, trait in every.items():
                    try:
                        super()._load_config(cfg, section_names=section_names,
                                             traits={name: trait})
                    except TraitError as exc:
                        refused = f"{exc} (ignored)"
                        with warnings.catch_warnings():
                            warnings.simplefilter("always")
                            warnings.warn(refused, UserWarning, stacklevel=2)

    # -- validators: refuse bad values when set, with the reason -------------------------------
    @validate("instance_id")
    def _check_instance_id(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value in (None, ""):
            return None
        try:
            return validation.check_instance_id(value)
        except ValidationError as exc:
            raise _trait_error(exc, "instance_id") from None

    @validate("app_id", "card_id", "session_id")
    def _check_uuid(self, proposal: Any) -> str | None:
        value, name = proposal["value"], proposal["trait"].name
        if value in (None, ""):
            return None
        try:
            return validation.check_uuid(value, name.replace("_", " "))
        except ValidationError as exc:
            raise _trait_error(exc, name) from None

    @validate("scope")
    def _check_scope(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value in (None, ""):
            return None
        if value.strip().upper() not in validation.SCOPES:
            raise TraitError(f"QAppsMagics.scope: {value!r} is not one of: application, session")
        return str(value.strip().upper())

    @validate("region")
    def _check_region(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value in (None, ""):
            return None
        if not _REGION.fullmatch(value):
            raise TraitError(f"QAppsMagics.region: {value!r} is not an AWS region like 'us-east-1'")
        return str(value)

    @validate("endpoint_url")
    def _check_endpoint(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value in (None, ""):
            return None
        if not re.match(r"https?://[^\s/]+", value):
            raise TraitError(f"QAppsMagics.endpoint_url: {value!r} is not an http(s) URL")
        return str(value)

    @validate("max_workers")
    def _check_workers(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 64:
            raise TraitError(f"QAppsMagics.max_workers: {value} is out of range 1..64")
        return value

    # -- the magic -------------------------------------------------------------------------------
    @needs_local_scope
    @output_can_be_silenced
    @line_cell_magic
    def qapps_upload(self, line: str = "", cell: str | None = None,
                     local_ns: dict[str, Any] | None = None) -> Any:
        # The docstring (``%qapps_upload?``) is the --help text, set below the class.
        try:
            try:
                args = magic_args.parse(line)
            except magic_args.HelpShown:  # argparse already printed the help
                return None
            return self._run(args, cell, local_ns)
        except BatchUploadError as exc:
            self._store(args.out, UploadResults(exc.results))
            done = UploadResults(r for r in exc.results if not isinstance(r, BaseException))
            if done:
                from IPython.display import display

                display(done)
            raise UsageError(str(exc)) from None
        except QAppsError as exc:
            raise UsageError(str(exc)) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise UsageError(f"{exc.strerror}: {exc.filename}") from None

    def _run(self, args: Any, cell: str | None, local_ns: dict[str, Any] | None) -> Any:
        from . import magic_sources

        settings = self._settings(args)
        if cell is None and not args.sources:
            widget = self._widget(settings, args.max_workers or self.max_workers)
            self._store(args.out, widget)
            return widget
        if cell is not None and args.sources:
            raise UsageError("%%qapps_upload uploads the cell body; give sources to the line "
                             "magic %qapps_upload instead")
        from .pipeline import Target

        # Missing or malformed ids fail here, before any data is serialized or sent.
        Target.resolve(*(settings[k] for k in
                         ("instance_id", "app_id", "card_id", "scope", "session_id")))
        user_ns = self.shell.user_ns if self.shell is not None else {}
        namespace = ChainMap(local_ns or {}, user_ns)
        if cell is not None:
            payloads = [magic_sources.prepare_cell(cell, args.name)]
            plural = False
        else:
            payloads = magic_sources.prepare(args.sources, namespace, args.name)
            plural = len(payloads) > 1 or magic_sources.is_plural(args.sources, namespace)

        import qapps_nb

        progress = False if args.quiet or not self.show_progress else None
        cancel = threading.Event()  # an interrupt stops the worker threads too
        result: Any
        try:
            if not plural:
                result = qapps_nb.upload(payloads[0], progress=progress, cancel=cancel,
                                         **settings)
                self.history.append(result)
            else:
                workers = args.max_workers or self.max_workers
                result = UploadResults(qapps_nb.upload_many(
                    payloads, max_workers=workers, progress=progress, cancel=cancel,
                    **settings))
                self.history.extend(result)
        except KeyboardInterrupt:
            cancel.set()
            raise UsageError("interrupted: uploads stopped; S3 keeps no partial file (any that "
                             "had finished are stored)") from None
        finally:
            for payload in payloads:  # temporary spools of serialized data
                payload.close()
        self._store(args.out, result)
        return result

    def _settings(self, args: Any) -> dict[str, Any]:
        """ids and AWS settings, each by precedence: option > %config > QAPPS_* > default."""
        settings = {name: config.resolve(name, getattr(args, name), getattr(self, name))
                    for name in ("instance_id", "app_id", "card_id", "session_id", "scope")}
        # An explicit option beats a configured neighbour: --session-id alone means session
        # scope, --scope application alone drops a configured session id.
        if args.session_id and not args.scope:
            settings["scope"] = "SESSION"
        if args.scope == "APPLICATION" and not args.session_id:
            settings["session_id"] = None
        for name in ("profile", "region", "endpoint_url"):
            settings[name] = getattr(args, name) or getattr(self, name)
        return settings

    def _store(self, name: str | None, value: Any) -> None:
        if name and self.shell is not None:
            self.shell.user_ns[name] = value

    def _widget(self, settings: dict[str, Any], max_workers: int) -> Any:
        """No SOURCE: the upload widget, prefilled (the widget itself reports missing ids)."""
        try:
            from .widget import UploadWidget
        except ImportError as exc:
            raise UsageError(f"the upload widget is not available ({exc}); give a SOURCE, "
                             "e.g. %qapps_upload data.csv") from None
        return UploadWidget(max_workers=max_workers, **settings)


QAppsMagics.qapps_upload.__doc__ = magic_args.help_text()


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics once per shell (``%reload_ext`` replaces the old instance)."""
    unload_ipython_extension(ipython)
    ipython.register_magics(QAppsMagics(shell=ipython))


def unload_ipython_extension(ipython: Any) -> None:
    manager = ipython.magics_manager
    old = manager.registry.pop(QAppsMagics.__name__, None)
    for kind in ("line", "cell"):
        manager.magics[kind].pop("qapps_upload", None)
    if old is not None and old in getattr(ipython, "configurables", []):
        ipython.configurables.remove(old)


__all__ = ["QAppsMagics", "UploadResults", "load_ipython_extension", "unload_ipython_extension"]
