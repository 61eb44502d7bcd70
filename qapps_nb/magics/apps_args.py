"""Argument parsing for ``%qapps_apps``: one argparse parser, errors as ``UsageError``."""

from __future__ import annotations

import argparse

from .args import MagicParser, add_aws_options, cached, check_out
from .upload_args import split

DESCRIPTION = """\
List the Q Apps you can see, or show one app's cards (title, type, id, default file).

APP is an app title (case ignored; quote titles with spaces) or an app id. The instance
id comes from --instance-id, else %config QAppsMagics.instance_id, else QAPPS_INSTANCE_ID:
it is the Amazon Q Business application id (Q Business console > Applications > your
application, "Application ID"; also in the console URL after /applications/).

Listings and definitions are kept for 60 seconds per instance (uploads by title reuse
them); --refresh reads them again. The result is the cell's value: apps = %qapps_apps
"""


def build_parser() -> argparse.ArgumentParser:
    parser = MagicParser("%qapps_apps", usage="%%qapps_apps [options] [APP]",
                         description=DESCRIPTION)
    parser.add_argument("app", nargs="?", metavar="APP",
                        help="show this app's cards (title or id)")
    parser.add_argument("-i", "--instance-id", metavar="ID",
                        help="Amazon Q Business application id (QAPPS_INSTANCE_ID)")
    parser.add_argument("-o", "--out", metavar="VAR",
                        help="also store the list (or the app) in variable VAR")
    parser.add_argument("--refresh", action="store_true",
                        help="read the listing and the app again instead of the 60 s cache")
    add_aws_options(parser)
    return parser


_parser = cached(build_parser)


def parse(line: str) -> argparse.Namespace:
    """Parse a magic line; raises ``UsageError`` on bad options and ``HelpShown`` for --help."""
    namespace = _parser().parse_args(split(line))
    check_out("%qapps_apps", namespace.out)
    return namespace


def help_text() -> str:
    return build_parser().format_help()
