"""How apps and cards show themselves: an HTML table inline, plain text in a terminal.

Every title and description comes from users, so all of it goes through ``render.esc``;
ids go through ``render.id_html`` (one click selects the whole id).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..render import esc, id_html, sandbox_badge, table_html

if TYPE_CHECKING:
    from .apps import App, AppList, Card

_MUTED = 'style="color:#6b7280"'


def app_list_html(apps: AppList) -> str:
    count = f"{len(apps)} app{'' if len(apps) == 1 else 's'}"
    head = (f"<strong>{esc(count)}</strong> in instance {id_html(apps.instance_id)}"
            f"{sandbox_badge(apps.sandbox)}")
    rows = [(esc(a.title), esc(a.description or ""), esc(a.status or ""), id_html(a.app_id))
            for a in apps]
    table = table_html(("title", "description", "status", "id"), rows)
    hint = ("" if not apps else f'<div {_MUTED}>Cards of one app: '
            "<code>%qapps_apps TITLE</code> or <code>qapps_nb.get_app(TITLE)</code></div>")
    return f'<div class="qapps-nb-apps"><div>{head}</div>{table}{hint}</div>'


def app_html(app: App) -> str:
    head = (f"<strong>{esc(app.title)}</strong> · app version {esc(app.version)} · "
            f"{id_html(app.app_id)}{sandbox_badge(app.sandbox)}")
    rows = [(esc(c.title), esc(c.type), id_html(c.card_id), _default_html(c))
            for c in app.cards]
    table = table_html(("card", "type", "id", "default file"), rows)
    files = len(app.file_cards)
    note = ("this app has no file-upload card" if not files else
            "upload with <code>app=</code> (its only file card is used)" if files == 1 else
            "upload with <code>app=</code> and <code>card=</code> (one of its file cards)")
    if app.can_edit is False:
        note += "; only its owner can set default files"
    return (f'<div class="qapps-nb-app"><div>{head}</div>'
            f"{_description_html(app)}{table}<div {_MUTED}>{note}</div></div>")


def _description_html(app: App) -> str:
    return f"<div {_MUTED}>{esc(app.description)}</div>" if app.description else ""


def _default_html(card: Card) -> str:
    if not card.is_file:
        return ""
    if not card.default_file_id:
        return f"<span {_MUTED}>none</span>"
    name = esc(card.default_file_name or "(no name)")
    override = "" if card.data.get("allowOverride") is not False else " · no override"
    return f"{name} · {id_html(card.default_file_id)}{esc(override)}"


def app_list_text(apps: AppList) -> str:
    where = " (sandbox)" if apps.sandbox else ""
    head = f"{len(apps)} app{'' if len(apps) == 1 else 's'} in instance {apps.instance_id}{where}"
    rows = [(a.title, a.status or "", a.app_id) for a in apps]
    return "\n".join([head, *_columns(("title", "status", "id"), rows)]) if rows else head


def app_text(app: App) -> str:
    where = " (sandbox)" if app.sandbox else ""
    head = f"app {app.title!r}, version {app.version}, id {app.app_id}{where}"
    rows = [(c.title, c.type, c.card_id, _default_text(c)) for c in app.cards]
    return "\n".join([head, *_columns(("card", "type", "id", "default file"), rows)])


def _default_text(card: Card) -> str:
    if not card.is_file:
        return ""
    if not card.default_file_id:
        return "none"
    return f"{card.default_file_name or '(no name)'} ({card.default_file_id})"


def _columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Plain-text columns padded to their widest cell (terminals, logs, doctests)."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    return ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in [headers, *rows]]
