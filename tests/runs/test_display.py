"""Inline display: outputs as safe Markdown under escaped titles; text for terminals; no secrets."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

import qapps_nb
from qapps_nb.runs.display import markdown_html

EVIL_ANSWER = ("<script>alert(1)</script> **bold** [click](javascript:alert(2)) "
               "<img src=x onerror=alert(3)> <a href='https://x.test'>raw</a> "
               "<javascript:alert(4)> ![pixel](https://tracker.test/p.png)")


def _no_active_content(page: str) -> None:
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert not re.search(r"href\s*=\s*['\"]?\s*javascript:", page, re.I)
    assert not re.search(r"<a [^>]*href=['\"]https://x\.test", page)  # raw HTML stays text
    assert "onerror=" not in page.replace("onerror=alert(3)&gt;", "")


def test_markdown_renders_and_raw_html_stays_text() -> None:
    page = markdown_html(EVIL_ANSWER + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two")
    _no_active_content(page)
    assert "<strong>bold</strong>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<table>" in page
    assert "<li>one</li>" in page
    assert "tracker.test" not in page or "<img" not in page


def test_a_runs_answer_and_titles_are_escaped(sb: Any, aws: dict[str, Any]) -> None:
    app_id = sb.add_app("R&D 'Q' & co", [
        {"textInput": {"id": "11111111-1111-4111-8111-111111111111", "title": "Ask & tell",
                       "type": "text-input"}},
        {"qQuery": {"title": "A&B 'answer'", "type": "q-query",
                    "prompt": "Answer @11111111-1111-4111-8111-111111111111"}},
    ])
    run = qapps_nb.run_app(app_id, {"Ask & tell": EVIL_ANSWER}, **aws)
    assert EVIL_ANSWER in run.outputs["A&B 'answer'"]  # the model echoed it: it is in the answer
    page = run._repr_html_()
    _no_active_content(page)
    assert html.escape("R&D 'Q' & co") in page
    assert html.escape("A&B 'answer'") in page
    assert "&lt;script&gt;" in page
    assert "<strong>bold</strong>" in page  # Markdown is rendered, not shown raw
    assert "SANDBOX" in page
    assert f">{run.session_id}</code>" in page  # the whole-id code element


def test_text_repr_shows_the_outputs_raw(sb: Any, aws: dict[str, Any]) -> None:
    from IPython.lib.pretty import pretty

    run = qapps_nb.run_app("Dataset Profiler", {"Dataset": b"k,v\n1,2\n"}, **aws)
    text = pretty(run)
    lines = text.splitlines()
    assert lines[0] == ("Q App run 'Dataset Profiler' [SANDBOX]: COMPLETED, session "
                        f"{run.session_id}")
    assert lines[1] == "--- Profile ---"
    assert run.outputs["Profile"] in text
    assert repr(run) == (f"<QAppRun SANDBOX 'Dataset Profiler' COMPLETED "
                         f"session_id={run.session_id} outputs=['Profile']>")


def test_an_unfinished_run_shows_its_card_states(sb: Any, aws: dict[str, Any]) -> None:
    sb.settings.model_latency = 5
    run = qapps_nb.run_app("Dataset Profiler", {"Dataset": b"k\n1\n"}, wait=False, **aws)
    page = run._repr_html_()
    assert "IN_PROGRESS" in page
    assert "Dataset" in page
    assert "(IN_PROGRESS)" in qapps_nb.runs.display.run_text(run)
    run.stop()
    assert run.stopped
    assert "stopped" in run._repr_html_()


@pytest.mark.parametrize("where", ["repr", "html", "dict", "error"])
def test_no_secret_in_what_a_run_shows(sb: Any, aws: dict[str, Any], where: str) -> None:
    from qapps_nb.sandbox.state import CLIENT_SECRET_ACCESS_KEY

    sb.inject("card_error" if where == "error" else "throttle", times=1)
    try:
        run = qapps_nb.run_app("Dataset Profiler", {"Dataset": b"s\n1\n"}, **aws)
        shown = {"repr": repr(run) + qapps_nb.runs.display.run_text(run),
                 "html": run._repr_html_(), "dict": str(run.to_dict())}.get(where, "")
    except qapps_nb.RunError as exc:
        shown = str(exc) + repr(exc.run) + (exc.run._repr_html_() if exc.run else "")
    state = sb._state
    for secret in (state.presign_secret, state.presign_access_key, CLIENT_SECRET_ACCESS_KEY,
                   "x-amz-signature", "x-amz-security-token", "policy", "SBX"):
        assert secret not in shown, secret
