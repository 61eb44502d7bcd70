"""Each queued fault, seen by plain clients (boto3 for Q Apps, requests for S3)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
import requests
from sbx_util import client, form_parts, post, presign, s3_code

from qapps_nb.sandbox import Sandbox


@pytest.mark.parametrize(("kind", "status", "code"), [
    ("throttle", 429, "ThrottlingException"),
    ("api_error", 500, "InternalServerException"),
    ("access_denied", 403, "AccessDeniedException"),
    ("unauthorized", 401, "UnauthorizedException"),
    ("validation", 400, "ValidationException"),
])
def test_api_faults(qapps_sandbox: Sandbox, kind: str, status: int, code: str) -> None:
    sb = qapps_sandbox
    c = client(sb)
    sb.inject(kind)
    with pytest.raises(getattr(c.exceptions, code)) as info:
        presign(sb, qapps=c)
    meta = info.value.response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == status
    assert meta["HTTPHeaders"]["x-qapps-sandbox"] == "true"
    if kind == "throttle":
        assert meta["HTTPHeaders"]["retry-after"] == "1"
    presign(sb, qapps=c)  # consumed: the next call works
    assert [(r.status, r.code, r.fault) for r in sb.requests] == [
        (status, code, kind), (200, None, None)]


def test_throttle_retry_after_param_and_times(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.inject("throttle", times=2, retry_after=7)
    c = client(sb)
    for _ in range(2):
        with pytest.raises(c.exceptions.ThrottlingException) as info:
            presign(sb, qapps=c)
        assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "7"
    presign(sb)
    assert sb.faults == []


def test_boto3_retries_through_a_transient_fault(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.inject("api_error")
    presign(sb, qapps=client(sb, retries=2))
    assert [r.status for r in sb.requests] == [500, 200]


def test_expired_url(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.inject("expired_url")
    r = presign(sb)
    assert r["presignedUrlExpiration"] < datetime.now(timezone.utc)
    resp = post(r["presignedUrl"], form_parts(r["presignedUrlFields"], b"hello"))
    assert (resp.status_code, s3_code(resp)) == (403, "AccessDenied")
    assert "Policy expired" in resp.text
    r2 = presign(sb)  # next one is fine again
    assert post(r2["presignedUrl"], form_parts(r2["presignedUrlFields"], b"hello")
                ).status_code == 204


@pytest.mark.parametrize(("kind", "status", "code"), [
    ("s3_error", 500, "InternalError"),
    ("slow_down", 503, "SlowDown"),
    ("request_timeout", 400, "RequestTimeout"),
    ("s3_access_denied", 403, "AccessDenied"),
    ("policy_expired", 403, "AccessDenied"),
])
def test_s3_faults(qapps_sandbox: Sandbox, kind: str, status: int, code: str) -> None:
    sb = qapps_sandbox
    r = presign(sb)
    sb.inject(kind)
    parts = form_parts(r["presignedUrlFields"], b"hello")
    resp = post(r["presignedUrl"], parts)
    assert (resp.status_code, s3_code(resp)) == (status, code)
    assert sb.objects() == []
    assert post(r["presignedUrl"], parts).status_code == 204  # retry with a new body


def test_api_faults_do_not_hit_s3_and_back(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.inject("slow_down")
    r = presign(sb)  # the S3 fault waits for an S3 request
    sb.inject("throttle")
    resp = post(r["presignedUrl"], form_parts(r["presignedUrlFields"], b"hello"))
    assert resp.status_code == 503
    assert [f["kind"] for f in sb.faults] == ["throttle"]


def test_reset_mid_body(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    data = b"x" * (4 * 1024 * 1024)
    r = presign(sb, data)
    sb.inject("reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        post(r["presignedUrl"], form_parts(r["presignedUrlFields"], data))
    assert sb.objects() == []
    assert [(x.status, x.code) for x in sb.requests if x.service == "s3"] == [
        (0, "ConnectionReset")]
    assert post(r["presignedUrl"], form_parts(r["presignedUrlFields"], data)
                ).status_code == 204


def test_slow_reader_makes_a_client_time_out(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    r = presign(sb)
    sb.inject("slow_reader", delay=2)
    start = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(r["presignedUrl"], form_parts(r["presignedUrlFields"], b"hello"), timeout=(5, 0.5))
    assert time.monotonic() - start < 1.5
    # the sandbox notices the hang-up, stores nothing and logs it
    deadline = time.monotonic() + 3
    while not [x for x in sb.requests if x.service == "s3"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [(x.status, x.code, x.fault) for x in sb.requests if x.service == "s3"] == [
        (499, "ClientDisconnected", "slow_reader")]
    assert sb.objects() == []


def test_latency(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.set_latency(api=0.3, s3=0.2)
    start = time.monotonic()
    r = presign(sb)
    post(r["presignedUrl"], form_parts(r["presignedUrlFields"], b"hello"))
    assert time.monotonic() - start >= 0.5
    sb.set_latency()
    with pytest.raises(ValueError, match="negative"):
        sb.set_latency(api=-1)


def test_unknown_fault_kind(qapps_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        qapps_sandbox.inject("meteor")
    with pytest.raises(ValueError, match="times"):
        qapps_sandbox.inject("throttle", times=0)


def test_clear_faults(qapps_sandbox: Sandbox) -> None:
    qapps_sandbox.inject("throttle", times=3)
    qapps_sandbox.clear_faults()
    presign(qapps_sandbox)
