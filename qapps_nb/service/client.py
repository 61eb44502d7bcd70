"""The one boto3 ``qapps`` client every Q Apps call shares, and AWS errors as one line.

Clients are cached per (session, profile, region, endpoint, environment) because building
one costs tens of milliseconds; boto3 clients are thread-safe once built. :func:`call`
runs one operation and turns every botocore failure into one :class:`ApiError` /
:class:`ConfigurationError` line that names the operation, the AWS code and what to do.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from .. import config
from .._version import __version__
from ..errors import ApiError, ConfigurationError, MissingSettingsError

log = logging.getLogger("qapps_nb")

_ENV_KEYS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
             "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_QAPPS", "AWS_ACCESS_KEY_ID",
             "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_DATA_PATH")
MIN_BOTOCORE = (1, 35, 74)
"""The first botocore whose ``qapps`` model has everything qapps-nb calls: 1.35.70 added
CreatePresignedUrl (and the session metadata operations), 1.35.74 added a plugin card's
``actionIdentifier``, without which updating an app's cards would silently drop it."""
_clients: dict[tuple[Any, ...], Any] = {}
_session_clients: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary())
_lock = threading.Lock()


@dataclass(frozen=True)
class ClientOptions:
    """How to reach Q Apps: a ready ``boto3.Session`` or a profile, plus region/endpoint.

    Every field left ``None`` falls back to boto3's own resolution (``AWS_PROFILE``,
    ``AWS_REGION``, ``AWS_ENDPOINT_URL_QAPPS``...).
    """

    session: Any = None
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None

    def client(self) -> Any:
        return get_client(self.session, self.profile, self.region, self.endpoint_url)

    def cache_key(self) -> tuple[Any, ...]:
        """Identifies the account/endpoint a client talks to (for caches of API answers)."""
        env = tuple(os.environ.get(k) for k in _ENV_KEYS)
        return (id(self.session) if self.session is not None else None, self.profile,
                self.region, self.endpoint_url, env)


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
    from botocore.exceptions import (
        BotoCoreError,
        NoRegionError,
        ProfileNotFound,
        UnknownServiceError,
    )

    settings = Config(retries={"mode": "standard", "total_max_attempts": 5},
                    user_agent_extra=f"qapps-nb/{__version__}",
                    connect_timeout=10, read_timeout=60, max_pool_connections=32)
    if session is None and region is None and not os.environ.get("AWS_DEFAULT_REGION"):
        region = os.environ.get("AWS_REGION") or None  # botocore reads only AWS_DEFAULT_REGION
    try:
        if session is None:
            session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        elif profile:
            raise ConfigurationError("give either session= or profile=, not both")
        client = session.client("qapps", region_name=region, endpoint_url=endpoint_url,
                                config=settings)
    except UnknownServiceError:  # botocore before 1.34.120 knows no Q Apps at all
        raise botocore_too_old() from None
    except ProfileNotFound as exc:
        raise ConfigurationError(
            profile_not_found(profile or exc.kwargs.get("profile"))) from None
    except NoRegionError:
        problems = setup_problems(session, profile, region) or [
            ("region", config.how_to_set("region"))]
        raise MissingSettingsError(config.missing_message([m for _, m in problems]),
                                   missing=tuple(n for n, _ in problems)) from None
    except BotoCoreError as exc:
        raise ConfigurationError(f"cannot create the Q Apps client: {exc}") from None
    if not _model_is_recent(client):
        raise botocore_too_old()
    return client


def _model_is_recent(client: Any) -> bool:
    """Whether the client's service model has the newest parts qapps-nb relies on (see
    :data:`MIN_BOTOCORE`). Checked on the model rather than the version number, so that a
    model supplied through ``AWS_DATA_PATH`` is judged by what it has."""
    model = client.meta.service_model
    if "CreatePresignedUrl" not in model.operation_names:
        return False
    if "QPluginCardInput" not in model.shape_names:
        return False
    return "actionIdentifier" in model.shape_for("QPluginCardInput").members


def botocore_too_old() -> ConfigurationError:
    import botocore

    need = ".".join(map(str, MIN_BOTOCORE))
    return ConfigurationError(
        f"botocore {botocore.__version__} is too old for Amazon Q Apps: "
        f"qapps-nb needs botocore >= {need}",
        hint="upgrade it: pip install -U boto3 botocore")


def profile_not_found(profile: str | None) -> str:
    """The named profile is not in the AWS config: say which and where, not "pass --profile"."""
    came_from = ""
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if os.environ.get(variable) and (profile is None or os.environ[variable] == profile):
            profile, came_from = os.environ[variable], f" (set by {variable})"
            break
    where = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    return (f"AWS profile {profile!r} not found in {where}{came_from} — check its spelling; "
            "aws configure list-profiles shows the profiles you have")


