"""The pacing rules on their own (pacing.py): hold, a file's budget, service down.

These drive one Pacer directly with tiny delays; the burst tests in tests/faults/ show the
same rules riding out real bursts from the sandbox.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest

from qapps_nb import UploadCancelled, pacing

TINY = {"base_delay": 0.01, "max_delay": 0.08, "retry_after_cap": 0.05, "give_up_after": 0.2}


@pytest.fixture
def pacer() -> Iterator[pacing.Pacer]:
    previous = pacing.configure(**TINY)
    yield pacing.pacer_for("s3", "http://pacing.test")
    pacing.restore(previous)


def _fail(pacer: pacing.Pacer, tries: pacing.Tries, code: str = "InternalError") -> str | None:
    started = pacer.before_attempt(tries)
    pacer.failed(tries, started, code)
    return pacer.give_up_reason(tries)


def test_one_pacer_per_endpoint() -> None:
    assert pacing.pacer_for("s3", "https://a") is pacing.pacer_for("s3", "https://a")
    assert pacing.pacer_for("s3", "https://a") is not pacing.pacer_for("s3", "https://b")


def test_alone_a_file_gives_up_after_its_attempts(pacer: pacing.Pacer) -> None:
    tries = pacing.Tries()
    reasons = [_fail(pacer, tries) for _ in range(4)]
    assert reasons[:3] == [None, None, None]
    assert reasons[3] == "gave up after 4 attempts"


def test_in_company_a_file_keeps_trying_up_to_its_maximum(pacer: pacing.Pacer) -> None:
    tries = pacing.Tries()
    with pacing.uploading(), pacing.uploading():  # another upload runs meanwhile
        assert pacing.in_company()
        reasons = []
        for _ in range(20):
            reasons.append(_fail(pacer, tries))
            pacer.succeeded()  # the batch progresses: the service never looks "down"
    assert reasons[:19] == [None] * 19
    assert reasons[19] == "gave up after 20 attempts"
    assert not pacing.in_company()


def test_an_isolated_failure_holds_only_its_file(pacer: pacing.Pacer) -> None:
    a, b = pacing.Tries(), pacing.Tries()
    pacer.failed(a, pacer.before_attempt(a), "SlowDown")
    assert pacer.snapshot()["hold"] == 0.0  # the others go on
    assert a.own_until > time.monotonic()
    pacer.before_attempt(b)
    assert b.waited == 0.0
    pacer.before_attempt(a)
    assert a.waited > 0.0


def test_the_hold_doubles_once_per_round_and_halves_on_success(pacer: pacing.Pacer) -> None:
    a, b, c = pacing.Tries(), pacing.Tries(), pacing.Tries()
    started = [pacer.before_attempt(t) for t in (a, b, c)]
    pacer.failed(a, started[0], "SlowDown")  # isolated so far: a's own backoff
    pacer.failed(b, started[1], "SlowDown")  # two in a row: a burst, everyone holds
    pacer.failed(c, started[2], "SlowDown")  # sent before the backoff began: same round
    assert pacer.snapshot()["delay"] == pytest.approx(0.01)
    assert pacer.snapshot()["hold"] > 0.0
    begun = time.monotonic()
    started_a = pacer.before_attempt(a)  # waits for the shared hold
    assert time.monotonic() - begun >= 0.004
    pacer.failed(a, started_a, "SlowDown")  # a new round
    assert pacer.snapshot()["delay"] == pytest.approx(0.02)
    pacer.succeeded()
    assert pacer.snapshot()["delay"] == pytest.approx(0.01)
    pacer.succeeded()
    assert pacer.snapshot()["delay"] == 0.0


def test_retry_after_is_honoured_up_to_its_cap(pacer: pacing.Pacer) -> None:
    first, second = pacing.Tries(), pacing.Tries()
    pacer.failed(first, pacer.before_attempt(first), "ThrottlingException", retry_after=1.0)
    assert 0.03 < first.own_until - time.monotonic() <= 0.05
    pacer.failed(second, pacer.before_attempt(second), "ThrottlingException", retry_after=1.0)
    assert 0.03 < pacer.snapshot()["hold"] <= 0.05


def test_a_dead_service_is_refused_then_probed_again(pacer: pacing.Pacer) -> None:
    started = time.monotonic()
    with pacing.uploading(), pacing.uploading():
        files = [pacing.Tries() for _ in range(4)]
        reasons = [_fail(pacer, files[i % 4]) for i in range(40)]
    # Down once 40 requests (down_after) failed in a row over 0.2 s (give_up_after).
    assert time.monotonic() - started > TINY["give_up_after"]
    assert reasons[:39] == [None] * 39
    assert re.fullmatch(r"gave up after 10 attempts: every S3 request failed for the last "
                        r"\d+ s \(40 in a row\)", reasons[39] or ""), reasons[39]
    with pytest.raises(pacing.GiveUp) as info:
        pacer.before_attempt(pacing.Tries())
    assert info.value.reason.startswith("not sent: every S3 request failed for the last ")
    assert info.value.code == "InternalError"
    time.sleep(TINY["max_delay"] + 0.05)  # no news for a while: a request may probe
    fresh = pacing.Tries()
    pacer.before_attempt(fresh)
    assert fresh.count == 1
    pacer.succeeded()
    assert pacer.snapshot()["streak"] == 0


def test_a_wait_for_the_hold_stops_on_cancel(pacer: pacing.Pacer) -> None:
    pacing.configure(base_delay=5.0, max_delay=5.0)
    tries = pacing.Tries()
    pacer.failed(tries, pacer.before_attempt(tries), "SlowDown")
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    begun = time.monotonic()
    with pytest.raises(UploadCancelled):
        pacer.before_attempt(tries, cancel)
    assert time.monotonic() - begun < 1.0
