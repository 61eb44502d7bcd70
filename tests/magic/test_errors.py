"""Expected failures: one short UsageError line, no traceback, and no request for bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from magic_ids import SESSION

from qapps_nb import UploadResult


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%qapps_upload missing.txt", "no such file: missing.txt"),
        ("%qapps_upload nothing", "no such file or variable: nothing"),
        ("%qapps_upload *.nomatch", "no files match *.nomatch"),
        ("%qapps_upload subdir", "is a directory"),
        ("%qapps_upload -a not-a-uuid x", "'not-a-uuid' is not a Q Apps id"),
        ("%qapps_upload -c 123 x", "card id '123' is not a Q Apps id"),
        ("%qapps_upload -s nope x", "session id 'nope' is not a Q Apps id"),
        ("%qapps_upload -i ' padded' x", "has spaces"),
        ("%qapps_upload --scope global x", "'global' is not one of: application, session"),
        ("%qapps_upload --scope session x", "scope SESSION needs a session id"),
        ("%qapps_upload --max-workers 0 x", "0 is out of range 1..64"),
        ("%qapps_upload --max-workers many x", "'many' is not a whole number"),
        ("%qapps_upload --bogus x", "unrecognized arguments: --bogus"),
        ("%qapps_upload -n a.bin x y", "--name needs exactly one source"),
        ("%qapps_upload -n a.bin *.txt", "--name needs exactly one file"),
        ("%qapps_upload -n 'dir/a.bin' x", "contains a path separator"),
        (f"%qapps_upload -n {'a' * 101} x", "at most 100"),
        ("%qapps_upload -o 1bad x", "'1bad' is not a variable name"),
        ("%qapps_upload 'unbalanced", "No closing quotation"),
        ("%qapps_upload empty", "is empty"),
        ("%qapps_upload aset", "cannot upload a set"),
        ("%qapps_upload badjson", "cannot serialize this dict as JSON"),
        ("%qapps_upload x --out", "expected one argument"),
        ("%%qapps_upload x\nbody", "uploads the cell body"),
        ("%%qapps_upload\n", "is empty"),
    ],
)
def test_bad_input_is_one_line_and_sends_nothing(sb: Any, ip: Any, run: Any, tmp_path: Path,
                                                 cell: str, expected: str) -> None:
    ip.user_ns.update(x=b"x", y=b"y", empty=b"", aset={1, 2}, badjson={"k": object()})
    (tmp_path / "subdir").mkdir()
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    message = run(cell).usage_error
    assert expected in message
    assert "\n" not in message
    assert sb.requests == []
    assert sb.objects() == [] or all(o.file_name != "x.bin" for o in sb.objects())


def test_missing_ids_name_all_three_ways(qapps_sandbox: Any, ip: Any, run: Any) -> None:
    ip.user_ns["x"] = b"x"
    message = run("%qapps_upload x").usage_error
    assert "--instance-id" in message
    assert "%config QAppsMagics.instance_id" in message
    assert "QAPPS_INSTANCE_ID" in message
    assert qapps_sandbox.requests == []


def test_session_id_with_configured_application_scope(sb: Any, ip: Any, run: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ip.user_ns["x"] = b"x"
    monkeypatch.setenv("QAPPS_SCOPE", "application")
    monkeypatch.setenv("QAPPS_SESSION_ID", SESSION)
    assert "scope APPLICATION" in run("%qapps_upload x").usage_error
    assert sb.requests == []


@pytest.mark.parametrize(
    ("fault", "code"),
    [("access_denied", "AccessDeniedException"), ("s3_access_denied", "AccessDenied")],
)
def test_aws_and_s3_errors_show_their_code_without_traceback(sb: Any, ip: Any, run: Any,
                                                             fault: str, code: str) -> None:
    ip.user_ns["x"] = b"x"
    sb.inject(fault, times=10)
    message = run("%qapps_upload -q x").usage_error
    assert f"[{code}]" in message
    for secret in ("signature", "policy", "credential", "security-token", "AKIA", "ASIA"):
        assert secret not in message


def test_partial_batch_failure_shows_successes_and_lists_failures(
        sb: Any, ip: Any, run: Any) -> None:
    ip.user_ns.update(a=b"a", b=b"b", c=b"c")
    sb.inject("s3_access_denied", times=1)
    outcome = run("%qapps_upload -q --max-workers 1 -o partial a b c")
    message = outcome.usage_error
    assert message.startswith("1 of 3 uploads failed (2 succeeded): a.bin") or \
        "1 of 3 uploads failed (2 succeeded)" in message
    assert "[AccessDenied]" in message
    partial = ip.user_ns["partial"]
    assert isinstance(partial, list)
    assert len(partial) == 3
    done = [r for r in partial if isinstance(r, UploadResult)]
    assert len(done) == 2
    for result in done:  # the successes were displayed, and are really stored
        assert result.file_id in outcome.out
        assert sb.read_object(result.file_id) == result.file_name[0].encode()
    failed = [r for r in partial if not isinstance(r, UploadResult)]
    assert "failed: " in partial._repr_html_()
    assert len(failed) == 1


class Exploding:
    """A file-like source whose read fails in a way nobody planned for."""

    name = "boom.bin"

    def read(self, size: int = -1) -> bytes:
        raise RuntimeError("disk on fire")


def test_unexpected_errors_keep_their_traceback(sb: Any, ip: Any, run: Any) -> None:
    ip.user_ns["boom"] = Exploding()
    outcome = run("%qapps_upload -q boom")
    assert isinstance(outcome.error, RuntimeError)
    assert outcome.tracebacks, "an unexpected error must show its traceback"
    assert sb.requests == []


def test_interrupt_stops_the_batch_with_one_line(sb: Any, ip: Any, run: Any) -> None:
    import os
    import signal
    import threading
    import time

    ip.user_ns.update({f"v{i}": b"v" for i in range(6)})
    sb.set_latency(0.4, 0)
    timer = threading.Timer(0.6, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        start = time.perf_counter()
        # An interrupt is a KeyboardInterrupt shown as one line, and stops the whole cell.
        message = run("%qapps_upload -q --max-workers 1 v0 v1 v2 v3 v4 v5\n"
                      "rest_of_cell_ran = True").interrupted
        elapsed = time.perf_counter() - start
    finally:
        timer.cancel()
        sb.set_latency(0, 0)
    assert message.startswith("interrupted: uploads stopped")
    assert "rest_of_cell_ran" not in ip.user_ns
    assert elapsed < 2.0  # did not wait for all six (6 x 0.4 s)
    time.sleep(0.6)  # the worker in flight finishes or stops; then nothing more is sent
    count = len(sb.requests)
    time.sleep(0.6)
    assert len(sb.requests) == count
    assert len(sb.objects()) < 6
