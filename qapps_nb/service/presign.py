"""Ask Amazon Q Apps for a presigned S3 POST (``create_presigned_url``).

The answer's fields are secret (signature, policy, credential, token): they live only on
:class:`Presigned`, never on results, reprs or INFO logs. Expiry is judged by the server's
clock (its ``Date`` header), so a skewed laptop clock neither wastes nor races a URL.

Retries: the shared pacer (``pacing.py``) is hooked into the client for this operation
only. Every HTTP attempt waits for the batch-wide hold, is counted and reports its
outcome; a retryable answer (429, 5xx, throttling, a broken connection) then ends
botocore's call, and the pacer alone decides when to try again. botocore would otherwise
sleep its own backoff on top of the hold (1 s·2ⁿ between 5xx retries in botocore 1.35, our
floor; 50 ms·2ⁿ in newer ones), and those silent gaps made a dead service look alive to
the pacer, so a batch took seconds to minutes longer to fail depending on the version.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from .. import pacing
from ..errors import ApiError, UploadCancelled
from .client import CODE_HINTS, api_error, botocore_error, call, get_client, is_sandbox

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
                         file_name: str, sha256: str, scope: str, session_id: str | None,
                         tries: pacing.Tries | None = None,
                         cancel: threading.Event | None = None) -> Presigned:
    """Ask for a presigned POST, paced with every other upload to this endpoint.

    ``tries`` counts the HTTP attempts across calls (renewed URLs included).
    """
    params: dict[str, Any] = {"instanceId": instance_id, "appId": app_id, "cardId": card_id,
                              "fileContentsSha256": sha256, "fileName": file_name, "scope": scope}
    if session_id:
        params["sessionId"] = session_id
    tries = tries if tries is not None else pacing.Tries()
    pacer = pacing.pacer_for("qapps", str(client.meta.endpoint_url))
    _hook(client)
    while True:
        _active.call = _Call(pacer, tries, cancel, client)
        try:
            response = call(client, "create_presigned_url", **params)
            break
        except pacing.GiveUp as stop:
            code = stop.code or "ServiceUnavailable"
            raise ApiError(f"Q Apps create_presigned_url for {file_name} {stop.reason}",
                           code=code, operation="create_presigned_url",
                           hint=CODE_HINTS.get(code, "try again later")) from None
        except (ApiError, _PacedRetry) as failure:
            exc = failure.error if isinstance(failure, _PacedRetry) else failure
            if not _transient(exc):
                raise
            reason = pacer.give_up_reason(tries)
            if reason is not None:
                raise ApiError(f"{exc.message}; {reason}", code=exc.code, hint=exc.hint,
                               status=exc.status, request_id=exc.request_id,
                               operation=exc.operation) from None
            log.info("create_presigned_url for %s failed (%s) after %d attempts; the batch "
                     "is making progress, so trying again", file_name, exc.code, tries.count)
        finally:
            _active.call = None
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
    log.info("presigned upload for %s: fileId %s, upload URL valid until %s", file_name,
             presigned.file_id, presigned.expiration.isoformat(timespec="seconds"))
    return presigned


# -- pacing hooks on the shared client (CreatePresignedUrl only) ---------------------------

_THROTTLING = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException",
                         "RequestLimitExceeded", "SlowDown"})
_TRANSIENT_CODES = _THROTTLING | {"InternalServerException", "ServiceUnavailable",
                                  "ServiceUnavailableException", "RequestTimeout",
                                  "RequestTimeoutException", "EndpointConnectionError",
                                  "ConnectTimeoutError", "ReadTimeoutError",
                                  "ConnectionClosedError"}
_active = threading.local()


@dataclass
class _Call:
    pacer: pacing.Pacer
    tries: pacing.Tries
    cancel: threading.Event | None
    client: Any
    started: float = 0.0


class _PacedRetry(Exception):
    """Raised from botocore's ``needs-retry`` hook: the pacer, not botocore, retries."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(str(error))
        self.error = error


def _hook(client: Any) -> None:
    """Register the pacing hooks once per client (``unique_id`` makes this idempotent)."""
    events = client.meta.events
    events.register("before-send.qapps.CreatePresignedUrl", _before_send,
                    unique_id="qapps-nb-pacing-before-send")
    events.register("needs-retry.qapps.CreatePresignedUrl", _after_attempt,
                    unique_id="qapps-nb-pacing-needs-retry")


def _before_send(**kwargs: Any) -> None:
    """Every HTTP attempt (botocore's retries too) waits for the shared hold and is counted."""
    current: _Call | None = getattr(_active, "call", None)
    if current is not None:
        current.started = current.pacer.before_attempt(current.tries, current.cancel)


def _after_attempt(response: Any = None, caught_exception: Any = None,
                   **kwargs: Any) -> None:
    """Report each attempt's outcome to the pacer; end the call on a retryable one."""
    current: _Call | None = getattr(_active, "call", None)
    if current is None:
        return
    if isinstance(caught_exception, (pacing.GiveUp, UploadCancelled)):
        return  # raised by _before_send itself: not an answer from Q Apps
    if caught_exception is not None:
        current.pacer.failed(current.tries, current.started, type(caught_exception).__name__)
        error = botocore_error(caught_exception, current.client, "create_presigned_url")
        if isinstance(error, ApiError) and _transient(error):
            raise _PacedRetry(error)
        return
    http, parsed = response
    status = http.status_code
    code = (parsed or {}).get("Error", {}).get("Code")
    if status < 300:
        current.pacer.succeeded()
    elif status == 429 or status >= 500 or code in _THROTTLING:
        current.pacer.failed(current.tries, current.started, code or f"HTTP{status}",
                             pacing.retry_after(http.headers.get("Retry-After")))
        from botocore.exceptions import ClientError

        answer = ClientError(dict(parsed or {}), "CreatePresignedUrl")  # type: ignore[arg-type]
        error = api_error(answer, "create_presigned_url")
        error.status = status
        raise _PacedRetry(error)


def _transient(exc: ApiError) -> bool:
    return (exc.code in _TRANSIENT_CODES or exc.status == 429
            or (exc.status is not None and exc.status >= 500))


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
