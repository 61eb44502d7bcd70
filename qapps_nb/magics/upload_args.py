"""Argument parsing for ``%qapps_upload``: one argparse parser, errors as ``UsageError``.

IPython's own ``arg_split`` keeps quotes on Windows-style splitting, so paths with spaces
would arrive quoted; ``shlex`` gives what a shell user expects (``"my file.csv"``).
argparse's ``exit``/``error`` would raise ``SystemExit`` inside a kernel, so both are
turned into exceptions the magic handles.
"""

from __future__ import annotations

import argparse
import os
import shlex

from IPython.core.error import UsageError

from .args import MagicParser, add_aws_options, cached, check_out

USAGE = ("%%qapps_upload [options] SOURCE [SOURCE ...]\n"
         "       %%%%qapps_upload [options]  (then the cell body)")
"""argparse %-formats the usage text, hence the doubled percent signs."""

DESCRIPTION = """\
Upload files, variables or the cell body to an Amazon Q Apps file card.

SOURCE is a variable name in the notebook (bytes; str uploaded as UTF-8 text; a pandas or
polars DataFrame as CSV; dict/list as JSON; a pathlib.Path; an ipywidgets.FileUpload or its
value) or else a file path; '~' and glob patterns (*, ?, [...], **) are expanded. Quote paths
that contain spaces. Variables are sent as '<variable>.<ext>' unless --name is given. With no
SOURCE, the line magic shows the upload widget with the ids filled in.

The app and the card are given by title (as the Q Apps web UI shows them; case ignored;
quote titles with spaces) or by id: --app 'Dataset Profiler' --card Dataset. The card may
be left out when the app has one file-upload card. %qapps_apps lists apps and cards.
--attach then makes the uploaded file the card's default file (only the app's owner can).

Settings come from the option, else %config QAppsMagics.<name>, else the environment
(QAPPS_INSTANCE_ID, QAPPS_APP or QAPPS_APP_ID, QAPPS_CARD or QAPPS_CARD_ID,
QAPPS_SESSION_ID, QAPPS_SCOPE). The result (a list for several sources) is the cell's
value: r = %qapps_upload data.csv
"""


def _scope(value: str) -> str:
    normalized = value.strip().lower()
    if normalized not in ("application", "session"):
        raise argparse.ArgumentTypeError(f"{value!r} is not one of: application, session")
    return normalized.upper()


def _workers(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError(f"{number} is out of range 1..64")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = MagicParser("%qapps_upload", usage=USAGE, description=DESCRIPTION)
    ids = parser.add_argument_group("where the file goes")
    ids.add_argument("-i", "--instance-id", metavar="ID",
                     help="Amazon Q Business instance id (QAPPS_INSTANCE_ID)")
    ids.add_argument("--app", metavar="TITLE_OR_ID",
                     help="Q App title (case ignored) or id (QAPPS_APP)")
    ids.add_argument("-a", "--app-id", metavar="UUID", help="Q App id (QAPPS_APP_ID)")
    ids.add_argument("--card", metavar="TITLE_OR_ID",
                     help="file-upload card title or id; optional when the app has one "
                          "(QAPPS_CARD)")
    ids.add_argument("-c", "--card-id", metavar="UUID",
                     help="file-upload card id (QAPPS_CARD_ID)")
    ids.add_argument("-s", "--session-id", metavar="UUID",
                     help="Q App session id; implies --scope session (QAPPS_SESSION_ID)")
    ids.add_argument("--scope", type=_scope, metavar="{application,session}",
                     help="application (default) or session; any case (QAPPS_SCOPE)")
    out = parser.add_argument_group("what is sent and kept")
    out.add_argument("-n", "--name", metavar="NAME",
                     help="file name sent (one source only); its extension picks a DataFrame's "
                          "format: .csv .json .parquet .xlsx")
    out.add_argument("-o", "--out", metavar="VAR",
                     help="also store the result (or list of results) in variable VAR")
    out.add_argument("--attach", action="store_true",
                     help="make the uploaded file the card's default file (one SOURCE, "
                          "application scope, app owner only)")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    out.add_argument("--max-workers", type=_workers, metavar="N",
                     help="uploads at once for several sources (default 4)")
    add_aws_options(parser)
    parser.add_argument("sources", nargs="*", metavar="SOURCE",
                        help="variable name, file path or glob pattern")
    return parser


def split(line: str) -> list[str]:
    """Shell-like split; on Windows backslashes are path separators, not escapes.

    A trailing ``;`` (which silences the cell's output) is not part of the last source.
    """
    line = line.rstrip()
    if line.endswith(";"):
        line = line[:-1]
    try:
        if os.name == "nt":
            return [_unquote(token) for token in shlex.split(line, posix=False)]
        return shlex.split(line)
    except ValueError as exc:  # "No closing quotation"
        raise UsageError(f"%qapps_upload: cannot parse the line: {exc}") from None


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return token


_parser = cached(build_parser)


def parse(line: str) -> argparse.Namespace:
    """Parse a magic line; raises ``UsageError`` on bad options and ``HelpShown`` for --help."""
    namespace = _parser().parse_args(split(line))
    if namespace.name is not None and len(namespace.sources) > 1:
        raise UsageError("%qapps_upload: --name needs exactly one source "
                         f"(got {len(namespace.sources)})")
    check_out("%qapps_upload", namespace.out)
    return namespace


def help_text() -> str:
    return build_parser().format_help()
