"""``%qapps_run`` / ``%%qapps_run``: run a Q App with notebook variables, files or the cell.

Parses the line (``run_args.py``), resolves the app once, turns each CARD=VALUE into an
input by the card's type (a file card takes a source as ``%qapps_upload`` does, a text
card a quoted string or a variable), then calls :func:`qapps_nb.run_app`. In a kernel it
shows the card states live while waiting (one display, updated in place); in a terminal
or with ``-q`` it shows nothing until the run is done. Every expected failure is one
``UsageError`` line; a run that had started is kept in ``-o VAR`` (or ``_qapps_run``) so
``.wait()`` can resume it.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from .. import config
from . import run_args
from .args import HelpShown

if TYPE_CHECKING:
    from ..runs import QAppRun
    from ..service.apps import App, Card
    from .core import QAppsMagics

LAST_RUN = "_qapps_run"
"""Where an unfinished or failed run is kept when no ``-o VAR`` was given."""


def run(magics: QAppsMagics, line: str, cell: str | None,
        local_ns: dict[str, Any] | None) -> Any:
    """One ``%qapps_run`` call."""
    try:
        parsed = run_args.parse(line)
    except HelpShown:
        return None
    from ..runs.flow import load_app

    opts = parsed.options
    options = magics.client_options(opts)
    instance_id = config.resolve("instance_id", opts.instance_id, magics.instance_id)
    app = load_app(parsed.app, instance_id, options)
    inputs = inputs_for(app, parsed.items, cell, magics.namespace(local_ns))
    try:
        return _run(magics, parsed, app, inputs, options)
    finally:
        from ..sources import Payload

        for value in inputs.values():  # spools of variables serialized for file cards
            if isinstance(value, Payload):
                value.close()


def _run(magics: QAppsMagics, parsed: run_args.RunLine, app: App, inputs: dict[str, Any],
         options: Any) -> Any:
    from ..runs import RunError, RunInterrupted, run_app

    opts = parsed.options
    quiet = opts.quiet or not magics.show_progress
    live = None if quiet else LiveStates.start(magics.shell)
    try:
        result = run_app(app, inputs, wait=False, progress=False if quiet else None,
                         profile=options.profile, region=options.region,
                         endpoint_url=options.endpoint_url)
        if live is not None:
            live.show(result)
        if not opts.no_wait:
            result.wait(opts.timeout, on_update=live.show if live is not None else None)
    except (RunError, RunInterrupted) as exc:
        failed = exc.run
        if failed is not None:
            if live is not None:
                live.show(failed)
            where = opts.out or LAST_RUN
            magics.store(where, failed)
            resumable = not failed.done
            raise UsageError(_line(exc) + (f" — {where}.wait() resumes" if resumable
                                           else f" (the run is in {where})")) from None
        raise UsageError(_line(exc)) from None
    if live is not None:
        live.clear()
    magics.store(opts.out, result)
    return result


def _line(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    code = getattr(exc, "code", None)
    if code and f"[{code}]" not in message and code not in ("ERROR", "WAITING"):
        message = f"{message} [{code}]"
    return " ".join(str(message).split())


def inputs_for(app: App, items: list[run_args.Word], cell: str | None,
               namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Card id → value for each CARD=VALUE word (and the cell body), by the card's type."""
    from ..runs.inputs import find_card

    inputs: dict[str, Any] = {}
    for item in items:
        card = find_card(app, item.key or "")  # one line naming the app's cards if none
        if card.card_id in inputs:
            raise UsageError(f"%qapps_run: card {card.title!r} is given twice")
        inputs[card.card_id] = _value(card, item, namespace)
    if cell is not None:
        card = _cell_card(app, inputs)
        body = cell[:-1] if cell.endswith("\n") else cell
        if card.is_file:
            from .sources import prepare_cell

            inputs[card.card_id] = prepare_cell(body, None)
        else:
            inputs[card.card_id] = body
    return inputs


def _value(card: Card, item: run_args.Word, namespace: Mapping[str, Any]) -> Any:
    raw = item.value or ""
    is_name = (not item.value_quoted and raw.isidentifier() and not keyword.iskeyword(raw))
    if card.is_file:
        from . import sources

        found = sources.resolve([raw], {} if item.value_quoted else namespace)
        if len(found) != 1:
            raise UsageError(f"%qapps_run: card {card.title!r} takes one file; {raw!r} gives "
                             f"{len(found)}")
        label, source, default_name = found[0]
        if default_name is None:
            return source
        from ..sources import prepare

        payload = prepare(source, default_name)  # a variable is sent as '<variable>.<ext>'
        payload.label = label
        return payload
    if card.type == "text-input":
        if item.value_quoted:
            return raw
        if is_name and raw in namespace:
            return namespace[raw]
        raise UsageError(f"%qapps_run: {item.text!r}: {raw!r} is not a variable; text for "
                         f"card {card.title!r} goes in quotes: {item.key}=\"{raw}\"")
    return raw  # not an input card: run_app refuses it with the app's input cards named


def _cell_card(app: App, given: Mapping[str, Any]) -> Card:
    """The input card the cell body is for: the one not given on the line."""
    left = [c for c in app.cards if c.type in ("text-input", "file-upload")
            and c.card_id not in given]
    if len(left) > 1:  # cards with a default may stay out; the body goes to the other one
        from ..runs.inputs import needs_value

        without_default = [c for c in left if needs_value(c)]
        if len(without_default) == 1:
            return without_default[0]
    if len(left) == 1:
        return left[0]
    if not left:
        raise UsageError(f"%%qapps_run: every input card of {app.title!r} is given on the "
                         "line; the cell body has no card left to go to")
    names = ", ".join(repr(c.title) for c in left)
    raise UsageError(f"%%qapps_run: the cell body is for one card, but {names} are left; "
                     "give all but one on the line")


class LiveStates:
    """One display updated in place while a run waits; only in a kernel (not a terminal)."""

    def __init__(self) -> None:
        from IPython.display import display

        self._handle: Any = display(_Html(""), display_id=True)

    @classmethod
    def start(cls, shell: Any) -> LiveStates | None:
        if shell is None or getattr(shell, "kernel", None) is None:
            return None  # a terminal would print every update: show only the result
        from ..progress import someone_watches

        if not someone_watches():
            return None  # papermill, nbclient, Voila: nobody watches; keep no empty output
        return cls()

    def show(self, run: QAppRun) -> None:
        from ..runs.display import states_html

        self._handle.update(_Html(states_html(run)))

    def clear(self) -> None:
        self._handle.update(_Html(""))


class _Html:
    """Trusted HTML built by qapps-nb (every user string in it is already escaped)."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return ""


__all__ = ["LAST_RUN", "LiveStates", "inputs_for", "run"]
