"""The benchmark cases: each measures qapps-nb and its anchor side by side and returns rows.

Anchors are the tools a user would reach for instead: ``openssl dgst -sha256`` for the
hash, ``curl -F`` for the POST, both run as processes against the same file and the same
local sink. Our side runs in-process, as it does in a notebook kernel that is already up.
"""

from __future__ import annotations

import base64
import json
import platform
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import sink
from .child import upload_options
from .measure import (
    ROOT,
    GiB,
    MiB,
    Row,
    interleave,
    make_file,
    mib,
    python_child,
    run_child,
    size_label,
)

WIDGET_FILE = ROOT / "build" / "widget-throughput.json"


@dataclass(frozen=True)
class Settings:
    quick: bool
    runs: int
    big: int
    rss_sizes: tuple[int, ...]
    many_files: int
    many_size: int
    latency: float
    many_runs: int
    workers: int
    load_runs: int

    @classmethod
    def make(cls, quick: bool, runs: int | None = None, workers: int = 8) -> Settings:
        if quick:
            return cls(True, runs or 3, 16 * MiB, (1 * MiB, 4 * MiB, 16 * MiB), 24, 10_000,
                       0.05, 1, workers, 2)
        return cls(False, runs or 5, 1 * GiB, (100 * MiB, 1 * GiB, 4 * GiB), 1000, 10_000,
                   0.05, 3, workers, 5)


@dataclass
class Context:
    settings: Settings
    workdir: Path
    url: str
    big: Path
    sha256: str
    """Base64 SHA-256 of ``big`` as openssl computed it."""
    options: dict[str, Any]


def openssl_sha256(path: Path) -> list[str]:
    return ["openssl", "dgst", "-sha256", "-binary", str(path)]


def curl_post(url: str, fields: dict[str, str], path: Path, name: str) -> list[str]:
    argv = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"]
    for key, value in fields.items():
        argv += ["--form-string", f"{key}={value}"]
    return [*argv, "-F", f"file=@{path};filename={name}", url]


def _run(argv: list[str], expect: str | None = None) -> bytes:
    out = subprocess.run(argv, check=True, capture_output=True).stdout
    if expect is not None and out.decode() != expect:
        raise RuntimeError(f"{argv[0]} answered {out[:200]!r}, expected {expect!r}")
    return out


def prepare(settings: Settings, workdir: Path, url: str) -> Context:
    big = make_file(workdir / "big.bin", settings.big)
    sha = base64.b64encode(_run(openssl_sha256(big))).decode()
    return Context(settings, workdir, url, big, sha, upload_options(url))


def _presign(ctx: Context, name: str) -> Any:
    from qapps_nb.service.presign import create_presigned_url, get_client

    opts = ctx.options
    client = get_client(opts["session"], None, None, ctx.url)
    return create_presigned_url(client, instance_id=opts["instance_id"], app_id=opts["app_id"],
                                card_id=opts["card_id"], file_name=name, sha256=ctx.sha256,
                                scope="APPLICATION", session_id=None)


def bench_hash(ctx: Context) -> list[Row]:
    from qapps_nb.sources import Payload

    path = ctx.big
    ours = Payload.from_path(path).ensure_hashed()
    if ours != ctx.sha256:
        raise RuntimeError("qapps_nb's SHA-256 differs from openssl's")
    times = interleave(ctx.settings.runs,
                       ours=lambda: Payload.from_path(path).ensure_hashed(),
                       anchor=lambda: _run(openssl_sha256(path)))
    ratio = times["ours"].median / times["anchor"].median
    return [Row(f"SHA-256 of {size_label(ctx.settings.big)} (Payload.ensure_hashed)",
                str(times["ours"]), f"openssl dgst -sha256 {times['anchor']}", "≤ 1.0×",
                ratio=ratio, met=ratio <= 1.0)]


