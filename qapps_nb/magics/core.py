"""``QAppsMagics``: the settings (``%config QAppsMagics``) and the magics' entry points.

Load it with ``%load_ext qapps_nb``, or in every kernel from ``ipython_config.py``::

    c.InteractiveShellApp.extensions = ["qapps_nb"]
    c.QAppsMagics.instance_id = "..."      # any trait below; see %config QAppsMagics

Each magic's entry point here only hands over to its own module (``upload.py``...), which
parses, resolves configuration and calls the Python API; no magic does network work
itself. Precedence of every setting: option > ``%config QAppsMagics.x`` > ``QAPPS_*``
environment > default. Expected failures (every :class:`~qapps_nb.errors.QAppsError`, a
missing file, a bad option) show as one ``UsageError`` line without a traceback
(:func:`usage_errors`); anything else keeps its traceback.

Importing this module must stay cheap (``%load_ext`` ≤ 150 ms): boto3, pandas, the
pipeline and the widget are imported only when a magic runs.
"""

from __future__ import annotations

import re
import warnings
from collections import ChainMap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
    output_can_be_silenced,
)
from traitlets import Bool, Int, TraitError, Unicode, validate

from .. import config, names, validation
from ..errors import QAppsError, ValidationError
from . import apps_args, run_args, upload_args

if TYPE_CHECKING:
    from ..service.client import ClientOptions

_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _trait_error(exc: ValidationError, name: str) -> TraitError:
    return TraitError(f"QAppsMagics.{name}: {exc.message}")


@contextmanager
def usage_errors() -> Iterator[None]:
    """The magics' error boundary: expected failures become one ``UsageError`` line."""
    try:
        yield
    except (QAppsError, UsageError) as exc:  # UsageError: a magic's own (a bad option...)
        raise _usage_error(str(exc)) from None
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise _usage_error(f"{exc.strerror}: {exc.filename}") from None


