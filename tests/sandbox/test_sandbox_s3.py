"""The S3 side with a plain requests client: every rule S3 enforces on a POST Object."""

from __future__ import annotations

import base64
import http.client
import json
import os
import threading
from urllib.parse import quote, urlsplit

import pytest
import requests
from sbx_util import (
    b64sha256,
    form_parts,
    multipart,
    post,
    presign,
    s3_code,
    s3_message,
    upload,
)

from qapps_nb.sandbox import Sandbox


def test_good_upload_round_trip(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    data = os.urandom(300_000)
    r, resp = upload(sb, data, file_name="data.bin")
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert resp.headers["ETag"].startswith('"')
    assert resp.headers["Location"].endswith(quote(r["presignedUrlFields"]["key"]))
    (obj,) = sb.objects()
    assert (obj.file_id, obj.file_name, obj.size) == (r["fileId"], "data.bin", len(data))
    assert obj.sha256 == b64sha256(data)
    assert obj.etag == resp.headers["ETag"]
    assert (obj.app_id, obj.card_id, obj.instance_id, obj.scope) == (
        sb.app_id, sb.card_id, sb.instance_id, "APPLICATION")
    assert obj.created.tzinfo is not None
    assert sb.read_object(r["fileId"]) == data
    assert sb.read_object(obj.key) == data
    assert sb.object_path(obj.key).read_bytes() == data
    for ref in (r["fileId"], obj.key):
        got = requests.get(f"{sb.endpoint_url}/_sandbox/objects/{quote(ref, safe='')}",
                           timeout=10)
        assert got.status_code == 200
        assert got.content == data
    codes = [(rec.service, rec.status) for rec in sb.requests if rec.service != "control"]
    assert codes == [("qapps", 200), ("s3", 204)]


def test_presigned_post_may_be_resent(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox, b"again")
    for _ in range(2):
        resp = post(r["presignedUrl"], form_parts(r["presignedUrlFields"], b"again"))
        assert resp.status_code == 204
    assert len(qapps_sandbox.objects()) == 1


def test_success_action_status_201_only_when_in_policy(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = {**r["presignedUrlFields"], "success_action_status": "201"}
    resp = post(r["presignedUrl"], form_parts(fields, b"hello"))
    assert resp.status_code == 403
    assert "Extra input fields: success_action_status" in s3_message(resp)


def _reject(sb: Sandbox, parts: list, status: int, code: str) -> requests.Response:
    resp = post(sb.s3_url, parts)
    assert (resp.status_code, s3_code(resp)) == (status, code), resp.text
    assert resp.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert sb.objects() == []
    assert os.listdir(sb.storage_dir / "tmp") == []  # no half state
    return resp


def test_bad_digest(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox, b"what was hashed")
    resp = _reject(qapps_sandbox, form_parts(r["presignedUrlFields"], b"what was sent"),
                   400, "BadDigest")
    assert "SHA256" in s3_message(resp)


def test_expired_policy(qapps_sandbox: Sandbox) -> None:
    qapps_sandbox.settings.url_ttl = -1
    r = presign(qapps_sandbox)
    resp = _reject(qapps_sandbox, form_parts(r["presignedUrlFields"], b"hello"),
                   403, "AccessDenied")
    assert s3_message(resp) == "Invalid according to Policy: Policy expired."


def test_extra_field(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = {**r["presignedUrlFields"], "Content-Type": "text/plain"}
    resp = _reject(qapps_sandbox, form_parts(fields, b"hello"), 403, "AccessDenied")
    assert s3_message(resp) == "Invalid according to Policy: Extra input fields: content-type"


def test_x_ignore_fields_are_allowed(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = {**r["presignedUrlFields"], "x-ignore-note": "anything"}
    assert post(r["presignedUrl"], form_parts(fields, b"hello")).status_code == 204


@pytest.mark.parametrize("field", ["key", "x-amz-checksum-sha256", "x-amz-security-token",
                                   "x-amz-server-side-encryption"])
def test_tampered_field(qapps_sandbox: Sandbox, field: str) -> None:
    r = presign(qapps_sandbox)
    fields = dict(r["presignedUrlFields"])
    fields[field] = "tampered" if field != "x-amz-checksum-sha256" else b64sha256(b"other")
    resp = _reject(qapps_sandbox, form_parts(fields, b"hello"), 403, "AccessDenied")
    assert s3_message(resp).startswith(
        f'Invalid according to Policy: Policy Condition failed: ["eq", "${field}"')


def test_tampered_policy_breaks_the_signature(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = dict(r["presignedUrlFields"])
    doc = json.loads(base64.b64decode(fields["policy"]))
    doc["expiration"] = "2999-01-01T00:00:00.000Z"
    fields["policy"] = base64.b64encode(json.dumps(doc).encode()).decode()
    _reject(qapps_sandbox, form_parts(fields, b"hello"), 403, "SignatureDoesNotMatch")


def test_missing_signature(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = dict(r["presignedUrlFields"])
    del fields["x-amz-signature"]
    resp = _reject(qapps_sandbox, form_parts(fields, b"hello"), 400, "InvalidArgument")
    assert "x-amz-signature" in s3_message(resp)


def test_missing_policy(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = dict(r["presignedUrlFields"])
    del fields["policy"]
    resp = _reject(qapps_sandbox, form_parts(fields, b"hello"), 400, "InvalidArgument")
    assert "'policy'" in s3_message(resp)


def test_anonymous_post_is_denied(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = {k: v for k, v in r["presignedUrlFields"].items()
              if k not in ("policy", "x-amz-signature")}
    _reject(qapps_sandbox, form_parts(fields, b"hello"), 403, "AccessDenied")


def test_field_after_the_file_counts_as_missing(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    fields = dict(r["presignedUrlFields"])
    key = fields.pop("key")
    _reject(qapps_sandbox, [*form_parts(fields, b"hello"), ("key", key, None)],
            400, "InvalidArgument")


def test_fields_after_the_file_are_ignored(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    parts = [*form_parts(r["presignedUrlFields"], b"hello"), ("Content-Type", "x", None),
             ("file", b"second file", "two.txt")]
    resp = post(r["presignedUrl"], parts)
    assert resp.status_code == 204, resp.text
    assert qapps_sandbox.read_object(r["fileId"]) == b"hello"


def test_no_file(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    parts = [(k, v, None) for k, v in r["presignedUrlFields"].items()]
    _reject(qapps_sandbox, parts, 400, "InvalidArgument")


def test_oversize(qapps_sandbox: Sandbox) -> None:
    qapps_sandbox.settings.max_size = 1000
    data = os.urandom(1001)
    r = presign(qapps_sandbox, data)
    resp = _reject(qapps_sandbox, form_parts(r["presignedUrlFields"], data), 400,
                   "EntityTooLarge")
    assert "<MaxSizeAllowed>1000</MaxSizeAllowed>" in resp.text
    assert "<ProposedSize>1001</ProposedSize>" in resp.text


def test_exactly_max_size_is_fine(qapps_sandbox: Sandbox) -> None:
    qapps_sandbox.settings.max_size = 1000
    assert upload(qapps_sandbox, os.urandom(1000))[1].status_code == 204


def test_empty_file(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox, b"")
    _reject(qapps_sandbox, form_parts(r["presignedUrlFields"], b""), 400, "EntityTooSmall")


def test_not_multipart(qapps_sandbox: Sandbox) -> None:
    resp = requests.post(qapps_sandbox.s3_url, data={"key": "x"}, timeout=10)
    assert (resp.status_code, s3_code(resp)) == (412, "PreconditionFailed")


def test_unknown_bucket(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    resp = post(f"{qapps_sandbox.endpoint_url}/s3/other-bucket",
                form_parts(r["presignedUrlFields"], b"hello"))
    assert (resp.status_code, s3_code(resp)) == (404, "NoSuchBucket")


def test_malformed_body(qapps_sandbox: Sandbox) -> None:
    resp = requests.post(qapps_sandbox.s3_url, data=b"garbage without boundaries" * 10,
                         headers={"Content-Type": "multipart/form-data; boundary=zzz"},
                         timeout=10)
    assert (resp.status_code, s3_code(resp)) == (400, "MalformedPOSTRequest")


def _raw(sb: Sandbox, head: bytes, body: bytes = b"") -> bytes:
    """Send bytes as they are and read the answer (no client fixes anything up)."""
    import socket

    with socket.create_connection(("127.0.0.1", sb.port), timeout=10) as s:
        s.sendall(head + body)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_no_content_length_is_411(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    body, ctype = multipart(form_parts(r["presignedUrlFields"], b"hello"))
    head = (f"POST /s3/qapps-sandbox HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
            "Connection: close\r\n\r\n").encode()
    answer = _raw(qapps_sandbox, head, body)
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert b"<Code>MissingContentLength</Code>" in answer


def test_chunked_upload_is_not_implemented(qapps_sandbox: Sandbox) -> None:
    r = presign(qapps_sandbox)
    body, ctype = multipart(form_parts(r["presignedUrlFields"], b"hello"))
    resp = requests.post(qapps_sandbox.s3_url, data=iter([body]),
                         headers={"Content-Type": ctype}, timeout=10)
    assert (resp.status_code, s3_code(resp)) == (501, "NotImplemented")
    assert "<Header>Transfer-Encoding</Header>" in resp.text


def test_generator_with_explicit_length_is_refused_like_s3(qapps_sandbox: Sandbox) -> None:
    """requests sends Transfer-Encoding: chunked *and* Content-Length for a generator
    (psf/requests#1648); S3 answers 501, so the sandbox does too."""
    data = os.urandom(2 * 1024 * 1024)
    r = presign(qapps_sandbox, data)
    body, ctype = multipart(form_parts(r["presignedUrlFields"], data))
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    resp = requests.post(qapps_sandbox.s3_url, data=chunks, timeout=10,
                         headers={"Content-Type": ctype, "Content-Length": str(len(body))})
    assert (resp.status_code, s3_code(resp)) == (501, "NotImplemented")
    assert qapps_sandbox.objects() == []


def test_sized_iterable_body_is_fine(qapps_sandbox: Sandbox) -> None:
    from sbx_util import streamed_body

    chunk = os.urandom(65536)
    r = presign(qapps_sandbox, chunk * 10)
    body, ctype = streamed_body(r["presignedUrlFields"], chunk, 10)
    resp = requests.post(qapps_sandbox.s3_url, data=body, timeout=10,
                         headers={"Content-Type": ctype})
    assert resp.status_code == 204, resp.text


def test_rejected_body_is_drained_and_connection_kept(qapps_sandbox: Sandbox) -> None:
    """An early rejection still reads the body: the answer arrives, keep-alive survives."""
    qapps_sandbox.settings.url_ttl = -1
    data = os.urandom(3 * 1024 * 1024)
    r = presign(qapps_sandbox, data)
    body, ctype = multipart(form_parts(r["presignedUrlFields"], data))
    url = urlsplit(qapps_sandbox.s3_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    for _ in range(2):
        conn.request("POST", url.path, body=body, headers={"Content-Type": ctype})
        resp = conn.getresponse()
        assert resp.status == 403
        assert b"Policy expired" in resp.read()
    conn.close()


def test_concurrent_uploads(qapps_sandbox: Sandbox) -> None:
    datas = [os.urandom(512 * 1024 + i) for i in range(8)]
    results: list[int] = [0] * 8

    def one(i: int) -> None:
        results[i] = upload(qapps_sandbox, datas[i], file_name=f"f{i}.bin")[1].status_code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [204] * 8
    stored = {o.file_name: qapps_sandbox.read_object(o.file_id) for o in qapps_sandbox.objects()}
    assert stored == {f"f{i}.bin": datas[i] for i in range(8)}
