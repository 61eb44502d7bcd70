"""``python -m qapps_nb.sandbox``: serve a sandbox until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from types import FrameType

from .core import BANNER, Sandbox
from .state import DEFAULT_MAX_SIZE, DEFAULT_URL_TTL


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m qapps_nb.sandbox",
        description="Local Amazon Q Apps createPresignedUrl + strict S3 POST stand-in "
                    "(127.0.0.1 only). Not AWS.")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free)")
    p.add_argument("--url-ttl", type=float, default=DEFAULT_URL_TTL, metavar="SECONDS",
                   help="lifetime of presigned URLs (default: %(default)s)")
    p.add_argument("--max-size", type=int, default=DEFAULT_MAX_SIZE, metavar="BYTES",
                   help="largest upload the policies allow (default: 5 GiB)")
    p.add_argument("--storage-dir", default=None, metavar="DIR",
                   help="keep objects here (default: a temporary directory, deleted on exit)")
    p.add_argument("--clock-skew", type=float, default=0.0, metavar="SECONDS",
                   help="seconds added to the server clock (default: 0)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        sandbox = Sandbox(port=args.port, url_ttl=args.url_ttl, max_size=args.max_size,
                          storage_dir=args.storage_dir, clock_skew=args.clock_skew)
    except (OSError, ValueError) as exc:
        print(f"qapps-sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    with sandbox:
        print(f"# {BANNER}: Q Apps API and S3 POST at {sandbox.endpoint_url}", flush=True)
        print(f"# objects in {sandbox.storage_dir}; control routes under "
              f"{sandbox.endpoint_url}/_sandbox; Ctrl-C stops", flush=True)
        print("# the credentials below are sandbox dummies, not AWS keys", flush=True)
        for name, value in sandbox.env().items():
            print(f"export {name}={shlex.quote(value)}", flush=True)
        while not done.wait(0.5):
            pass
    print("# sandbox stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
