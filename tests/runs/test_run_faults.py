"""Under 5% injected transient faults on every operation, no run is lost."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import qapps_nb

pytestmark = pytest.mark.slow
ROWS = 40


def test_five_percent_faults_lose_no_run(sb: Any, aws: dict[str, Any]) -> None:
    sb.settings.model_latency = 0.1
    sb.inject_random(0.05, seed=12)  # throttling, 500s, S3 errors, resets: on every call
    rows = [{"Audience": f"team {i}", "Contract": f"contract {i}".encode()}
            for i in range(ROWS)]
    outcomes = qapps_nb.run_many("Contract Summarizer", rows, max_workers=8,
                                 return_exceptions=True, **aws)
    sb.inject_random(0)
    faults = Counter(r.fault for r in sb.requests if r.fault)
    assert sum(faults.values()) >= 5, f"too few faults were injected to prove anything: {faults}"
    assert len(outcomes) == ROWS
    lost = []
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, qapps_nb.QAppRun):
            if outcome.status != "COMPLETED" or f'"team {i}"' not in outcome.outputs["Summary"]:
                lost.append((i, outcome))
        elif isinstance(outcome, qapps_nb.RunError | qapps_nb.QAppsError):
            message = str(outcome)  # a failure must say precisely what and where
            if "\n" in message or "[" not in message:
                lost.append((i, outcome))
        else:
            lost.append((i, outcome))
    assert lost == []
    completed = sum(isinstance(o, qapps_nb.QAppRun) for o in outcomes)
    print(f"{completed}/{ROWS} completed under faults {dict(faults)}")
    # Every session is accounted for: each one started is a run or an error that holds it.
    started = [r for r in sb.requests if r.operation == "StartQAppSession" and r.status == 200]
    assert len(started) >= completed
