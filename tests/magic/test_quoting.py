"""An unquoted path with spaces: the words are split, so say how to quote it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_unquoted_path_with_spaces_suggests_quoting(sb: Any, ip: Any, run: Any,
                                                    tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "my data file.csv").write_text("a,b\n1,2\n")
    message = run("%qapps_upload data/my data file.csv").usage_error
    assert message == ("no such file: data/my — quote a path with spaces: "
                       "%qapps_upload 'data/my data file.csv'")
    assert sb.requests == []
    done = run("%qapps_upload -q 'data/my data file.csv'")  # as suggested: it works
    assert done.error is None, done.err
    assert sb.read_object(done.result.file_id) == b"a,b\n1,2\n"


def test_the_suggestion_names_only_a_file_that_exists(sb: Any, ip: Any, run: Any,
                                                      tmp_path: Path) -> None:
    (tmp_path / "report final.pdf").write_bytes(b"%PDF")
    (tmp_path / "notes.txt").write_text("n")
    # The joined words after a real file: "notes.txt report" is no file, "report final.pdf" is.
    message = run("%qapps_upload notes.txt report final.pdf").usage_error
    assert message == ("no such file or variable: report — quote a path with spaces: "
                       "%qapps_upload 'report final.pdf'")
    plain = run("%qapps_upload no such.csv").usage_error
    assert plain == "no such file or variable: no"  # nothing to suggest
    assert sb.requests == []
