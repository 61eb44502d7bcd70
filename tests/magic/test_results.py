"""What the user gets back: a result, or a real list that renders as an HTML table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qapps_nb.magics import UploadResults


def test_list_result_is_a_list_with_an_escaped_html_table(sb: Any, ip: Any, run: Any,
                                                          tmp_path: Path) -> None:
    (tmp_path / "<i>&x.txt").write_text("bold")
    (tmp_path / "plain.txt").write_text("plain")
    outcome = run("%qapps_upload -q *.txt")
    results = outcome.result
    assert isinstance(results, list)
    assert isinstance(results, UploadResults)
    assert results[0].file_name == "<i>&x.txt"
    assert [r.file_name for r in results[1:]] == ["plain.txt"]
    page = results._repr_html_()
    assert "&lt;i&gt;&amp;x.txt" in page
    assert "<i>&x" not in page
    for result in results:
        assert result.file_id in page
        assert "expire" not in page  # stored files do not expire; only the upload URL did
    for word in ("policy", "signature", "credential", "x-amz"):
        assert word not in page.lower() + outcome.out.lower()


def test_history_keeps_every_result(sb: Any, ip: Any, run: Any, magics: Any) -> None:
    ip.user_ns.update(a=b"a", b=b"b")
    one = run("%qapps_upload -q a").result
    two = run("%qapps_upload -q a b").result
    assert magics.history == [one, *two]
