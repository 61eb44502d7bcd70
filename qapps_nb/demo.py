"""``python -m qapps_nb.demo``: run the quickstart notebook headlessly against the sandbox.

Executes ``notebooks/quickstart.ipynb`` in a fresh kernel with nbclient (the notebook
starts the local sandbox itself), then prints each stored file's fileId and expiration.
Exits non-zero if any cell fails or nothing was uploaded. This is what ``make demo`` runs.

The kernel gets an environment without AWS profiles or credentials, so the demo can only
ever talk to the sandbox, never to a real AWS account.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
_MARK = "QAPPS_DEMO_RESULTS "
_COLLECT = (
    "import json as _json\n"
    "_magics = get_ipython().magics_manager.registry['QAppsMagics']\n"
    f"print({_MARK!r} + _json.dumps([r.to_dict() for r in _magics.history]))\n"
)
_AWS_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_QAPPS", "QAPPS_INSTANCE_ID", "QAPPS_APP_ID", "QAPPS_CARD_ID",
            "QAPPS_SESSION_ID", "QAPPS_SCOPE")


def kernel_env() -> dict[str, str]:
    """This process's environment minus anything that could reach real AWS."""
    env = {k: v for k, v in os.environ.items() if k not in _AWS_ENV}
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def run_notebook(path: Path, timeout: int = 120) -> tuple[Any, list[dict[str, Any]]]:
    """Execute the notebook; return it (with outputs) and the upload results as dicts."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    collect = nbformat.v4.new_code_cell(_COLLECT)
    with client.setup_kernel(env=kernel_env()):
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
    raise RuntimeError("the notebook ran but reported no upload results")


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
    parser.add_argument("notebook", nargs="?", type=Path, default=DEFAULT_NOTEBOOK)
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    parser.add_argument("--save", type=Path, metavar="PATH",
                        help="also write the executed notebook (with outputs) here")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        print(f"demo: no notebook at {args.notebook}", file=sys.stderr)
        return 2
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    print(f"Running {args.notebook.name} against the local sandbox (not AWS)...", flush=True)
    try:
        nb, results = run_notebook(args.notebook, args.timeout)
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
    if not results:
        print("demo: the notebook uploaded nothing", file=sys.stderr)
        return 1
    print(table(results))
    print(f"{len(results)} uploads stored in the sandbox.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
