"""The SizeWarning notice: one line naming the file, every time, in scripts, notebooks and
batches, and still silenced the standard ways (warnings filters, -W)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from qapps_nb import SizeWarning, upload, upload_many
from qapps_nb.validation import WARN_UPLOAD_BYTES

BIG = WARN_UPLOAD_BYTES + 500_000  # 10.5 MB: above Amazon Q Business' 10 MB


def _sparse(path: Path, size: int = BIG) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


def test_the_limit_is_the_documented_10_mb_in_decimal_units(qapps_sandbox: Any,
                                                            target: dict[str, Any]) -> None:
    assert WARN_UPLOAD_BYTES == 10_000_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exactly 10 MB is within the limit: no notice
        upload(b"x" * WARN_UPLOAD_BYTES, **target)
    with pytest.warns(SizeWarning, match=r"^data\.bin \(bytes\) is 10,000,001 bytes; Amazon Q "
                                         r"Business takes files of at most 10 MB"):
        upload(b"x" * (WARN_UPLOAD_BYTES + 1), **target)


def test_shown_every_time_and_before_any_network_call(qapps_sandbox: Any, target: dict[str, Any],
                                                      tmp_path: Path) -> None:
    big = _sparse(tmp_path / "big.bin")
    other = _sparse(tmp_path / "other.bin")
    caught: list[Any] = []
    for _ in range(2):  # Python's once-per-location rule would hide the second one
        with pytest.warns(SizeWarning) as one:
            upload(big, **target)
        caught.extend(one)
    with pytest.warns(SizeWarning) as batch:
        upload_many([big, other], max_workers=2, **target)
    caught.extend(batch)
    lines = [str(w.message) for w in caught]
    assert len(lines) == 4
    assert [line.split(" is ")[0] for line in lines] == [str(big), str(big), str(big),
                                                         str(tmp_path / "other.bin")]
    assert all(w.filename == "qapps_nb" for w in caught)  # no path into our source


_SCRIPT = """\
import sys
import qapps_nb
from qapps_nb.sandbox import running

big, other = sys.argv[1], sys.argv[2]
with running() as sb:
    ids = dict(instance_id=sb.instance_id, app_id=sb.app_id, card_id=sb.card_id,
               session=sb.boto3_session(), endpoint_url=sb.endpoint_url)
    qapps_nb.upload(big, **ids)
    qapps_nb.upload(big, **ids)
    qapps_nb.upload_many([big, other], max_workers=2, **ids)  # progress bars on stderr
print("done")
"""


def _run_script(tmp_path: Path, *python_args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "upload_big.py"
    script.write_text(_SCRIPT)
    big, other = _sparse(tmp_path / "big.csv"), _sparse(tmp_path / "other.csv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "QAPPS_"))}
    return subprocess.run([sys.executable, *python_args, str(script), str(big), str(other)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)


@pytest.mark.slow
def test_in_a_script_one_line_per_file_each_time(tmp_path: Path) -> None:
    done = _run_script(tmp_path)
    assert done.returncode == 0, done.stderr
    err = done.stderr
    notices = [i for i in range(len(err)) if err.startswith("SizeWarning: ", i)]
    assert len(notices) == 4, err
    for at in notices:  # each on a line of its own, never glued onto a progress bar
        assert at == 0 or err[at - 1] == "\n", repr(err[max(0, at - 80):at + 40])
    lines = [line for line in err.splitlines() if "SizeWarning" in line]
    assert lines[0] == (f"SizeWarning: {tmp_path / 'big.csv'} is 10.5 MB; Amazon Q Business "
                        "takes files of at most 10 MB, so the app may not be able to use it "
                        "(uploading it anyway)")
    assert sum(str(tmp_path / "other.csv") in line for line in lines) == 1
    for noise in ("sys:1", "qapps_nb/", "warnings.warn", "Traceback", "Thread"):
        assert noise not in err, noise


@pytest.mark.slow
def test_silenced_the_standard_way(tmp_path: Path) -> None:
    # -W is read before site-packages can be imported, so it names a built-in category
    # and our module: "qapps_nb" is the module every notice is issued from.
    done = _run_script(tmp_path, "-W", "ignore::UserWarning:qapps_nb")
    assert done.returncode == 0, done.stderr
    assert "SizeWarning" not in done.stderr


@pytest.mark.slow
def test_in_a_notebook_one_line_per_file_each_time(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    _sparse(tmp_path / "big.csv")
    _sparse(tmp_path / "other.csv")
    cells = [
        "import qapps_nb.sandbox as sbx\nsbx.start();\n%load_ext qapps_nb",
        "%qapps_upload big.csv",
        "%qapps_upload big.csv",
        "%qapps_upload big.csv other.csv",
        "import warnings, qapps_nb\n"
        "warnings.filterwarnings('ignore', category=qapps_nb.SizeWarning)\n"
        "%qapps_upload -q big.csv",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "QAPPS_"))}
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)

    def stderr(cell: Any) -> str:
        return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stderr")

    expected = ("SizeWarning: big.csv is 10.5 MB; Amazon Q Business takes files of at most "
                "10 MB, so the app may not be able to use it (uploading it anyway)")
    for cell in nb.cells[1:3]:
        assert [line for line in stderr(cell).splitlines() if "SizeWarning" in line] == \
            [expected]
    batch = stderr(nb.cells[3])
    notices = [line for line in batch.splitlines() if "SizeWarning" in line]
    assert notices == [expected, expected.replace("big.csv", "other.csv")], batch
    for at in (i for i in range(len(batch)) if batch.startswith("SizeWarning", i)):
        assert at == 0 or batch[at - 1] == "\n"
    assert "SizeWarning" not in stderr(nb.cells[4])  # silenced the standard way
    everything = "".join(stderr(c) for c in nb.cells)
    for noise in ("qapps_nb/", "warnings.warn", "sys:1", "Thread"):
        assert noise not in everything, noise


def test_exported_for_filters() -> None:
    import qapps_nb.pipeline

    assert issubclass(SizeWarning, UserWarning)
    assert qapps_nb.pipeline.SizeWarning is SizeWarning  # the old name still works