def bench_post(ctx: Context) -> list[Row]:
    from qapps_nb.sources import Payload
    from qapps_nb.transport import MultipartBody, post

    path = ctx.big
    presigned = _presign(ctx, path.name)
    payload = Payload.from_path(path, sha256=ctx.sha256)
    before = sink.stats(ctx.url)["body_bytes"]
    post(presigned, payload, progress=None)  # warm-up; also checks every byte arrived
    arrived = sink.stats(ctx.url)["body_bytes"] - before
    expected = len(MultipartBody(presigned.fields, payload))
    if arrived != expected:
        raise RuntimeError(f"the sink received {arrived} bytes, expected {expected}")
    curl = curl_post(presigned.url, presigned.fields, path, path.name)
    times = interleave(ctx.settings.runs,
                       ours=lambda: post(presigned, payload, progress=None),
                       anchor=lambda: _run(curl, expect="204"))
    ratio = times["ours"].median / times["anchor"].median
    return [Row(f"POST of {size_label(ctx.settings.big)} (transport.post, same fields)",
                str(times["ours"]), f"curl -F {times['anchor']}", "≤ 1.1×",
                ratio=ratio, met=ratio <= 1.1)]


def bench_upload(ctx: Context) -> list[Row]:
    import qapps_nb

    path = ctx.big
    presigned = _presign(ctx, path.name)
    curl = curl_post(presigned.url, presigned.fields, path, path.name)

    def ours() -> None:
        result = qapps_nb.upload(path, **ctx.options)
        if result.size != ctx.settings.big or result.sha256 != ctx.sha256:
            raise RuntimeError("upload() reported the wrong size or digest")

    def anchor() -> None:
        _run(openssl_sha256(path))
        _run(curl, expect="204")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the >10 MB SizeWarning
        ours()
        times = interleave(ctx.settings.runs, ours=ours, anchor=anchor)
    ratio = times["ours"].median / times["anchor"].median
    return [Row(f"qapps_nb.upload() of {size_label(ctx.settings.big)} (hash+presign+POST)",
                str(times["ours"]), f"openssl then curl {times['anchor']}", "≤ 0.9×",
                ratio=ratio, met=ratio <= 0.9)]


def bench_rss(ctx: Context) -> list[Row]:
    rows = []
    presigned = _presign(ctx, "rss.bin")
    for size in ctx.settings.rss_sizes:
        path = ctx.big if size == ctx.settings.big else make_file(ctx.workdir / "rss.bin", size)
        try:
            child = run_child(python_child("upload", str(path), ctx.url))
            report = json.loads(child.stdout)
            curl = run_child(curl_post(presigned.url, presigned.fields, path, "rss.bin"))
            hasher = run_child(openssl_sha256(path))
        finally:
            if path != ctx.big:
                path.unlink()
        growth = report["peak"] - report["baseline"]
        sampled = report["sampled_peak"] - report["baseline"]
        rows.append(Row(
            f"peak RSS growth, upload() of {size_label(size)}",
            f"{mib(growth)} (sampled {mib(sampled)}; peak {mib(report['peak'])})",
            f"curl {mib(curl.max_rss)}, openssl {mib(hasher.max_rss)} peak", "≤ 64 MiB, flat",
            met=growth <= 64 * MiB))
    return rows


def bench_many(ctx: Context) -> list[Row]:
    import qapps_nb

    s = ctx.settings
    folder = ctx.workdir / "many"
    folder.mkdir()
    files = [make_file(folder / f"f{i:04d}.bin", s.many_size) for i in range(s.many_files)]
    with sink.running(latency=s.latency) as url:
        options = {**ctx.options, "endpoint_url": url}

        def parallel() -> None:
            results = qapps_nb.upload_many(files, max_workers=s.workers, **options)
            if len({r.file_id for r in results}) != len(files):
                raise RuntimeError("upload_many returned fewer distinct fileIds than files")

        def sequential() -> None:
            for f in files:
                qapps_nb.upload(f, **options)

        qapps_nb.upload(files[0], **options)  # clients and pools built before timing
        times = interleave(s.many_runs, ours=parallel)
        times.update(interleave(1, anchor=sequential))
    speedup = times["anchor"].median / times["ours"].median
    return [Row(f"{s.many_files} files of 10 KB, {s.latency * 1000:g} ms latency per request "
                f"(upload_many, max_workers={s.workers})",
                str(times["ours"]), f"sequential upload() loop {times['anchor']}", "≥ 6× faster",
                ratio_text=f"{speedup:.1f}× faster", met=speedup >= 6)]


