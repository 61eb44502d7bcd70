"""The App and Card pickers in JupyterLab + Chromium: loading, picking by title, attaching,
and the fall back to typed ids when listing is refused. Screenshots go to build/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from page_helpers import fresh_widget, pick, row, shot, wait_apps, wait_rows
from playwright.sync_api import expect

from qapps_nb.sandbox import demo_apps as demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_IDS = """import os
saved = {k: os.environ.pop(k) for k in ("QAPPS_APP_ID", "QAPPS_CARD_ID")}
w = qapps_nb.UploadWidget()
os.environ.update(saved)
w"""
"""A widget with no app or card from the environment: the user picks them."""
APP = "select[data-picker='app']"
CARD = "select[data-picker='card']"


def _card(sb: Any, app_id: str, card_id: str) -> dict[str, Any]:
    for union in sb.app(app_id)["appDefinition"]["cards"]:
        card = next(iter(union.values()))
        if card["id"] == card_id:
            return dict(card)
    raise AssertionError(card_id)


def test_apps_load_in_the_background_with_a_visible_state(page: Any,
                                                          clean_sandbox: Any) -> None:
    sb = clean_sandbox
    sb.add_app("Chat only", [{"textInput": {"title": "Question"}}])
    sb.set_latency(api=1.5)  # ListQApps, then GetQApp per app: long enough to see
    fresh_widget(page, NO_IDS)
    status = page.locator(".qapps-apps-status")
    expect(status).to_have_attribute("data-state", "loading", timeout=30_000)
    expect(page.locator(".qapps-spinner")).to_be_visible()
    expect(page.locator(f"{APP} option").first).to_have_text("loading apps…")
    shot(page, "widget-light-loading")
    wait_apps(page)
    sb.set_latency()
    titles = page.locator(f"{APP} option").all_text_contents()
    # only apps with a file-upload card; "Chat only" has none
    assert titles == ["choose an app…", "Contract Summarizer", "Dataset Profiler",
                      "Meeting Brief"]
    expect(status).to_be_hidden()  # all apps read: nothing to say
    error = page.locator(".qapps-field:has(select[data-picker='app']) .qapps-field-error")
    expect(error).to_have_text("required: choose an app, or type its id")
    assert page.is_disabled(".qapps-upload-button")


def test_pick_app_and_card_by_title_attach_and_upload(page: Any, clean_sandbox: Any,
                                                      tmp_path: Path) -> None:
    sb = clean_sandbox
    fresh_widget(page, NO_IDS)
    wait_apps(page)
    page.select_option(APP, label="Meeting Brief")
    # two file cards: the card must be chosen; only the file cards are offered
    expect(page.locator(f"{CARD} option")).to_have_text(["choose a card…", "Agenda", "Notes"])
    page.select_option(CARD, label="Notes")
    page.check("input[data-field='attach']")
    notes = tmp_path / "notes.md"
    notes.write_text("# Weekly notes\n- ship the widget\n", encoding="utf-8")
    pick(page, [notes])
    expect(page.locator(".qapps-upload-button")).to_be_enabled()
    shot(page, "widget-light-picked")
    page.click(".qapps-upload-button")
    wait_rows(page, ["notes.md"], ("done", "failed"), timeout=60)
    r = row(page, "notes.md")
    assert r["status"] == "done", r
    card = _card(sb, demo.MEETING_BRIEF_APP_ID, demo.NOTES_CARD_ID)
    assert card["fileId"] == r["fileId"]
    assert card["filename"] == "notes.md"
    version = sb.app(demo.MEETING_BRIEF_APP_ID)["appVersion"]
    assert r["note"] == f"now the default file of 'Notes' (app version {version})"
    assert sb.read_object(r["fileId"]) == notes.read_bytes()
    # the picker shows the card's new default file
    expect(page.locator(f"{CARD} option:checked")).to_have_text(
        "Notes (default file: notes.md)")
    assert _card(sb, demo.MEETING_BRIEF_APP_ID, demo.AGENDA_CARD_ID).get("fileId") is None
    shot(page, "widget-light-attached")


def test_an_app_you_do_not_own_greys_out_attach(page: Any, clean_sandbox: Any) -> None:
    sb = clean_sandbox
    sb.add_app("Borrowed Helper", [{"fileUpload": {"title": "Input"}}], owned=False)
    fresh_widget(page, NO_IDS.replace("UploadWidget()",
                                      "UploadWidget(app='Borrowed Helper', attach=True)"))
    wait_apps(page)
    expect(page.locator(f"{APP} option:checked")).to_have_text("Borrowed Helper")
    expect(page.locator(f"{CARD} option:checked")).to_have_text("Input")  # its only file card
    expect(page.locator("input[data-field='attach']")).to_be_disabled()
    expect(page.locator(".qapps-attach-row")).to_contain_text(
        "only the app's owner can set a default file")


def test_listing_refused_falls_back_to_typed_ids(page: Any, clean_sandbox: Any) -> None:
    sb = clean_sandbox
    sb.inject("access_denied", operation="ListQApps")
    fresh_widget(page)  # ids from the environment
    wait_apps(page, "failed")
    status = page.locator(".qapps-apps-status")
    expect(status).to_be_visible()
    text = status.text_content() or ""
    assert text.startswith("cannot list your apps: ")
    assert "[AccessDeniedException]" in text
    assert text.endswith("type the ids instead")
    assert page.is_hidden(APP)
    assert page.input_value("input[data-field='app_id']") == sb.app_id
    assert page.input_value("input[data-field='card_id']") == sb.card_id
    assert page.is_hidden("button[data-action='toggle-ids']")  # nothing to pick from
    shot(page, "widget-light-listing-failed")
    pick(page, [{"name": "typed.txt", "mimeType": "text/plain", "buffer": b"typed ids"}])
    page.click(".qapps-upload-button")
    wait_rows(page, ["typed.txt"], ("done", "failed"), timeout=60)
    r = row(page, "typed.txt")
    assert r["status"] == "done", r
    assert sb.read_object(r["fileId"]) == b"typed ids"
    # the reload button lists again once listing is allowed
    page.click("button[data-action='reload-apps']")
    wait_apps(page)
    expect(page.locator(f"{APP} option:checked")).to_have_text("Dataset Profiler")
