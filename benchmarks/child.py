"""Work that must run in a fresh process: peak-memory uploads and ``%load_ext`` timing.

``python -m benchmarks.child upload PATH URL`` prints JSON with the RSS before the upload,
the kernel's peak during it (``VmHWM``, reset just before; ``ru_maxrss`` where that cannot
be reset) and a 2 ms-sampled peak for comparison.
``python -m benchmarks.child load_ext NAME`` prints the seconds ``%load_ext NAME`` took.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
import warnings
from typing import Any

APP_ID = "11111111-1111-4111-8111-111111111111"
CARD_ID = "22222222-2222-4222-8222-222222222222"


def upload_options(url: str) -> dict[str, Any]:
    """Keyword arguments that send ``qapps_nb.upload`` to the sink with dummy credentials."""
    import boto3

    session = boto3.Session(aws_access_key_id="AKIDQAPPSBENCH",
                            aws_secret_access_key="bench-secret-not-real",
                            region_name="us-east-1")
    return {"instance_id": "bench-instance", "app_id": APP_ID, "card_id": CARD_ID,
            "session": session, "endpoint_url": url, "progress": False}


def upload_peak(path: str, url: str) -> dict[str, float]:
    import psutil

    import qapps_nb

    options = upload_options(url)
    warnings.simplefilter("ignore")
    # Warm up with bytes, not a file: imports, clients and connections are ready, but the
    # file path's read buffers are not, so they count in the growth measured below.
    qapps_nb.upload(b"warm-up" * 1000, file_name="warm.bin", **options)
    me = psutil.Process()
    baseline = me.memory_info().rss
    _reset_peak()
    sampled = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.002):
            sampled.append(me.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    qapps_nb.upload(path, **options)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    peak = _peak() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"baseline": baseline, "peak": peak, "sampled_peak": max(sampled),
            "seconds": seconds}


def _reset_peak() -> None:
    """Start the kernel's high-water mark (VmHWM) from now: imports and exec do not count."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def load_ext_seconds(name: str) -> float:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    start = time.perf_counter()
    shell.run_line_magic("load_ext", name)
    seconds = time.perf_counter() - start
    loaded = shell.extension_manager.loaded if shell.extension_manager else set()
    if not any(m.split(".")[-1] == name for m in loaded):
        raise SystemExit(f"{name} did not load")
    return seconds


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "upload":
        print(json.dumps(upload_peak(argv[1], argv[2])))
    elif command == "load_ext":
        print(json.dumps({"seconds": load_ext_seconds(argv[1])}))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
