"""How a wait ends other than COMPLETED: ERROR card, stuck WAITING, timeout, Ctrl-C, throttling."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import pytest
from runs_helpers import count, ops, run_threads, wait_until

import qapps_nb
from qapps_nb import RunError, RunInterrupted, RunTimeout

DATA = {"Dataset": b"a,b\n1,2\n"}
main_thread_only = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                      reason="signals go to the main thread")


def test_an_error_card_ends_the_run_with_its_title(sb: Any, aws: dict[str, Any]) -> None:
    sb.inject("card_error", message="the model is overloaded")
    with pytest.raises(RunError) as caught:
        qapps_nb.run_app("Dataset Profiler", DATA, **aws)
    err = caught.value
    run = err.run
    assert run is not None
    assert err.session_id == run.session_id
    assert str(err) == (f"card 'Profile' of 'Dataset Profiler' ended in ERROR: the model is "
                        f"overloaded; session {run.session_id} was left as it is")
    assert run.status == "ERROR"
    assert run.error == str(err)
    assert run.cards["Profile"].state == "ERROR"
    assert "StopQAppSession" not in ops(sb)  # nothing to stop: the session has ended
    with pytest.raises(RunError):  # waiting again says the same, without a call
        run.wait()


def test_a_session_stuck_waiting_is_an_error_naming_the_cards(sb: Any,
                                                              aws: dict[str, Any]) -> None:
    sb.inject("stuck_waiting")
    started = time.monotonic()
    with pytest.raises(RunError) as caught:
        qapps_nb.run_app("Contract Summarizer",
                         {"Audience": "ops", "Contract": b"terms"}, timeout=60, **aws)
    elapsed = time.monotonic() - started
    run = caught.value.run
    assert run is not None
    assert str(caught.value) == (
        "'Contract Summarizer' is WAITING for 'Audience' (text-input), 'Contract' "
        "(file-upload) although every input was sent: the session did not accept them; "
        f"session {run.session_id} stopped")
    assert elapsed < 8, f"a stuck session took {elapsed:.1f} s to be noticed"
    assert ops(sb)[-1] == "StopQAppSession"
    assert run.stopped


def test_timeout_gives_the_session_and_wait_resumes(sb: Any, aws: dict[str, Any]) -> None:
    sb.settings.model_latency = 1.5
    with pytest.raises(RunTimeout) as caught:
        qapps_nb.run_app("Dataset Profiler", DATA, timeout=0.4, **aws)
    err = caught.value
    run = err.run
    assert run is not None
    assert str(err) == (f"'Dataset Profiler' still running after 0.4 s: session "
                        f"{run.session_id} is IN_PROGRESS ('Profile' not done) and keeps "
                        "running in Q Apps — .wait() on the run waits again")
    assert "StopQAppSession" not in ops(sb)
    assert run.wait(timeout=30).status == "COMPLETED"
    assert "Profile" in run.outputs


class _Interrupter(threading.Thread):
    """Sends SIGINT to the main thread (as Ctrl-C does) once ``polls`` polls were made."""

    def __init__(self, sb: Any, polls: int) -> None:
        super().__init__(name="test-interrupter", daemon=True)
        self.sb, self.polls = sb, polls
        self.sent_at: float | None = None
        self.start()

    def run(self) -> None:
        if wait_until(lambda: count(self.sb, "GetQAppSession") >= self.polls, 10):
            self.sent_at = time.monotonic()
            main = threading.main_thread().ident
            assert main is not None
            signal.pthread_kill(main, signal.SIGINT)


@main_thread_only
def test_ctrl_c_stops_waiting_and_wait_resumes(sb: Any, aws: dict[str, Any]) -> None:
    sb.settings.model_latency = 2.0
    timer = _Interrupter(sb, polls=2)
    with pytest.raises(RunInterrupted) as caught:
        qapps_nb.run_app("Dataset Profiler", DATA, **aws)
    stopped_at = time.monotonic()
    timer.join(5)
    assert timer.sent_at is not None
    assert stopped_at - timer.sent_at < 0.5
    err = caught.value
    assert isinstance(err, KeyboardInterrupt)
    run = err.run
    assert run is not None
    assert str(err) == (f"stopped waiting for 'Dataset Profiler': session {run.session_id} "
                        "keeps running in Q Apps — .wait() on the run resumes")
    polls = count(sb, "GetQAppSession")
    time.sleep(0.8)
    assert count(sb, "GetQAppSession") == polls, "something kept polling after Ctrl-C"
    assert run_threads() == []
    assert "StopQAppSession" not in ops(sb)
    assert run.wait(timeout=30).status == "COMPLETED"


@main_thread_only
@pytest.mark.parametrize("moment", ["starting", "uploading"])
def test_ctrl_c_before_all_inputs_are_given_stops_the_session(sb: Any, aws: dict[str, Any],
                                                              moment: str) -> None:
    """Interrupted inside StartQAppSession or mid-upload: the session started is stopped."""
    if moment == "starting":
        sb.set_latency(api=1.0)  # StartQAppSession takes 1 s: the interrupt lands inside it
        after, data = "GetQApp", DATA
    else:
        sb.inject("slow_reader", times=4, delay=3)  # S3 stalls: the interrupt lands mid-upload
        after, data = "CreatePresignedUrl", {"Dataset": b"x" * (8 << 20)}

    def interrupt() -> None:
        if wait_until(lambda: after in ops(sb), 10):
            time.sleep(0.3)
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    timer = threading.Thread(target=interrupt, daemon=True)
    timer.start()
    with pytest.raises(RunInterrupted) as caught:
        qapps_nb.run_app("Dataset Profiler", data, **aws)
    timer.join(5)
    run = caught.value.run
    assert run is not None
    assert run.stopped
    assert str(caught.value) == ("interrupted before 'Dataset Profiler' had all its inputs: "
                                 f"session {run.session_id} stopped; nothing ran")
    assert "UpdateQAppSession" not in ops(sb)
    if moment == "starting":
        assert "CreatePresignedUrl" not in ops(sb)
    assert ops(sb)[-1] == "StopQAppSession"
    assert sb.sessions() == [], "a session was left running"
    assert wait_until(lambda: run_threads() == [], 5), run_threads()


def test_throttling_while_polling_is_ridden_out(sb: Any, aws: dict[str, Any]) -> None:
    sb.inject("throttle", times=2, operation="GetQAppSession")
    run = qapps_nb.run_app("Dataset Profiler", DATA, **aws)
    assert run.status == "COMPLETED"
    throttled = [r for r in sb.requests if r.operation == "GetQAppSession"
                 and r.code == "ThrottlingException"]
    assert len(throttled) == 2


@pytest.mark.slow
def test_throttling_beyond_botocores_retries_is_ridden_out(sb: Any,
                                                           aws: dict[str, Any]) -> None:
    """Five throttles in a row exhaust one call's retries; the wait backs off and goes on."""
    sb.inject("throttle", times=6, operation="GetQAppSession")
    run = qapps_nb.run_app("Dataset Profiler", DATA, **aws)
    assert run.status == "COMPLETED"
    answers = [r.code for r in sb.requests if r.operation == "GetQAppSession"]
    assert answers[:6] == ["ThrottlingException"] * 6
    assert answers[-1] is None
    assert run.polls == len(answers) - 6  # throttled attempts are not polls


