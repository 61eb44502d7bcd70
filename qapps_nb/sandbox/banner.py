"""How a Sandbox shows itself (repr and notebook HTML), running or stopped.

A stopped sandbox must not claim that uploads go to it: it says it is stopped and,
when this process's environment still points at it, how to get the AWS settings back.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BANNER = "SANDBOX — not AWS"
RESTORE_HINT = "qapps_nb.sandbox.stop() restores your AWS environment"


def text(running: bool, endpoint_url: str, instance_id: str, app_id: str, card_id: str,
         *, routed_here: bool) -> str:
    if running:
        return (f"<{BANNER}: running at {endpoint_url}, instance_id={instance_id!r}, "
                f"app_id={app_id!r}, card_id={card_id!r}>")
    note = "uploads no longer go to it"
    if routed_here:
        note += f"; this process's environment still points at it ({RESTORE_HINT})"
    return f"<{BANNER}: stopped (was at {endpoint_url}); {note}>"


def html(running: bool, rows: Sequence[tuple[str, str]], *, routed_here: bool) -> str:
    # Transparent rows, inherited text and a translucent tint (not a cream box with the
    # theme's striped rows on it) so the card reads the same in light and dark themes.
    cells = "".join(
        f"<tr style='background:transparent'><td style='padding:0 1em 0 0;text-align:left'>"
        f"{escape(k)}</td>"
        f"<td style='text-align:left'><code>{escape(v)}</code></td></tr>" for k, v in rows)
    if running:
        border, background, colour = "#d97706", "rgba(217,119,6,0.10)", "#d97706"
        head = f"⚠ {BANNER} (running)"
        body = ("Uploads from this kernel go to a local stand-in and never reach Amazon "
                "Q Apps. <code>qapps_nb.sandbox.stop()</code> restores the AWS environment.")
    else:
        border, background, colour = "#6b7280", "rgba(107,114,128,0.12)", "#6b7280"
        head = f"{BANNER} (stopped)"
        body = "This sandbox is stopped: uploads no longer go to it."
        if routed_here:
            body += (" This kernel's environment still points at it: run "
                     "<code>qapps_nb.sandbox.stop()</code> to restore your AWS settings.")
    return (
        f"<div class='qapps-nb-sandbox' style='border:3px solid {border};"
        f"background:{background};color:inherit;padding:8px 12px;border-radius:6px;"
        "font-family:sans-serif'>"
        f"<div style='font-weight:bold;font-size:1.2em;color:{colour}'>{escape(head)}</div>"
        f"<div>{body}</div><table style='background:transparent;color:inherit'>{cells}"
        "</table></div>")
