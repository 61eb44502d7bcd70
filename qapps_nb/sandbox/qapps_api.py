"""The Amazon Q Apps side: routing by the service model, and CreatePresignedUrl.

:func:`operation_for` finds the operation a request is for in botocore's ``qapps``
model (path and method); :func:`dispatch` reads its input from the ``instance-id``
header, the querystring (GET) or the JSON body (POST), validates it against the model
and calls the handler: apps in ``app_ops.py``, sessions in ``session_ops.py`` and
CreatePresignedUrl here. Its presigned POST is signed with the sandbox's own secret so
the S3 side can verify it as strictly as S3 does.

An app id the sandbox does not know is accepted by CreatePresignedUrl, so ad-hoc ids
keep working; for an app it knows, the card must be one of its file-upload cards.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from . import model, policy
from .apps import card_body, card_kind
from .errors import ApiError, validation_error
from .faults import Fault
from .state import SandboxState
from .store import PendingUpload

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/\s,]+)/(?P<date>\d{8})/(?P<region>[^/\s,]+)/"
    r"(?P<service>[^/\s,]+)/aws4_request,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]{64}")
KMS_KEY_UUID = "5a4db0e1-0000-4000-8000-5a4db0e1c0de"


class Headers(Protocol):
    """Case-insensitive request headers (``email.message.Message`` or a mapping)."""

    def get(self, name: str, /) -> str | None: ...


@dataclass
class ApiRequest:
    """A Q Apps request as handed to an operation: ``params`` passed the model's checks."""

    method: str
    path: str
    headers: Headers
    body: Any
    """The parsed JSON body; ``{}`` for a GET operation (whatever body it came with)."""
    fault: Fault | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def instance_id(self) -> str:
        return str(self.params["instanceId"])


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Operation = Callable[[SandboxState, ApiRequest], ApiResponse]


def ok(body: Mapping[str, Any] | None = None) -> ApiResponse:
    return ApiResponse(200, dict(body or {}))


def check_auth(headers: Headers) -> None:
    """Require a SigV4 ``Authorization`` header scoped to service ``qapps``.

    The signature itself is not checked: any dummy credentials must work.
    """
    value = headers.get("Authorization")
    if not value:
        raise ApiError(401, "UnauthorizedException",
                       "Missing Authentication Token: the request must be signed with SigV4.")
    match = _AUTH.match(value.strip())
    if match is None:
        raise ApiError(401, "UnauthorizedException",
                       "Authorization header is not a valid AWS4-HMAC-SHA256 signature.")
    if match["service"] != "qapps":
        raise ApiError(401, "UnauthorizedException",
                       f"Credential should be scoped to correct service: 'qapps', "
                       f"not {match['service']!r}.")


# -- CreatePresignedUrl ------------------------------------------------------------------
def _presign_problems(params: Mapping[str, Any]) -> list[str]:
    """What the service refuses beyond the model (which allows these)."""
    out: list[str] = []
    digest = params["fileContentsSha256"]
    if not _is_sha256_b64(digest):
        out.append(f"Value '{model.shown(digest)}' at 'fileContentsSha256' failed to satisfy "
                   "constraint: Member must be the Base64-encoded SHA-256 digest (32 bytes) "
                   "of the file")
    if not params["fileName"]:
        out.append("Value '' at 'fileName' failed to satisfy constraint: Member must have "
                   "length between 1 and 100")
    if params["scope"] == "SESSION" and not params.get("sessionId"):
        out.append("Value null at 'sessionId' failed to satisfy constraint: Member must not "
                   "be null when scope is SESSION")
    return out


