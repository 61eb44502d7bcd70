"""How apps and cards show themselves: an HTML table inline, plain text in a terminal.

Every title and description comes from users, so all of it goes through ``render.esc``;
ids go through ``render.id_html`` (one click selects the whole id).
"""

from __future__ import annotations

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
    lines = [f"{len(apps)} app{'' if len(apps) == 1 else 's'} in instance "
             f"{apps.instance_id}{where}:"]
    lines += [f"  {a.title!r}  {a.status or ''}  {a.app_id}".rstrip() for a in apps]
    return "\n".join(lines)


def app_text(app: App) -> str:
    where = " (sandbox)" if app.sandbox else ""
    lines = [f"app {app.title!r} version {app.version}, {app.app_id}{where}"]
    for c in app.cards:
        default = ""
        if c.is_file:
            default = (f"  default: {c.default_file_name or '(no name)'} {c.default_file_id}"
                       if c.default_file_id else "  default: none")
        lines.append(f"  {c.title!r}  {c.type}  {c.card_id}{default}")
    return "\n".join(lines)
