"""The sandbox's notebook card follows the theme: no cream box with dark striped rows."""

from __future__ import annotations

from typing import Any

import pytest
from lab_helpers import BUILD
from page_helpers import new_cell, set_theme

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CARD = """from qapps_nb.sandbox import running
with running() as sb:
    shown = sb
    card = sb._repr_html_()
from IPython.display import HTML
HTML(card)"""
STYLE_JS = """() => { const card = document.querySelector('.qapps-nb-sandbox');
  const rows = [...card.querySelectorAll('tr')].map(r => getComputedStyle(r).backgroundColor);
  const area = card.closest('.jp-OutputArea-output');
  return {text: getComputedStyle(card).color, page: getComputedStyle(area).color, rows}; }"""


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_sandbox_card_follows_the_theme(page: Any, dark: bool) -> None:
    set_theme(page, dark)
    try:
        new_cell(page, CARD)
        page.wait_for_selector(".qapps-nb-sandbox")
        style = page.evaluate(STYLE_JS)
        assert style["text"] == style["page"]  # the theme's text colour, not black
        assert set(style["rows"]) == {"rgba(0, 0, 0, 0)"}  # no theme stripes on the card
        card = page.locator(".jp-OutputArea-output", has=page.locator(".qapps-nb-sandbox"))
        card.screenshot(path=str(BUILD / f"sandbox-card-{'dark' if dark else 'light'}.png"))
    finally:
        set_theme(page, dark=False)
