"""Every rule the API would refuse is caught locally, with a clear message and no request."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from qapps_nb import Text, ValidationError, upload
from qapps_nb.validation import check_file_name, check_scope, check_uuid

GOOD = "0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e"


@pytest.mark.parametrize("value", [GOOD, "0b5e2c4d-1f2a-5b3c-ad4e-5f6a7b8c9d0e",
                                   "0b5e2c4d-1f2a-4b3c-Bd4e-5f6a7b8c9d0e"])
def test_uuid_accepts_model_pattern(value: str) -> None:
    assert check_uuid(value, "app id") == value


@pytest.mark.parametrize("value", ["", "app", GOOD.upper(), GOOD + "x", " " + GOOD,
                                   "0b5e2c4d-1f2a-3b3c-9d4e-5f6a7b8c9d0e",  # version 3
                                   "0b5e2c4d-1f2a-4b3c-7d4e-5f6a7b8c9d0e"])  # bad variant
def test_uuid_refuses_the_rest(value: str) -> None:
    with pytest.raises(ValidationError, match="app id"):
        check_uuid(value, "app id")


@pytest.mark.parametrize("name", ["a", "x" * 100, "résumé 2024.pdf", "日本語.txt", "<i>x<i>.txt"])
def test_file_names_accepted(name: str) -> None:
    assert check_file_name(name) == name


@pytest.mark.parametrize(("name", "why"), [
    ("", "empty"), ("   ", "empty"), ("x" * 101, "101 characters"), ("a/b.txt", "separator"),
    ("..\\b.txt", "separator"), ("../etc", "separator"), ("..", "not a file name"),
    ("tab\there", "control"), ("nl\n.txt", "control"), ("\x7f.txt", "control"),
])
def test_file_names_refused(name: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        check_file_name(name)


def test_scope_rules() -> None:
    assert check_scope("application", None) == "APPLICATION"
    assert check_scope(" Session ", GOOD) == "SESSION"
    with pytest.raises(ValidationError, match="needs a session id"):
        check_scope("SESSION", None)
    with pytest.raises(ValidationError, match="scope APPLICATION"):
        check_scope("APPLICATION", GOOD)
    with pytest.raises(ValidationError, match="not one of"):
        check_scope("global", None)


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(("make_source", "kwargs", "message"), [
    (lambda t: t / "missing.csv", {}, "no such file"),
    (lambda t: t, {}, "is a directory"),
    (lambda t: (t / "empty.txt").write_bytes(b"") or t / "empty.txt", {}, "is empty"),
    (lambda t: b"", {}, "is empty"),
    (lambda t: Text(""), {}, "is empty"),
    (_fifo, {}, "not a regular file"),
    (lambda t: "two\nlines", {}, "wrap text content"),
    (lambda t: "no-such-file.txt", {}, r"qapps_nb\.Text"),
    (lambda t: 42, {}, "cannot upload a int"),
    (lambda t: b"x", {"file_name": "a/b"}, "path separator"),
    (lambda t: b"x", {"file_name": "x" * 101}, "at most 100"),
    (lambda t: b"x", {"app_id": "not-a-uuid"}, "app id"),
    (lambda t: b"x", {"card_id": GOOD.upper()}, "card id"),
    (lambda t: b"x", {"session_id": "s"}, "session id"),
    (lambda t: b"x", {"scope": "SESSION"}, "needs a session id"),
    (lambda t: b"x", {"scope": "APPLICATION", "session_id": GOOD}, "scope APPLICATION"),
    (lambda t: b"x", {"scope": "bogus"}, "not one of"),
    (lambda t: b"x", {"instance_id": " "}, "instance id"),
], ids=["missing", "directory", "empty-file", "empty-bytes", "empty-text", "fifo", "text-as-path",
        "missing-hint", "int", "name-sep", "name-long", "app-id", "card-id-case", "session-id",
        "session-needs-id", "app-with-session", "scope", "instance"])
def test_bad_input_makes_no_request(qapps_sandbox: Any, target: dict[str, Any], tmp_path: Path,
                                    make_source: Any, kwargs: dict[str, Any],
                                    message: str) -> None:
    options = {**target, **kwargs}
    with pytest.raises(ValidationError, match=message) as info:
        upload(make_source(tmp_path), **options)
    assert "\n" not in str(info.value)
    assert qapps_sandbox.requests == []


def test_too_large_refused_before_hashing(qapps_sandbox: Any, target: dict[str, Any],
                                          tmp_path: Path) -> None:
    sparse = tmp_path / "huge.bin"
    with open(sparse, "wb") as fh:
        fh.truncate(5 * 1000**3 + 1)  # sparse: no disk used, nothing read
    with pytest.raises(ValidationError,
                       match="is 5,000,000,001 bytes; S3 takes at most 5 GB in one upload"):
        upload(sparse, **target)
    assert qapps_sandbox.requests == []
