"""Runs nobody watches (nbclient, papermill) save no frozen bars; a live front end gets
bars in decimal units; a failed magic's reason reaches papermill's exception."""

from __future__ import annotations

import json
import re
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

BIG = 3_000_000  # above the 1 MiB bar threshold; 3.00 MB decimal, 2.86 MiB binary
SETUP = ("import os, qapps_nb, qapps_nb.sandbox\n"
         "sb = qapps_nb.sandbox.start()\n"
         f"with open('big.bin', 'wb') as f:\n    f.write(os.urandom({BIG}))")
UPLOADS = [
    "r = %qapps_upload big.bin\nprint(r.file_id)",
    "rs = %qapps_upload big.bin big.bin\nprint(len(rs))",
    "print(qapps_nb.upload('big.bin').file_id)",
    "print(len(qapps_nb.upload_many(['big.bin', 'big.bin'])))",
]
WIDGET = "application/vnd.jupyter.widget-view+json"


def notebook(*sources: str) -> Any:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def assert_no_progress_output(nb: Any) -> None:
    """No bar, as a widget or as text ("hashing big.bin:   0%|…|"), in any saved output."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            shown = json.dumps(output)
            assert not re.search(r"\d+%\|", shown), output
            assert not re.search(r"(hashing|uploading) \S+:", shown), output
            if WIDGET in shown:  # the upload widget is welcome; a tqdm bar is not
                assert "UploadWidget" in output["data"]["text/plain"], output


def test_nbclient_run_saves_no_progress_bars(tmp_path: Path) -> None:
    nb = notebook(SETUP, "%load_ext qapps_nb", *UPLOADS)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = [o["text"] for c in nb.cells[2:] for o in c.outputs if o.get("name") == "stdout"]
    assert len(printed) == len(UPLOADS)  # every upload ran and printed its result
    assert_no_progress_output(nb)


def test_papermill_run_saves_no_bars_and_names_the_failure(tmp_path: Path) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source, saved = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(notebook(SETUP, "%load_ext qapps_nb", *UPLOADS,
                            "%qapps_upload --scope everywhere big.bin",
                            "print('not reached')"), source)
    with pytest.raises(PapermillExecutionError) as caught:
        papermill.execute_notebook(str(source), str(saved), kernel_name="python3",
                                   cwd=str(tmp_path), progress_bar=False)
    error = caught.value
    assert error.ename == "UsageError"
    assert "scope" in error.evalue
    assert "everywhere" in error.evalue
    assert f"UsageError: {error.evalue}" in str(error)
    assert "Traceback" not in str(error)
    result = nbformat.read(saved, as_version=4)
    assert_no_progress_output(result)
    failed = result.cells[-2].outputs  # papermill's own first cell was not injected
    assert [o["output_type"] for o in failed] == ["error"]
    assert failed[0]["traceback"] == [f"UsageError: {error.evalue}"]  # one line shown


def test_papermill_quickstart_runs_every_cell_and_saves_no_bars(tmp_path: Path) -> None:
    """papermill fails a run on any error output, even in a cell tagged raises-exception
    (nbclient honours the tag, papermill does not): the quickstart's deliberate mistake
    is the one error it reports, with its reason; every other cell ran."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    quickstart = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
    saved = tmp_path / "quickstart.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        papermill.execute_notebook(str(quickstart), str(saved), kernel_name="python3",
                                   cwd=str(tmp_path), progress_bar=False)
    assert caught.value.evalue == "no such file: no-such-file.csv"
    assert "UsageError: no such file: no-such-file.csv" in str(caught.value)
    result = nbformat.read(saved, as_version=4)
    assert_no_progress_output(result)
    code = [c for c in result.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)  # papermill ran on past the mistake
    errors = [c for c in code if any(o["output_type"] == "error" for o in c.outputs)]
    assert [c.metadata.get("tags") for c in errors] == [["raises-exception"]]


def _run_live(kc: Any, code: str) -> list[dict[str, Any]]:
    """Execute as an interactive front end does (allow_stdin) and collect iopub messages."""
    msg_id = kc.execute(code, allow_stdin=True)
    messages = []
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=60)
        except Empty:
            raise AssertionError(f"no idle status after {code!r}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages


def test_live_front_end_gets_bars_in_decimal_units_that_go_away(tmp_path: Path) -> None:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        _run_live(kc, SETUP)
        _run_live(kc, "%load_ext qapps_nb")
        messages = _run_live(kc, UPLOADS[0])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert not errors, errors
    bars = [m["content"]["data"] for m in messages
            if m["msg_type"] == "display_data" and WIDGET in m["content"]["data"]]
    labels = [bar["text/plain"] for bar in bars]
    assert [label.split(":")[0] for label in labels] == ["hashing big.bin", "uploading big.bin"]
    assert all("3.00MB" in label for label in labels), labels  # decimal, as messages say
    assert not any("2.86M" in label for label in labels), labels
    hidden = [m for m in messages if m["msg_type"] == "comm_msg"
              and m["content"]["data"].get("state", {}).get("visibility") == "hidden"]
    assert len(hidden) >= len(bars)  # each finished bar is hidden, none stays frozen
