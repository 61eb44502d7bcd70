"""%qapps_run / %%qapps_run in an in-process IPython shell, against the sandbox."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from runs_helpers import count, no_session_started, ops, wait_until

pytestmark = pytest.mark.usefixtures("sb_env")


def test_text_and_file_and_the_result(run: Any, ip: Any, tmp_path: Path) -> None:
    path = tmp_path / "msa.txt"
    path.write_text("Term: 1 year\n")
    cell = run(f'r = %qapps_run -q "Contract Summarizer" Audience="legal team" '
               f"Contract={path}")
    assert cell.error is None, cell.err
    r = ip.user_ns["r"]
    assert r.status == "COMPLETED"
    assert '"legal team"' in r.outputs["Summary"]
    assert "msa.txt" in r.outputs["Summary"]


def test_variables_feed_text_and_file_cards(run: Any, ip: Any, sb_env: Any) -> None:
    pd = pytest.importorskip("pandas")
    ip.user_ns.update(sales=pd.DataFrame({"q": [1, 2]}), who="the board")
    cell = run("%qapps_run -q 'Contract Summarizer' Audience=who Contract=sales -o out")
    assert cell.error is None, cell.err
    out = ip.user_ns["out"]
    assert cell.result is out
    (upload,) = out.uploads
    assert upload.file_name == "sales.csv"  # a variable is sent as <variable>.<ext>
    assert sb_env.read_object(upload.file_id) == b"q\n1\n2\n"
    assert '"the board"' in out.outputs["Summary"]


def test_a_quoted_word_is_text_not_a_variable(run: Any, ip: Any) -> None:
    ip.user_ns["who"] = "the board"
    cell = run("%qapps_run -q 'Contract Summarizer' Audience='who' Contract=who")
    assert cell.error is None, cell.err
    summary = cell.result.outputs["Summary"]
    assert '<- "who"' in summary  # the literal text went to Audience
    assert "who.txt" in summary  # and the variable (a str) went up as a file


def test_unquoted_text_that_is_no_variable_is_one_line(run: Any, sb_env: Any) -> None:
    cell = run("%qapps_run 'Contract Summarizer' Audience=legal Contract=x.txt")
    assert cell.usage_error == ("%qapps_run: 'Audience=legal': 'legal' is not a variable; "
                                "text for card 'Audience' goes in quotes: Audience=\"legal\"")
    no_session_started(sb_env)


def test_an_unknown_card_is_one_line(run: Any, sb_env: Any) -> None:
    cell = run("%qapps_run 'Dataset Profiler' Datset=x.csv")
    assert "has no card 'Datset'" in cell.usage_error
    assert "'Dataset'" in cell.usage_error
    no_session_started(sb_env)


def test_missing_input_is_one_line(run: Any, sb_env: Any) -> None:
    cell = run("%qapps_run 'Contract Summarizer' Audience='x'")
    assert cell.usage_error.startswith("'Contract Summarizer' needs 'Contract' (file)")
    no_session_started(sb_env)


def test_the_cell_body_goes_to_the_card_left(run: Any, ip: Any) -> None:
    cell = run("%%qapps_run -q 'Contract Summarizer' Contract=b -o r\nthe finance team\n")
    assert cell.usage_error == "no such file or variable: b"  # a name that is no variable
    ip.user_ns["b"] = b"terms"
    cell = run("%%qapps_run -q 'Contract Summarizer' Contract=b -o r\nthe finance team\n")
    assert cell.error is None, cell.err
    assert '"the finance team"' in ip.user_ns["r"].outputs["Summary"]
    cell = run("%%qapps_run -q 'Contract Summarizer' Audience='ops' -o r\nline one\nline two")
    assert cell.error is None, cell.err
    assert ip.user_ns["r"].uploads[0].file_name == "cell.txt"


def test_the_cell_body_needs_exactly_one_card_left(run: Any) -> None:
    cell = run("%%qapps_run 'Contract Summarizer'\nbody")
    assert cell.usage_error == ("%%qapps_run: the cell body is for one card, but 'Audience', "
                                "'Contract' are left; give all but one on the line")


def test_an_error_card_is_one_line_and_keeps_the_run(run: Any, ip: Any, sb_env: Any) -> None:
    sb_env.inject("card_error", message="overloaded")
    ip.user_ns["data"] = b"a\n1\n"
    cell = run("%qapps_run -q 'Dataset Profiler' Dataset=data")
    kept = ip.user_ns["_qapps_run"]
    assert cell.usage_error == (f"card 'Profile' of 'Dataset Profiler' ended in ERROR: "
                                f"overloaded; session {kept.session_id} was left as it is "
                                "(the run is in _qapps_run)")
    assert kept.status == "ERROR"


def test_a_timeout_says_how_to_resume(run: Any, ip: Any, sb_env: Any) -> None:
    sb_env.settings.model_latency = 1.5
    ip.user_ns["data"] = b"a\n1\n"
    cell = run("%qapps_run -q --timeout 0.3 'Dataset Profiler' Dataset=data -o late")
    late = ip.user_ns["late"]
    assert cell.usage_error.endswith(" — late.wait() resumes")
    assert f"session {late.session_id} is IN_PROGRESS" in cell.usage_error
    again = run("late.wait().status")
    assert again.result == "COMPLETED"


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals go to the main thread")
def test_ctrl_c_is_one_line_and_the_run_resumes(run: Any, ip: Any, sb_env: Any) -> None:
    sb_env.settings.model_latency = 2.0
    ip.user_ns["data"] = b"a\n1\n"

    def interrupt() -> None:
        if wait_until(lambda: count(sb_env, "GetQAppSession") >= 2, 10):
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    timer = threading.Thread(target=interrupt, daemon=True)
    timer.start()
    cell = run("%qapps_run -q 'Dataset Profiler' Dataset=data")
    timer.join(5)
    kept = ip.user_ns["_qapps_run"]
    assert cell.usage_error == (f"stopped waiting for 'Dataset Profiler': session "
                                f"{kept.session_id} keeps running in Q Apps — "
                                "_qapps_run.wait() resumes")
    assert run("_qapps_run.wait().outputs['Profile'][:9]").result == "[sandbox "


def test_no_wait_returns_the_running_run(run: Any, ip: Any, sb_env: Any) -> None:
    sb_env.settings.model_latency = 1.0
    ip.user_ns["data"] = b"a\n1\n"
    cell = run("%qapps_run -q --no-wait 'Dataset Profiler' Dataset=data")
    assert cell.error is None, cell.err
    assert cell.result.status == "IN_PROGRESS"
    assert cell.result.wait().status == "COMPLETED"


@pytest.mark.parametrize(("line", "message"), [
    ("", "%qapps_run: give the app: %qapps_run APP CARD=VALUE ... (see %qapps_run --help)"),
    ("Audience='x'", "%qapps_run: give the app first, then CARD=VALUE words (the first word "
                     "is 'Audience=x')"),
    ("'Dataset Profiler' data.csv", "%qapps_run: 'data.csv' is not CARD=VALUE (quote a title "
                                    "with spaces: \"Contract file\"=msa.pdf)"),
    ("'Dataset Profiler' --timeout 0 Dataset=x", "%qapps_run: argument --timeout: '0' must be "
                                                 "a positive number of seconds (see "
                                                 "%qapps_run --help)"),
    ("'Dataset Profiler' Dataset='x", "%qapps_run: no closing quote (') in the line"),
    ("-o 1x App", "%qapps_run: --out '1x' is not a variable name"),
])
def test_line_mistakes_are_one_line(run: Any, sb_env: Any, line: str, message: str) -> None:
    assert run(f"%qapps_run {line}").usage_error == message
    assert ops(sb_env) == []


def test_help(run: Any) -> None:
    cell = run("%qapps_run --help")
    assert cell.error is None
    assert cell.result is None
    assert "CARD=VALUE" in cell.out
    assert "--no-wait" in cell.out
