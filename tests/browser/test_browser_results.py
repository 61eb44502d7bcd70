"""Results as JupyterLab shows them (light and dark), in Debian's Chromium.

One click selects a whole fileId, the file column is left-aligned, there is one SANDBOX
badge, and the presigned URL's expiry reads as what it is. Screenshots go to build/
(results-light.png, results-dark.png): look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lab_helpers import BUILD, Lab, write_notebook
from page_helpers import open_and_run_all, set_theme

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELLS = [
    "%load_ext qapps_nb",
    "%qapps_upload -q 'my data.csv'",
    "%qapps_upload -q 'my data.csv' notes.txt",
]


@pytest.fixture(scope="module")
def results_page(browser: Any, lab: Lab) -> Iterator[Any]:
    (lab.root / "my data.csv").write_text("region,total\nnorth,1\n")
    (lab.root / "notes.txt").write_text("notes\n")
    write_notebook(lab.root / "results.ipynb", CELLS)
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    open_and_run_all(page, lab.notebook_url("results.ipynb"), "table.qapps-nb-results")
    yield page
    context.close()


def _shot(page: Any, name: str) -> None:
    page.locator(".qapps-nb-results").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.locator(".jp-NotebookPanel").first.screenshot(path=str(BUILD / f"{name}.png"))


def _check(page: Any) -> None:
    single = page.locator(".qapps-nb-result").first
    file_id = single.locator("code.qapps-nb-id").inner_text()
    assert len(file_id) == 36
    single.locator("code.qapps-nb-id").click()  # one click selects the whole id
    assert page.evaluate("() => window.getSelection().toString()") == file_id
    text = single.inner_text()
    assert "upload URL valid until" in text
    assert "UTC" in text
    assert "expired" not in text
    assert "expires" not in text
    assert single.locator(".qapps-nb-badge").count() == 1
    table = page.locator("div.qapps-nb-results").first
    assert table.locator(".qapps-nb-badge").count() == 1  # one badge for the whole table
    aligns = table.locator("td, th").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c).textAlign)")
    assert aligns, "no table cells"
    assert set(aligns) == {"left"}, aligns
    names = table.locator("tbody tr td:first-child").all_inner_texts()
    assert names == ["my data.csv", "notes.txt"]
    row_ids = table.locator("code.qapps-nb-id").all_inner_texts()
    assert len(row_ids) == 2
    table.locator("code.qapps-nb-id").nth(1).click()
    assert page.evaluate("() => window.getSelection().toString()") == row_ids[1]


def test_results_in_the_light_theme(results_page: Any) -> None:
    _check(results_page)
    _shot(results_page, "results-light")


def test_results_in_the_dark_theme(results_page: Any) -> None:
    page = results_page
    set_theme(page, dark=True)
    try:
        _check(page)
        badge = page.locator(".qapps-nb-badge").first
        colors = badge.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
        assert colors == ["rgb(255, 255, 255)", "rgb(180, 83, 9)"]  # readable on both themes
        _shot(page, "results-dark")
    finally:
        set_theme(page, dark=False)
