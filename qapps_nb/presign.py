"""Ask Amazon Q Apps for a presigned S3 POST (``create_presigned_url``) through boto3.

Clients are cached per (session, profile, region, endpoint, environment) because building
one costs tens of milliseconds; boto3 clients are thread-safe once built. Every botocore
failure becomes one :class:`ApiError` / :class:`ConfigurationError` line with a hint.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from ._version import __version__
from .errors import ApiError, ConfigurationError

log = logging.getLogger("qapps_nb")

_ENV_KEYS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
             "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_QAPPS", "AWS_ACCESS_KEY_ID",
             "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
_clients: dict[tuple[Any, ...], Any] = {}
_session_clients: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary())
_lock = threading.Lock()

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


def get_client(session: Any = None, profile: str | None = None, region: str | None = None,
               endpoint_url: str | None = None) -> Any:
    """A cached ``qapps`` client; env settings are part of the key so a changed env is seen."""
    env = tuple(os.environ.get(k) for k in _ENV_KEYS)
    key = (profile, region, endpoint_url, env)
    with _lock:
        cache = _clients if session is None else _session_clients.setdefault(session, {})
        client = cache.get(key)
        if client is None:
            client = _build_client(session, profile, region, endpoint_url)
            cache[key] = client
        return client


def _build_client(session: Any, profile: str | None, region: str | None,
                  endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, NoRegionError, ProfileNotFound

    config = Config(retries={"mode": "standard", "total_max_attempts": 5},
                    user_agent_extra=f"qapps-nb/{__version__}",
                    connect_timeout=10, read_timeout=60, max_pool_connections=32)
    if session is None and region is None and not os.environ.get("AWS_DEFAULT_REGION"):
        region = os.environ.get("AWS_REGION") or None  # botocore reads only AWS_DEFAULT_REGION
    try:
        if session is None:
            session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        elif profile:
            raise ConfigurationError("give either session= or profile=, not both")
        return session.client("qapps", region_name=region, endpoint_url=endpoint_url,
                              config=config)
    except ProfileNotFound:
        raise ConfigurationError(
            f"AWS profile {profile or os.environ.get('AWS_PROFILE')!r} not found",
            hint="check ~/.aws/config or pass profile=/--profile") from None
    except NoRegionError:
        raise ConfigurationError(
            "no AWS region for Amazon Q Apps",
            hint="pass region=/--region or set AWS_REGION (e.g. us-east-1)") from None
    except BotoCoreError as exc:
        raise ConfigurationError(f"cannot create the Q Apps client: {exc}") from None


def create_presigned_url(client: Any, *, instance_id: str, app_id: str, card_id: str,
                         file_name: str, sha256: str, scope: str,
                         session_id: str | None) -> Presigned:
    """One API call; the standard retry mode already retried throttling and 5xx."""
    from botocore.exceptions import BotoCoreError, ClientError

    params: dict[str, Any] = {"instanceId": instance_id, "appId": app_id, "cardId": card_id,
                              "fileContentsSha256": sha256, "fileName": file_name, "scope": scope}
    if session_id:
        params["sessionId"] = session_id
    try:
        response = client.create_presigned_url(**params)
    except ClientError as exc:
        raise _api_error(exc) from None
    except BotoCoreError as exc:
        raise _botocore_error(exc, client) from None
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
        sandbox=headers.get("x-qapps-sandbox") == "true",
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


_API_HINTS = {
    "ValidationException": "check the ids, scope and file name",
    "UnauthorizedException": "Q Apps needs identity-aware credentials (IAM Identity Center); "
                             "refresh them (aws sso login) or pass session=/--profile",
    "AccessDeniedException": "your role needs qapps:ImportDocument on this Q App",
    "ThrottlingException": "Q Apps is throttling requests; wait a moment, or lower max_workers",
    "InternalServerException": "Q Apps had an internal error; try again shortly",
    "ResourceNotFoundException": "check the instance, app and card ids",
    "ServiceQuotaExceededException": "a Q Apps quota was reached; see Service Quotas",
    "ExpiredTokenException": "your credentials expired; refresh them (aws sso login)",
    "UnrecognizedClientException": "the credentials are not valid for Q Apps",
    "InvalidSignatureException": "the request signature was refused; check your credentials "
                                 "and your clock",
}


def _api_error(exc: Any) -> ApiError:
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    code = error.get("Code") or "Unknown"
    message = (error.get("Message") or "").strip().rstrip(".")
    text = "Q Apps create_presigned_url failed" + (f": {message}" if message else "")
    return ApiError(text, code=code, hint=_API_HINTS.get(code, "see the AWS code above"),
                    status=meta.get("HTTPStatusCode"), request_id=meta.get("RequestId"))


def _botocore_error(exc: Exception, client: Any) -> Exception:
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoCredentialsError):
        return ConfigurationError(
            "no AWS credentials found",
            hint="pass session= or profile=/--profile, or run aws sso login")
    if isinstance(exc, (bx.TokenRetrievalError, bx.SSOTokenLoadError,
                        bx.UnauthorizedSSOTokenError)):
        return ConfigurationError("your AWS SSO session has expired",
                                  hint="run aws sso login and try again")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError,
                        bx.ReadTimeoutError, bx.ConnectionClosedError)):
        return ApiError(f"could not reach Amazon Q Apps at {client.meta.endpoint_url}",
                        code=type(exc).__name__,
                        hint="check the network, region and endpoint URL, then try again")
    if isinstance(exc, bx.ParamValidationError):
        return ApiError(f"Q Apps request was invalid: {exc}", code="ParamValidation")
    return ApiError(f"Q Apps call failed: {exc}", code=type(exc).__name__)
