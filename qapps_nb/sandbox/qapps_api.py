"""The Amazon Q Apps side: rest-json operations, validated like the botocore model.

Operations are looked up by request path in :data:`OPERATIONS`, so ListQApps, GetQApp
or sessions can be added later as one function each. Only ``createPresignedUrl`` exists
today; its presigned POST is signed with the sandbox's own secret so the S3 side can
verify it as strictly as S3 does.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from . import policy
from .errors import ApiError, validation_error
from .faults import Fault
from .state import SandboxState
from .store import PendingUpload

UUID_PATTERN = r"[\da-f]{8}-[\da-f]{4}-[45][\da-f]{3}-[89ABab][\da-f]{3}-[\da-f]{12}"
_UUID = re.compile(UUID_PATTERN, re.ASCII)  # \d is [0-9] in the service, as in Java
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/\s,]+)/(?P<date>\d{8})/(?P<region>[^/\s,]+)/"
    r"(?P<service>[^/\s,]+)/aws4_request,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]{64}")
SCOPES = ("APPLICATION", "SESSION")
KMS_KEY_UUID = "5a4db0e1-0000-4000-8000-5a4db0e1c0de"


class Headers(Protocol):
    """Case-insensitive request headers (``email.message.Message`` or a mapping)."""

    def get(self, name: str, /) -> str | None: ...


@dataclass
class ApiRequest:
    """A parsed Q Apps request, as handed to an operation."""

    method: str
    path: str
    headers: Headers
    body: Any
    fault: Fault | None = None


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Operation = Callable[[SandboxState, ApiRequest], ApiResponse]


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


def _problems(body: Mapping[str, Any], instance_id: str | None) -> list[str]:
    """Every model violation of a createPresignedUrl input, AWS wording."""
    out: list[str] = []

    def null(name: str) -> None:
        out.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")

    if not instance_id:
        null("instanceId")
    for name in ("appId", "cardId", "sessionId"):
        value = body.get(name)
        if value is None:
            if name != "sessionId":
                null(name)
        elif not isinstance(value, str) or not _UUID.fullmatch(value):
            out.append(f"Value '{value}' at '{name}' failed to satisfy constraint: Member must "
                       f"satisfy regular expression pattern: {UUID_PATTERN}")
    digest = body.get("fileContentsSha256")
    if digest is None:
        null("fileContentsSha256")
    elif not _is_sha256_b64(digest):
        out.append(f"Value '{digest}' at 'fileContentsSha256' failed to satisfy constraint: "
                   "Member must be the Base64-encoded SHA-256 digest (32 bytes) of the file")
    file_name = body.get("fileName")
    if file_name is None:
        null("fileName")
    elif not isinstance(file_name, str) or not 1 <= len(file_name) <= 100:
        out.append(f"Value '{file_name}' at 'fileName' failed to satisfy constraint: Member must "
                   "have length between 1 and 100")
    scope = body.get("scope")
    if scope is None:
        null("scope")
    elif scope not in SCOPES:
        out.append(f"Value '{scope}' at 'scope' failed to satisfy constraint: Member must "
                   "satisfy enum value set: [APPLICATION, SESSION]")
    elif scope == "SESSION" and not body.get("sessionId"):
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


def create_presigned_url(state: SandboxState, request: ApiRequest) -> ApiResponse:
    """``POST /apps.createPresignedUrl``: a presigned S3 POST for one file."""
    body = request.body
    instance_id = request.headers.get("instance-id")
    problems = _problems(body, instance_id)
    if problems:
        raise validation_error(problems)
    assert instance_id is not None

    settings = state.settings
    now = state.now()
    file_id = str(uuid.uuid4())
    key = f"{instance_id}/{body['appId']}/{file_id}/{body['fileName']}"
    expired = request.fault is not None and request.fault.kind == "expired_url"
    expiration = now - timedelta(minutes=1) if expired else now + timedelta(
        seconds=settings.url_ttl)
    date = policy.amz_date(now)
    context = {"aws:s3:arn": f"arn:aws:s3:::{state.bucket}/{key}"}
    fields = {
        "key": key,
        "x-amz-checksum-sha256": body["fileContentsSha256"],
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
        key=key, file_id=file_id, file_name=body["fileName"], scope=body["scope"],
        app_id=body["appId"], card_id=body["cardId"], session_id=body.get("sessionId"),
        instance_id=instance_id))
    return ApiResponse(200, {
        "fileId": file_id,
        "presignedUrl": state.s3_url,
        "presignedUrlFields": fields,
        "presignedUrlExpiration": policy.iso_ms(expiration),
    })


OPERATIONS: dict[str, tuple[str, Operation]] = {
    "/apps.createPresignedUrl": ("POST", create_presigned_url),
}
"""Request path → (HTTP method, operation). Add operations here."""


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


def lookup(method: str, path: str) -> Operation:
    """The operation for a path, or the error AWS gives for an unknown one."""
    entry = OPERATIONS.get(path)
    if entry is None:
        raise ApiError(404, "UnknownOperationException",
                       f"The sandbox does not implement {method} {path}.")
    if entry[0] != method:
        raise ApiError(405, "UnknownOperationException", f"{path} accepts {entry[0]} only.")
    return entry[1]
