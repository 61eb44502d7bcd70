"""Every notebook in notebooks/ runs clean in a real kernel, and shows no secrets.

Also ``python -m qapps_nb.demo`` (what ``make demo`` runs): exit 0 with a table of
fileIds, non-zero when a cell fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_cells import new_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SECRETS = ("x-amz-signature", "x-amz-credential", "x-amz-security-token", '"policy"',
           "aws_secret_access_key", "sandbox-dummy-secret", "ASIASBX", "AKIA")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

pytestmark = pytest.mark.slow


def test_there_are_notebooks() -> None:
    assert ROOT / "notebooks" / "quickstart.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_is_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: commit notebooks with outputs cleared"
    text = path.read_text()
    for secret in SECRETS:
        assert secret.lower() not in text.lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes_without_errors(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    # raises CellExecutionError on any error not tagged raises-exception
    client.execute(env={**os.environ, "TMPDIR": str(tmp_path)})
    assert list(tmp_path.iterdir()) == []  # sample files are gone with the kernel
    shown = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    for secret in SECRETS:
        assert secret.lower() not in shown.lower(), secret
    if path.name == "quickstart.ipynb":
        assert "Traceback" not in shown
        assert "no such file: no-such-file.csv" in shown  # a caught QAppsError
        assert "set as the default file of card 'Notes'" in shown  # --attach
        assert "qapps-nb-run" in shown  # %qapps_run
        assert "COMPLETED" in shown
        assert "application/vnd.jupyter.widget-view+json" in shown  # the widget
        assert "qapps-nb-results" in shown  # the list table
        assert len(set(UUID.findall(shown))) >= 5


def test_demo_prints_file_ids_and_expirations(tmp_path: Path) -> None:
    """... and nothing else: no kernel warning (the kernel talks over IPC, not TCP), and
    no folder left in the temp directory."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run([sys.executable, "-m", "qapps_nb.demo"], capture_output=True,
                          text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(temp)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert list(temp.iterdir()) == []
    lines = done.stdout.splitlines()
    assert lines[1].split() == ["file", "fileId", "size", "upload", "URL", "valid", "until"]
    rows = [line for line in lines if UUID.search(line)]
    assert len(rows) >= 5
    assert all(row.endswith(" UTC") and "expire" not in row for row in rows)
    assert any(row.startswith("prompt.txt") for row in rows)
    # the quickstart's runs: %qapps_run, run_app and run_many's three rows
    assert lines[-1] == "5 Q App runs in the sandbox: 5 COMPLETED."


def test_demo_fails_when_a_cell_fails(tmp_path: Path) -> None:
    nb = new_notebook("import qapps_nb.sandbox\nqapps_nb.sandbox.start();",
                      "%load_ext qapps_nb", "%qapps_upload missing.csv")
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "qapps_nb.demo", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "no such file: missing.csv" in done.stderr
