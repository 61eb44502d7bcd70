"""``python -m benchmarks [--quick]``: qapps-nb against openssl and curl, one table.

Every figure is measured side by side with its anchor in the same run (medians of several
interleaved runs) against a local sink, so the numbers measure our code, not a network.
``--quick`` is CI's version: tiny files, seconds in all, the same rows; its ratios are not
meaningful (process start-up dominates) and nothing asserts on them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from . import cases, sink
from .measure import Row, workdir

COLUMNS = ("work", "qapps-nb", "anchor (same run)", "ratio", "goal", "")


def table(rows: list[Row]) -> str:
    cells = [COLUMNS] + [(r.work, r.ours, r.anchor, r.ratio_cell, r.goal, r.met_cell)
                         for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]

    def line(c: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes for CI (seconds)")
    parser.add_argument("--runs", type=int, help="runs per figure (median); default 5, quick 3")
    parser.add_argument("--workers", type=int, default=8, help="upload_many max_workers")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(cases.CASES)}")
    parser.add_argument("--output", type=Path, help="also write the report (markdown) here")
    args = parser.parse_args(argv)
    for tool in ("openssl", "curl"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is needed as an anchor; install it")
    chosen = args.only.split(",") if args.only else list(cases.CASES)
    unknown = set(chosen) - set(cases.CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    settings = cases.Settings.make(args.quick, args.runs, args.workers)

    started = time.perf_counter()
    rows: list[Row] = []
    with workdir() as tmp, sink.running() as url:
        ctx = cases.prepare(settings, tmp, url)
        for name in chosen:
            print(f"… {name}", file=sys.stderr, flush=True)
            rows.extend(cases.CASES[name](ctx))
    elapsed = time.perf_counter() - started

    command = "python -m benchmarks" + (" " + " ".join(sys.argv[1:]) if argv is None else "")
    report = "\n".join([
        f"qapps-nb benchmarks — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
        f"{' (QUICK: tiny sizes, ratios not meaningful)' if settings.quick else ''}",
        f"machine: {cases.machine()}",
        f"command: {command.strip()}  ({elapsed:.0f} s; medians of {settings.runs} interleaved "
        f"runs; endpoint: benchmarks/sink.py on 127.0.0.1)",
        "",
        table(rows),
        *(f"note: {r.work}: {n}" for r in rows for n in r.notes),
    ])
    print(report, flush=True)
    if args.output:
        args.output.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
