"""The local model behind q-query cards: file summaries, chains of cards, errors."""

from __future__ import annotations

import uuid
from pathlib import Path

from sbx_util import client, wait_session

from qapps_nb.sandbox import Sandbox
from qapps_nb.sandbox.local_model import Held, answer, summarize


def test_summaries(tmp_path: Path) -> None:
    tsv = tmp_path / "t.tsv"
    tsv.write_text("a\tb\n1\t2\n3\t4", encoding="utf-8")  # no newline at the end
    assert summarize(tsv, "t.tsv") == "CSV, 2 columns (a, b), 3 lines; first row: 1, 2"
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    assert summarize(binary, "x.png") == "binary data"
    text = tmp_path / "notes.md"
    text.write_text("\n\n# Title\nbody\n", encoding="utf-8")
    assert summarize(text, "notes.md") == 'text, 4 lines; first line: "# Title"'
    header_only = tmp_path / "h.csv"
    header_only.write_text("x,y\n", encoding="utf-8")
    assert summarize(header_only, "h.csv") == "CSV, 2 columns (x, y), 1 line"


def test_answer_replaces_mentions_and_lists_inputs() -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    out = answer("Reply", f"Greet @{a} in @{b}, then @{a} again.",
                 [Held(a, "Name", "text-input", text="Ada\nLovelace"),
                  Held(b, "Language", "text-input", text="French")])
    lines = out.splitlines()
    assert lines[1] == ("Reply was asked: Greet [Name: Ada"), lines  # the value as is
    assert "Lovelace] in [Language: French], then [Name: Ada" in out
    assert f'- Name (text-input {a}) <- "Ada Lovelace"' in out
    assert f'- Language (text-input {b}) <- "French"' in out
    assert answer("Reply", "x", []) == answer("Reply", "x", [])  # deterministic


def _chain_app(sb: Sandbox) -> tuple[str, str, str, str]:
    text, first, second = (str(uuid.uuid4()) for _ in range(3))
    app_id = sb.add_app("Chain", [
        {"textInput": {"id": text, "title": "Topic"}},
        {"qQuery": {"id": first, "title": "Outline", "prompt": f"Outline @{text}"}},
        {"qQuery": {"id": second, "title": "Essay", "prompt": f"Write from @{first}"}},
    ])
    return app_id, text, first, second


def _session(sb: Sandbox, app_id: str, text: str) -> str:
    return str(client(sb).start_q_app_session(
        instanceId=sb.instance_id, appId=app_id, appVersion=1,
        initialValues=[{"cardId": text, "value": "tides"}])["sessionId"])


def test_a_chain_of_cards_runs_in_order(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0.3
    app_id, text, first, second = _chain_app(sb)
    sid = _session(sb, app_id, text)
    states = {k: v["currentState"] for k, v in sb.session(sid)["cardStatus"].items()}
    assert (states[first], states[second]) == ("IN_PROGRESS", "WAITING")
    done = wait_session(sb, sid)
    assert done["status"] == "COMPLETED"
    essay = done["cardStatus"][second]["currentValue"]
    assert f"Write from [Outline: the answer of card {first}]" in essay
    assert "its answer (Outline was asked: Outline [Topic: tides])" in essay


def test_an_error_upstream_ends_the_chain_in_error(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0
    app_id, text, first, second = _chain_app(sb)
    sb.inject("card_error")
    got = wait_session(sb, _session(sb, app_id, text))
    cards = got["cardStatus"]
    assert got["status"] == "ERROR"
    assert cards[first]["currentState"] == "ERROR"
    assert cards[first]["currentValue"].endswith("(sandbox fault).")
    assert cards[second] == {"currentState": "ERROR",
                             "currentValue": f"Card 'Outline' ({first}) ended in ERROR."}
