"""Bars outside a kernel (terminal, scripts): tqdm text bars on stderr, in the same
decimal units as every message ("3.00MB" for 3,000,000 bytes, as format_size says 3.0 MB)."""

from __future__ import annotations

import pytest

from qapps_nb.progress import TqdmReporter, make_reporter, someone_watches
from qapps_nb.result import format_size

BIG = 3_000_000


def test_outside_a_kernel_someone_watches() -> None:
    assert someone_watches()
    assert isinstance(make_reporter(None, "big.bin"), TqdmReporter)
    assert make_reporter(False, "big.bin") is None


def test_text_bar_uses_decimal_units(capsys: pytest.CaptureFixture[str]) -> None:
    reporter = TqdmReporter("big.bin")
    for done in (0, 1_500_000, BIG):
        reporter("sending", done, BIG)
    err = capsys.readouterr().err
    assert "uploading big.bin" in err
    assert "0.00B/3.00MB" in err  # later updates are rate-limited (mininterval)
    assert "2.86M" not in err
    assert "MiB" not in err
    assert format_size(BIG) == "3.0 MB"


def test_small_files_show_no_bar(capsys: pytest.CaptureFixture[str]) -> None:
    reporter = TqdmReporter("small.txt")
    reporter("hashing", 0, 1000)
    reporter("hashing", 1000, 1000)
    assert capsys.readouterr().err == ""
