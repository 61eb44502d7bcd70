"""The HTML landing page of ``GET /_sandbox``: where it is, and its apps with real ids.

Everything a user typed (titles, card titles) is escaped; the page loads nothing from
the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from .state import SandboxState

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;background:#fff;max-width:70em}
.banner{border:3px solid #d97706;background:#fffbeb;padding:8px 12px;border-radius:6px}
.banner b{color:#b45309;font-size:1.2em}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{text-align:left;padding:3px 10px 3px 0;vertical-align:top}
th{border-bottom:1px solid #999}
code{user-select:all;-webkit-user-select:all;font-size:.92em;white-space:nowrap}
@media (prefers-color-scheme: dark){
 body{background:#111;color:#eee}
 .banner{background:#2a1f05;border-color:#b45309}
 .banner b{color:#f59e0b}
 a{color:#93c5fd}}
"""


def _code(value: object) -> str:
    return f"<code>{escape(str(value))}</code>"


def _cards(cards: Sequence[dict[str, Any]]) -> str:
    return "<br>".join(f"{escape(c['title'])} <i>({escape(c['type'])})</i> {_code(c['id'])}"
                       for c in cards)


def landing_page(state: SandboxState, apps: Sequence[dict[str, Any]]) -> str:
    """The whole HTML document."""
    where = [("Q Apps endpoint (AWS_ENDPOINT_URL_QAPPS)", state.endpoint_url),
             ("S3 endpoint", state.s3_url), ("region", state.region),
             ("instance id (QAPPS_INSTANCE_ID)", state.instance_id)]
    where_rows = "".join(f"<tr><th>{escape(k)}</th><td>{_code(v)}</td></tr>" for k, v in where)
    app_rows = "".join(
        f"<tr><td>{escape(a['title'])}<br><small>{escape(a.get('description') or '')}</small>"
        f"</td><td>{_code(a['appId'])}</td>"
        f"<td>{a['appVersion']}</td><td>{escape(a['status'])}"
        f"{'' if a['canEdit'] else ' (not yours)'}</td><td>{_cards(a['cards'])}</td></tr>"
        for a in apps)
    links = " · ".join(f'<a href="{escape(state.endpoint_url)}/_sandbox/{p}">{p}</a>'
                       for p in ("apps", "sessions", "objects", "requests", "faults",
                                 "settings"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>qapps-nb sandbox (not AWS)</title>
<style>{_STYLE}</style></head><body>
<div class="banner"><b>⚠ SANDBOX — not AWS</b><br>A local stand-in for Amazon Q Apps and S3
(qapps-nb). Nothing sent here reaches AWS.</div>
<h2>Where</h2><table>{where_rows}</table>
<h2>Apps ({len(apps)})</h2>
<table><tr><th>title</th><th>app id</th><th>version</th><th>status</th><th>cards</th></tr>
{app_rows}</table>
<p>Click an id to select all of it. JSON: {links}
(or this page with <code>Accept: application/json</code>).<br>
To run a command with a sandbox of its own, leaving your shell's AWS settings alone:
<code>qapps-sandbox run -- jupyter lab</code>.</p>
</body></html>
"""
