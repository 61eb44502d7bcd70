"""How a run shows itself: outputs as safe Markdown under their titles, or plain text.

Answers come from a model and titles from users, so none of it is trusted: titles go
through :func:`~qapps_nb.render.esc`, and answers through markdown-it-py with raw HTML
turned off (``<script>`` and any other tag in an answer is shown as text, never run).
markdown-it refuses ``javascript:``, ``vbscript:``, ``file:`` and most ``data:`` links,
and images are off (an answer cannot make the page load a remote image).
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..render import esc, id_html, sandbox_badge, table_html
from ..service.apps import INPUT_TYPES

if TYPE_CHECKING:
    from .run import QAppRun

STATE_COLOURS = {"COMPLETED": "#15803d", "ERROR": "#b91c1c", "IN_PROGRESS": "#b45309",
                 "WAITING": "#6b7280"}


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")
    return md


def markdown_html(text: str) -> str:
    """Markdown → HTML with raw HTML escaped and unsafe links refused."""
    return str(_markdown().render(text))


def state_html(state: str) -> str:
    colour = STATE_COLOURS.get(state, "#6b7280")
    return (f'<span class="qapps-nb-state" style="color:{colour};font-weight:600">'
            f"{esc(state or '—')}</span>")


def _header(run: QAppRun) -> str:
    return (f'<div class="qapps-nb-run-header"><strong>{esc(run.app.title)}</strong>'
            f"{sandbox_badge(run.sandbox)} · {state_html(run.status)}"
            f"{' · stopped' if run.stopped else ''} · session {id_html(run.session_id)}</div>")


def states_html(run: QAppRun) -> str:
    """The live view while waiting: each card's state (no values)."""
    rows = [(esc(card.title), esc(card.type), state_html(card.state))
            for card in run.cards.values()]
    elapsed = time.time() - run.started
    return (f'<div class="qapps-nb-run">{_header(run)}'
            f"{table_html(('card', 'type', 'state'), rows)}"
            f"<small>{elapsed:.0f} s, {run.polls} polls</small></div>")


def run_html(run: QAppRun) -> str:
    """The run inline: outputs as rendered Markdown under their titles, then any problem."""
    parts = [_header(run)]
    if run.error:
        parts.append(f'<div class="qapps-nb-error" style="color:#b91c1c">{esc(run.error)}</div>')
    shown = False
    for card in run.cards.values():
        if card.type in INPUT_TYPES:
            continue
        if card.state == "COMPLETED":
            body = markdown_html(card.value)
            shown = True
        else:
            body = f"<p>{state_html(card.state)}</p>"
        parts.append(f'<div class="qapps-nb-output"><h4 style="margin:0.6em 0 0.2em">'
                     f"{esc(card.title)}</h4>{body}</div>")
    if not shown or run.status != "COMPLETED":
        rows = [(esc(c.title), esc(c.type), state_html(c.state)) for c in run.cards.values()
                if c.type in INPUT_TYPES]
        if rows:
            parts.append(table_html(("input", "type", "state"), rows))
    return f'<div class="qapps-nb-run">{"".join(parts)}</div>'


def run_text(run: QAppRun) -> str:
    """Plain text for terminals and papermill logs: status line, then each output raw."""
    where = " [SANDBOX]" if run.sandbox else ""
    lines = [f"Q App run {run.app.title!r}{where}: {run.status}"
             f"{' (stopped)' if run.stopped else ''}, session {run.session_id}"]
    if run.error:
        lines.append(f"error: {run.error}")
    for card in run.cards.values():
        if card.type in INPUT_TYPES:
            continue
        lines.append(f"--- {card.title} ---")
        lines.append(card.value if card.state == "COMPLETED" else f"({card.state or 'not read'})")
    return "\n".join(lines)


__all__ = ["markdown_html", "run_html", "run_text", "states_html"]