def _is_sha256_b64(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 44:
        return False
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _target_problems(state: SandboxState, params: Mapping[str, Any]) -> list[str]:
    """For an app or session the sandbox knows, the card must be one of its file cards."""
    instance, app_id, card_id = params["instanceId"], params["appId"], params["cardId"]
    session_id = params.get("sessionId")
    out: list[str] = []
    if params["scope"] == "SESSION" and session_id:
        session = state.sessions.find(session_id)
        if session is None and state.sessions.was_stopped(session_id):
            out.append(f"Value '{session_id}' at 'sessionId' failed to satisfy constraint: "
                       "Member must be a running session (this one was stopped)")
        elif session is not None and (session.app_id != app_id
                                      or session.instance_id != instance):
            out.append(f"Value '{session_id}' at 'sessionId' failed to satisfy constraint: "
                       f"Member must be a session of app {app_id} (it runs app "
                       f"{session.app_id})")
    app = state.apps.find(app_id)
    if app is None or app.instance_id != instance:
        return out  # an ad-hoc app id: accepted, as before the sandbox knew apps
    files = [card_body(c) for c in app.latest.cards if card_kind(c) == "fileUpload"]
    if card_id not in [f["id"] for f in files]:
        listed = ", ".join(f"{f['title']!r} {f['id']}" for f in files) or "none"
        out.append(f"Value '{card_id}' at 'cardId' failed to satisfy constraint: Member must "
                   f"be a file-upload card of app {app_id} (its file-upload cards: {listed})")
    return out


def create_presigned_url(state: SandboxState, request: ApiRequest) -> ApiResponse:
    """``POST /apps.createPresignedUrl``: a presigned S3 POST for one file."""
    params = request.params
    problems = _presign_problems(params) or _target_problems(state, params)
    if problems:
        raise validation_error(problems)
    instance_id = request.instance_id
    settings = state.settings
    now = state.now()
    file_id = str(uuid.uuid4())
    key = f"{instance_id}/{params['appId']}/{file_id}/{params['fileName']}"
    expired = request.fault is not None and request.fault.kind == "expired_url"
    expiration = now - timedelta(minutes=1) if expired else now + timedelta(
        seconds=settings.url_ttl)
    date = policy.amz_date(now)
    context = {"aws:s3:arn": f"arn:aws:s3:::{state.bucket}/{key}"}
    fields = {
        "key": key,
        "x-amz-checksum-sha256": params["fileContentsSha256"],
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id":
            f"arn:aws:kms:{state.region}:000000000000:key/{KMS_KEY_UUID}",
        "x-amz-server-side-encryption-context":
            base64.b64encode(json.dumps(context).encode()).decode(),
        "x-amz-algorithm": policy.ALGORITHM,
        "x-amz-credential": f"{state.presign_access_key}/{date[:8]}/{state.region}/s3/"
                            "aws4_request",
        "x-amz-date": date,
        "x-amz-security-token": "SBX" + base64.b64encode(secrets.token_bytes(96)).decode(),
    }
    policy_b64 = policy.encode_policy(expiration, state.bucket, fields, settings.max_size)
    fields["policy"] = policy_b64
    fields["x-amz-signature"] = policy.sign(policy_b64, state.presign_secret, date[:8],
                                            state.region)
    state.store.expect(PendingUpload(
        key=key, file_id=file_id, file_name=params["fileName"], scope=params["scope"],
        app_id=params["appId"], card_id=params["cardId"], session_id=params.get("sessionId"),
        instance_id=instance_id))
    return ok({
        "fileId": file_id,
        "presignedUrl": state.s3_url,
        "presignedUrlFields": fields,
        "presignedUrlExpiration": policy.iso_ms(expiration),
    })


# -- routing -----------------------------------------------------------------------------
@functools.cache
def handlers() -> dict[str, Operation]:
    """Model operation name → handler, for every operation the sandbox implements."""
    from . import app_ops, session_ops

    return {"CreatePresignedUrl": create_presigned_url, **app_ops.HANDLERS,
            **session_ops.HANDLERS}


def operation_for(method: str, path: str) -> model.OperationSpec:
    """The implemented operation at ``path``, or UnknownOperationException."""
    spec = model.operation_at(method, path)
    if spec.name not in handlers():
        raise ApiError(404, "UnknownOperationException",
                       f"The sandbox does not implement {spec.name} ({method} {path}).")
    return spec


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON request body (empty means ``{}``), or a ValidationException."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "ValidationException",
                       f"Request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "ValidationException", "Request body must be a JSON object.")
    return body


def dispatch(state: SandboxState, spec: model.OperationSpec, request: ApiRequest,
             query: Mapping[str, list[str]]) -> ApiResponse:
    """Read and validate the operation's input, then run its handler."""
    params = model.read_input(spec, request.headers, query, request.body)
    problems = model.validate_input(spec, params)
    if params.get("instanceId") == "":
        problems.insert(0, "Value '' at 'instanceId' failed to satisfy constraint: Member "
                           "must have length greater than or equal to 1")
    if problems:
        raise validation_error(problems)
    request.params = params
    return handlers()[spec.name](state, request)
