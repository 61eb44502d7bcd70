"""%qapps_run and run_many in a real kernel (nbclient): live states, outputs, no secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_cells import new_notebook

pytestmark = pytest.mark.slow

EVIL = "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
CELLS = [
    ("%load_ext qapps_nb\nimport pandas as pd\nimport qapps_nb", False),
    ("df = pd.DataFrame({'city': ['Oslo', 'Lima'], 'temp': [4.5, 19.0]})\n"
     "%qapps_run 'Dataset Profiler' Dataset=df", False),
    ("r = %qapps_run 'Contract Summarizer' Audience=evil Contract=df\nr", False),
    ("rows = pd.DataFrame({'Dataset': [df, df.head(1)]})\n"
     "qapps_nb.run_many('Dataset Profiler', rows, progress=False)[['status', 'Profile']]",
     False),
    ("import requests, os\n"
     "requests.post(os.environ['AWS_ENDPOINT_URL_QAPPS'] + '/_sandbox/faults',\n"
     "              json={'kind': 'card_error', 'message': 'overloaded'}).raise_for_status()\n"
     "%qapps_run 'Dataset Profiler' Dataset=df", True),
    ("_qapps_run.status", False),
]


class RecordingClient(NotebookClient):
    """Runs cells as a live front end does (``allow_stdin``: someone watches) and keeps
    every update_display_data message (the live card states) by cell."""

    updates: list[tuple[int, str]]

    async def async_start_new_kernel_client(self) -> Any:
        kc = await super().async_start_new_kernel_client()
        kc.allow_stdin = True  # nbclient runs headless (False): no live display then
        return kc

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        if msg["msg_type"] == "update_display_data":
            self.updates.append((cell_index, msg["content"]["data"].get("text/html", "")))
        return super().process_message(msg, cell, cell_index)


def _notebook() -> Any:
    return new_notebook(*CELLS)


def test_magic_and_run_many_in_a_kernel(sb_env: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPPS_TEST_EVIL", EVIL)
    nb = _notebook()
    nb.cells[2].source = "evil = os.environ['QAPPS_TEST_EVIL']\n" + nb.cells[2].source
    nb.cells[0].source += "\nimport os"
    sb_env.settings.model_latency = 0.6  # long enough to see the states change
    client = RecordingClient(nb, timeout=120, kernel_name="python3",
                             resources={"metadata": {"path": str(tmp_path)}})
    client.updates = []
    client.execute()
    saved = tmp_path / "executed.ipynb"
    nbformat.write(nb, saved)
    text = saved.read_text(encoding="utf-8")
    outputs = [c.get("outputs", []) for c in nb.cells]

    # The magic showed card states live while waiting (one display, updated in place)...
    live = [page for index, page in client.updates if index == 1]
    assert any("IN_PROGRESS" in page for page in live), live
    assert live[-1] == ""  # ...and cleared it when the run completed
    # ...then the run itself, with its output rendered under its title.
    (result,) = [o for o in outputs[1] if o["output_type"] == "execute_result"]
    page = result["data"]["text/html"]
    assert "<h4" in page
    assert "Profile</h4>" in page
    assert "COMPLETED" in page
    assert "CSV, 2 columns (city, temp)" in page
    assert "SANDBOX" in page
    assert result["data"]["text/plain"].startswith("Q App run 'Dataset Profiler' [SANDBOX]")
    # run_many over a DataFrame came back as a frame.
    table = json.dumps(outputs[3])
    assert table.count("COMPLETED") >= 2
    # An expected failure is one UsageError line, and the run is kept.
    error = json.dumps(outputs[4])
    assert "UsageError" in error
    assert "ended in ERROR: overloaded" in error
    assert "Traceback" not in error
    assert "'ERROR'" in json.dumps(outputs[5])
    # The evil answer reached the page only as text.
    for cell_outputs in outputs:
        for out in cell_outputs:
            html_page = out.get("data", {}).get("text/html", "")
            assert "<script" not in html_page
            assert "<img" not in html_page
            assert not re.search(r"href=['\"]?javascript:", html_page)
    assert "&lt;script&gt;" in text
    # No secret in the saved notebook.
    for secret in ("x-amz-signature", "x-amz-credential", "x-amz-security-token", '"policy"',
                   "sandbox-dummy-secret", "ASIASBX", sb_env._state.presign_secret):
        assert secret not in text, secret