class _KernelUsageError(UsageError):
    """A ``UsageError`` that a kernel reports as an error output of one line.

    IPython prints a plain ``UsageError`` to stderr, so the kernel's error output (what
    papermill and nbclient put in their exception, and what ``stop_on_error`` sees) holds
    no reason. This subclass takes IPython's ``_render_traceback_`` path instead: the
    error output carries ``ename`` UsageError, ``evalue`` the line, and a "traceback" that
    is just ``UsageError: <line>``, so notebooks still show one line and no traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"UsageError: {self}"]


_KernelUsageError.__name__ = _KernelUsageError.__qualname__ = "UsageError"  # the ename


def _usage_error(message: str) -> UsageError:
    """In a Jupyter kernel the error-output kind; in terminal IPython the plain one."""
    from IPython import get_ipython

    in_kernel = getattr(get_ipython(), "kernel", None) is not None
    return _KernelUsageError(message) if in_kernel else UsageError(message)


@magics_class
class QAppsMagics(Magics):
    """Upload to Amazon Q Apps from a notebook; every setting below works with ``%config``."""

    instance_id = Unicode(
        None, allow_none=True,
        help="Q Apps instance id: the Amazon Q Business application id (Q Business console > "
             "your application > Application ID); else QAPPS_INSTANCE_ID. "
             "Option: -i/--instance-id.",
    ).tag(config=True)
    app = Unicode(
        None, allow_none=True,
        help="Q App title (case ignored) or id; else QAPPS_APP. Set app or app_id, not both: "
             "the highest level setting either wins. Option: --app.",
    ).tag(config=True)
    app_id = Unicode(
        None, allow_none=True, help="Q App id (a UUID); else QAPPS_APP_ID. Option: -a/--app-id.",
    ).tag(config=True)
    card = Unicode(
        None, allow_none=True,
        help="File-upload card title (case ignored) or id; else QAPPS_CARD; optional when the "
             "app has one file-upload card. Set card or card_id, not both. Option: --card.",
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
        self._in_effect: dict[str, config.Setting] | None = None
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
            checked = validation.check_uuid(value, name.replace("_", " "))
        except ValidationError as exc:
            raise _trait_error(exc, name) from None
        self._one_form(name)
        return checked

    @validate("app", "card")
    def _check_ref(self, proposal: Any) -> str | None:
        value, name = proposal["value"], proposal["trait"].name
        if value in (None, ""):
            return None
        try:
            checked = names.check_ref(value, name)
        except ValidationError as exc:
            raise _trait_error(exc, name) from None
        self._one_form(name)
        return checked

    def _one_form(self, name: str) -> None:
        """``app`` and ``app_id`` (``card``, ``card_id``) are two forms of one setting."""
        pairs = {**config.PAIRS, **{v: k for k, v in config.PAIRS.items()}}
        other = pairs.get(name)
        if other is not None and getattr(self, other, None) is not None:
            raise TraitError(f"QAppsMagics.{name}: QAppsMagics.{other} is already set; they "
                             f"are two forms of one setting, unset it first "
                             f"(%config QAppsMagics.{other} = None)")

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

    # -- the magics: thin entry points ----------------------------------------------------------
    @needs_local_scope
    @output_can_be_silenced
    @line_cell_magic
    def qapps_upload(self, line: str = "", cell: str | None = None,
                     local_ns: dict[str, Any] | None = None) -> Any:
        # The docstring (``%qapps_upload?``) is the --help text, set below the class.
        from . import upload

        with usage_errors():
            return upload.run(self, line, cell, local_ns)

    @needs_local_scope
    @output_can_be_silenced
    @line_cell_magic
    def qapps_run(self, line: str = "", cell: str | None = None,
                  local_ns: dict[str, Any] | None = None) -> Any:
        # The docstring (``%qapps_run?``) is the --help text, set below the class.
        from . import run

        with usage_errors():
            return run.run(self, line, cell, local_ns)

    @output_can_be_silenced
    @line_magic
    def qapps_apps(self, line: str = "") -> Any:
        # The docstring (``%qapps_apps?``) is the --help text, set below the class.
        from . import apps

        with usage_errors():
            return apps.run(self, line)

    # -- %config QAppsMagics: the value in effect and where it came from --------------------
    def effective(self) -> dict[str, config.Setting]:
        """Every setting as a magic with no options would use it, with its origin."""
        traits = self.traits(config=True)
        configured = {name: getattr(self, name) for name in traits}
        defaults = {name: trait.default_value for name, trait in traits.items()
                    if name in ("show_progress", "max_workers")}
        return config.effective(configured, defaults)

    @classmethod
    def class_get_help(cls, inst: Any = None) -> str:
        if inst is None:
            return str(super().class_get_help(inst))
        inst._in_effect = inst.effective()  # read once for all traits (config files)
        try:
            return str(super().class_get_help(inst))
        finally:
            inst._in_effect = None

    @classmethod
    def class_get_trait_help(cls, trait: Any, inst: Any = None, helptext: Any = None) -> str:
        text = str(super().class_get_trait_help(trait, inst, helptext))
        found = getattr(inst, "_in_effect", None) or {}
        chosen = found.get(trait.name)
        if chosen is None:
            return text
        return f"{text}\n    In effect: {_in_effect(trait.name, chosen)}"

    def store(self, name: str | None, value: Any) -> None:
        """``-o VAR``: put a magic's result in the user's namespace."""
        if name and self.shell is not None:
            self.shell.user_ns[name] = value

    def client_options(self, args: Any) -> ClientOptions:
        """How a magic reaches Q Apps: each AWS option, else its ``%config`` value."""
        from ..service.client import ClientOptions

        return ClientOptions(None, args.profile or self.profile, args.region or self.region,
                             args.endpoint_url or self.endpoint_url)

    def namespace(self, local_ns: dict[str, Any] | None) -> ChainMap[str, Any]:
        """Where a magic looks variables up: the caller's locals, then the user's namespace."""
        user_ns = self.shell.user_ns if self.shell is not None else {}
        return ChainMap(local_ns or {}, user_ns)


def _in_effect(name: str, chosen: config.Setting) -> str:
    """``'us-east-1' (from AWS_REGION)``: the value a magic would use and its source."""
    if chosen.problem:
        return f"none — {chosen.problem}"
    if chosen.value is None:
        how = {"profile": "none (boto3's default credentials)",
               "endpoint_url": "none (the AWS endpoint of the region)",
               "region": "none: uploads need one", "instance_id": "none: uploads need one",
               "app": "none: uploads need one", "app_id": "none: uploads need one",
               "card": "none (the app's only file-upload card)",
               "card_id": "none (the app's only file-upload card)"}
        return how.get(name, "none")
    shown = repr(chosen.value)
    if chosen.name != name:  # the other form of the pair
        shown = f"{chosen.name} {shown}"
    where = {"option": "from the option", "%config": f"from %config QAppsMagics.{chosen.name}",
             "environment": f"from the environment: {chosen.source}",
             "AWS config file": f"from the AWS config file {chosen.source}",
             "default": "default"}[chosen.origin]
    return f"{shown} ({where})"


QAppsMagics.qapps_upload.__doc__ = upload_args.help_text()
QAppsMagics.qapps_apps.__doc__ = apps_args.help_text()
QAppsMagics.qapps_run.__doc__ = run_args.help_text()

MAGIC_NAMES = {"line": ("qapps_upload", "qapps_apps", "qapps_run"),
               "cell": ("qapps_upload", "qapps_run")}
"""Every magic this class registers (``unload_ipython_extension`` removes them)."""


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics once per shell (``%reload_ext`` replaces the old instance)."""
    unload_ipython_extension(ipython)
    ipython.register_magics(QAppsMagics(shell=ipython))


def unload_ipython_extension(ipython: Any) -> None:
    manager = ipython.magics_manager
    old = manager.registry.pop(QAppsMagics.__name__, None)
    for kind, registered in MAGIC_NAMES.items():
        for name in registered:
            manager.magics[kind].pop(name, None)
    if old is not None and old in getattr(ipython, "configurables", []):
        ipython.configurables.remove(old)


__all__ = ["QAppsMagics", "load_ipython_extension", "unload_ipython_extension", "usage_errors"]
