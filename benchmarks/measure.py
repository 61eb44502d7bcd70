"""Timing, child-process and test-file helpers shared by the benchmark cases."""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MiB = 1024 * 1024
GiB = 1024 * MiB
ROOT = Path(__file__).resolve().parent.parent
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


@dataclass
class Row:
    """One line of the table. ``ratio`` is ours / anchor unless ``ratio_text`` says otherwise."""

    work: str
    ours: str
    anchor: str
    goal: str
    ratio: float | None = None
    ratio_text: str | None = None
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio_cell(self) -> str:
        if self.ratio_text is not None:
            return self.ratio_text
        return "—" if self.ratio is None else f"{self.ratio:.2f}×"

    @property
    def met_cell(self) -> str:
        return {True: "met", False: "MISSED", None: "—"}[self.met]


@dataclass
class Timings:
    """Several wall-clock samples of one piece of work."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def __str__(self) -> str:
        return f"{self.median:.3f} s"


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def interleave(runs: int, **work: Callable[[], object]) -> dict[str, Timings]:
    """Run each piece of work ``runs`` times, alternating, so drift hits all of them alike."""
    results = {name: Timings() for name in work}
    for _ in range(runs):
        for name, func in work.items():
            results[name].samples.append(timed(func))
    return results


@dataclass
class ChildRun:
    seconds: float
    max_rss: int
    """Peak resident set of the child, bytes (``ru_maxrss`` from ``wait4``, like /usr/bin/time)."""
    stdout: str


def run_child(argv: list[str], *, env: dict[str, str] | None = None,
              timeout: float = 600) -> ChildRun:
    """Run a command; wall time and peak RSS as the kernel accounted them.

    Linux carries a process' peak RSS across ``exec``, so a child forked straight from this
    (large) Python process would report our size as its own. ``/usr/bin/time`` is small:
    the command is run under it and its ``%M`` is taken when it is installed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        wrapped = [TIME, "-f", "%M", "-o", rss.name, *argv] if TIME else argv
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                raise TimeoutError(f"{argv[0]} took longer than {timeout} s")
            time.sleep(0.0005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
        max_rss = usage.ru_maxrss * 1024
        if TIME:
            text = rss.read().strip().splitlines()
            max_rss = int(text[-1]) * 1024 if text and text[-1].isdigit() else max_rss
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} … failed ({proc.returncode}): {stderr[-2000:]}")
    return ChildRun(seconds, max_rss, stdout)


def python_child(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.child", *args]


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    """A temporary directory under /tmp, removed with everything in it."""
    path = Path(tempfile.mkdtemp(prefix="qapps-bench-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def make_file(path: Path, size: int, block: int = 16 * MiB) -> Path:
    """A random-looking, non-sparse file written quickly: one random block, varied per copy."""
    seed = os.urandom(min(block, max(size, 1)))
    with open(path, "wb") as fh:
        written = 0
        index = 0
        while written < size:
            piece = seed[: min(len(seed), size - written)]
            # Stamp each copy so no two blocks are identical (no dedup, no compression).
            stamp = index.to_bytes(8, "little")
            fh.write(stamp + piece[8:] if len(piece) > 8 else piece)
            written += len(piece)
            index += 1
    return path


def mib(n: float) -> str:
    return f"{n / MiB:.1f} MiB"


def size_label(n: int) -> str:
    if n >= GiB and n % GiB == 0:
        return f"{n // GiB} GiB"
    if n >= MiB:
        return f"{n / MiB:g} MiB"
    return f"{n / 1024:g} KB"
