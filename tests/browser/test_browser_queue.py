"""Several files at once, refused picks, on_upload output and copying a fileId, in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from page_helpers import (
    fresh_widget,
    kernel_value,
    pick,
    row,
    rows,
    run_in_kernel,
    set_theme,
    shot,
    wait_apps,
    wait_rows,
)
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _widget(page: Any, clean_sandbox: Any) -> None:
    fresh_widget(page)
    wait_apps(page)


def test_a_small_file_does_not_wait_behind_a_big_one(page: Any, clean_sandbox: Any,
                                                     files: dict[str, Path]) -> None:
    big, small = files["big200.bin"], files["tiny.txt"]
    # small chunks, two in flight: the big file takes many seconds to reach the kernel
    run_in_kernel(page, "w.chunk_size, w.window = 64 * 1024, 2")
    pick(page, [big, small])  # the big one first, as when it was picked first
    page.click(".qapps-upload-button")
    page.wait_for_function(
        """([big, small]) => { const s = n => { const r = [...document.querySelectorAll(
             '.qapps-table tbody tr')].find(r => r.cells[0].textContent === n);
             return r ? r.dataset.status : ''; };
           return ['done', 'failed', 'cancelled'].includes(s(small))
             || ['done', 'failed', 'cancelled'].includes(s(big)); }""",
        arg=[big.name, small.name], timeout=120_000, polling=100)
    statuses = {r["name"]: r["status"] for r in rows(page)}
    assert statuses[small.name] == "done", statuses
    assert statuses[big.name] in ("receiving", "uploading"), statuses
    shot(page, "widget-light-concurrent")
    page.click(".qapps-cancel-button")
    wait_rows(page, [big.name], ("cancelled",), timeout=60)
    run_in_kernel(page, "w.chunk_size, w.window = 4 * 1024 * 1024, 8")
    assert clean_sandbox.read_object(row(page, small.name)["fileId"]) == small.read_bytes()


def test_an_empty_file_refused_when_picked_is_not_counted_as_failed(
        page: Any, files: dict[str, Path]) -> None:
    empty, tiny = files["empty.txt"], files["tiny.txt"]
    pick(page, [empty, tiny])
    expect(page.locator(".qapps-picked")).to_have_text("1 file selected (12 B); 1 refused")
    page.click(".qapps-upload-button")
    wait_rows(page, [tiny.name], ("done", "failed"), timeout=60)
    r = row(page, empty.name)
    assert r["status"] == "not-sent"
    assert r["reason"] == "file is empty: there is nothing to upload"
    expect(page.locator(".qapps-status")).to_have_text("1 uploaded")
    assert kernel_value(page, "w.errors") == []
    assert [x["file_name"] for x in kernel_value(page, "w.results")] == [tiny.name]
    shot(page, "widget-light-empty-file")


def test_on_upload_output_shows_under_the_widget(page: Any, clean_sandbox: Any) -> None:
    run_in_kernel(page, "w.on_upload(lambda r: print('stored', r.file_name, 'as', r.file_id))\n"
                        "w.on_upload(lambda r: 1 / 0)")
    pick(page, [{"name": "report.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}])
    page.click(".qapps-upload-button")
    wait_rows(page, ["report.csv"], ("done", "failed"), timeout=60)
    file_id = row(page, "report.csv")["fileId"]
    out = page.locator(".qapps-output-stdout")
    expect(out).to_have_text(f"stored report.csv as {file_id}\n")
    error = page.locator(".qapps-output-error")
    expect(error).to_contain_text("raised ZeroDivisionError: division by zero")
    expect(error).to_contain_text("w.on_upload(lambda r: 1 / 0)")
    shot(page, "widget-light-output")
    set_theme(page, dark=True)
    shot(page, "widget-dark-output")
    set_theme(page, dark=False)
    page.click(".qapps-output-head button")  # clear
    expect(page.locator(".qapps-output")).to_be_hidden()


def test_a_file_id_is_one_click_to_select_and_one_click_to_copy(page: Any) -> None:
    pick(page, [{"name": "copy-me.txt", "mimeType": "text/plain", "buffer": b"copy"}])
    page.click(".qapps-upload-button")
    wait_rows(page, ["copy-me.txt"], ("done",), timeout=60)
    file_id = row(page, "copy-me.txt")["fileId"]
    cell = page.locator("tr[data-status='done'] .qapps-id").last
    cell.click()
    assert page.evaluate("() => window.getSelection().toString()") == file_id
    cell.dblclick()  # a double-click no longer takes one UUID segment
    assert page.evaluate("() => window.getSelection().toString()") == file_id
    page.evaluate("() => window.getSelection().removeAllRanges()")
    copy = page.locator("tr[data-status='done'] .qapps-copy").last
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == file_id
    expect(copy).to_have_text("Copy", timeout=10_000)
