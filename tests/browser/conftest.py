"""One JupyterLab, one sandbox and one Chromium page for every browser test of this directory.

The sandbox runs in the test process; its environment (``sb.env()``) goes to the Jupyter
server and so to the kernel, whose ``UploadWidget()`` picks up the ids and endpoint.
Starting Lab, a kernel and Chromium costs several seconds on a 2-core machine, so they are
shared by the whole session; each test that needs a clean widget makes one
(``page_helpers.fresh_widget``) and each resets the sandbox state it changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_helpers import BUILD, CHROMIUM, CHROMIUM_ARGS, Lab, jupyter_lab, write_notebook
from page_helpers import open_and_run_all

WIDGET_CELL = "import qapps_nb\nw = qapps_nb.UploadWidget()\nw"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("QAPPS_REQUIRE_BROWSER"):  # CI: a skipped browser test is a failure
            raise pytest.UsageError(f"QAPPS_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    from qapps_nb.sandbox import running

    with running() as sb:
        yield sb


@pytest.fixture(scope="session")
def files(tmp_path_factory: Any) -> dict[str, Path]:
    """Random files of the sizes the issue names (written in pieces, never held whole)."""
    base = tmp_path_factory.mktemp("files")
    sizes = {"small.bin": 1000, "thirty.bin": 30 * 1000**2, "big150.bin": 150 * 1000**2,
             "big200.bin": 200 * 1000**2, "empty.txt": 0, "tiny.txt": 12}
    out = {}
    for name, size in sizes.items():
        path = base / name
        with open(path, "wb") as fh:
            left = size
            while left:
                n = min(left, 8 << 20)
                fh.write(os.urandom(n))
                left -= n
        out[name] = path
    return out


@pytest.fixture(scope="session")
def lab(sandbox: Any, tmp_path_factory: Any) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("lab")
    with jupyter_lab(base, sandbox.env()) as server:
        write_notebook(server.root / "upload.ipynb", [WIDGET_CELL])
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, for the whole session."""
    from playwright.sync_api import sync_playwright

    BUILD.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def page(browser: Any, lab: Lab) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    open_and_run_all(pg, lab.notebook_url("upload.ipynb"), ".qapps-upload")
    yield pg
    context.close()


@pytest.fixture
def clean_sandbox(sandbox: Any) -> Iterator[Any]:
    """The shared sandbox with its demo apps, no faults and no latency (objects are kept)."""
    sandbox.reset(objects=False)
    yield sandbox
    sandbox.reset(objects=False)
