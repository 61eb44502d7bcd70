"""The wheel as a user gets it: it carries the LICENSE and the quickstart, and in a clean
virtual environment ``python -m qapps_nb.demo`` runs with the [demo] extra (and says what
to install without it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(ROOT)], check=True, timeout=300)
    (built,) = out.glob("qapps_nb-*.whl")
    return built


def test_wheel_carries_the_license_and_the_quickstart(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        (license_name,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert z.read(license_name) == (ROOT / "LICENSE").read_bytes()
        assert z.read("qapps_nb/notebooks/quickstart.ipynb") == \
            (ROOT / "notebooks" / "quickstart.ipynb").read_bytes()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = z.read(metadata_name).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
    assert "Provides-Extra: demo" in metadata
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "Version 2.0, January 2004" in (ROOT / "LICENSE").read_text()


def test_installed_wheel_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    work = tmp_path / "elsewhere"  # not the checkout: only the installed package counts
    temp = tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["TMPDIR"] = str(temp)

    subprocess.run([*pip, str(wheel)], check=True, timeout=600)
    core_only = subprocess.run([str(python), "-m", "qapps_nb.demo"], cwd=work, env=env,
                               capture_output=True, text=True, timeout=120)
    assert core_only.returncode == 2
    assert core_only.stderr == ("demo: the demo needs nbclient and ipykernel: "
                                "pip install 'qapps-nb[demo]'\n")

    subprocess.run([*pip, f"{wheel}[demo]"], check=True, timeout=600)
    done = subprocess.run([str(python), "-m", "qapps_nb.demo"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""  # no kernel warnings
    rows = [line for line in done.stdout.splitlines() if UUID.search(line)]
    assert len(rows) >= 5
    assert list(temp.iterdir()) == []  # nothing left in the temp folder
    assert list(work.iterdir()) == []
