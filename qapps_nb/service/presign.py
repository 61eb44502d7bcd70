"""Ask Amazon Q Apps for a presigned S3 POST (``create_presigned_url``).

The answer's fields are secret (signature, policy, credential, token): they live only on
:class:`Presigned`, never on results, reprs or INFO logs. Expiry is judged by the server's
clock (its ``Date`` header), so a skewed laptop clock neither wastes nor races a URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from .client import call, get_client, is_sandbox

__all__ = ["EXPIRY_MARGIN", "Presigned", "create_presigned_url", "get_client"]

log = logging.getLogger("qapps_nb")

EXPIRY_MARGIN = timedelta(seconds=10)
"""A URL this close to expiring is renewed rather than raced."""


@dataclass(frozen=True)
class Presigned:
    """One presigned POST. ``fields`` are secret: never shown, logged or kept on results."""

    file_id: str
    url: str
    fields: dict[str, str] = field(repr=False)
    expiration: datetime
    clock_offset: timedelta
    """Server clock minus local clock, from the response's Date header (skew-proof expiry)."""
    sandbox: bool = False

    def expired(self, margin: timedelta = EXPIRY_MARGIN) -> bool:
        server_now = datetime.now(timezone.utc) + self.clock_offset
        return server_now + margin >= self.expiration


def create_presigned_url(client: Any, *, instance_id: str, app_id: str, card_id: str,
                         file_name: str, sha256: str, scope: str,
                         session_id: str | None) -> Presigned:
    """One API call; the standard retry mode already retried throttling and 5xx."""
    params: dict[str, Any] = {"instanceId": instance_id, "appId": app_id, "cardId": card_id,
                              "fileContentsSha256": sha256, "fileName": file_name, "scope": scope}
    if session_id:
        params["sessionId"] = session_id
    response = call(client, "create_presigned_url", **params)
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    expiration = response["presignedUrlExpiration"]
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=timezone.utc)
    presigned = Presigned(
        file_id=response["fileId"],
        url=response["presignedUrl"],
        fields=dict(response.get("presignedUrlFields") or {}),
        expiration=expiration.astimezone(timezone.utc),
        clock_offset=_clock_offset(headers.get("date")),
        sandbox=is_sandbox(response),
    )
    log.info("presigned upload for %s: fileId %s, expires %s", file_name, presigned.file_id,
             presigned.expiration.isoformat())
    return presigned


def _clock_offset(date_header: str | None) -> timedelta:
    if not date_header:
        return timedelta(0)
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return timedelta(0)
    offset = server - datetime.now(timezone.utc)
    # The Date header has 1 s resolution; ignore sub-second noise.
    return offset if abs(offset) > timedelta(seconds=2) else timedelta(0)
