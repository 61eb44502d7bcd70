"""The result of one upload: what a user keeps, shows inline and passes on to Q Apps."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any


def format_size(size: int) -> str:
    """Human-readable size: 1.2 MB, 980 B (decimal units, as file managers show)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def expires_in(expiration: datetime, now: datetime | None = None) -> str:
    """'expires in 14 min' / 'expired 3 min ago', judged against ``now`` (UTC)."""
    now = now or datetime.now(timezone.utc)
    seconds = (expiration - now).total_seconds()
    minutes = round(abs(seconds) / 60)
    if abs(seconds) < 60:
        span = f"{int(abs(seconds))} s"
    elif minutes < 120:
        span = f"{minutes} min"
    else:
        span = f"{minutes / 60:.1f} h"
    return f"expires in {span}" if seconds >= 0 else f"expired {span} ago"


@dataclass(frozen=True)
class UploadResult:
    """One file stored for a Q Apps card. Holds no presigned fields and no credentials.

    ``expiration`` is when the presigned upload URL stopped being usable (aware UTC); the
    ``file_id`` is what ``FileUploadCardInput.fileId`` or a ``CardValue`` takes afterwards.
    """

    file_id: str
    expiration: datetime
    file_name: str
    size: int
    sha256: str
    scope: str
    instance_id: str
    app_id: str
    card_id: str
    session_id: str | None = None
    sandbox: bool = False
    attempts: int = field(default=1, compare=False)
    clock_offset: float = field(default=0.0, compare=False, repr=False)
    """Server clock minus local clock in seconds, so "expires in" is right on a skewed clock."""
    app_title: str | None = field(default=None, compare=False)
    card_title: str | None = field(default=None, compare=False)
    """Titles, when the app or card was given by title (or looked up for ``attach``)."""
    attached: bool = False
    """``attach=True`` made this file the card's default file (``UpdateQApp``)."""
    app_version: int | None = None
    """The app's version after ``attach`` (what StartQAppSession's ``appVersion`` takes)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (expiration as ISO 8601), for pipelines and papermill."""
        data = asdict(self)
        del data["clock_offset"]
        data["expiration"] = self.expiration.isoformat()
        return data

    def expires_in(self) -> str:
        """'expires in 14 min', judged by the server's clock."""
        return expires_in(self.expiration, datetime.now(timezone.utc)
                          + timedelta(seconds=self.clock_offset))

    @property
    def card_value(self) -> dict[str, str]:
        """The ``CardValue`` that feeds this file to a session (StartQAppSession)."""
        return {"cardId": self.card_id, "value": self.file_id}

    def __repr__(self) -> str:
        where = " sandbox" if self.sandbox else ""
        return (
            f"<UploadResult{where} {self.file_name!r} file_id={self.file_id} "
            f"size={format_size(self.size)} expiration={self.expiration.isoformat()} "
            f"({self.expires_in()})>"
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self) + (f"\n{self.attached_text()}" if self.attached else ""))

    def attached_text(self) -> str:
        """'set as the default file of card 'Dataset' (app version 4)', or ''."""
        if not self.attached:
            return ""
        card = repr(self.card_title) if self.card_title else self.card_id
        return f"set as the default file of card {card} (app version {self.app_version})"

    def _target_rows(self) -> list[tuple[str, str]]:
        """The card (when known by title) and, after ``attach``, the default-file line."""
        esc = html.escape
        rows = []
        if self.card_title:
            app = f" of app {esc(self.app_title)}" if self.app_title else ""
            rows.append(("card", f"{esc(self.card_title)}{app}"))
        if self.attached:
            rows.append(("default", esc(self.attached_text())))
        return rows

    def _repr_html_(self) -> str:
        esc = html.escape
        badge = (
            '<span style="background:#b45309;color:#fff;border-radius:3px;padding:0 4px;'
            'font-size:85%;margin-left:6px" title="Stored in the local qapps-nb sandbox, '
            'not in AWS">SANDBOX</span>'
            if self.sandbox
            else ""
        )
        rows = [
            ("fileId", f"<code>{esc(self.file_id)}</code>"),
            ("expires", f"{esc(self.expiration.isoformat())} ({esc(self.expires_in())})"),
            ("size", esc(format_size(self.size))),
            ("scope", esc(self.scope) + (f" · session {esc(self.session_id)}"
                                         if self.session_id else "")),
        ]
        rows += self._target_rows()
        body = "".join(
            f'<tr><th style="text-align:left;padding-right:1em">{k}</th>'
            f'<td style="text-align:left">{v}</td></tr>'
            for k, v in rows
        )
        return (
            '<div class="qapps-nb-result">'
            f"<strong>Uploaded {esc(self.file_name)}</strong>{badge}"
            f'<table style="margin:0">{body}</table></div>'
        )


class UploadResults(list):
    """A plain list of results (index it, loop over it) that shows as a small HTML table.

    After a partly failed batch, failed entries hold the exception instead of a result.
    """

    def _repr_html_(self) -> str:
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
