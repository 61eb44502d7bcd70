"""Small HTML pieces every inline display shares: escaping, the SANDBOX badge, ids, tables.

Results, app and card tables and runs all render through these, so the sandbox marker
looks the same everywhere and every user-supplied string is escaped in one place.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

SANDBOX_TITLE = "Stored in the local qapps-nb sandbox, not in AWS"


def esc(value: object) -> str:
    """HTML-escape any value shown inline (titles, names, messages come from users)."""
    return html.escape(str(value), quote=True)


def sandbox_badge(sandbox: bool) -> str:
    """The one SANDBOX badge (empty when the answer came from AWS)."""
    if not sandbox:
        return ""
    return ('<span class="qapps-nb-badge" style="background:#b45309;color:#fff;'
            'border-radius:3px;padding:0 4px;font-size:85%;margin-left:6px" '
            f'title="{esc(SANDBOX_TITLE)}">SANDBOX</span>')


def id_html(value: str) -> str:
    """An id that one click selects whole (a double-click would take one UUID segment)."""
    return (f'<code class="qapps-nb-id" style="user-select:all;-webkit-user-select:all;'
            f'white-space:nowrap" '
            f'title="click to select the whole id">{esc(value)}</code>')


def table_html(headers: Sequence[str], rows: Iterable[Sequence[str]], *,
               css_class: str = "qapps-nb-table") -> str:
    """A left-aligned table; cells are trusted HTML (escape user text with :func:`esc`)."""
    head = "".join(f'<th style="text-align:left">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align:left">{cell}</td>' for cell in row) + "</tr>"
        for row in rows)
    return (f'<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")
