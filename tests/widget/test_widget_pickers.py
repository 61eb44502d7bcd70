"""The App and Card pickers' data: listed in the background from the sandbox over HTTP."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from widget_helpers import listed, show, until

from qapps_nb.sandbox import demo_apps as demo
from qapps_nb.widget import UploadWidget


def _widget(sb: Any, **kwargs: Any) -> UploadWidget:
    """A widget as shown in a notebook: its view said hello, so the listing started."""
    kwargs.setdefault("session", sb.boto3_session())
    w = UploadWidget(instance_id=sb.instance_id, endpoint_url=sb.endpoint_url, **kwargs)
    show(w)
    return w


def _ops(sb: Any, name: str) -> int:
    return sum(r.operation == name for r in sb.requests)


@pytest.fixture
def widgets() -> Any:
    made: list[UploadWidget] = []
    yield made
    for w in made:
        w.close()


def test_only_apps_with_file_cards_and_only_those_cards(qapps_sandbox: Any,
                                                         widgets: list[Any]) -> None:
    sb = qapps_sandbox
    sb.add_app("Chat only", [{"textInput": {"title": "Question"}},
                             {"qQuery": {"title": "Answer", "prompt": "answer it"}}])
    w = _widget(sb)
    widgets.append(w)
    listed(w)
    assert w.apps_status == "ready"
    assert w.apps_message == ""
    titles = [a["title"] for a in w.apps]
    assert titles == ["Contract Summarizer", "Dataset Profiler", "Meeting Brief"]  # sorted
    brief = next(a for a in w.apps if a["title"] == "Meeting Brief")
    assert brief["app_id"] == demo.MEETING_BRIEF_APP_ID
    assert [(c["card_id"], c["title"]) for c in brief["cards"]] == [
        (demo.AGENDA_CARD_ID, "Agenda"), (demo.NOTES_CARD_ID, "Notes")]  # no text, no q-query
    assert w.sandbox is True
    assert _ops(sb, "ListQApps") == 1
    assert _ops(sb, "GetQApp") == 4  # one per listed app, the text-only one included


def test_listing_runs_in_the_background_and_shows_apps_as_they_are_known(
        qapps_sandbox: Any, widgets: list[Any]) -> None:
    sb = qapps_sandbox
    for i in range(24):
        cards = [{"fileUpload": {"title": f"File {i}"}}] if i % 2 else \
            [{"textInput": {"title": "Words"}}]
        sb.add_app(f"App {i:02d}", cards)
    sb.set_latency(api=0.15)
    seen: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    started = time.monotonic()
    w = _widget(sb, app_id=demo.MEETING_BRIEF_APP_ID)  # made and shown
    created = time.monotonic() - started
    widgets.append(w)

    def record(change: Any) -> None:
        with lock:
            seen.append((w.apps_status, len(w.apps), threading.current_thread().name))

    w.observe(record, "apps")
    w.observe(record, "apps_status")
    assert w.apps_status in ("off", "loading")  # the constructor did not wait for 28 calls
    assert created < 28 * 0.15
    listed(w, timeout=60)
    assert w.apps_status == "ready"
    assert len(w.apps) == 3 + 12
    partial = [n for status, n, _ in seen if status == "loading" and 0 < n < 15]
    assert partial, f"no app was shown before the last one was read: {seen}"
    assert all(name != threading.main_thread().name for _, _, name in seen)
    assert _ops(sb, "GetQApp") == 3 + 24


def test_a_second_widget_reuses_the_cached_listing(qapps_sandbox: Any,
                                                   widgets: list[Any]) -> None:
    sb = qapps_sandbox
    session = sb.boto3_session()  # the cache is per account: the same session (or profile)
    first = _widget(sb, session=session)
    widgets.append(first)
    listed(first)
    calls = len(sb.requests)
    second = _widget(sb, session=session)
    widgets.append(second)
    listed(second)
    assert second.apps == first.apps
    assert len(sb.requests) == calls  # no call at all: listing and definitions are cached


def test_refresh_reads_the_apps_again(qapps_sandbox: Any, widgets: list[Any]) -> None:
    sb = qapps_sandbox
    w = _widget(sb)
    widgets.append(w)
    listed(w)
    sb.add_app("Late Arrival", [{"fileUpload": {"title": "Upload"}}])
    from widget_helpers import deliver

    deliver(w, {"type": "apps-refresh"})
    until(lambda: any(a["title"] == "Late Arrival" for a in w.apps))
    listed(w)
    assert _ops(sb, "ListQApps") == 2


def test_listing_refused_says_why_in_one_line_and_ids_still_work(
        qapps_sandbox: Any, widgets: list[Any], spool_dir: Any) -> None:
    sb = qapps_sandbox
    sb.inject("access_denied", operation="ListQApps")
    w = _widget(sb, app_id=sb.app_id, card_id=sb.card_id, spool_dir=str(spool_dir))
    widgets.append(w)
    listed(w)
    assert w.apps_status == "failed"
    assert w.apps == []
    message = w.apps_message
    assert "\n" not in message
    assert message.startswith("cannot list your apps: ")
    assert "[AccessDeniedException]" in message
    assert message.endswith("type the ids instead")
    assert "list_q_apps failed" not in message
    assert w.field_errors == {}  # typed ids are enough to upload
    from widget_helpers import send_file

    send_file(w, "t1", b"typed ids work")
    (result,) = w.wait(timeout=30)
    assert sb.read_object(result["file_id"]) == b"typed ids work"


def test_an_unreadable_app_is_skipped_and_counted(qapps_sandbox: Any,
                                                   widgets: list[Any]) -> None:
    sb = qapps_sandbox
    sb.inject("access_denied", operation="GetQApp")
    w = _widget(sb)
    widgets.append(w)
    listed(w)
    assert w.apps_status == "ready"
    assert len(w.apps) == 2
    assert w.apps_message == "1 app could not be read [AccessDeniedException]"


def test_no_readable_app_falls_back_to_typing(qapps_sandbox: Any, widgets: list[Any]) -> None:
    sb = qapps_sandbox
    sb.inject("access_denied", times=3, operation="GetQApp")
    w = _widget(sb)
    widgets.append(w)
    listed(w)
    assert w.apps == []
    assert w.apps_message == ("none of your 3 apps could be read [AccessDeniedException]; "
                              "type the ids")


def test_no_app_with_a_file_card_falls_back_to_typing() -> None:
    from qapps_nb.widget.catalog import _summary

    assert _summary(4, 0, []) == "none of your 4 apps has a file-upload card; type the ids"
    assert _summary(0, 0, []) == "this instance shows you no apps; type the ids"
    assert _summary(5, 3, []) == ""


def test_titles_become_ids_once_listed(qapps_sandbox: Any, widgets: list[Any]) -> None:
    sb = qapps_sandbox
    w = _widget(sb, app="meeting  BRIEF", card="notes")
    widgets.append(w)
    assert w.app_id == ""
    assert "looking for 'meeting  BRIEF'" in w.field_errors["app_id"]
    listed(w)
    until(lambda: w.app_id != "" and w.card_id != "")
    assert (w.app_id, w.card_id) == (demo.MEETING_BRIEF_APP_ID, demo.NOTES_CARD_ID)
    assert w.field_errors == {}
    single = _widget(sb, app="Dataset Profiler")  # its only file card is picked
    widgets.append(single)
    listed(single)
    until(lambda: single.card_id != "")
    assert (single.app_id, single.card_id) == (sb.app_id, sb.card_id)


def test_an_unknown_title_is_a_field_error(qapps_sandbox: Any, widgets: list[Any]) -> None:
    w = _widget(qapps_sandbox, app="No Such App")
    widgets.append(w)
    listed(w)
    until(lambda: "no app titled" in w.field_errors.get("app_id", ""))
    assert w.field_errors["app_id"] == ("no app titled 'No Such App' with a file-upload card; "
                                        "pick one")


def test_a_card_that_is_not_a_file_card_of_the_app_is_refused(qapps_sandbox: Any,
                                                               widgets: list[Any]) -> None:
    w = _widget(qapps_sandbox, app_id=demo.CONTRACT_SUMMARIZER_APP_ID,
                card_id=demo.AUDIENCE_CARD_ID)  # a text-input card
    widgets.append(w)
    listed(w)
    until(lambda: "card_id" in w.field_errors)
    assert w.field_errors["card_id"] == ("not a file-upload card of 'Contract Summarizer'; "
                                         "its file cards: 'Contract'")
    w.card_id = demo.CONTRACT_CARD_ID
    assert w.field_errors == {}


def test_a_new_instance_id_lists_again(qapps_sandbox: Any, widgets: list[Any]) -> None:
    sb = qapps_sandbox
    w = UploadWidget(instance_id="", session=sb.boto3_session(), endpoint_url=sb.endpoint_url)
    show(w)
    widgets.append(w)
    assert w.apps_status == "off"
    assert _ops(sb, "ListQApps") == 0  # nothing to list without an instance id
    w.instance_id = "qapps"
    w.instance_id = sb.instance_id  # typed quickly: only the last value is listed
    listed(w)
    assert w.apps_status == "ready"
    assert _ops(sb, "ListQApps") == 1


def test_nothing_is_listed_until_the_widget_is_shown(qapps_sandbox: Any,
                                                    widgets: list[Any]) -> None:
    sb = qapps_sandbox
    w = UploadWidget(instance_id=sb.instance_id, session=sb.boto3_session(),
                     endpoint_url=sb.endpoint_url)
    widgets.append(w)
    assert (w.apps_status, w.apps_message) == ("loading", "listing apps…")  # first paint
    time.sleep(0.3)
    assert _ops(sb, "ListQApps") == 0  # a headless run costs no listing
    show(w)
    listed(w)
    assert _ops(sb, "ListQApps") == 1
    show(w)  # a second view: no second listing, the state is sent again
    assert _ops(sb, "ListQApps") == 1
    headless = UploadWidget(instance_id=sb.instance_id, session=sb.boto3_session(),
                            endpoint_url=sb.endpoint_url, app="Meeting Brief")
    widgets.append(headless)
    headless.refresh_apps()  # in a script: resolve the title without a view
    until(lambda: headless.app_id == demo.MEETING_BRIEF_APP_ID)


def test_listing_can_be_turned_off(qapps_sandbox: Any, widgets: list[Any]) -> None:
    w = _widget(qapps_sandbox, load_apps=False)
    widgets.append(w)
    time.sleep(0.3)
    assert w.apps_status == "off"
    assert _ops(qapps_sandbox, "ListQApps") == 0
