"""Drive the upload widget in a JupyterLab page as a person would, and read what it shows.

Every wait is for a state (a row's status, an attribute, a kernel reply), never a fixed
sleep, so the tests hold on a loaded 2-core machine.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from lab_helpers import BUILD

ROWS_JS = """() => [...document.querySelectorAll('.qapps-table tbody tr')].map(r => ({
  name: r.cells[0].textContent, nameHtml: r.cells[0].innerHTML, status: r.dataset.status,
  fileId: r.dataset.fileId || '', seconds: Number(r.dataset.seconds || 0),
  reason: r.querySelector('.qapps-reason').textContent,
  statusText: r.querySelector('.qapps-state').textContent,
  note: r.querySelector('.qapps-note').textContent}))"""


def rows(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate(ROWS_JS))


def row(page: Any, name: str) -> dict[str, Any]:
    return next(r for r in reversed(rows(page)) if r["name"] == name)


def wait_rows(page: Any, names: list[str], statuses: tuple[str, ...],
              timeout: float = 120) -> None:
    page.wait_for_function(
        """([names, statuses]) => names.every(n => [...document.querySelectorAll(
             '.qapps-table tbody tr')].some(r => r.cells[0].textContent === n
             && statuses.includes(r.dataset.status)))""",
        arg=[names, list(statuses)], timeout=timeout * 1000, polling=250)


def pick(page: Any, files: list[Any]) -> None:
    with page.expect_file_chooser() as chooser:
        page.click(".qapps-pick")
    chooser.value.set_files(files)


def shot(page: Any, name: str) -> Path:
    """A screenshot of the widget's cell (input and output) in build/."""
    cell = page.locator(".jp-Cell", has=page.locator(".qapps-upload")).last
    cell.scroll_into_view_if_needed()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    path = BUILD / f"{name}.png"
    cell.screenshot(path=str(path), animations="disabled")
    return path


_KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"


def open_and_run_all(page: Any, url: str, shown: str) -> None:
    """Open a notebook in Lab, run all its cells once its kernel is idle, and wait until
    the page shows ``shown`` (a selector)."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands"
                           ".hasCommand('notebook:run-all-cells')", timeout=90_000)
    # wait for the kernel before running, or the run request is dropped
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
        timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(shown, timeout=90_000)


def run_in_kernel(page: Any, code: str) -> None:
    """Run code in the notebook's kernel, as a user running a cell would (no output shown)."""
    page.evaluate(f"async (code) => {{ await {_KERNEL}.requestExecute({{code}}).done; }}", code)


def kernel_value(page: Any, expression: str) -> Any:
    """The value of a JSON-able Python expression, evaluated in the notebook's kernel."""
    reply = page.evaluate(
        f"""async (expr) => {{ const f = {_KERNEL}.requestExecute({{code: '',
              user_expressions: {{v: '__import__("json").dumps(' + expr + ')'}}}});
            const r = await f.done; return r.content.user_expressions.v; }}""",
        expression)
    if reply.get("status") != "ok":
        raise AssertionError(f"{expression}: {reply.get('ename')}: {reply.get('evalue')}")
    return json.loads(ast.literal_eval(reply["data"]["text/plain"]))


def new_cell(page: Any, code: str) -> None:
    """Clear every output, add a cell at the end with ``code`` and run it."""
    page.evaluate("""async (code) => {
        const app = window.jupyterapp;
        const panel = app.shell.currentWidget;
        await app.commands.execute('notebook:clear-all-cell-outputs');
        const nb = panel.content;
        nb.activeCellIndex = nb.widgets.length - 1;
        await app.commands.execute('notebook:insert-cell-below');
        nb.activeCell.model.sharedModel.setSource(code);
        await app.commands.execute('notebook:run-cell');
    }""", code)


def fresh_widget(page: Any, code: str = "w = qapps_nb.UploadWidget()\nw") -> None:
    """A new cell that shows a new widget, alone on the page.

    One widget on the page at a time keeps every selector unambiguous; the apps cache is
    cleared so each widget lists the sandbox as it is now.
    """
    run_in_kernel(page, "import qapps_nb\nqapps_nb.clear_cache()")
    new_cell(page, code)
    page.wait_for_function("() => document.querySelectorAll('.qapps-upload').length === 1",
                           timeout=90_000)


def wait_apps(page: Any, state: str = "ready", timeout: float = 60) -> None:
    """Wait until the pickers' listing reaches ``state`` (loading, ready, failed)."""
    page.wait_for_selector(f".qapps-apps-status[data-state='{state}']", state="attached",
                           timeout=timeout * 1000)


def set_theme(page: Any, dark: bool) -> None:
    name = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme',"
                  " {theme})", name)
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === "
                           f"'{'false' if dark else 'true'}'")