@main_thread_only
def test_ctrl_c_stops_a_whole_batch_and_leaves_no_thread(sb: Any, aws: dict[str, Any]) -> None:
    sb.settings.model_latency = 3.0
    rows = [dict(DATA) for _ in range(4)]
    timer = _Interrupter(sb, polls=6)
    with pytest.raises(RunInterrupted) as caught:
        qapps_nb.run_many("Dataset Profiler", rows, max_workers=4, **aws)
    stopped_at = time.monotonic()
    timer.join(5)
    assert timer.sent_at is not None
    assert stopped_at - timer.sent_at < 1.0, "the batch took long to stop"
    assert run_threads() == [], "a worker outlived the interrupt"
    runs = caught.value.runs
    assert runs is not None
    assert len(runs) == 4
    assert str(caught.value) == ("interrupted: 0 of 4 runs had completed; runs still waiting "
                                 "keep running in Q Apps (see .runs)")
    waiting = [r.run for r in runs if isinstance(r, RunInterrupted)]
    assert len(waiting) == 4  # each worker stopped waiting; its run is kept
    polls = count(sb, "GetQAppSession")
    time.sleep(0.8)
    assert count(sb, "GetQAppSession") == polls, "something kept polling after Ctrl-C"
    assert waiting[0] is not None
    assert waiting[0].wait(timeout=30).status == "COMPLETED"  # and each one resumes
