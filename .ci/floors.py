"""Prove the dependency floors: install exactly the declared minimums on the oldest
supported Python, run the tests (not the browser ones), and check that a botocore older
than the floor gives one clear line.

Usage: python .ci/floors.py [--python PATH] [--venv DIR] [--phase all|install|test]
(``make test-floors``). CI builds the venv (``--phase install``) while the main tests run,
then runs ``--phase test``: installing is pip and disk work, not CPU.

Every ``name>=X`` in pyproject's dependencies and in the [data] and [demo] extras is
installed as ``name==X``; the test tools ([test]) and everything else come at the newest
versions pip finds compatible. Stdlib only, so any Python 3.10+ can run it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PYTHON = "/root/.pyenv/versions/3.10.13/bin/python3.10"
FLOOR_EXTRAS = ("data", "demo")
EXTRA_CONSTRAINTS = ["numpy<2"]
"""pandas 2.0 and pyarrow 14 wheels are built against numpy 1.x; a user with those
versions has a numpy 1.x, so the floors run does too."""
TOO_OLD_BOTOCORE = "1.35.69"
"""The last botocore whose Q Apps model has no CreatePresignedUrl."""


def load_pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pip vendors the same parser
        from pip._vendor import tomli as tomllib
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def floors(project: dict) -> dict[str, str]:
    """{distribution name: minimum version} of the core and the floor extras."""
    reqs = list(project["dependencies"])
    for extra in FLOOR_EXTRAS:
        reqs += project["optional-dependencies"][extra]
    found: dict[str, str] = {}
    for req in reqs:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)", req)
        if match is None:
            raise SystemExit(f"floors: cannot read a minimum from {req!r} (use name>=X)")
        name = re.sub(r"[-_.]+", "-", match[1]).lower()
        if found.get(name, match[3]) != match[3]:
            raise SystemExit(f"floors: {name} has two minimums: {found[name]}, {match[3]}")
        found[name] = match[3]
    return found


def oldest_python(project: dict) -> tuple[int, int]:
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)", project["requires-python"].strip())
    if match is None:
        raise SystemExit("floors: requires-python must read >=X.Y")
    return int(match[1]), int(match[2])


def run(*cmd: str | Path, **kw: object) -> None:
    shown = " ".join(str(c) if "\n" not in str(c) else "<script>" for c in cmd)
    print("+", shown, flush=True)
    done = subprocess.run([str(c) for c in cmd], check=False, **kw)  # type: ignore[call-overload]
    if done.returncode:
        raise SystemExit(f"floors: FAILED: {shown} exited {done.returncode}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=os.environ.get("FLOORS_PYTHON", DEFAULT_PYTHON))
    parser.add_argument("--venv", type=Path, default=ROOT / "build" / "floors-venv")
    parser.add_argument("--phase", choices=("all", "install", "test"), default="all",
                        help="install: build the venv only; test: use the venv built before")
    args = parser.parse_args()
    project = load_pyproject()["project"]
    want = oldest_python(project)
    python = shutil.which(args.python) or args.python
    if not Path(python).is_file():
        print(f"floors: FAILED: no Python {want[0]}.{want[1]} at {args.python}; install it "
              "(pyenv install 3.10) or pass FLOORS_PYTHON=/path/to/python3.10", file=sys.stderr)
        return 2
    version = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.split()
    if tuple(map(int, version)) != want:
        print(f"floors: FAILED: {python} is Python {'.'.join(version)}, not the oldest "
              f"supported {want[0]}.{want[1]}", file=sys.stderr)
        return 2
    started = time.monotonic()
    pins = floors(project)
    vpy = args.venv / "bin" / "python"
    if args.phase != "test":
        install(python, args.venv, pins)
    elif not vpy.is_file():
        print(f"floors: FAILED: no floors venv at {args.venv}; run --phase install first",
              file=sys.stderr)
        return 2
    installed = time.monotonic()
    if args.phase == "install":
        print(f"floors: installed on Python {'.'.join(version)} in {installed - started:.0f} s")
        return 0
    test(vpy)
    tested = time.monotonic()
    check_too_old_botocore(vpy)
    done = time.monotonic()
    print(f"floors: passed on Python {'.'.join(version)} in {done - started:.0f} s "
          f"(install {installed - started:.0f} s, tests {tested - installed:.0f} s, "
          f"old botocore {done - tested:.0f} s)")
    return 0


def install(python: str, venv: Path, pins: dict[str, str]) -> None:
    """A fresh venv with every floor pinned exactly, checked after installing."""
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    constraints = venv.parent / "floors-constraints.txt"
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items()))
                           + "".join(f"{c}\n" for c in EXTRA_CONSTRAINTS))
    run(python, "-m", "venv", venv)
    vpy = venv / "bin" / "python"
    quiet = ("--quiet", "--disable-pip-version-check")
    run(vpy, "-m", "pip", "install", *quiet, "--upgrade", "pip")
    run(vpy, "-m", "pip", "install", *quiet, "-c", constraints, "-e",
        f"{ROOT}[{','.join((*FLOOR_EXTRAS, 'test'))}]")
    run(vpy, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
        stdout=subprocess.DEVNULL)
    check = ("import importlib.metadata as m, sys\n"
             "def key(v):\n"
             "    parts = [int(p) for p in v.split('.')]\n"
             "    while parts and parts[-1] == 0:\n"
             "        parts.pop()\n"
             "    return parts\n"
             f"pins = {pins!r}\n"
             "got = {n: m.version(n) for n in sorted(pins)}\n"
             "print('floors installed:', ', '.join(f'{n}=={v}' for n, v in got.items()))\n"
             "bad = {n: v for n, v in got.items() if key(v) != key(pins[n])}\n"
             "sys.exit(f'not at the floor: {bad}' if bad else 0)\n")
    run(vpy, "-c", check)


IGNORED = ("browser", "widget/test_widget_js.py", "compat/test_wheel.py",
           "faults/test_fault_matrix.py", "faults/test_fault_load.py", "test_benchmarks.py")
"""Not in the floors run: the browser tests, the widget's JavaScript checks (they run on
playwright's node, not on these Python packages), the wheel's (packaging), and the fault
matrix, the 1,000-upload load test and the benchmarks' smoke test, which exercise
qapps-nb's own retry logic and CLI at length rather than the dependencies' APIs (the
burst, pacing, interrupt and secrets tests, which do depend on botocore, stay)."""


def _env() -> dict[str, str]:
    """This environment, minus CI's demand for the browser tests (not run here)."""
    return {k: v for k, v in os.environ.items() if k != "QAPPS_REQUIRE_BROWSER"}


def test(vpy: Path) -> None:
    run(vpy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser",
        *(f"--ignore={ROOT / 'tests' / path}" for path in IGNORED), cwd=ROOT, env=_env())


def check_too_old_botocore(vpy: Path) -> None:
    """Below the floor: one ConfigurationError line naming the version needed."""
    quiet = ("--quiet", "--disable-pip-version-check")
    run(vpy, "-m", "pip", "install", *quiet, "--no-deps", f"botocore=={TOO_OLD_BOTOCORE}")
    try:
        run(vpy, str(ROOT / ".ci" / "too_old_botocore.py"), TOO_OLD_BOTOCORE, cwd=ROOT,
            env=_env())
    finally:  # leave the venv at the floors, so --phase test can run again
        run(vpy, "-m", "pip", "install", *quiet, "--no-deps", "-c",
            vpy.parent.parent.parent / "floors-constraints.txt", "botocore")


if __name__ == "__main__":
    sys.exit(main())