def bench_load_ext(ctx: Context) -> list[Row]:
    ours: list[float] = []
    anchor: list[float] = []
    for _ in range(ctx.settings.load_runs):
        for name, out in (("qapps_nb", ours), ("autoreload", anchor)):
            child = run_child(python_child("load_ext", name))
            out.append(json.loads(child.stdout)["seconds"])
    mine, ref = sorted(ours)[len(ours) // 2], sorted(anchor)[len(anchor) // 2]
    return [Row("%load_ext qapps_nb (fresh InteractiveShell)", f"{mine * 1000:.0f} ms",
                f"%load_ext autoreload {ref * 1000:.0f} ms", "≤ 150 ms",
                ratio=mine / ref if ref else None, met=mine <= 0.150)]


def bench_widget(ctx: Context) -> list[Row]:
    """Measured by the widget's browser test; shown here when it left its number behind."""
    work = "widget, browser → kernel, 200 MB file in Chromium"
    try:
        data = json.loads(WIDGET_FILE.read_text())
        rate = float(data["mb_per_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return [Row(work, "not measured in this run", "—", "≥ 50 MB/s",
                    notes=[f"no {WIDGET_FILE.relative_to(ROOT)}"])]
    when = data.get("measured", "date unknown")
    return [Row(work, f"{rate:.1f} MB/s (from {WIDGET_FILE.relative_to(ROOT)}, {when})", "—",
                "≥ 50 MB/s", met=rate >= 50)]


def bench_names(ctx: Context) -> list[Row]:
    """20 uploads to one app by title: the lookups they cost, counted by the sandbox."""
    import qapps_nb
    from qapps_nb.sandbox import running

    uploads = 20
    with running() as sb:
        where = {"instance_id": sb.instance_id, "session": sb.boto3_session(),
                 "endpoint_url": sb.endpoint_url}
        title = "Contract Summarizer"  # one file-upload card: app= alone names it
        app = qapps_nb.get_app(title, **where)
        base = {**where, "progress": False}
        by_ids = {**base, "app_id": app.app_id, "card_id": app.file_card().card_id}

        def titles() -> None:
            qapps_nb.clear_cache()  # every run starts cold: the lookups are counted in it
            for i in range(uploads):
                qapps_nb.upload(f"row {i}".encode(), app=title, **base)

        def ids() -> None:
            for i in range(uploads):
                qapps_nb.upload(f"row {i}".encode(), **by_ids)

        ids()  # clients and connections ready before counting and timing
        sb.clear_requests()
        titles()
        seen = [r for r in sb.requests if r.service == "qapps"]
        pages = max(1, -(-len(qapps_nb.list_apps(**where)) // 100))  # ListQApps: 100 a page
        walks = sum(r.operation == "ListQApps" for r in seen) / pages
        reads = sum(r.operation == "GetQApp" for r in seen)
        presigns = sum(r.operation == "CreatePresignedUrl" for r in seen)
        times = interleave(ctx.settings.runs, ours=titles, anchor=ids)
    ratio = times["ours"].median / times["anchor"].median
    return [Row(f"upload(app=TITLE) ×{uploads} to one app (sandbox request log)",
                f"{walks:g} ListQApps walk, {reads} GetQApp, {presigns} CreatePresignedUrl; "
                f"{times['ours']}", f"the same by ids (no lookup) {times['anchor']}",
                "≤ 1 walk + 1 GetQApp", ratio=ratio,
                met=walks <= 1 and reads <= 1 and presigns == uploads)]


CASES: dict[str, Callable[[Context], list[Row]]] = {
    "hash": bench_hash, "post": bench_post, "upload": bench_upload, "rss": bench_rss,
    "many": bench_many, "load_ext": bench_load_ext, "widget": bench_widget,
    "names": bench_names,
}


def machine() -> str:
    import os

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GiB
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")
