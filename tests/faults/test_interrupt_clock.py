"""Interrupts and clocks: Ctrl-C and Cancel stop an upload cleanly; a skewed clock is harmless.

"Cleanly" means: the call returns promptly with a clear message, no ``qapps-upload`` worker
is left running, S3 stores nothing, and the next upload works. Expiry is judged from the
server's Date header, so a local clock 5 minutes off breaks nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import api_calls, s3_posts, send_file, upload_threads, wait_until, widget_row

from qapps_nb import upload, upload_many
from qapps_nb.service.presign import create_presigned_url, get_client
from qapps_nb.sources import Payload

pytestmark = pytest.mark.filterwarnings("ignore::qapps_nb.pipeline.SizeWarning")
BIG = 48 * 1024 * 1024  # more than loopback socket buffers hold: the send really blocks


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(BIG)  # sparse: fast to make, still 48 MiB to hash and send
    return path


class _Interrupter(threading.Thread):
    """Sends a real SIGINT to the main thread (it interrupts a blocking send, as Ctrl-C
    does) once ``posts`` S3 POSTs are stalled mid-body, plus ``delay`` seconds."""

    def __init__(self, sb: Any, posts: int, delay: float = 0.4) -> None:
        super().__init__(name="test-interrupter", daemon=True)
        self.sb, self.posts, self.delay = sb, posts, delay
        self.stop = threading.Event()
        self.start()

    def run(self) -> None:
        if not wait_until(lambda: _stalled(self.sb) >= self.posts or self.stop.is_set(), 10):
            return
        if not self.stop.wait(self.delay):
            main = threading.main_thread().ident
            assert main is not None
            signal.pthread_kill(main, signal.SIGINT)

    def cancel(self) -> None:
        self.stop.set()
        self.join(timeout=15)


def _stalled(sb: Any) -> int:
    """S3 POSTs that took a slow_reader fault (each is stalled, then logged when it ends)."""
    queued = sum(f["times"] for f in sb.faults if f["kind"] == "slow_reader")
    return STALLS - queued


STALLS = 4


def _interrupt_main_in(sb: Any, posts: int = 1) -> _Interrupter:
    sb.inject("slow_reader", times=STALLS, delay=3)  # S3 stops reading: sends block mid-body
    return _Interrupter(sb, posts)


def _nothing_stored_and_quiet(sb: Any) -> None:
    """The stalled server sees the hang-up; nothing lands and no request follows."""
    started = _stalled(sb)
    assert started >= 1
    assert wait_until(lambda: len(s3_posts(sb)) >= started, timeout=8), s3_posts(sb)
    assert [r.status for r in s3_posts(sb)] == [499] * started  # all hung up, none stored
    assert sb.objects() == []
    assert wait_until(lambda: not upload_threads("qapps-upload"), timeout=5), upload_threads()
    count = len(sb.requests)
    time.sleep(0.5)
    assert len(sb.requests) == count, "something kept sending after the interrupt"


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals go to the main thread")
def test_ctrl_c_during_a_single_upload(qapps_sandbox: Any, target: dict[str, Any],
                                       big_file: Path) -> None:
    sb = qapps_sandbox
    timer = _interrupt_main_in(sb)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        upload(big_file, **target)
    elapsed = time.monotonic() - started
    timer.cancel()
    assert elapsed < 2.5, f"the interrupt took {elapsed:.1f} s to stop the upload"
    _nothing_stored_and_quiet(sb)
    sb.clear_faults()
    result = upload(big_file, **target)  # the next upload works
    assert sb.read_object(result.file_id) == b"\0" * BIG


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals go to the main thread")
def test_ctrl_c_during_upload_many_leaves_no_worker(qapps_sandbox: Any, target: dict[str, Any],
                                                   big_file: Path) -> None:
    # polars installs a C-level SIGINT handler with SA_RESTART: a plain blocking wait on
    # the workers then missed Ctrl-C until every upload had finished (and was stored).
    polars = pytest.importorskip("polars")
    polars.DataFrame({"a": [1]}).write_csv(os.devnull)
    sb = qapps_sandbox
    timer = _interrupt_main_in(sb, posts=3)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        upload_many([big_file, big_file, big_file], max_workers=3, **target)
    elapsed = time.monotonic() - started
    timer.cancel()
    assert not upload_threads("qapps-upload"), "a worker thread outlived the interrupt"
    assert elapsed < 5, f"the interrupt took {elapsed:.1f} s"
    _nothing_stored_and_quiet(sb)
    sb.clear_faults()
    results = upload_many([b"after", big_file], max_workers=2, **target)
    assert [sb.read_object(r.file_id)[:5] for r in results] == [b"after", b"\0" * 5]


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals go to the main thread")
def test_ctrl_c_in_the_magic_is_one_line(qapps_sandbox_env: Any, run: Any,
                                         big_file: Path) -> None:
    sb = qapps_sandbox_env
    timer = _interrupt_main_in(sb)
    try:
        cell = run(f"%qapps_upload -q {big_file}")
    finally:
        timer.cancel()
    assert cell.interrupted.startswith("interrupted: uploads stopped")
    _nothing_stored_and_quiet(sb)
    sb.clear_faults()
    again = run(f"%qapps_upload -q {big_file}")
    assert again.error is None
    assert sb.read_object(again.result.file_id)[:4] == b"\0\0\0\0"


def test_widget_cancel_during_a_slow_s3_post(qapps_sandbox: Any, make_widget: Any) -> None:
    sb = qapps_sandbox
    widget = make_widget()
    sb.inject("slow_reader", times=STALLS, delay=3)
    data = os.urandom(20 * 1024 * 1024)
    send_file(widget, "slow", data, chunk=8 * 1024 * 1024)
    assert wait_until(lambda: _stalled(sb) >= 1, timeout=10)
    time.sleep(0.4)  # S3 is stalled; the worker is blocked mid-body
    widget.cancel()  # the Cancel button: everything in progress
    widget.wait(timeout=15)
    row = widget_row(widget, "slow")
    assert row["status"] == "cancelled", row
    assert widget.results == []
    assert widget.errors[-1]["status"] == "cancelled"
    _nothing_stored_and_quiet(sb)
    assert list(make_widget.spool_dir.iterdir()) == []
    sb.clear_faults()
    send_file(widget, "next", b"the next upload works")
    (result,) = widget.wait(timeout=30)
    assert sb.read_object(result["file_id"]) == b"the next upload works"
    widget.close()
    assert wait_until(lambda: not upload_threads("qapps-widget"), timeout=10), upload_threads()


@pytest.mark.parametrize("skew", [-300.0, 300.0])
@pytest.mark.parametrize("ttl", [60.0, 900.0])
def test_clock_off_by_five_minutes(qapps_sandbox: Any, target: dict[str, Any], skew: float,
                                   ttl: float) -> None:
    """Server clock ±5 min from ours, URLs valid for 1 min: no renewal loop, no failure."""
    sb = qapps_sandbox
    sb.settings.clock_skew = skew
    sb.settings.url_ttl = ttl
    client = get_client(target["session"], None, None, target["endpoint_url"])
    presigned = create_presigned_url(
        client, instance_id=sb.instance_id, app_id=sb.app_id, card_id=sb.card_id,
        file_name="c.txt", sha256=Payload.from_bytes(b"c").ensure_hashed(),
        scope="APPLICATION", session_id=None)
    assert abs(presigned.clock_offset.total_seconds() - skew) < 3
    assert not presigned.expired()
    sb.clear_requests()
    result = upload(b"on time", **target)
    assert sb.read_object(result.file_id) == b"on time"
    assert result.attempts == 1
    assert len(api_calls(sb)) == 1
    assert len(s3_posts(sb)) == 1


@pytest.mark.parametrize("skew", [-300.0, 300.0])
def test_skewed_clock_still_renews_a_really_expired_url(qapps_sandbox: Any,
                                                        target: dict[str, Any],
                                                        skew: float) -> None:
    sb = qapps_sandbox
    sb.settings.clock_skew = skew
    sb.inject("expired_url")  # expired by the server's clock, whatever ours says
    result = upload(b"renewed", **target)
    assert sb.read_object(result.file_id) == b"renewed"
    assert len(api_calls(sb)) == 2
    assert len(s3_posts(sb)) == 1


def test_skewed_clock_via_the_magic(qapps_sandbox_env: Any, run: Any) -> None:
    sb = qapps_sandbox_env
    sb.settings.clock_skew = -300.0
    sb.settings.url_ttl = 60.0
    run("payload = b'magic on a skewed clock'")
    cell = run("%qapps_upload -q payload")
    assert cell.error is None, cell.err
    assert sb.read_object(cell.result.file_id) == b"magic on a skewed clock"
