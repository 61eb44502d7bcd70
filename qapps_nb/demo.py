"""``python -m qapps_nb.demo``: run the quickstart notebook headlessly against the sandbox.

Executes the quickstart notebook in a fresh kernel with nbclient (the notebook starts
the local sandbox itself), then prints each stored file's fileId and how the Q App runs
ended. Exits non-zero if any cell fails, nothing was uploaded or a run did not complete.
This is what ``make demo`` runs; from an installed package it needs
``pip install 'qapps-nb[demo]'`` (nbclient and ipykernel).

The kernel gets an environment without AWS profiles, credentials or qapps-nb settings
(:mod:`qapps_nb.sandbox.isolation`), so the demo can only ever talk to the sandbox, never
to a real AWS account. Its temporary files (the notebook's sample files, the sandbox's
storage, the kernel's sockets) live in one temporary folder removed at the end, and the
kernel listens on local sockets (IPC) rather than TCP where the platform has them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .sandbox.isolation import isolated_environ

_REPO_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
_PACKAGED_NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "quickstart.ipynb"
"""A checkout has ``notebooks/quickstart.ipynb``; the wheel ships the same file inside the
package (pyproject's force-include), so one source serves both."""
_MARK = "QAPPS_DEMO_RESULTS "
_COLLECT = (
    "import json as _json\n"
    "import qapps_nb.sandbox.notebook as _nb_sandbox\n"
    "_magics = get_ipython().magics_manager.registry['QAppsMagics']\n"
    "_sb = _nb_sandbox.current()\n"
    "print(" + repr(_MARK) + " + _json.dumps({\n"
    "    'uploads': [r.to_dict() for r in _magics.history],\n"
    "    'runs': [s['status'] for s in _sb.sessions()] if _sb is not None else []}))\n"
)
_NEEDS = "the demo needs nbclient and ipykernel: pip install 'qapps-nb[demo]'"


def default_notebook() -> Path:
    return _REPO_NOTEBOOK if _REPO_NOTEBOOK.is_file() else _PACKAGED_NOTEBOOK


def kernel_env(tmpdir: str | None = None) -> dict[str, str]:
    """This process's environment minus anything that could reach real AWS; temporary
    files under ``tmpdir`` when given."""
    env = isolated_environ()
    if tmpdir is not None:
        env["TMPDIR"] = tmpdir
    return env


def run_notebook(path: Path, timeout: int = 120) -> tuple[Any, dict[str, Any]]:
    """Execute the notebook; return it (with outputs) and what it did: ``uploads`` (the
    magics' results as dicts) and ``runs`` (the status of each session in the sandbox)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    collect = nbformat.v4.new_code_cell(_COLLECT)
    with tempfile.TemporaryDirectory(prefix="qapps-demo-") as tmpdir:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                config=_kernel_config(Path(tmpdir)),
                                resources={"metadata": {"path": str(path.parent)}})
        with client.setup_kernel(env=kernel_env(tmpdir)):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            nb.cells.append(collect)
            try:
                client.execute_cell(collect, len(nb.cells) - 1)
            finally:
                nb.cells.pop()
    text = "".join(o.get("text", "") for o in collect.outputs if o.get("name") == "stdout")
    for line in text.splitlines():
        if line.startswith(_MARK):
            return nb, json.loads(line[len(_MARK):])
    raise RuntimeError("the notebook ran but reported nothing it did")


def _kernel_config(tmpdir: Path) -> Any:
    """IPC sockets in ``tmpdir`` where the OS has them: nothing listens on a TCP port, and
    ipykernel has no reason to warn that TCP traffic is unencrypted."""
    from traitlets.config import Config

    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(tmpdir / "kernel")
    return config


def table(results: list[dict[str, Any]]) -> str:
    """A small plain-text table: file, fileId, size, and until when the upload URL was valid.

    The stored file does not expire; only its presigned upload URL did, which no longer
    matters once the upload is done, so it comes last and says what it is.
    """
    from datetime import datetime

    from .result import format_size, url_valid_until

    rows = [("file", "fileId", "size", "upload URL valid until")]
    for r in results:
        when = datetime.fromisoformat(r["expiration"])
        until = url_valid_until(when).removeprefix("upload URL valid until ")
        rows.append((r["file_name"], r["file_id"], format_size(r["size"]), until))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qapps_nb.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", nargs="?", type=Path, default=None,
                        help="the notebook to run (default: the quickstart)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    parser.add_argument("--save", type=Path, metavar="PATH",
                        help="also write the executed notebook (with outputs) here")
    args = parser.parse_args(argv)
    notebook = args.notebook or default_notebook()
    if not notebook.is_file():
        print(f"demo: no notebook at {notebook}", file=sys.stderr)
        return 2
    try:
        import ipykernel  # noqa: F401  (the kernel the notebook runs in)
        from nbclient.exceptions import CellExecutionError, CellTimeoutError
    except ImportError:
        print(f"demo: {_NEEDS}", file=sys.stderr)
        return 2

    print(f"Running {notebook.name} against the local sandbox (not AWS)...", flush=True)
    try:
        nb, did = run_notebook(notebook, args.timeout)
    except CellExecutionError as exc:
        print(f"demo: a cell failed: {exc.ename}: {exc.evalue}", file=sys.stderr)
        return 1
    except CellTimeoutError as exc:
        print(f"demo: a cell timed out: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # kernel died, notebook unreadable...: say what, exit non-zero
        print(f"demo: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if args.save:
        import nbformat

        nbformat.write(nb, args.save)
    results, runs = did["uploads"], did["runs"]
    if not results:
        print("demo: the notebook uploaded nothing", file=sys.stderr)
        return 1
    print(table(results))
    print(f"{len(results)} uploads stored in the sandbox.")
    if runs:
        states = ", ".join(f"{runs.count(s)} {s}" for s in sorted(set(runs)))
        print(f"{len(runs)} Q App runs in the sandbox: {states}.")
    if any(s != "COMPLETED" for s in runs):
        print("demo: not every Q App run completed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
