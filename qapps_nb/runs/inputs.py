"""Check a run's inputs against the app's cards before anything starts a session.

Every problem a user can make with ``inputs`` is found here, locally, in one line: a card
name the app does not have (the message names its cards), a value for a card that is not
an input, a value of the wrong kind (text for a file card, a DataFrame for a text card),
and inputs the app needs but did not get (a text card with no default, a file card with
no default file). Files are prepared (paths checked, DataFrames serialized and hashed)
before the session starts too, so a missing file never leaves a half-fed session behind.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..service.apps import FILE_UPLOAD, TEXT_INPUT, App, Card
from ..service.sessions import card_value
from ..validation import MAX_FILE_NAME

FILE_KINDS = ("a path, bytes, qapps_nb.Text, a DataFrame, a dict/list, a binary file object "
              "or an ipywidgets.FileUpload")


@dataclass
class InputPlan:
    """What one run sends: text values and file sources by card id, all checked."""

    app: App
    text: dict[str, str] = field(default_factory=dict)
    """Text-input card id → value (sent as ``initialValues`` of StartQAppSession)."""
    files: dict[str, Any] = field(default_factory=dict)
    """File-upload card id → upload source (uploaded with scope SESSION, then sent)."""

    def card(self, card_id: str) -> Card:
        return next(c for c in self.app.cards if c.card_id == card_id)


def is_absent(value: Any) -> bool:
    """None, NaN, ``pd.NA``/``NaT``: "not given" (an empty DataFrame cell), not a value."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    kind = type(value).__name__
    return kind in ("NAType", "NaTType")


def check_inputs(app: App, inputs: Mapping[str, Any] | None) -> InputPlan:
    """The plan for one run, or one :class:`ValidationError` line saying what is wrong."""
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, Mapping):
        raise ValidationError(f"inputs must be a dict of card title (or id) → value, not "
                              f"{type(inputs).__name__}")
    plan = InputPlan(app)
    given: dict[str, str] = {}
    for key, value in inputs.items():
        if not isinstance(key, str):
            raise ValidationError(f"input names are card titles or ids, not {key!r}; cards "
                                  f"of {app.title!r}: {describe_inputs(app)}")
        card = find_card(app, key)
        if card.card_id in given:
            raise ValidationError(f"card {card.title!r} is given twice ({given[card.card_id]!r} "
                                  f"and {key!r})")
        given[card.card_id] = key
        if is_absent(value):
            continue
        if card.type == TEXT_INPUT:
            text = text_value(card, value)
            if text:  # an empty text completes no card: it counts as not given
                plan.text[card.card_id] = text
        elif card.type == FILE_UPLOAD:
            plan.files[card.card_id] = file_source(app, card, value)
        elif card.type == "form-input":
            raise ValidationError(f"card {card.title!r} is a form-input card: it collects form "
                                  "submissions, which qapps-nb does not send")
        else:
            raise ValidationError(f"card {card.title!r} is a {card.type} card (an output), not "
                                  f"an input; inputs of {app.title!r}: {describe_inputs(app)}")
    missing = [c for c in app.input_cards if c.card_id not in plan.text
               and c.card_id not in plan.files and needs_value(c)]
    if missing:
        listed = ", ".join(f"{c.title!r} ({kind_of(c)})" for c in missing)
        raise ValidationError(f"{app.title!r} needs {listed}: "
                              f"{'it has' if len(missing) == 1 else 'they have'} no default; "
                              f"give {'it' if len(missing) == 1 else 'them'} in inputs")
    return plan


def find_card(app: App, name: str) -> Card:
    """``app.card(name)`` (id, else title, case ignored); an unknown name is refused in one
    line that names the app's input cards (text and file) and its outputs."""
    if not app.has_card(name):
        outputs = ", ".join(repr(c.title) for c in app.output_cards) or "none"
        raise ValidationError(f"app {app.title!r} has no card {name!r}; its inputs: "
                              f"{describe_inputs(app)}; its outputs: {outputs}")
    return app.card(name)  # several cards with this title: one line saying so


