"""run_many: one app, many rows; order kept, one failure stops nothing, nothing lost."""

from __future__ import annotations

from typing import Any

import pytest
from runs_helpers import count, no_session_started, ops

import qapps_nb
from qapps_nb import BatchRunError, ValidationError

pd = pytest.importorskip("pandas")


def _frames(n: int) -> list[Any]:
    return [pd.DataFrame({f"col{i}": [i, i + 1]}) for i in range(n)]


def test_a_dataframe_with_one_failing_row(sb: Any, aws: dict[str, Any]) -> None:
    rows = pd.DataFrame({"Dataset": _frames(5)}, index=[10, 11, 12, 13, 14])
    sb.inject("card_error", message="no answer for this one")
    with pytest.raises(BatchRunError) as caught:
        qapps_nb.run_many("Dataset Profiler", rows, max_workers=3, **aws)
    err = caught.value
    frame = err.result
    assert list(frame.index) == [10, 11, 12, 13, 14]  # order kept, index kept
    assert list(frame.columns) == ["Dataset", "Profile", "session_id", "status", "error"]
    assert all(a is b for a, b in zip(frame["Dataset"], rows["Dataset"], strict=True))
    failed = frame[frame["status"] == "ERROR"]
    assert len(failed) == 1
    (bad,) = failed.index
    assert failed.loc[bad, "error"] == (
        "card 'Profile' of 'Dataset Profiler' ended in ERROR: no answer for this one; "
        f"session {failed.loc[bad, 'session_id']} was left as it is")
    assert pd.isna(failed.loc[bad, "Profile"])
    done = frame[frame["status"] == "COMPLETED"]
    assert len(done) == 4
    assert done["error"].isna().all()
    for label, row in done.iterrows():  # each row's answer is about its own data
        assert f"CSV, 1 columns (col{label - 10})" in row["Profile"]
    assert frame["session_id"].nunique() == 5
    assert str(err).startswith(f"1 of 5 runs failed (4 completed): row {bad}: card 'Profile'")
    assert str(err).endswith("— every row's outcome is in the error's .result")
    assert list(rows.columns) == ["Dataset"]  # the input frame is untouched
    assert count(sb, "GetQApp") == 1  # the app was resolved once for the batch


def test_return_exceptions_returns_the_frame(sb: Any, aws: dict[str, Any]) -> None:
    rows = pd.DataFrame({"Dataset": _frames(3)})
    sb.inject("card_error")
    frame = qapps_nb.run_many("Dataset Profiler", rows, return_exceptions=True, **aws)
    assert sorted(frame["status"]) == ["COMPLETED", "COMPLETED", "ERROR"]
    assert frame["error"].notna().sum() == 1


def test_all_good_rows_have_no_error_column(sb: Any, aws: dict[str, Any]) -> None:
    rows = pd.DataFrame({"Audience": ["legal", "sales"],
                         "Contract": [b"term: 1 year", qapps_nb.Text("term: 2 years")]})
    frame = qapps_nb.run_many("Contract Summarizer", rows, **aws)
    assert list(frame.columns) == ["Audience", "Contract", "Summary", "session_id", "status"]
    assert list(frame["status"]) == ["COMPLETED", "COMPLETED"]
    assert '"legal"' in frame.loc[0, "Summary"]
    assert '"sales"' in frame.loc[1, "Summary"]


def test_a_list_of_dicts_gives_runs_in_order(sb: Any, aws: dict[str, Any]) -> None:
    rows = [{"Audience": f"team {i}", "Contract": b"terms"} for i in range(6)]
    seen: list[tuple[int, int]] = []
    runs = qapps_nb.run_many("Contract Summarizer", rows, max_workers=4,
                             progress=lambda done, total: seen.append((done, total)), **{
                                 k: v for k, v in aws.items() if k != "progress"})
    assert [type(r).__name__ for r in runs] == ["QAppRun"] * 6
    for i, run in enumerate(runs):
        assert f'"team {i}"' in run.outputs["Summary"]
    assert seen[0] == (0, 6)
    assert seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_list_with_a_failure_keeps_the_successes(sb: Any, aws: dict[str, Any]) -> None:
    rows = [{"Dataset": b"a\n1\n"} for _ in range(3)]
    sb.inject("card_error")
    with pytest.raises(BatchRunError) as caught:
        qapps_nb.run_many("Dataset Profiler", rows, max_workers=1, **aws)
    result = caught.value.result
    assert [type(r).__name__ for r in result] == ["RunError", "QAppRun", "QAppRun"]
    assert result[0].run.status == "ERROR"
    assert caught.value.failures == [(0, result[0])]
    mixed = qapps_nb.run_many("Dataset Profiler", rows[:1], return_exceptions=True, **aws)
    assert mixed[0].status == "COMPLETED"


def test_a_bad_row_refuses_the_batch_before_any_session(sb: Any, aws: dict[str, Any]) -> None:
    rows = pd.DataFrame({"Audience": ["legal", None, "ops"],
                         "Contract": [b"a", b"b", b"c"]})
    with pytest.raises(ValidationError) as caught:
        qapps_nb.run_many("Contract Summarizer", rows, **aws)
    assert str(caught.value).startswith("row 1: 'Contract Summarizer' needs 'Audience' (text)")
    no_session_started(sb)
    with pytest.raises(ValidationError) as caught:
        qapps_nb.run_many("Contract Summarizer", rows.assign(Audince="x"), **aws)
    assert str(caught.value) == (
        "column 'Audince' is not a card of 'Contract Summarizer' (its inputs: 'Audience' "
        "(text), 'Contract' (file)); pass only card columns, e.g. rows[['Audience', "
        "'Contract']]")
    no_session_started(sb)


def test_rows_must_be_rows(sb: Any, aws: dict[str, Any]) -> None:
    for bad in ("Dataset", {"Dataset": b"x"}, 42, [b"x"]):
        with pytest.raises(ValidationError):
            qapps_nb.run_many("Dataset Profiler", bad, **aws)
    assert ops(sb) == []  # refused before the app was even read
    assert qapps_nb.run_many("Dataset Profiler", [], **aws) == []
