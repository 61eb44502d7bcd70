"""App and card references as people type them: a title or an id.

The Q Apps web UI shows titles only, so every ``app``/``card`` setting takes either. A
value matching the Q Apps UUID pattern is an id; anything else is a title, matched with
case and runs of white space ignored. Nothing here makes a network call.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .errors import ValidationError
from .validation import UUID_PATTERN

MAX_TITLE = 100
"""App and card titles are at most 100 characters (the service model's Title shape)."""
TITLE_FORBIDDEN = '{}\\"<>'
"""Characters the model's Title pattern ``[^{}\\\\"<>]+`` excludes: no title has them."""


def is_id(value: str) -> bool:
    return bool(UUID_PATTERN.fullmatch(value))


def fold(text: str) -> str:
    """How titles are compared: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def check_ref(value: object, what: str) -> str:
    """A title or id the service could have (``what``: "app" or "card"); stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{what} is empty: give the {what}'s title or id")
    text = value.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise ValidationError(f"{what} {text!r} contains control characters")
    if is_id(text):
        return text
    if len(text) > MAX_TITLE:
        raise ValidationError(f"{what} title is {len(text)} characters; Q Apps titles have at "
                              f"most {MAX_TITLE}")
    bad = sorted({ch for ch in text if ch in TITLE_FORBIDDEN})
    if bad:
        raise ValidationError(f"{what} {text!r} cannot be a Q Apps title: titles never contain "
                              f"{' '.join(bad)}")
    return text


def listed(titles: Iterable[str], limit: int = 8) -> str:
    """``'A', 'B' and 3 more`` for one-line messages."""
    shown = [repr(t) for t in titles]
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more
