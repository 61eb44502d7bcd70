"""Build small notebooks for tests that run them in a real kernel (nbclient, papermill)."""

from __future__ import annotations

from typing import Any

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def new_notebook(*cells: str | tuple[str, bool]) -> Any:
    """A python3 notebook of code cells; ``(source, True)`` tags a cell raises-exception."""
    built = []
    for cell in cells:
        source, raises = (cell, False) if isinstance(cell, str) else cell
        node = nbformat.v4.new_code_cell(source)
        if raises:
            node.metadata["tags"] = ["raises-exception"]
        built.append(node)
    nb = nbformat.v4.new_notebook(cells=built)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb
