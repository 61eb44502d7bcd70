"""``qapps-sandbox`` (or ``python -m qapps_nb.sandbox``): serve a sandbox from a shell.

``qapps-sandbox`` serves until Ctrl-C or SIGTERM and prints the environment that routes
boto3 to it. ``qapps-sandbox run -- CMD ...`` starts a sandbox, runs CMD with that
environment (the shell's own AWS settings stay untouched) and stops when CMD ends,
with CMD's exit status. Either way one line per request arrives on stderr (``-q``: none).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from ..result import format_size
from .core import BANNER, Sandbox
from .isolation import isolated_environ
from .state import DEFAULT_MAX_SIZE, DEFAULT_MODEL_LATENCY, DEFAULT_URL_TTL

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}


def _size(text: str) -> int:
    """``5000``, ``10MB`` or ``1.5 GB`` (decimal: 1 MB = 1,000,000 bytes; KiB/MiB/GiB too)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match[2].lower() if match else ""
    if match is None or unit not in _UNITS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: give bytes, or a number with KB, MB or GB")
    return int(float(match[1]) * _UNITS[unit])


def _prog() -> str:
    """The name the user typed: the console script, or the ``-m`` form."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "qapps-sandbox" if name.startswith("qapps-sandbox") else "python -m qapps_nb.sandbox"


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        usage=f"{prog} [options]\n       {prog} [options] run -- COMMAND [ARG ...]",
        description="Local stand-in for Amazon Q Apps (apps, sessions, createPresignedUrl) "
                    "and a strict S3 POST endpoint, on 127.0.0.1. Not AWS.",
        epilog=f"'{prog} run -- jupyter lab' runs a command against a fresh sandbox without "
               "touching your shell's AWS settings; the sandbox stops when it ends.")
    p.add_argument("action", nargs="?", choices=["serve", "run"], default="serve",
                   help="serve (default): serve and print the environment to use; "
                        "run: run the COMMAND after -- with that environment")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free)")
    p.add_argument("--url-ttl", type=float, default=DEFAULT_URL_TTL, metavar="SECONDS",
                   help="lifetime of presigned URLs (default: %(default)g)")
    p.add_argument("--max-size", type=_size, default=DEFAULT_MAX_SIZE, metavar="SIZE",
                   help="largest upload the policies allow, in bytes or with KB/MB/GB "
                        f"(decimal: 1 GB = 1,000,000,000 bytes; default: "
                        f"{DEFAULT_MAX_SIZE:,} bytes = "
                        f"{format_size(DEFAULT_MAX_SIZE, exact=True)})")
    p.add_argument("--storage-dir", default=None, metavar="DIR",
                   help="keep objects here (default: a temporary directory, deleted on exit)")
    p.add_argument("--clock-skew", type=float, default=0.0, metavar="SECONDS",
                   help="seconds added to the server clock (default: 0)")
    p.add_argument("--apps", default=None, metavar="FILE.json",
                   help="more apps besides the demo ones: a JSON list of CreateQApp inputs "
                        "(title, appDefinition) or {title, cards, ...}")
    p.add_argument("--model-latency", type=float, default=DEFAULT_MODEL_LATENCY,
                   metavar="SECONDS", help="how long a q-query card stays IN_PROGRESS "
                                           "(default: %(default)g)")
    p.add_argument("-q", "--quiet", action="store_true", help="no line per request on stderr")
    return p


def _log_requests() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sandbox: %(message)s"))
    logger = logging.getLogger("qapps_nb.sandbox.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1:]
    parser = _parser(_prog())
    args = parser.parse_args(argv)
    if args.action == "run" and not command:
        parser.error("run needs a command after --, e.g. run -- jupyter lab")
    if args.action == "serve" and command:
        parser.error("a command after -- needs 'run' before it")
    if not args.quiet:
        _log_requests()
    try:
        sandbox = Sandbox(port=args.port, url_ttl=args.url_ttl, max_size=args.max_size,
                          storage_dir=args.storage_dir, clock_skew=args.clock_skew,
                          apps=args.apps, model_latency=args.model_latency)
    except (OSError, ValueError) as exc:
        print(f"qapps-sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    with sandbox:
        if args.action == "run":
            return _run(sandbox, command)
        _serve(sandbox)
    print("# sandbox stopped", file=sys.stderr, flush=True)
    return 0


def _serve(sandbox: Sandbox) -> None:
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    env = sandbox.env()
    say = print
    say(f"# {BANNER}: Q Apps API and S3 POST at {sandbox.endpoint_url}", flush=True)
    say(f"# apps and their ids: {sandbox.endpoint_url}/_sandbox (open it in a browser)")
    say(f"# objects in {sandbox.storage_dir}; Ctrl-C stops")
    say("# Safest: run a command with this environment, leaving your shell alone:")
    say(f"#   {_prog()} run -- jupyter lab")
    mine = [n for n in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN")
            if os.environ.get(n)]
    if mine:
        say(f"# This shell has {', '.join(mine)} set: the lines below would replace them.")
    say("# Or paste these into a NEW shell (the credentials are sandbox dummies, not AWS keys):")
    for name, value in env.items():
        say(f"export {name}={shlex.quote(value)}", flush=True)
    say(f"# undo in that shell: unset {' '.join(env)}", flush=True)
    while not done.wait(0.5):
        pass


def child_env(environ: Mapping[str, str], sandbox_env: Mapping[str, str]) -> dict[str, str]:
    """A ``run`` child sees none of the shell's AWS or qapps-nb settings (a session token, a
    profile, a scope...), only the sandbox's: nothing in it can reach real AWS."""
    env = isolated_environ(environ)
    env.update(sandbox_env)
    return env


def _run(sandbox: Sandbox, command: list[str]) -> int:
    """Run ``command`` with the sandbox's environment; its exit status."""
    env = child_env(os.environ, sandbox.env())
    print(f"# {BANNER} at {sandbox.endpoint_url}; running: {shlex.join(command)}",
          file=sys.stderr, flush=True)
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        print(f"qapps-sandbox: cannot run {command[0]!r}: {exc.strerror or exc}",
              file=sys.stderr)
        return 127

    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)  # Ctrl-C reaches the child too; we wait for it
    code = child.wait()
    print("# sandbox stopped", file=sys.stderr, flush=True)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
