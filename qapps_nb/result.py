"""The result of one upload: what a user keeps, shows inline and passes on to Q Apps.

What expires is the presigned *upload URL*, not the stored file: once the upload is done
it no longer matters, so displays keep it as a detail ("upload URL valid until 19:57 UTC")
and never say "expired" next to a fileId. The value stays on the result (``expiration``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any


def format_size(size: int, *, exact: bool = False) -> str:
    """Human-readable size in decimal units (kB, MB, GB), the one convention of qapps-nb.

    ``1.2 MB``, ``980 B``; ``exact=True`` drops a ``.0`` (``10 MB``) for limits.
    """
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            if unit == "B":
                return f"{int(value)} B"
            text = f"{value:.1f}"
            if exact and text.endswith(".0"):
                text = text[:-2]
            return f"{text} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def url_valid_until(expiration: datetime, now: datetime | None = None) -> str:
    """'upload URL valid until 19:57 UTC' (with the date when it is not today, UTC)."""
    now = now or datetime.now(timezone.utc)
    when = expiration.astimezone(timezone.utc)
    shown = when.strftime("%H:%M") if when.date() == now.date() else when.strftime(
        "%Y-%m-%d %H:%M")
    return f"upload URL valid until {shown} UTC"


@dataclass(frozen=True)
class UploadResult:
    """One file stored for a Q Apps card. Holds no presigned fields and no credentials.

    ``file_id`` is what ``FileUploadCardInput.fileId`` or a ``CardValue`` takes. The
    ``expiration`` (aware UTC) is when the presigned upload URL stopped being usable; the
    stored file does not depend on it. ``attempts`` counts S3 sends plus one per renewed
    URL; ``api_attempts`` counts ``create_presigned_url`` requests, retries included.
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
    """Server clock minus local clock in seconds (expiry is judged by the server's clock)."""
    api_attempts: int = field(default=1, compare=False)
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

    @property
    def card_value(self) -> dict[str, str]:
        """The ``CardValue`` that feeds this file to a session (StartQAppSession)."""
        return {"cardId": self.card_id, "value": self.file_id}

    @property
    def retries(self) -> str:
        """'' when the first try worked, else e.g. '1 S3 resend, 2 Q Apps retries'."""
        parts = []
        if self.attempts > 1:
            parts.append(_count(self.attempts - 1, "S3 resend"))
        if self.api_attempts > 1:
            parts.append(_count(self.api_attempts - 1, "Q Apps retry", "Q Apps retries"))
        return ", ".join(parts)

    def __repr__(self) -> str:
        where = " SANDBOX" if self.sandbox else ""
        retried = f" ({self.retries})" if self.retries else ""
        return (f"<UploadResult{where} {self.file_name!r} file_id={self.file_id} "
                f"size={format_size(self.size)}{retried}>")

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
        from .render import esc

        rows = []
        if self.card_title:
            app = f" of app {esc(self.app_title)}" if self.app_title else ""
            rows.append(("card", f"{esc(self.card_title)}{app}"))
        if self.attached:
            rows.append(("default file", esc(self.attached_text())))
        return rows

    def _repr_html_(self) -> str:
        from .render import esc, id_html, sandbox_badge

        rows = [("fileId", id_html(self.file_id)), ("size", esc(format_size(self.size))),
                ("scope", esc(self.scope.lower()) + (f" · session {id_html(self.session_id)}"
                                                     if self.session_id else ""))]
        rows += self._target_rows()
        if self.retries:
            rows.append(("retries", esc(self.retries)))
        body = "".join(f'<tr><th style="text-align:left;padding-right:1em">{k}</th>'
                       f'<td style="text-align:left">{v}</td></tr>' for k, v in rows)
        return ('<div class="qapps-nb-result">'
                f"<strong>Uploaded {esc(self.file_name)}</strong>{sandbox_badge(self.sandbox)}"
                f'<table style="margin:0">{body}</table>'
                f'<div style="opacity:0.7;font-size:85%">{esc(url_valid_until(self.expiration))}'
                "</div></div>")


@dataclass(frozen=True)
class RetryStats:
    """What a batch took: files, how many were stored, retries on each side, wall time."""

    files: int
    stored: int
    api_retries: int
    s3_resends: int
    url_renewals: int
    seconds: float

    def __str__(self) -> str:
        retried = []
        if self.api_retries:
            retried.append(_count(self.api_retries, "Q Apps retry", "Q Apps retries"))
        if self.s3_resends:
            retried.append(_count(self.s3_resends, "S3 resend"))
        if self.url_renewals:
            retried.append(_count(self.url_renewals, "renewed upload URL"))
        return (f"{self.stored} of {self.files} stored in {self.seconds:.1f} s; "
                + (", ".join(retried) or "no retries"))


class UploadResults(list):
    """A plain list of results (index it, loop over it) that shows as a small HTML table.

    After a partly failed batch, failed entries hold the exception instead of a result.
    ``stats`` (a :class:`RetryStats`, or None) says what the batch took; ``labels`` name
    each source (for failed rows).
    """

    def __init__(self, items: Any = (), *, stats: RetryStats | None = None,
                 labels: list[str] | None = None) -> None:
        super().__init__(items)
        self.stats = stats
        self.labels = labels

    def _repr_html_(self) -> str:
        from .render import esc, id_html, sandbox_badge, table_html

        done = [r for r in self if isinstance(r, UploadResult)]
        sandboxes = {r.sandbox for r in done}
        one_badge = sandboxes == {True}  # all in the sandbox: one badge in the caption
        rows = []
        for index, item in enumerate(self):
            if isinstance(item, BaseException):
                label = self.labels[index] if self.labels and index < len(self.labels) else ""
                rows.append([esc(label), f"failed: {esc(item)}", ""])
                continue
            badge = sandbox_badge(item.sandbox) if not one_badge else ""
            rows.append([esc(item.file_name) + badge, id_html(item.file_id),
                         esc(format_size(item.size))])
        failed = len(self) - len(done)
        caption = f"Uploaded {_count(len(done), 'file')}" + (f", {failed} failed" if failed
                                                            else "")
        footer = (f'<div style="opacity:0.7;font-size:85%">{esc(self.stats)}</div>'
                  if self.stats is not None else "")
        return (f'<div class="qapps-nb-results"><strong>{esc(caption)}</strong>'
                f"{sandbox_badge(one_badge)}"
                f"{table_html(('file', 'fileId', 'size'), rows, css_class='qapps-nb-results')}"
                f"{footer}</div>")


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"
