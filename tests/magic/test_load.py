"""``%load_ext qapps_nb``: fast, light, and clean to unload and reload."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

HEAVY = ("boto3", "botocore", "requests", "pandas", "polars", "pyarrow", "ipywidgets",
         "anywidget", "tqdm", "qapps_nb.pipeline", "qapps_nb.widget")

PROBE = """
import json, sys, time
HEAVY = json.loads(sys.argv[1])
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
start = time.perf_counter()
ip.run_line_magic("load_ext", "qapps_nb")
elapsed = time.perf_counter() - start
print(json.dumps({"ms": elapsed * 1000, "heavy": [m for m in HEAVY if m in sys.modules],
                  "line": "qapps_upload" in ip.magics_manager.magics["line"],
                  "cell": "qapps_upload" in ip.magics_manager.magics["cell"]}))
"""


def _probe() -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_load_ext_is_fast_and_imports_nothing_heavy() -> None:
    runs = [_probe() for _ in range(3)]
    for probe in runs:
        assert probe["heavy"] == [], probe
        assert probe["line"]
        assert probe["cell"]
    best = min(p["ms"] for p in runs)
    print(f"%load_ext qapps_nb: best of 3 = {best:.1f} ms")
    assert best <= 150, f"%load_ext took {best:.0f} ms (goal ≤ 150 ms)"


def test_unload_and_reload(ip: Any, run: Any) -> None:
    manager = ip.magics_manager
    count = sum(type(c).__name__ == "QAppsMagics" for c in ip.configurables)
    assert count == 1
    run("%config QAppsMagics.max_workers = 3")
    from qapps_nb import magics as magic

    magic.unload_ipython_extension(ip)
    assert "qapps_upload" not in manager.magics["line"]
    assert "qapps_upload" not in manager.magics["cell"]
    assert not any(type(c).__name__ == "QAppsMagics" for c in ip.configurables)
    magic.load_ipython_extension(ip)
    magic.load_ipython_extension(ip)  # loading twice does not register twice
    assert sum(type(c).__name__ == "QAppsMagics" for c in ip.configurables) == 1
    assert "qapps_upload" in manager.magics["line"]
    # %config values live in the shell's config, so they survive %reload_ext
    assert manager.registry["QAppsMagics"].max_workers == 3


def test_load_ext_through_the_package(ip: Any, run: Any) -> None:
    from qapps_nb import magics as magic

    magic.unload_ipython_extension(ip)
    outcome = run("%reload_ext qapps_nb")
    assert outcome.error is None, outcome.err
    assert "qapps_upload" in ip.magics_manager.magics["cell"]
