"""Argument parsing for ``%qapps_apps``: one argparse parser, errors as ``UsageError``."""

from __future__ import annotations

import argparse
from typing import NoReturn

from IPython.core.error import UsageError

from .upload_args import HelpShown, split

DESCRIPTION = """\
List the Q Apps you can see, or show one app's cards (title, type, id, default file).

APP is an app title (case ignored; quote titles with spaces) or an app id. The instance
id comes from --instance-id, else %config QAppsMagics.instance_id, else QAPPS_INSTANCE_ID:
it is the Amazon Q Business application id (Q Business console > Applications > your
application, "Application ID"; also in the console URL after /applications/).

Listings and definitions are kept for 60 seconds per instance (uploads by title reuse
them); --refresh reads them again. The result is the cell's value: apps = %qapps_apps
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"%qapps_apps: {message} (see %qapps_apps --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise UsageError(message or "%qapps_apps: bad arguments")
        raise HelpShown()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="%qapps_apps", usage="%%qapps_apps [options] [APP]",
                     description=DESCRIPTION, allow_abbrev=False,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("app", nargs="?", metavar="APP",
                        help="show this app's cards (title or id)")
    parser.add_argument("-i", "--instance-id", metavar="ID",
                        help="Amazon Q Business application id (QAPPS_INSTANCE_ID)")
    parser.add_argument("-o", "--out", metavar="VAR",
                        help="also store the list (or the app) in variable VAR")
    parser.add_argument("--refresh", action="store_true",
                        help="read the listing and the app again instead of the 60 s cache")
    aws = parser.add_argument_group("AWS (default: boto3's own resolution)")
    aws.add_argument("--profile", metavar="NAME", help="AWS profile (AWS_PROFILE)")
    aws.add_argument("--region", metavar="REGION", help="AWS region (AWS_REGION)")
    aws.add_argument("--endpoint-url", metavar="URL",
                     help="Q Apps endpoint (AWS_ENDPOINT_URL_QAPPS)")
    return parser


_PARSER: argparse.ArgumentParser | None = None


def parse(line: str) -> argparse.Namespace:
    """Parse a magic line; raises ``UsageError`` on bad options and ``HelpShown`` for --help."""
    global _PARSER
    if _PARSER is None:
        _PARSER = build_parser()
    namespace = _PARSER.parse_args(split(line))
    if namespace.out is not None and not namespace.out.isidentifier():
        raise UsageError(f"%qapps_apps: --out {namespace.out!r} is not a variable name")
    return namespace


def help_text() -> str:
    return build_parser().format_help()
