"""What every magic's argparse parser shares: mistakes as ``UsageError``, ``--help``, the
AWS options and ``-o VAR``.

argparse's ``exit``/``error`` would raise ``SystemExit`` inside a kernel, so both are
turned into exceptions the magics handle. Parsers are built on first use and kept.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

from IPython.core.error import UsageError


class HelpShown(Exception):
    """``--help`` printed the help text; the magic returns nothing."""


class MagicParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` for ``prog`` (``"%qapps_upload"``) that never exits the kernel."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(prog=prog, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise UsageError(message or f"{self.prog}: bad arguments")
        raise HelpShown()


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    """``--profile``, ``--region``, ``--endpoint-url``: default to boto3's own resolution."""
    aws = parser.add_argument_group("AWS (default: boto3's own resolution)")
    aws.add_argument("--profile", metavar="NAME", help="AWS profile (AWS_PROFILE)")
    aws.add_argument("--region", metavar="REGION", help="AWS region (AWS_REGION)")
    aws.add_argument("--endpoint-url", metavar="URL",
                     help="Q Apps endpoint (AWS_ENDPOINT_URL_QAPPS)")


def check_out(prog: str, name: str | None) -> None:
    """``-o VAR`` must name a variable."""
    if name is not None and not name.isidentifier():
        raise UsageError(f"{prog}: --out {name!r} is not a variable name")


def cached(build: Callable[[], argparse.ArgumentParser]) -> Callable[[], argparse.ArgumentParser]:
    """The parser ``build`` makes, built once on first use."""
    parsers: list[argparse.ArgumentParser] = []

    def get() -> argparse.ArgumentParser:
        if not parsers:
            parsers.append(build())
        return parsers[0]

    return get


__all__ = ["HelpShown", "MagicParser", "add_aws_options", "cached", "check_out"]
