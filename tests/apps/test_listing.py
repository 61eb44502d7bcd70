"""``list_apps`` / ``get_app`` against the sandbox: every page, the cache, the tables."""

from __future__ import annotations

import re
from typing import Any

import qapps_nb
from qapps_nb.service import apps as service

DEMO_TITLES = {"Dataset Profiler", "Contract Summarizer", "Meeting Brief"}
FILE_CARD = {"fileUpload": {"title": "Data", "type": "file-upload"}}


def test_lists_the_demo_apps_as_a_table(sb: Any, api: dict[str, Any], ops: Any) -> None:
    listing = qapps_nb.list_apps(**api)
    assert {a.title for a in listing} == DEMO_TITLES
    profiler = next(a for a in listing if a.title == "Dataset Profiler")
    assert profiler.app_id == sb.app_id
    assert profiler.status
    assert isinstance(profiler.description, str)
    assert listing.sandbox
    assert listing.instance_id == sb.instance_id
    html = listing._repr_html_()
    assert "SANDBOX" in html
    assert "3 apps" in html
    for app in listing:
        assert f'title="click to select the whole id">{app.app_id}</code>' in html
    assert [h for h in re.findall(r"<th[^>]*>([^<]*)</th>", html)] == [
        "title", "description", "status", "id"]
    assert ops() == ["ListQApps"]
    assert "Dataset Profiler" in repr(listing)


def test_every_page_is_read(sb: Any, api: dict[str, Any], ops: Any) -> None:
    added = {sb.add_app(f"Bulk app {i:03d}", [FILE_CARD]) for i in range(230)}
    listing = qapps_nb.list_apps(**api)
    assert len(listing) == 233
    assert added <= {a.app_id for a in listing}
    assert len({a.app_id for a in listing}) == 233  # no page read twice
    assert ops() == ["ListQApps"] * 3  # 100 + 100 + 33


def test_listing_is_cached_until_refreshed(sb: Any, api: dict[str, Any], ops: Any) -> None:
    first = qapps_nb.list_apps(**api)
    assert qapps_nb.list_apps(**api) is first
    assert qapps_nb.get_app("Meeting Brief", **api) is qapps_nb.get_app("meeting brief", **api)
    assert ops() == ["ListQApps", "GetQApp"]
    new_id = sb.add_app("Brand new", [FILE_CARD])
    assert new_id not in {a.app_id for a in qapps_nb.list_apps(**api)}  # cached
    assert new_id in {a.app_id for a in qapps_nb.list_apps(refresh=True, **api)}
    qapps_nb.get_app("Meeting Brief", refresh=True, **api)
    assert ops() == ["ListQApps", "GetQApp", "ListQApps", "ListQApps", "GetQApp"]
    qapps_nb.clear_cache()
    qapps_nb.list_apps(**api)
    assert ops()[-1] == "ListQApps"
    assert len(ops()) == 6


def test_the_cache_expires(sb: Any, api: dict[str, Any], ops: Any, monkeypatch: Any) -> None:
    qapps_nb.list_apps(**api)
    monkeypatch.setattr(service, "CACHE_SECONDS", 0.0)
    qapps_nb.list_apps(**api)
    assert ops() == ["ListQApps", "ListQApps"]


def test_an_app_shows_its_cards(sb: Any, api: dict[str, Any]) -> None:
    app = qapps_nb.get_app("Meeting Brief", **api)
    assert [(c.title, c.type) for c in app.cards] == [
        ("Agenda", "file-upload"), ("Notes", "file-upload"), ("Tone", "text-input"),
        ("Brief", "q-query")]
    assert [c.title for c in app.file_cards] == ["Agenda", "Notes"]
    assert app.version >= 1
    assert app.can_edit is True
    assert app.sandbox
    html = app._repr_html_()
    assert [h for h in re.findall(r"<th[^>]*>([^<]*)</th>", html)] == [
        "card", "type", "id", "default file"]
    for card in app.cards:
        assert f">{card.card_id}</code>" in html
    assert html.count(">none</span>") == 2  # neither file card has a default file yet
    assert "Meeting Brief" in html
    assert "SANDBOX" in html
    # print(app) in a terminal or a script: the same card table as text; repr stays short
    printed = str(app).splitlines()
    assert printed[1].split() == ["card", "type", "id", "default", "file"]
    assert [line.split()[0] for line in printed[2:]] == ["Agenda", "Notes", "Tone", "Brief"]
    assert repr(app).startswith("<App SANDBOX 'Meeting Brief' version=")


def test_titles_and_descriptions_are_escaped(sb: Any, api: dict[str, Any]) -> None:
    sb.add_app("R&D 'quarterly' review", [FILE_CARD],
               description="<script>alert(1)</script>")
    html = qapps_nb.list_apps(**api)._repr_html_()
    assert "R&amp;D &#x27;quarterly&#x27; review" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    app_html = qapps_nb.get_app("r&d 'QUARTERLY' review", **api)._repr_html_()
    assert "R&amp;D &#x27;quarterly&#x27; review" in app_html
    assert "<script>" not in app_html
