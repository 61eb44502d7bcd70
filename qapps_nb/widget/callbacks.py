"""``on_upload`` callbacks, and what they print, shown under the widget.

Uploads end in worker threads, and a thread's ``print`` in a kernel goes to whichever cell
ran last (or nowhere), so ``w.on_upload(lambda r: print(r.file_id))`` used to show
nothing. Here callbacks run one at a time in one thread; while one runs, ``sys.stdout`` and
``sys.stderr`` send *that thread's* writes to the widget's log (every other thread's writes
go where they always went), and an exception becomes a short traceback in the log.
"""

from __future__ import annotations

import io
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TextIO

MAX_ENTRIES = 200
MAX_ENTRY_CHARS = 4000
"""The log is synced (and saved with the notebook): keep it small."""


class Log:
    """The lines callbacks wrote: ``{"kind": "stdout"|"stderr"|"error", "text", "file"}``."""

    def __init__(self, publish: Callable[[list[dict[str, str]]], None],
                 interval: float = 0.2) -> None:
        self._publish = publish
        self._interval = interval
        self._entries: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._last = 0.0

    def write(self, kind: str, text: str, file_name: str) -> None:
        if not text:
            return
        with self._lock:
            last = self._entries[-1] if self._entries else None
            if last and last["kind"] == kind and last["file"] == file_name \
                    and kind != "error" and not last.get("closed"):
                last["text"] = (last["text"] + text)[-MAX_ENTRY_CHARS:]
            else:
                self._entries.append({"kind": kind, "text": text[-MAX_ENTRY_CHARS:],
                                      "file": file_name})
                del self._entries[:-MAX_ENTRIES]
            self._flush(force=kind == "error")

    def close_entry(self) -> None:
        """The callback returned: the next write starts a new entry; publish now."""
        with self._lock:
            if self._entries:
                self._entries[-1]["closed"] = "1"
            self._flush(force=True)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._flush(force=True)

    def _flush(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        self._publish([{k: v for k, v in e.items() if k != "closed"} for e in self._entries])


class _Router(io.TextIOBase):
    """A stand-in for sys.stdout/stderr: this thread's writes to a sink, others' unchanged."""

    def __init__(self, original: TextIO, kind: str) -> None:
        self.original = original
        self.kind = kind
        self.sinks: dict[int, Callable[[str, str], None]] = {}

    def write(self, text: str) -> int:
        sink = self.sinks.get(threading.get_ident())
        if sink is None:
            return self.original.write(text)
        sink(self.kind, text)
        return len(text)

    def flush(self) -> None:
        self.original.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno...: the original's
        return getattr(self.original, name)


_install_lock = threading.Lock()


@contextmanager
def _captured(sink: Callable[[str, str], None]) -> Iterator[None]:
    """Route the current thread's stdout/stderr writes to ``sink(kind, text)``."""
    me = threading.get_ident()
    routers = []
    with _install_lock:
        for name, kind in (("stdout", "stdout"), ("stderr", "stderr")):
            stream = getattr(sys, name)
            if not isinstance(stream, _Router):
                stream = _Router(stream, kind)
                setattr(sys, name, stream)
            stream.sinks[me] = sink
            routers.append((name, stream))
    try:
        yield
    finally:
        with _install_lock:
            for name, router in routers:
                router.sinks.pop(me, None)
                # put the original back unless someone replaced us meanwhile (then we stay
                # in their chain, forwarding everything)
                if not router.sinks and getattr(sys, name) is router:
                    setattr(sys, name, router.original)


class CallbackRunner:
    """Runs callbacks in order in one thread and logs what they print or raise."""

    def __init__(self, log: Log) -> None:
        self._log = log
        self._executor = ThreadPoolExecutor(max_workers=1,
                                            thread_name_prefix="qapps-widget-callback")

    def submit(self, callbacks: list[Callable[[Any], Any]], result: Any) -> Future[None]:
        return self._executor.submit(self._run, callbacks, result)

    def _run(self, callbacks: list[Callable[[Any], Any]], result: Any) -> None:
        name = str(getattr(result, "file_name", ""))

        def sink(kind: str, text: str) -> None:
            self._log.write(kind, text, name)

        for callback in callbacks:
            with _captured(sink):
                try:
                    callback(result)
                except Exception as exc:
                    sys.stdout.flush()
                    self._log.write("error", _short_traceback(callback, exc), name)
            self._log.close_entry()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False)


def _short_traceback(callback: Callable[..., Any], exc: BaseException) -> str:
    """The callback's own frames only: the widget's machinery is no help to its author."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop CallbackRunner._run
    label = getattr(callback, "__qualname__", None) or repr(callback)
    lines = [f"on_upload callback {label} raised {type(exc).__name__}: {exc}"]
    lines += [line.rstrip("\n") for line in traceback.format_list(frames[-5:])]
    return "\n".join(lines)