def needs_value(card: Card) -> bool:
    """An input card the session would wait on: no default value / no default file."""
    if card.type == TEXT_INPUT:
        return card.default_value is None
    if card.type == FILE_UPLOAD:
        return card.default_file_id is None
    return False


def kind_of(card: Card) -> str:
    return {TEXT_INPUT: "text", FILE_UPLOAD: "file"}.get(card.type, card.type)


def describe_inputs(app: App) -> str:
    cards = [c for c in app.input_cards if c.type in (TEXT_INPUT, FILE_UPLOAD)]
    return ", ".join(f"{c.title!r} ({kind_of(c)})" for c in cards) or "none"


def text_value(card: Card, value: Any) -> str:
    """A text card's value: a str (``qapps_nb.Text`` and numbers are taken as their text)."""
    from ..sources import Text

    if isinstance(value, Text):
        value = value.content
    elif isinstance(value, numbers.Number) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(f"card {card.title!r} is a text-input card: give a str, not "
                              f"{_kind(value)}")
    try:
        card_value(card.card_id, value)  # the length limit of CardValue.value
    except ValidationError as exc:
        raise ValidationError(f"card {card.title!r}: {exc.message}") from None
    return value


def file_source(app: App, card: Card, value: Any) -> Any:
    """A file card's source, checked as far as it can be without reading it.

    A path must exist and be a readable file (a ``str`` is a path, as in ``upload``);
    data (bytes, DataFrames, JSON) is serialized later by :func:`prepare_files`.
    """
    from .. import sources
    from ..payload import Payload

    if card.default_file_id and card.data.get("allowOverride") is False:
        raise ValidationError(f"card {card.title!r} of {app.title!r} has a default file and "
                              "does not allow overriding it; leave it out of inputs")
    if isinstance(value, (str, os.PathLike)):
        try:
            sources.prepare(value).close()  # stat checks only; nothing is read yet
        except ValidationError as exc:
            raise ValidationError(f"card {card.title!r}: {exc.message}", code=exc.code,
                                  hint=exc.hint) from None
        return value
    accepted = (isinstance(value, (bytes, bytearray, memoryview, sources.Text, Payload,
                                   dict, list, tuple))
                or sources.dataframe_kind(value) is not None
                or sources.is_upload_entry(value) or sources.is_file_upload_widget(value)
                or hasattr(value, "read"))
    if not accepted:
        raise ValidationError(f"card {card.title!r} is a file-upload card: give {FILE_KINDS}, "
                              f"not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    name = type(value).__name__
    return f"a {name}" if name[:1].lower() not in "aeiou" else f"an {name}"


def prepare_files(plan: InputPlan) -> dict[str, Any]:
    """Payloads (exact bytes, hashed or hashable) for every file input, by card id.

    Run before the session starts: a file that cannot be read or serialized, or a bad
    name, fails here. The caller closes the payloads (each upload closes what it sent).
    """
    from ..pipeline import prepare_checked

    payloads: dict[str, Any] = {}
    try:
        for card_id, source in plan.files.items():
            try:
                name = file_name_for(plan.card(card_id), source)
                payloads[card_id] = prepare_checked(source, name)
            except ValidationError as exc:
                title = plan.card(card_id).title
                raise ValidationError(f"card {title!r}: {exc.message}", code=exc.code,
                                      hint=exc.hint) from None
    except BaseException:
        close_all(payloads.values())
        raise
    return payloads


def file_name_for(card: Card, source: Any) -> str | None:
    """Data with no name of its own (a DataFrame, bytes, JSON, text) is sent named after its
    card, ``Dataset.csv`` rather than ``dataframe.csv``; files keep their names."""
    from .. import sources

    if isinstance(source, (str, os.PathLike)):
        return None
    ext = sources.default_extension(source)
    if not ext:
        return None
    stem = re.sub(r"[\\/\x00-\x1f\x7f]+", "-", card.title).strip(" .-") or "input"
    return stem[: MAX_FILE_NAME - len(ext)] + ext


def close_all(payloads: Any) -> None:
    for payload in payloads:
        payload.close()


__all__ = ["InputPlan", "check_inputs", "close_all", "describe_inputs", "find_card", "is_absent",
           "needs_value", "prepare_files"]
