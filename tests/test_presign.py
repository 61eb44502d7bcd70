"""Client building and error mapping for create_presigned_url (botocore Stubber for a few units)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from qapps_nb import ApiError, ConfigurationError, upload
from qapps_nb.service.presign import Presigned, create_presigned_url, get_client

IDS = {"instance_id": "inst-1", "app_id": "0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e",
       "card_id": "1c6f3d5e-2a3b-4c4d-8e5f-6a7b8c9d0e1f"}
SHA = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def _client() -> Any:
    session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x",
                            region_name="us-east-1")
    return session.client("qapps")


def test_error_codes_map_to_one_line_with_a_hint() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("create_presigned_url", service_error_code="AccessDeniedException",
                              service_message="User is not authorized.", http_status_code=403)
        with pytest.raises(ApiError) as info:
            create_presigned_url(client, file_name="a.txt", sha256=SHA, scope="APPLICATION",
                                 session_id=None, **IDS)
    err = info.value
    assert err.code == "AccessDeniedException"
    assert err.status == 403
    assert str(err) == ("Q Apps create_presigned_url failed: User is not authorized "
                        "[AccessDeniedException] — your role needs qapps:ImportDocument on "
                        "this Q App")


def test_response_becomes_presigned_with_server_clock() -> None:
    client = _client()
    expires = datetime.now(timezone.utc) + timedelta(minutes=15)
    response = {"fileId": "f1", "presignedUrl": "https://bucket.s3.amazonaws.com/",
                "presignedUrlFields": {"key": "k", "x-amz-signature": "SECRET-SIG"},
                "presignedUrlExpiration": expires}
    with Stubber(client) as stub:
        stub.add_response("create_presigned_url", response, {
            "instanceId": "inst-1", "appId": IDS["app_id"], "cardId": IDS["card_id"],
            "fileContentsSha256": SHA, "fileName": "a.txt", "scope": "APPLICATION"})
        presigned = create_presigned_url(client, file_name="a.txt", sha256=SHA,
                                         scope="APPLICATION", session_id=None, **IDS)
    assert presigned.fields == {"key": "k", "x-amz-signature": "SECRET-SIG"}
    assert "SECRET-SIG" not in repr(presigned)
    assert not presigned.expired()
    assert presigned.sandbox is False


def test_expiry_is_judged_by_the_server_clock() -> None:
    now = datetime.now(timezone.utc)
    # The local clock is 5 minutes slow: the server already is past the expiration.
    behind = Presigned(file_id="f", url="u", fields={}, expiration=now + timedelta(minutes=2),
                       clock_offset=timedelta(minutes=5))
    assert behind.expired()
    # The local clock is 5 minutes fast: still valid for the server.
    ahead = Presigned(file_id="f", url="u", fields={}, expiration=now - timedelta(minutes=2),
                      clock_offset=timedelta(minutes=-5))
    assert not ahead.expired()


def test_clients_are_reused() -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b",
                            region_name="us-west-2")
    first = get_client(session, None, None, "http://127.0.0.1:9")
    assert get_client(session, None, None, "http://127.0.0.1:9") is first
    assert get_client(session, None, "eu-west-1", "http://127.0.0.1:9") is not first
    assert "qapps-nb/" in first.meta.config.user_agent_extra
    assert first.meta.config.retries["mode"] == "standard"


def test_no_region_is_a_configuration_error() -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        upload(b"x", session=session, progress=False, **IDS)


def test_no_credentials_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no AWS credentials"):
        upload(b"x", region="us-east-1", endpoint_url="http://127.0.0.1:9", progress=False,
               **IDS)


def test_unknown_profile_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="profile 'nope' not found"):
        upload(b"x", profile="nope", progress=False, **IDS)


def test_unreachable_endpoint_is_an_api_error() -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b",
                            region_name="us-east-1")
    with pytest.raises(ApiError, match=r"could not reach Amazon Q Apps at http://127\.0\.0\.1:9"):
        upload(b"x", session=session, endpoint_url="http://127.0.0.1:9", progress=False, **IDS)
