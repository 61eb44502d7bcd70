"""The apps a fresh sandbox holds (and holds again after ``reset()``), with fixed ids.

Fixed UUIDs let notebooks, docs and tests name them; they match the model's UUID
pattern and are plainly not real. ``--apps FILE.json`` and ``Sandbox(apps=...)`` add
more (:func:`load_app_specs`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .apps import AppSpec, complete_card

# Dataset Profiler: its app and file card are ``sb.app_id`` / ``sb.card_id``.
DATASET_PROFILER_APP_ID = "00000000-0000-4000-8000-00000000a001"
DATASET_CARD_ID = "00000000-0000-4000-8000-00000000c001"
PROFILE_CARD_ID = "00000000-0000-4000-8000-00000000c002"

CONTRACT_SUMMARIZER_APP_ID = "00000000-0000-4000-8000-00000000a002"
AUDIENCE_CARD_ID = "00000000-0000-4000-8000-00000000c201"
CONTRACT_CARD_ID = "00000000-0000-4000-8000-00000000c202"
SUMMARY_CARD_ID = "00000000-0000-4000-8000-00000000c203"

MEETING_BRIEF_APP_ID = "00000000-0000-4000-8000-00000000a003"
AGENDA_CARD_ID = "00000000-0000-4000-8000-00000000c301"
NOTES_CARD_ID = "00000000-0000-4000-8000-00000000c302"
TONE_CARD_ID = "00000000-0000-4000-8000-00000000c303"
BRIEF_CARD_ID = "00000000-0000-4000-8000-00000000c304"
TONE_DEFAULT = "concise and friendly"


def _text(card_id: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"textInput": {"id": card_id, "title": title, "type": "text-input", **extra}}


def _file(card_id: str, title: str) -> dict[str, Any]:
    return {"fileUpload": {"id": card_id, "title": title, "type": "file-upload",
                           "allowOverride": True}}


def _query(card_id: str, title: str, prompt: str) -> dict[str, Any]:
    return {"qQuery": {"id": card_id, "title": title, "type": "q-query", "prompt": prompt,
                       "outputSource": "llm"}}


DEMO_APPS: tuple[AppSpec, ...] = (
    AppSpec(
        title="Dataset Profiler", app_id=DATASET_PROFILER_APP_ID,
        description="Upload a CSV or text file and get a profile of its contents.",
        initial_prompt="Create an app that profiles an uploaded dataset.",
        cards=(_file(DATASET_CARD_ID, "Dataset"),
               _query(PROFILE_CARD_ID, "Profile",
                      f"Profile the dataset in @{DATASET_CARD_ID}: its columns, how many "
                      "rows it has and anything unusual."))),
    AppSpec(
        title="Contract Summarizer", app_id=CONTRACT_SUMMARIZER_APP_ID,
        description="Summarize an uploaded contract for a given audience.",
        initial_prompt="Create an app that summarizes a contract file for an audience.",
        cards=(_text(AUDIENCE_CARD_ID, "Audience", placeholder="e.g. the legal team"),
               _file(CONTRACT_CARD_ID, "Contract"),
               _query(SUMMARY_CARD_ID, "Summary",
                      f"Summarize the contract in @{CONTRACT_CARD_ID} for "
                      f"@{AUDIENCE_CARD_ID}: the parties, the term and how to end it."))),
    AppSpec(
        title="Meeting Brief", app_id=MEETING_BRIEF_APP_ID,
        description="Turn a meeting's agenda and notes into a short brief.",
        initial_prompt="Create an app that writes a meeting brief from an agenda and notes.",
        cards=(_file(AGENDA_CARD_ID, "Agenda"), _file(NOTES_CARD_ID, "Notes"),
               _text(TONE_CARD_ID, "Tone", placeholder="how the brief should sound",
                     defaultValue=TONE_DEFAULT),
               _query(BRIEF_CARD_ID, "Brief",
                      f"Write a brief of the meeting, in a @{TONE_CARD_ID} tone, from the "
                      f"agenda in @{AGENDA_CARD_ID} and the notes in @{NOTES_CARD_ID}."))),
)


def app_spec(data: Mapping[str, Any]) -> AppSpec:
    """An :class:`AppSpec` from JSON: CreateQApp's input shape, or the short form
    ``{"title", "cards", "description", "initialPrompt", "owned"}``.

    Card ids and types are filled in where missing; the caller validates the result.
    """
    if not isinstance(data, Mapping):
        raise ValueError("each app must be a JSON object")
    definition = data.get("appDefinition")
    if isinstance(definition, Mapping):
        cards = definition.get("cards")
        prompt = definition.get("initialPrompt")
    else:
        cards = data.get("cards")
        prompt = data.get("initialPrompt", data.get("initial_prompt"))
    if not isinstance(cards, list):
        raise ValueError(f"app {data.get('title')!r} needs a list of cards")
    return AppSpec(title=data.get("title"),  # type: ignore[arg-type]  # validated later
                   cards=tuple(complete_card(c) if isinstance(c, Mapping) else c
                               for c in cards),
                   description=data.get("description"), initial_prompt=prompt,
                   owned=bool(data.get("owned", True)), app_id=data.get("appId"))


def load_app_specs(source: str | Path | Sequence[Mapping[str, Any]]) -> list[AppSpec]:
    """Apps from a JSON file (a list, or ``{"apps": [...]}``) or from a list of dicts."""
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"cannot read apps file {path}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise ValueError(f"apps file {path} is not valid JSON: {exc}") from exc
        if isinstance(data, Mapping):
            data = data.get("apps")
        if not isinstance(data, list):
            raise ValueError(f"apps file {path} must hold a list of apps or {{\"apps\": [...]}}")
        source = data
    return [app_spec(item) for item in source]
