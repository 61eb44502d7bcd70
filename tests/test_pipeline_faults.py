"""Transient faults are retried with a new body, expired URLs renewed, the rest fail clearly."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from qapps_nb import ApiError, S3UploadError, UploadCancelled, upload


def _s3_posts(sb: Any) -> list[Any]:
    return [r for r in sb.requests if r.service == "s3"]


def _api_calls(sb: Any) -> list[Any]:
    return [r for r in sb.requests if r.service == "qapps"]


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(b"0123456789abcdef" * (512 * 1024))  # 8 MiB: resets land mid-body
    return path


@pytest.mark.parametrize("kind", ["s3_error", "slow_down", "request_timeout", "reset"])
def test_transient_s3_faults_are_retried(qapps_sandbox: Any, target: dict[str, Any],
                                         big_file: Path, kind: str) -> None:
    qapps_sandbox.inject(kind, times=2)
    result = upload(big_file, **target)
    assert qapps_sandbox.read_object(result.file_id) == big_file.read_bytes()
    assert result.attempts == 3
    assert len(_s3_posts(qapps_sandbox)) == 3
    assert len(_api_calls(qapps_sandbox)) == 1


def test_s3_faults_that_persist_fail_with_the_code(qapps_sandbox: Any, target: dict[str, Any],
                                                   big_file: Path) -> None:
    before = len(qapps_sandbox.objects())
    qapps_sandbox.inject("slow_down", times=10)
    with pytest.raises(S3UploadError) as info:
        upload(big_file, **target)
    assert info.value.code == "SlowDown"
    assert "after 4 attempts" in str(info.value)
    assert len(qapps_sandbox.objects()) == before


@pytest.mark.parametrize("kind", ["throttle", "api_error"])
def test_api_faults_retried_by_botocore(qapps_sandbox: Any, target: dict[str, Any],
                                        kind: str) -> None:
    qapps_sandbox.inject(kind, times=2)
    result = upload(b"retry me", **target)
    assert qapps_sandbox.read_object(result.file_id) == b"retry me"
    assert len(_api_calls(qapps_sandbox)) == 3


@pytest.mark.parametrize(("kind", "code", "hint"), [
    ("access_denied", "AccessDeniedException", "qapps:ImportDocument"),
    ("unauthorized", "UnauthorizedException", "IAM Identity Center"),
    ("validation", "ValidationException", "check the ids"),
])
def test_permanent_api_errors_are_one_clear_line(qapps_sandbox: Any, target: dict[str, Any],
                                                 kind: str, code: str, hint: str) -> None:
    qapps_sandbox.inject(kind)
    with pytest.raises(ApiError) as info:
        upload(b"x", **target)
    assert info.value.code == code
    assert hint in str(info.value)
    assert "\n" not in str(info.value)
    assert _s3_posts(qapps_sandbox) == []


def test_url_expired_before_sending_is_renewed(qapps_sandbox: Any,
                                               target: dict[str, Any]) -> None:
    qapps_sandbox.inject("expired_url")
    result = upload(b"fresh url", **target)
    assert qapps_sandbox.read_object(result.file_id) == b"fresh url"
    assert len(_api_calls(qapps_sandbox)) == 2
    assert len(_s3_posts(qapps_sandbox)) == 1  # the expired URL was never used


def test_policy_expired_at_s3_asks_for_a_new_url(qapps_sandbox: Any,
                                                 target: dict[str, Any]) -> None:
    # The URL looks valid for 12 s; S3 (slowed by 3 s) finds the policy expired only
    # when the clock the client trusts says so: make the server's clock jump instead.
    qapps_sandbox.inject("policy_expired")
    result = upload(b"renewed", **target)
    assert qapps_sandbox.read_object(result.file_id) == b"renewed"
    assert [r.code for r in _s3_posts(qapps_sandbox)] == ["AccessDenied", None]
    assert len(_api_calls(qapps_sandbox)) == 2


def test_expired_twice_fails_clearly(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    before = len(qapps_sandbox.objects())
    qapps_sandbox.inject("expired_url", times=2)
    with pytest.raises(S3UploadError, match="expired again"):
        upload(b"x", **target)
    assert len(qapps_sandbox.objects()) == before


@pytest.mark.parametrize(("kind", "code"), [("s3_access_denied", "AccessDenied")])
def test_permanent_s3_errors(qapps_sandbox: Any, target: dict[str, Any], kind: str,
                             code: str) -> None:
    qapps_sandbox.inject(kind)
    with pytest.raises(S3UploadError) as info:
        upload(b"x", **target)
    assert info.value.code == code
    assert len(_s3_posts(qapps_sandbox)) == 1


def test_entity_too_large(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    qapps_sandbox.settings.max_size = 1024
    with pytest.raises(S3UploadError) as info:
        upload(b"x" * 2048, **target)
    assert info.value.code == "EntityTooLarge"
    assert "larger than" in str(info.value)


def test_file_changed_after_hashing_is_bad_digest(qapps_sandbox: Any, target: dict[str, Any],
                                                  tmp_path: Path) -> None:
    before = len(qapps_sandbox.objects())
    path = tmp_path / "moving.txt"
    path.write_bytes(b"before")

    def change(done: int, total: int, phase: str) -> None:
        if phase == "hashing" and done == total:
            path.write_bytes(b"AFTER!")  # same size, other bytes

    target["progress"] = change
    with pytest.raises(S3UploadError) as info:
        upload(path, **target)
    assert info.value.code == "BadDigest"
    assert "changed between hashing and sending" in str(info.value)
    assert len(qapps_sandbox.objects()) == before


def test_read_timeout_from_a_slow_server(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    qapps_sandbox.inject("slow_reader", times=1, delay=3)
    result = upload(b"patience", timeout=(5, 1), **target)
    assert qapps_sandbox.read_object(result.file_id) == b"patience"
    assert result.attempts == 2


def test_cancel_stops_and_stores_nothing(qapps_sandbox: Any, target: dict[str, Any],
                                        big_file: Path) -> None:
    before = len(qapps_sandbox.objects())
    cancel = threading.Event()

    def progress(done: int, total: int, phase: str) -> None:
        if phase == "sending" and done > 0:
            cancel.set()

    target["progress"] = progress
    with pytest.raises(UploadCancelled):
        upload(big_file, cancel=cancel, **target)
    assert len(qapps_sandbox.objects()) == before
    target["progress"] = False
    assert upload(big_file, **target).size == big_file.stat().st_size
