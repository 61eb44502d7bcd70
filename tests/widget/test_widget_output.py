"""on_upload callbacks: what they print or raise lands in the widget's log, shown below it."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest
from widget_helpers import deliver, send_file, state_text, until

from qapps_nb.widget import UploadWidget


def test_what_a_callback_prints_shows_under_the_widget(widget: UploadWidget,
                                                       capfd: pytest.CaptureFixture[str]) -> None:
    widget.on_upload(lambda r: print("stored", r.file_id))
    widget.on_upload(lambda r: print("to stderr", file=sys.stderr))
    send_file(widget, "t1", b"hello", name="hello.txt")
    (result,) = widget.wait(timeout=30)
    until(lambda: len(widget.log) == 2 and widget.log[1]["text"].endswith("\n"))
    out, err = widget.log
    assert out == {"kind": "stdout", "text": f"stored {result['file_id']}\n",
                   "file": "hello.txt"}
    assert err == {"kind": "stderr", "text": "to stderr\n", "file": "hello.txt"}
    assert '"log"' in state_text(widget)  # synced: the front end draws it
    captured = capfd.readouterr()
    assert "stored" not in captured.out  # it went to the widget, not to some other cell
    assert type(sys.stdout).__name__ != "_Router"  # put back once the callbacks ended


def test_a_failing_callback_shows_a_short_traceback(widget: UploadWidget) -> None:
    def check_size(result: Any) -> None:
        ratio = result.size / 0
        print(ratio)

    seen: list[str] = []
    widget.on_upload(check_size)
    widget.on_upload(lambda r: seen.append(r.file_id))  # later callbacks still run
    send_file(widget, "t1", b"data")
    (result,) = widget.wait(timeout=30)
    until(lambda: bool(widget.log) and bool(seen))
    (entry,) = widget.log
    assert entry["kind"] == "error"
    lines = entry["text"].splitlines()
    assert lines[0] == ("on_upload callback "
                        "test_a_failing_callback_shows_a_short_traceback.<locals>.check_size "
                        "raised ZeroDivisionError: division by zero")
    assert any("ratio = result.size / 0" in line for line in lines)
    assert not any("callbacks.py" in line for line in lines)  # only the callback's frames
    assert seen == [result["file_id"]]
    assert widget.rows[0]["status"] == "done"  # a callback's bug is not a failed upload


def test_other_threads_output_is_left_alone(widget: UploadWidget,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    inside = threading.Event()
    release = threading.Event()

    def slow(result: Any) -> None:
        print("from the callback")
        inside.set()
        release.wait(10)

    widget.on_upload(slow)
    send_file(widget, "t1", b"x")
    assert inside.wait(30)
    print("from the main thread")  # while the callback runs
    release.set()
    widget.wait(timeout=30)
    until(lambda: bool(widget.log) and widget.log[-1]["text"].endswith("\n"))
    assert [e["text"] for e in widget.log] == ["from the callback\n"]
    assert "from the main thread" in capfd.readouterr().out


def test_the_log_can_be_cleared_and_stays_small(widget: UploadWidget) -> None:
    widget.on_upload(lambda r: print("x" * 10_000))
    send_file(widget, "t1", b"1")
    widget.wait(timeout=30)
    until(lambda: bool(widget.log) and widget.log[0]["text"].endswith("\n"))
    assert len(widget.log[0]["text"]) <= 4000
    deliver(widget, {"type": "clear-log"})  # the front end's "clear"
    assert widget.log == []
