"""Apps, cards and attach in a real kernel (nbclient): what a notebook user sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nbclient import NotebookClient
from notebook_cells import new_notebook

pytestmark = pytest.mark.slow

CELLS: list[str | tuple[str, bool]] = [
    "import qapps_nb, qapps_nb.sandbox as sbx\nsbx.start();",
    "%load_ext qapps_nb",
    "%qapps_apps",
    "%qapps_apps 'Meeting Brief'",
    "from pathlib import Path\nPath('agenda notes.txt').write_text('1. budget\\n2. hiring\\n');",
    "r = %qapps_upload -q --app 'meeting brief' --card Notes --attach 'agenda notes.txt'\nr",
    "print(r.attached, r.app_version, r.card_title)",
    "%qapps_apps 'Meeting Brief'",
    # fails: which file card? Tagged raises-exception: the kernel reports it as an error
    ("%qapps_upload -q --app 'Meeting Brief' 'agenda notes.txt'", True),
    "%config QAppsMagics",
    "sbx.stop()",
]


def test_apps_magics_in_a_kernel(tmp_path: Path) -> None:
    nb = new_notebook(*CELLS)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in nb.cells]

    def html(i: int) -> str:
        return "".join(o.get("data", {}).get("text/html", "") for o in outputs[i])

    def text(i: int) -> str:
        return json.dumps(outputs[i])

    listing = html(2)
    assert "3 apps" in listing
    assert "Meeting Brief" in listing
    assert "SANDBOX" in listing
    before = html(3)
    assert before.count(">none</span>") == 2  # Agenda and Notes have no default yet
    assert "set as the default file of card &#x27;Notes&#x27; (app version" in html(5)
    attached, version, card = "".join(o.get("text", "") for o in outputs[6]).split()
    assert (attached, card) == ("True", "Notes")
    after = html(7)
    assert "agenda notes.txt" in after
    assert f"app version {version}" in after
    # a UsageError is one line in the kernel's error output, with no traceback
    line = ("app 'Meeting Brief' has 2 file-upload cards: 'Agenda', 'Notes'; say which with "
            "card= (magic: --card)")
    [error] = outputs[8]
    assert (error.output_type, error.ename, error.evalue) == ("error", "UsageError", line)
    assert error.traceback == [f"UsageError: {line}"]
    assert "In effect:" in text(9)
    assert not any(o.output_type == "error" for i, cell in enumerate(outputs) if i != 8
                   for o in cell)