def setup_problems(session: Any = None, profile: str | None = None,
                   region: str | None = None) -> list[tuple[str, str]]:
    """What keeps boto3 from calling Q Apps, all at once: ``[(name, how to set it)]``.

    Resolves profile, region and credentials as boto3 would for the first call (so it
    costs what that call would), and only runs once something is already known missing:
    the user then learns everything in one go instead of one setting per run.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        if session is None:
            session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound:
        return [("profile", profile_not_found(profile))]
    problems = []
    if not (region or session.region_name or os.environ.get("AWS_REGION")):
        problems.append(("region", config.how_to_set("region")))
    try:
        credentials = session.get_credentials()
    except BotoCoreError:
        credentials = None
    if credentials is None:
        problems.append(("credentials", config.how_to_set("credentials")))
    return problems


def missing_error(missing: list[str], options: ClientOptions) -> MissingSettingsError:
    """One error naming every missing setting (``instance_id``, ``app``...) and, found the
    same way boto3 would, a missing region, credentials or an unknown profile."""
    problems = [(name, config.how_to_set(name)) for name in missing]
    try:
        problems += setup_problems(options.session, options.profile, options.region)
    except ConfigurationError as exc:  # session= and profile= both given
        problems.append(("aws", exc.message))
    return MissingSettingsError(config.missing_message([line for _, line in problems]),
                                missing=tuple(name for name, _ in problems))


def call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """Run one Q Apps operation (``"list_q_apps"``...) with botocore's retries.

    Returns the response dict; raises one-line :class:`ApiError` / ``ConfigurationError``.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response: dict[str, Any] = getattr(client, operation)(**params)
    except ClientError as exc:
        raise api_error(exc, operation) from None
    except BotoCoreError as exc:
        raise botocore_error(exc, client, operation) from None
    return response


def is_sandbox(response: dict[str, Any]) -> bool:
    """Whether an answer came from the local qapps-nb sandbox (it marks every response)."""
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    return bool(headers.get("x-qapps-sandbox") == "true")


CODE_HINTS = {
    "ValidationException": "check the ids and values sent",
    "UnauthorizedException": "Q Apps needs identity-aware credentials (IAM Identity Center); "
                             "refresh them (aws sso login) or pass session=/--profile",
    "AccessDeniedException": "your role lacks permission for this Q Apps action",
    "ThrottlingException": "Q Apps is throttling requests; wait a moment, or lower max_workers",
    "InternalServerException": "Q Apps had an internal error; try again shortly",
    "ResourceNotFoundException": "check the instance, app and card ids",
    "ServiceQuotaExceededException": "a Q Apps quota was reached; see Service Quotas",
    "ConflictException": "the resource changed meanwhile; try again",
    "ContentTooLargeException": "the content is larger than Q Apps accepts",
    "ExpiredTokenException": "your credentials expired; refresh them (aws sso login)",
    "UnrecognizedClientException": "the credentials are not valid for Q Apps",
    "InvalidSignatureException": "the request signature was refused; check your credentials "
                                 "and your clock",
}
_OPERATION_HINTS = {
    ("create_presigned_url", "ValidationException"): "check the ids, scope and file name",
    ("create_presigned_url", "AccessDeniedException"):
        "your role needs qapps:ImportDocument on this Q App",
    ("list_q_apps", "AccessDeniedException"):
        "your role needs qapps:ListQApps on the Q Business application; or give the app and "
        "card by id (app_id=, card_id=), which needs no lookup",
    ("list_q_apps", "ValidationException"): "check the instance id (the Q Business application id)",
    ("get_q_app", "AccessDeniedException"):
        "your role needs qapps:GetQApp on this Q App (you own it, or it is published); or give "
        "the app and card by id (app_id=, card_id=), which needs no lookup",
    ("get_q_app", "ResourceNotFoundException"):
        "no such app in this instance; %qapps_apps or qapps_nb.list_apps() lists yours",
    ("get_q_app", "ValidationException"): "check the instance and app ids",
    ("update_q_app", "AccessDeniedException"):
        "only the app's owner can change it (qapps:UpdateQApp)",
    ("update_q_app", "ValidationException"):
        "Q Apps refused the updated definition; check the card's default file and the app",
    ("update_q_app", "ResourceNotFoundException"): "the app was deleted meanwhile",
}


def api_error(exc: Any, operation: str) -> ApiError:
    """A botocore ``ClientError`` as one line: ``Q Apps <op> failed: <msg> [Code] — hint``."""
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    code = error.get("Code") or "Unknown"
    message = (error.get("Message") or "").strip().rstrip(".")
    text = f"Q Apps {operation} failed" + (f": {message}" if message else "")
    hint = _OPERATION_HINTS.get((operation, code)) or CODE_HINTS.get(code, "see the AWS code above")
    return ApiError(text, code=code, hint=hint, status=meta.get("HTTPStatusCode"),
                    request_id=meta.get("RequestId"), operation=operation)


def botocore_error(exc: Exception, client: Any, operation: str) -> Exception:
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoCredentialsError):
        return MissingSettingsError(config.how_to_set("credentials"), missing=("credentials",))
    if isinstance(exc, (bx.TokenRetrievalError, bx.SSOTokenLoadError,
                        bx.UnauthorizedSSOTokenError)):
        return ConfigurationError("your AWS SSO session has expired",
                                  hint="run aws sso login and try again")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError,
                        bx.ReadTimeoutError, bx.ConnectionClosedError)):
        return ApiError(f"could not reach Amazon Q Apps at {client.meta.endpoint_url}",
                        code=type(exc).__name__, operation=operation,
                        hint="check the network, region and endpoint URL, then try again")
    if isinstance(exc, bx.ParamValidationError):
        return ApiError(f"Q Apps {operation} request was invalid: {exc}",
                        code="ParamValidation", operation=operation)
    return ApiError(f"Q Apps {operation} failed: {exc}", code=type(exc).__name__,
                    operation=operation)
