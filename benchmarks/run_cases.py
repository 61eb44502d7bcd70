"""Benchmark cases for running Q Apps, against the local sandbox (its model answers locally).

- ``run_many`` over N DataFrame rows against a loop of ``run_app`` over the same rows, with
  a model latency and an injected API latency on every Q Apps call (the anchor is the loop
  a user would write; both measured in the same run, same sandbox).
- ``GetQAppSession`` calls for one session whose answer takes 5 s (the polling schedule).
- ``run_many`` with 5% random transient faults on every operation: runs lost (goal 0).

Nothing asserts on these numbers: they are printed in the table.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .measure import Row

if TYPE_CHECKING:
    from .cases import Context


@dataclass(frozen=True)
class RunSettings:
    rows: int
    model_latency: float
    api_latency: float
    poll_answer: float
    fault_rows: int

    @classmethod
    def make(cls, quick: bool) -> RunSettings:
        if quick:
            return cls(rows=8, model_latency=0.3, api_latency=0.05, poll_answer=5.0,
                       fault_rows=8)
        return cls(rows=100, model_latency=1.0, api_latency=0.05, poll_answer=5.0,
                   fault_rows=100)


@contextmanager
def _sandbox() -> Iterator[tuple[Any, dict[str, Any]]]:
    import qapps_nb
    from qapps_nb.sandbox import running

    with running() as sb:
        options = {"instance_id": sb.instance_id, "session": sb.boto3_session(),
                   "endpoint_url": sb.endpoint_url, "progress": False}
        try:
            yield sb, options
        finally:
            qapps_nb.clear_cache()


def _frames(n: int) -> Any:
    import pandas as pd

    return pd.DataFrame({"Dataset": [pd.DataFrame({"row": [i], "value": [i * i]})
                                     for i in range(n)]})


def bench_run_many(ctx: Context) -> list[Row]:
    import qapps_nb

    s = RunSettings.make(ctx.settings.quick)
    workers = ctx.settings.workers
    rows = _frames(s.rows)
    with _sandbox() as (sb, options):
        sb.settings.model_latency = s.model_latency
        qapps_nb.run_app("Dataset Profiler", {"Dataset": rows.iloc[0, 0]}, **options)  # warm
        sb.set_latency(api=s.api_latency)

        started = time.perf_counter()
        frame = qapps_nb.run_many("Dataset Profiler", rows, max_workers=workers, **options)
        parallel = time.perf_counter() - started
        if list(frame["status"]) != ["COMPLETED"] * s.rows:
            raise RuntimeError(f"run_many did not complete every row: {frame['status']}")

        started = time.perf_counter()
        for value in rows["Dataset"]:
            run = qapps_nb.run_app("Dataset Profiler", {"Dataset": value}, **options)
            if run.status != "COMPLETED":
                raise RuntimeError(f"run_app ended {run.status}")
        loop = time.perf_counter() - started
    speedup = loop / parallel
    return [Row(f"run_many over {s.rows} DataFrame rows, {s.model_latency:g} s model + "
                f"{s.api_latency * 1000:g} ms API latency (max_workers={workers})",
                f"{parallel:.2f} s", f"run_app loop {loop:.2f} s", "≥ 6× faster",
                ratio_text=f"{speedup:.1f}× faster", met=speedup >= 6)]


def bench_polls(ctx: Context) -> list[Row]:
    import qapps_nb

    s = RunSettings.make(ctx.settings.quick)
    with _sandbox() as (sb, options):
        sb.settings.model_latency = s.poll_answer
        sb.set_latency(api=0.05)
        started = time.perf_counter()
        run = qapps_nb.run_app("Dataset Profiler", {"Dataset": b"a,b\n1,2\n"}, **options)
        took = time.perf_counter() - started
        polls = sum(1 for r in sb.requests if r.operation == "GetQAppSession")
    if run.status != "COMPLETED" or polls != run.polls:
        raise RuntimeError(f"poll count mismatch: log {polls}, run {run.polls}")
    return [Row(f"GetQAppSession calls for a session answering in {s.poll_answer:g} s",
                f"{polls} polls (run took {took:.2f} s)", "—", "< 12", met=polls < 12,
                notes=[f"the first poll 0.25 s after the inputs, then 1.3× longer pauses "
                       f"up to 2 s; {took - s.poll_answer:.2f} s from the answer to the "
                       "result, session start and upload included"])]


def bench_faults(ctx: Context) -> list[Row]:
    import qapps_nb

    s = RunSettings.make(ctx.settings.quick)
    rows = _frames(s.fault_rows)
    with _sandbox() as (sb, options):
        sb.settings.model_latency = 0.2
        sb.inject_random(0.05, seed=7)
        frame = qapps_nb.run_many("Dataset Profiler", rows, max_workers=ctx.settings.workers,
                                  return_exceptions=True, **options)
        sb.inject_random(0)
        faults = Counter(r.fault for r in sb.requests if r.fault)
    completed = int((frame["status"] == "COMPLETED").sum())
    explained = int(frame["error"].notna().sum()) if "error" in frame.columns else 0
    lost = s.fault_rows - completed - explained
    return [Row(f"run_many over {s.fault_rows} rows with 5% random faults on every call",
                f"{completed} completed, {explained} failed with a reason, {lost} lost",
                f"{sum(faults.values())} faults injected", "0 lost", met=lost == 0,
                notes=[f"faults: {dict(faults)}"])]


CASES = {"run_many": bench_run_many, "polls": bench_polls, "run_faults": bench_faults}
