"""Fuzzed bad input: a clear one-line error and not one request to the sandbox.

hypothesis generates file names, ids, scopes and paths; an independent oracle (the rules
of the botocore model and of S3, written out again here) says which must be refused.
Refused input must raise ValidationError/ConfigurationError before any network call
(asserted on the sandbox's request log); accepted names must round-trip byte-exact.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import tempfile
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import assert_one_line
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from qapps_nb import ConfigurationError, QAppsError, ValidationError, upload, upload_many

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
ROUND_TRIP = settings(max_examples=8, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])
UUID_RULE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ABab][0-9a-f]{3}-[0-9a-f]{12}")
PROBE = b"fuzz"


def name_ok(name: str) -> bool:
    """Q Apps takes 1-100 characters; qapps-nb adds: a bare name, printable, not blank."""
    return (1 <= len(name) <= 100 and name.strip() != "" and "/" not in name
            and "\\" not in name and name not in (".", "..")
            and not any(unicodedata.category(c) in ("Cc", "Cs") for c in name))


def instance_ok(value: str) -> bool:
    return (value.strip() == value != ""
            and not any(unicodedata.category(c) == "Cc" for c in value))


def _refused(sb: Any, call: Any) -> str:
    """``call()`` must fail with a clear QAppsError before any request."""
    sb.clear_requests()
    with pytest.raises((ValidationError, ConfigurationError)) as info:
        call()
    assert sb.requests == [], [(r.service, r.status) for r in sb.requests]
    return assert_one_line(str(info.value))


# -- file names ------------------------------------------------------------------------------

ODD_CHARS = st.sampled_from(["/", "\\", "..", ".", "\x00", "\n", "\r", "\t", "\x7f", "\x85",
                             "\u2028", "\u202e", "\ud800", "\udcff", " ", "é", "日本", "😀",
                             "<script>", '"', "'", "%", "&amp;", "\u200b", "\ufeff"])
NAMES = st.one_of(
    st.text(max_size=110),
    st.lists(st.one_of(ODD_CHARS, st.text(max_size=5)), max_size=30).map("".join),
    st.integers(0, 3).flatmap(lambda n: st.sampled_from(
        ["x" * (99 + n), "é" * (99 + n), "😀" * (99 + n), "../" * (30 + n)])),
)


@FUZZ
@given(name=NAMES)
@example(name="")
@example(name="../etc/passwd")
@example(name="..")
@example(name="a" * 101)
@example(name="a\rb.txt")
@example(name="\ud800.txt")
def test_bad_file_names_never_reach_the_network(qapps_sandbox: Any, target: dict[str, Any],
                                                name: str) -> None:
    assume(not name_ok(name))
    message = _refused(qapps_sandbox, lambda: upload(PROBE, file_name=name, **target))
    assert "file name" in message


@ROUND_TRIP
@given(name=st.text(st.characters(blacklist_categories=("Cc", "Cs"),
                                  blacklist_characters="/\\"), min_size=1, max_size=100))
@example(name="x" * 100)
@example(name="😀" * 100)
@example(name="<img src=x onerror=alert(1)>.txt")
@example(name=' a "quoted"; name=evil.txt ')
@example(name="\u2028line\u2029sep.txt")
def test_valid_names_round_trip(qapps_sandbox: Any, target: dict[str, Any], name: str) -> None:
    assume(name_ok(name))
    result = upload(PROBE, file_name=name, **target)
    assert result.file_name == name
    assert qapps_sandbox.read_object(result.file_id) == PROBE
    stored = next(o for o in qapps_sandbox.objects() if o.file_id == result.file_id)
    assert stored.file_name == name


# -- ids and scopes ---------------------------------------------------------------------------

LOOKALIKES = ["٣", "３", "A", "F", "g", " ", "\n", "-", "", "00", "\u0660", "ａ", "\x00"]


@st.composite
def near_uuids(draw: Any) -> str:
    """A valid UUID with one character replaced, dropped or doubled."""
    base = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4))
    pos = draw(st.integers(0, len(base) - 1))
    return base[:pos] + draw(st.sampled_from(LOOKALIKES)) + base[pos + 1:]


IDS = st.one_of(near_uuids(), st.text(max_size=40),
                st.uuids(version=4).map(lambda u: str(u).upper()))


@FUZZ
@given(field=st.sampled_from(["app_id", "card_id", "session_id"]), value=IDS)
@example(field="app_id", value="00000000-0000-4000-8000-٠٠٠٠٠٠٠٠a001")  # Arabic-Indic digits
@example(field="card_id", value="00000000-0000-4000-8000-００００００００c001")
def test_bad_uuids_never_reach_the_network(qapps_sandbox: Any, target: dict[str, Any],
                                           field: str, value: str) -> None:
    assume(value != "" and not UUID_RULE.fullmatch(value))
    options = {**target, field: value}
    if field == "session_id":
        options["scope"] = "SESSION"
    message = _refused(qapps_sandbox, lambda: upload(PROBE, **options))
    assert field.replace("_", " ") in message


@FUZZ
@given(value=st.text(max_size=30))
@example(value=" inst")
@example(value="inst\t")
@example(value="in\x85st")
def test_bad_instance_ids_never_reach_the_network(qapps_sandbox: Any, target: dict[str, Any],
                                                  value: str) -> None:
    assume(not instance_ok(value))
    _refused(qapps_sandbox, lambda: upload(PROBE, **{**target, "instance_id": value}))


@FUZZ
@given(scope=st.one_of(st.text(max_size=12), st.sampled_from(
    ["application", "Session", " SESSION ", "SESSIONS", "APP", "ſession", "sess\x00ion"])),
       with_session=st.booleans())
def test_scopes(qapps_sandbox: Any, target: dict[str, Any], scope: str,
                with_session: bool) -> None:
    session_id = qapps_sandbox.session_id if with_session else None
    normal = scope.strip().upper() if scope else ("SESSION" if with_session else "APPLICATION")
    valid = (normal == "SESSION" and with_session) or (normal == "APPLICATION"
                                                       and not with_session)
    if scope == "":  # empty means "not given": the default scope
        assert valid
    if valid:  # cheap check only: the round trip is covered elsewhere
        from qapps_nb.targeting import plan

        chosen = plan(scope=scope, session_id=session_id, instance_id="i",
                      app_id=target["app_id"], card_id=target["card_id"]).ids_only()
        assert chosen.scope == normal
        return
    _refused(qapps_sandbox, lambda: upload(PROBE, scope=scope, session_id=session_id, **target))


# -- sources ----------------------------------------------------------------------------------

@FUZZ
@given(tail=st.text(st.characters(blacklist_characters="\n"), min_size=1, max_size=60))
@example(tail="a\x00b")
@example(tail="a\rb")
@example(tail="\udcff")
def test_missing_paths(qapps_sandbox: Any, target: dict[str, Any], tmp_path: Path,
                       tail: str) -> None:
    path = os.path.join(tmp_path, "missing", tail)
    message = _refused(qapps_sandbox, lambda: upload(path, **target))
    assert message.isprintable(), repr(message)
    _refused(qapps_sandbox, lambda: upload_many([PROBE, path], **target))


@pytest.fixture
def odd_sources(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a directory").mkdir()
    (tmp_path / "empty.txt").write_bytes(b"")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link-to-nothing").symlink_to(tmp_path / "gone")
    return {"directory": tmp_path / "a directory", "empty": tmp_path / "empty.txt",
            "fifo": tmp_path / "fifo", "dangling symlink": tmp_path / "link-to-nothing",
            "missing": tmp_path / "missing.csv"}


EXPECTED = {"directory": "is a directory", "empty": "is empty", "fifo": "not a regular file",
            "dangling symlink": "no such file", "missing": "no such file"}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_odd_sources_via_the_api(qapps_sandbox: Any, target: dict[str, Any],
                                 odd_sources: dict[str, Path], kind: str) -> None:
    path = odd_sources[kind]
    for source in (path, str(path)):
        assert EXPECTED[kind] in _refused(qapps_sandbox,
                                          lambda s=source: upload(s, **target))
    # one bad source fails the whole batch before anything is sent
    assert EXPECTED[kind] in _refused(
        qapps_sandbox, lambda: upload_many([PROBE, path, PROBE], max_workers=2, **target))
    assert qapps_sandbox.objects() == []


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_odd_sources_via_the_magic(qapps_sandbox_env: Any, run: Any,
                                   odd_sources: dict[str, Path], kind: str) -> None:
    sb = qapps_sandbox_env
    sb.clear_requests()
    message = run(f"%qapps_upload -q {shlex.quote(str(odd_sources[kind]))}").usage_error
    assert EXPECTED[kind] in message
    assert sb.requests == []


def _unreadable_file() -> Path:
    """A file only root could read, in a directory everybody may enter."""
    folder = Path(tempfile.mkdtemp(prefix="qapps-unreadable-"))
    folder.chmod(0o755)
    path = folder / "secret.csv"
    path.write_bytes(b"a,b\n1,2\n")
    path.chmod(0o000)
    return path


def _as_nobody(call: Any) -> str:
    """Run ``call`` in a forked child that dropped to uid/gid 65534; return its outcome."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 1
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                call()
                text = "OK"
            except QAppsError as exc:
                text = f"{type(exc).__name__}: {exc}"
            except BaseException as exc:
                text = f"UNEXPECTED {type(exc).__name__}: {exc}"
            os.write(write, text.encode("utf-8", "replace"))
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0,
                    reason="needs root to drop to another user")
def test_unreadable_file_as_another_user(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    path = _unreadable_file()
    try:
        assert os.access(path, os.R_OK)  # root reads anything: the check must run as nobody
        assert stat.S_IMODE(path.stat().st_mode) == 0
        qapps_sandbox.clear_requests()
        outcome = _as_nobody(lambda: upload(path, **target))
        assert outcome.startswith("ValidationError: cannot read "), outcome
        assert "permission denied" in outcome
        assert_one_line(outcome)
        outcome = _as_nobody(lambda: upload_many([PROBE, path], **target))
        assert outcome.startswith("ValidationError: cannot read "), outcome
        assert qapps_sandbox.requests == []
        assert qapps_sandbox.objects() == []
    finally:
        path.chmod(0o600)
        path.unlink()
        path.parent.rmdir()
