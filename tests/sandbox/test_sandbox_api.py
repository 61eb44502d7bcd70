"""The Q Apps side, through a plain boto3 client: response shape, validation, auth."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import botocore.exceptions
import pytest
import requests
from sbx_util import b64sha256, client, presign

from qapps_nb.sandbox import Sandbox

FIELD_ORDER = [
    "key", "x-amz-checksum-sha256", "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context",
    "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token", "policy",
    "x-amz-signature",
]


def test_response_looks_like_q_apps(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    data = b"some bytes"
    before = datetime.now(timezone.utc)
    r = presign(sb, data, file_name="report.csv")
    fields = r["presignedUrlFields"]
    assert list(fields) == FIELD_ORDER
    assert r["presignedUrl"] == sb.s3_url
    assert fields["key"] == f"{sb.instance_id}/{sb.app_id}/{r['fileId']}/report.csv"
    assert fields["x-amz-checksum-sha256"] == b64sha256(data)
    assert fields["x-amz-server-side-encryption"] == "aws:kms"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert fields["x-amz-credential"].endswith(f"/{sb.region}/s3/aws4_request")
    context = json.loads(base64.b64decode(fields["x-amz-server-side-encryption-context"]))
    assert context
    exp = r["presignedUrlExpiration"]
    assert isinstance(exp, datetime)
    assert exp.tzinfo is not None
    assert before + timedelta(seconds=890) < exp < before + timedelta(seconds=910)
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert policy["expiration"].endswith("Z")
    conditions = policy["conditions"]
    assert ["content-length-range", 1, sb.settings.max_size] in conditions
    assert {"bucket": "qapps-sandbox"} in conditions
    for name in FIELD_ORDER[:-2]:
        assert {name: fields[name]} in conditions
    headers = r["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-qapps-sandbox"] == "true"
    assert abs(parsedate_to_datetime(headers["date"]) - before) < timedelta(seconds=5)


def test_session_scope_is_remembered(qapps_sandbox: Sandbox) -> None:
    from sbx_util import form_parts, post

    sb = qapps_sandbox
    r = presign(sb, b"x", scope="SESSION", sessionId=sb.session_id)
    resp = post(r["presignedUrl"], form_parts(r["presignedUrlFields"], b"x"))
    assert resp.status_code == 204
    (obj,) = sb.objects()
    assert (obj.scope, obj.session_id, obj.card_id) == ("SESSION", sb.session_id, sb.card_id)


GOOD_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(("field", "value"), [
    ("appId", "not-a-uuid"),
    ("appId", "00000000-0000-1000-8000-000000000000"),  # version 1: pattern wants 4 or 5
    ("cardId", "00000000-0000-4000-c000-000000000000"),  # variant c
    ("cardId", "00000000-0000-4000-8000-00000000000G"),
    ("sessionId", "nope"),
    ("fileContentsSha256", "abc"),
    ("fileContentsSha256", base64.b64encode(b"x" * 31).decode() + "="),  # 31 bytes, 44 chars?
    ("fileContentsSha256", "!" * 44),
    ("fileName", "x" * 101),
    ("fileName", ""),
    ("scope", "GLOBAL"),
])
def test_validation_exception_per_field(qapps_sandbox: Sandbox, field: str, value: str) -> None:
    c = client(qapps_sandbox)
    with pytest.raises(c.exceptions.ValidationException) as info:
        presign(qapps_sandbox, qapps=c, **{field: value})
    assert field in info.value.response["Error"]["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_session_scope_needs_session_id(qapps_sandbox: Sandbox) -> None:
    c = client(qapps_sandbox)
    with pytest.raises(c.exceptions.ValidationException, match="sessionId"):
        presign(qapps_sandbox, qapps=c, scope="SESSION")


def test_empty_instance_id_is_rejected(qapps_sandbox: Sandbox) -> None:
    c = client(qapps_sandbox)
    with pytest.raises(c.exceptions.ValidationException, match="instanceId"):
        presign(qapps_sandbox, qapps=c, instanceId="")


def test_every_problem_is_listed(qapps_sandbox: Sandbox) -> None:
    c = client(qapps_sandbox)
    with pytest.raises(c.exceptions.ValidationException, match=": 3 validation errors detected"):
        presign(qapps_sandbox, qapps=c, appId="a", cardId="b", scope="X")


def _signed_headers(sb: Sandbox, service: str = "qapps") -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    creds = sb.boto3_session().get_credentials()
    req = AWSRequest("POST", f"{sb.endpoint_url}/apps.createPresignedUrl", data=b"{}",
                     headers={"instance-id": sb.instance_id})
    SigV4Auth(creds, service, sb.region).add_auth(req)
    return dict(req.headers.items())


def test_missing_authorization_is_401(qapps_sandbox: Sandbox) -> None:
    resp = requests.post(f"{qapps_sandbox.endpoint_url}/apps.createPresignedUrl",
                         json={}, headers={"instance-id": "x"}, timeout=10)
    assert resp.status_code == 401
    assert resp.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert "message" in resp.json()


def test_wrong_service_scope_is_401(qapps_sandbox: Sandbox) -> None:
    resp = requests.post(f"{qapps_sandbox.endpoint_url}/apps.createPresignedUrl", data=b"{}",
                         headers=_signed_headers(qapps_sandbox, "s3"), timeout=10)
    assert resp.status_code == 401
    assert "qapps" in resp.json()["message"]


def test_unsigned_boto3_client_gets_unauthorized(qapps_sandbox: Sandbox) -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    c = qapps_sandbox.client(config=Config(signature_version=UNSIGNED))
    with pytest.raises(c.exceptions.UnauthorizedException):
        presign_with(c, qapps_sandbox)


def presign_with(c: object, sb: Sandbox) -> None:
    c.create_presigned_url(  # type: ignore[attr-defined]
        instanceId=sb.instance_id, appId=sb.app_id, cardId=sb.card_id,
        fileContentsSha256=b64sha256(b""), fileName="a", scope="APPLICATION")


def test_unknown_operation(qapps_sandbox: Sandbox) -> None:
    headers = _signed_headers(qapps_sandbox)
    resp = requests.post(f"{qapps_sandbox.endpoint_url}/apps.nothingHere", data=b"{}",
                         headers=headers, timeout=10)
    assert resp.status_code == 404
    assert resp.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_clock_skew_shifts_date_and_expiration(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.clock_skew = -3600.0
    sb.settings.url_ttl = 600
    now = datetime.now(timezone.utc)
    r = presign(sb)
    date = parsedate_to_datetime(r["ResponseMetadata"]["HTTPHeaders"]["date"])
    assert abs(date - (now - timedelta(hours=1))) < timedelta(seconds=5)
    expected = now - timedelta(hours=1) + timedelta(seconds=600)
    assert abs(r["presignedUrlExpiration"] - expected) < timedelta(seconds=5)
    policy = json.loads(base64.b64decode(r["presignedUrlFields"]["policy"]))
    assert policy["expiration"].startswith(expected.strftime("%Y-%m-%dT%H:"))


def test_boto3_error_code_is_parsed(qapps_sandbox: Sandbox) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        presign(qapps_sandbox, scope="nope")
    assert info.value.response["Error"]["Code"] == "ValidationException"
