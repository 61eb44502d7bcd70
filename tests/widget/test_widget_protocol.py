"""The chunk protocol, driven with the messages the browser sends, against the sandbox."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from widget_helpers import b64sha, custom_messages, deliver, file_entry, send_file, state_text

from qapps_nb.errors import ValidationError
from qapps_nb.result import UploadResult
from qapps_nb.widget import UploadWidget

SECRET_WORDS = ("policy", "signature", "credential", "x-amz", "security-token",
                "secret", "presigned")


def _row(w: UploadWidget, tid: str) -> dict[str, Any]:
    w._rows.flush()
    return next(r for r in w.rows if r["id"] == tid)


def _assert_nothing_secret_or_bulky(w: UploadWidget) -> None:
    for kind, data, buffers in w.comm.published:
        assert buffers == [], f"the kernel sent binary buffers in {kind}"
        text = repr(data)
        if "_esm" not in text:
            assert len(text) < 20_000, "a bulky message left the kernel"
            for word in SECRET_WORDS:
                assert word not in text.lower(), f"{word!r} left the kernel: {text[:200]}"
    state = state_text(w).lower()
    for word in SECRET_WORDS:
        assert word not in state


def test_in_order_upload_is_byte_exact(widget: UploadWidget, qapps_sandbox: Any) -> None:
    data = os.urandom(3 * 1024 * 1024 + 123)
    seen: list[UploadResult] = []
    widget.on_upload(seen.append)
    send_file(widget, "t1", data, name="report.bin")
    msgs = custom_messages(widget)
    assert msgs[0] == {"type": "ready", "transfer": "t1"}
    acks = [m for m in msgs if m["type"] == "ack"]
    assert [a["seq"] for a in acks] == [0, 1, 2, 3]
    assert acks[-1]["received"] == len(data)
    results = widget.wait(timeout=30)
    assert len(results) == 1
    result = results[0]
    assert result["file_name"] == "report.bin"
    assert result["size"] == len(data)
    assert result["sha256"] == b64sha(data)
    assert widget.file_ids == [result["file_id"]]
    assert result["expiration"].endswith("+00:00")
    assert qapps_sandbox.read_object(result["file_id"]) == data
    assert [r.file_id for r in seen] == [result["file_id"]]
    row = _row(widget, "t1")
    assert row["status"] == "done"
    assert row["file_id"] == result["file_id"]
    assert row["sandbox"] is True
    assert row["seconds"] is not None
    _assert_nothing_secret_or_bulky(widget)


def test_out_of_order_and_duplicate_chunks(widget: UploadWidget, qapps_sandbox: Any) -> None:
    data = os.urandom(5 * 65536 + 7)
    send_file(widget, "t2", data, chunk=65536, order=[1, 0, 3, 3, 2, 0, 5, 4, 5])
    acks = [m for m in custom_messages(widget) if m["type"] == "ack"]
    assert len(acks) == 9  # duplicates are acknowledged too, so the window never stalls
    assert acks[0]["received"] == 0  # chunk 1 waits for chunk 0
    assert acks[-1]["received"] == len(data)
    (result,) = widget.wait(timeout=30)
    assert qapps_sandbox.read_object(result["file_id"]) == data
    assert hashlib.sha256(qapps_sandbox.read_object(result["file_id"])).digest() == \
        hashlib.sha256(data).digest()


def test_too_large_is_refused_before_any_byte(widget: UploadWidget, qapps_sandbox: Any,
                                             spool_dir: Path) -> None:
    widget.max_file_size = 1000
    qapps_sandbox.clear_requests()
    deliver(widget, {"type": "begin", "transfer": "big", "name": "big.bin", "size": 1001})
    (msg,) = custom_messages(widget)
    assert msg["type"] == "refused"
    assert msg["reason"] == "file is 1,001 bytes; the limit is 1 kB (max_file_size)"
    # a chunk sent anyway is not taken
    deliver(widget, {"type": "chunk", "transfer": "big", "seq": 0, "offset": 0}, [b"x" * 1000])
    assert custom_messages(widget)[-1]["type"] == "abort"
    assert os.listdir(spool_dir) == []
    assert _row(widget, "big")["status"] == "failed"
    assert widget.errors == [{"file_name": "big.bin", "size": 1001, "status": "failed",
                              "error": msg["reason"]}]
    assert qapps_sandbox.requests == []


@pytest.mark.parametrize(("fields", "name", "size", "expected"), [
    ({"app_id": "nope"}, "a.txt", 10, "app id"),
    ({}, "x" * 101, 10, "at most 100"),
    ({}, "empty.txt", 0, "empty"),
    ({"scope": "SESSION"}, "a.txt", 10, "Session ID: required"),
])
def test_begin_refused_for_bad_input(widget: UploadWidget, fields: dict[str, str], name: str,
                                     size: int, expected: str) -> None:
    for key, value in fields.items():
        setattr(widget, key, value)
    deliver(widget, {"type": "begin", "transfer": "bad", "name": name, "size": size})
    (msg,) = custom_messages(widget)
    assert msg["type"] == "refused"
    assert expected in msg["reason"]


def test_cancel_during_transfer_removes_the_spool(widget: UploadWidget, spool_dir: Path,
                                                  qapps_sandbox: Any) -> None:
    data = os.urandom(4 * 65536)
    deliver(widget, {"type": "begin", "transfer": "c1", "name": "c.bin", "size": len(data)})
    deliver(widget, {"type": "chunk", "transfer": "c1", "seq": 0, "offset": 0}, [data[:65536]])
    deliver(widget, {"type": "chunk", "transfer": "c1", "seq": 2, "offset": 131072},
            [data[131072:196608]])
    assert len(os.listdir(spool_dir)) == 1
    deliver(widget, {"type": "cancel", "transfer": "c1"})
    assert os.listdir(spool_dir) == []
    assert custom_messages(widget)[-1] == {"type": "abort", "transfer": "c1",
                                           "reason": "cancelled"}
    deliver(widget, {"type": "chunk", "transfer": "c1", "seq": 1, "offset": 65536},
            [data[65536:131072]])
    assert custom_messages(widget)[-1]["type"] == "abort"
    assert _row(widget, "c1")["status"] == "cancelled"
    assert widget.errors[-1]["status"] == "cancelled"
    assert widget.results == []
    assert qapps_sandbox.objects() == []


def test_cancel_during_the_s3_upload(widget: UploadWidget, qapps_sandbox: Any,
                                     spool_dir: Path) -> None:
    qapps_sandbox.set_latency(api=1.0)
    data = os.urandom(200_000)
    send_file(widget, "c2", data)
    time.sleep(0.2)
    assert _row(widget, "c2")["status"] == "uploading"
    deliver(widget, {"type": "cancel"})  # Cancel button: everything in progress
    widget.wait(timeout=30)
    row = _row(widget, "c2")
    assert row["status"] == "cancelled", row
    assert qapps_sandbox.objects() == []
    assert os.listdir(spool_dir) == []


def test_browser_read_error_fails_the_row(widget: UploadWidget, spool_dir: Path) -> None:
    deliver(widget, {"type": "begin", "transfer": "e1", "name": "e.bin", "size": 10})
    deliver(widget, {"type": "chunk", "transfer": "e1", "seq": 0, "offset": 0}, [b"12345"])
    deliver(widget, {"type": "error", "transfer": "e1", "reason": "NotReadableError"})
    assert _row(widget, "e1")["status"] == "failed"
    assert widget.errors[-1]["error"] == "NotReadableError"
    assert os.listdir(spool_dir) == []


def test_protocol_fault_fails_only_that_file(widget: UploadWidget) -> None:
    deliver(widget, {"type": "begin", "transfer": "p1", "name": "p.bin", "size": 10})
    deliver(widget, {"type": "chunk", "transfer": "p1", "seq": 0, "offset": 5}, [b"123456"])
    msg = custom_messages(widget)[-1]
    assert msg["type"] == "abort"
    assert "runs past" in msg["reason"]
    assert _row(widget, "p1")["status"] == "failed"
    deliver(widget, {"type": "begin", "transfer": "p1", "name": "p.bin", "size": 10})
    assert custom_messages(widget)[-1]["reason"] == "duplicate transfer id"
    deliver(widget, {"type": "nonsense"})  # ignored, no exception


def test_server_refusal_is_a_failed_row(widget: UploadWidget,
                                              qapps_sandbox: Any) -> None:
    qapps_sandbox.inject("access_denied")
    send_file(widget, "f1", b"hello")
    widget.wait(timeout=30)
    row = _row(widget, "f1")
    assert row["status"] == "failed"
    assert "\n" not in row["error"]
    assert widget.errors[-1]["file_name"] == "data.bin"


def test_upload_from_file_upload_widget(widget: UploadWidget, qapps_sandbox: Any) -> None:
    import ipywidgets

    fu = ipywidgets.FileUpload(multiple=True)
    fu.value = (file_entry("<img src=x onerror=alert(1)>.txt", b"abc"),
                file_entry("two.csv", b"a,b\n"), file_entry("<b>x</b>.txt", b"slash"))
    futures = widget.upload_from(fu)
    results = [f.result(timeout=30) for f in futures[:2]]
    assert [r.file_name for r in results] == ["<img src=x onerror=alert(1)>.txt", "two.csv"]
    assert qapps_sandbox.read_object(results[0].file_id) == b"abc"
    assert sorted(widget.file_ids) == sorted(r.file_id for r in results)
    # Q Apps names are bare names: validation.py refuses the "/" before any network call
    with pytest.raises(ValidationError, match="path separator"):
        futures[2].result(timeout=1)
    assert widget.errors[-1]["file_name"] == "<b>x</b>.txt"
    assert len(qapps_sandbox.objects()) == 2


def test_file_upload_argument_uploads_now_and_later(qapps_sandbox: Any) -> None:
    import ipywidgets

    sb = qapps_sandbox
    fu = ipywidgets.FileUpload()
    fu.value = (file_entry("first.txt", b"1"),)
    w = UploadWidget(instance_id=sb.instance_id, app_id=sb.app_id, card_id=sb.card_id,
                     session=sb.boto3_session(), endpoint_url=sb.endpoint_url, file_upload=fu)
    try:
        w.wait(timeout=30)
        fu.value = (file_entry("second.txt", b"22"),)
        w.wait(timeout=30)
        assert [r["file_name"] for r in w.results] == ["first.txt", "second.txt"]
    finally:
        w.close()


@pytest.mark.filterwarnings("ignore::qapps_nb.pipeline.SizeWarning")
def test_progress_updates_are_coarse(widget: UploadWidget) -> None:
    """Many chunks in a burst publish far fewer state updates than chunks."""
    data = os.urandom(400 * 65536)
    send_file(widget, "r1", data, chunk=65536)
    widget.wait(timeout=60)
    updates = [d for k, d, _ in widget.comm.published
               if k == "comm_msg" and d.get("method") == "update" and "rows" in d["state"]]
    assert len(updates) < 100


def test_worker_thread_keeps_the_kernel_free(widget: UploadWidget, qapps_sandbox: Any) -> None:
    qapps_sandbox.set_latency(api=2.0)
    started = time.monotonic()
    send_file(widget, "w1", b"x" * 1000)
    assert time.monotonic() - started < 1.5  # the handler returned before the upload
    assert any(th.name.startswith("qapps-widget") for th in threading.enumerate())
    widget.wait(timeout=30)
    assert _row(widget, "w1")["status"] == "done"
