"""Parsing ``%qapps_run APP CARD=VALUE … [options]``: words that remember their quotes.

A text card's VALUE is a quoted string or a variable name, so ``Tone="formal"`` (text)
and ``Tone=formal`` (the variable ``formal``) must stay different after splitting, which
``shlex`` cannot tell. :func:`split` is a small shell-like splitter that keeps, for each
word, whether the part after ``=`` was quoted. Options go to an argparse parser (for
``--help`` and the usual error lines); everything else is APP and CARD=VALUE words.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from IPython.core.error import UsageError

from .args import MagicParser, add_aws_options, cached, check_out

USAGE = ("%%qapps_run [options] APP [CARD=VALUE ...]\n"
         "       %%%%qapps_run [options] APP [CARD=VALUE ...]  (the cell body is the value "
         "of the one card left)")

DESCRIPTION = """\
Run an Amazon Q App: start a session, give it its inputs, wait, show the outputs.

APP is the app's title (quote it if it has spaces) or id. Each CARD=VALUE gives an input
card (its title or id; quote titles with spaces: "Contract file"=msa.pdf):
  - a file-upload card: VALUE is a variable (DataFrame, bytes, str as text, dict, a
    FileUpload...) or a file path, as for %qapps_upload;
  - a text-input card: VALUE is a quoted string (Tone="formal") or a variable name.
Cards with a default may be left out. The run is the cell's value (r = %qapps_run ...);
while it waits, the card states are shown live. With %%qapps_run, the cell body is the
value of the one input card not given on the line.
"""


@dataclass(frozen=True)
class Word:
    """One word of the line: its text with quotes removed, split at the first bare ``=``."""

    text: str
    quoted: bool
    """Some part of the word was quoted (then it is never an option)."""
    key: str | None = None
    value: str | None = None
    value_quoted: bool = False
    """Some part after the ``=`` was quoted: a literal string, never a variable name."""


def split(line: str) -> list[Word]:
    """Shell-like split that keeps quoting; a trailing ``;`` (silencing) is dropped."""
    line = line.strip()
    if line.endswith(";"):
        line = line[:-1]
    words: list[Word] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        segments: list[tuple[str, bool]] = []  # (text, quoted)
        while i < n and not line[i].isspace():
            ch = line[i]
            if ch in "\"'":
                end = i + 1
                buf = []
                while end < n and line[end] != ch:
                    if ch == '"' and line[end] == "\\" and end + 1 < n and line[end + 1] in '"\\':
                        end += 1
                    buf.append(line[end])
                    end += 1
                if end >= n:
                    raise UsageError(f"%qapps_run: no closing quote ({ch}) in the line")
                segments.append(("".join(buf), True))
                i = end + 1
            elif ch == "\\" and i + 1 < n and line[i + 1] in "\"' \\":
                segments.append((line[i + 1], False))
                i += 2
            else:
                segments.append((ch, False))
                i += 1
        words.append(_word(segments))
    return words


def _word(segments: list[tuple[str, bool]]) -> Word:
    text = "".join(t for t, _ in segments)
    quoted = any(q for _, q in segments)
    for index, (chunk, was_quoted) in enumerate(segments):
        if not was_quoted and "=" in chunk:
            head, tail = chunk.split("=", 1)
            key = "".join(t for t, _ in segments[:index]) + head
            rest = [(tail, False), *segments[index + 1:]]
            return Word(text, quoted, key=key, value="".join(t for t, _ in rest),
                        value_quoted=any(q for _, q in rest))
    return Word(text, quoted)


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} must be a positive number of seconds")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = MagicParser("%qapps_run", usage=USAGE, description=DESCRIPTION,
                         epilog="Positional: APP, then CARD=VALUE for each input card.")
    run = parser.add_argument_group("the run")
    run.add_argument("-i", "--instance-id", metavar="ID",
                     help="Amazon Q Business instance id (QAPPS_INSTANCE_ID)")
    run.add_argument("--timeout", type=_seconds, default=600.0, metavar="SECONDS",
                     help="stop waiting after this long (default 600); the session keeps "
                          "running and .wait() on the run resumes")
    run.add_argument("--no-wait", action="store_true",
                     help="return as soon as the inputs are given (run.wait() later)")
    run.add_argument("-o", "--out", metavar="VAR",
                     help="also store the run in variable VAR (even when it fails)")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bars and no live card states")
    add_aws_options(parser)
    return parser


_parser = cached(build_parser)


@dataclass
class RunLine:
    """A parsed line: options, the APP word and the CARD=VALUE words, in order."""

    options: argparse.Namespace
    app: str
    items: list[Word]


def parse(line: str) -> RunLine:
    """Parse a magic line; ``UsageError`` for mistakes, ``HelpShown`` after ``--help``."""
    parser = _parser()
    takes_value = {s for a in parser._actions if a.nargs != 0 for s in a.option_strings}
    option_words: list[str] = []
    positional: list[Word] = []
    words = split(line)
    i = 0
    while i < len(words):
        word = words[i]
        if not word.quoted and word.text.startswith("-") and len(word.text) > 1:
            option_words.append(word.text)
            name = word.text.split("=", 1)[0]
            if name in takes_value and "=" not in word.text and i + 1 < len(words):
                option_words.append(words[i + 1].text)
                i += 1
        else:
            positional.append(word)
        i += 1
    options = parser.parse_args(option_words)
    check_out("%qapps_run", options.out)
    if not positional:
        raise UsageError("%qapps_run: give the app: %qapps_run APP CARD=VALUE ... "
                         "(see %qapps_run --help)")
    app, *items = positional
    if app.key is not None:
        raise UsageError(f"%qapps_run: give the app first, then CARD=VALUE words "
                         f"(the first word is {app.text!r})")
    for item in items:
        if item.key is None:
            raise UsageError(f"%qapps_run: {item.text!r} is not CARD=VALUE (quote a title "
                             "with spaces: \"Contract file\"=msa.pdf)")
        if not item.key:
            raise UsageError(f"%qapps_run: {item.text!r} names no card before '='")
    return RunLine(options, app.text, items)


def help_text() -> str:
    return build_parser().format_help()


__all__ = ["RunLine", "Word", "help_text", "parse", "split"]
