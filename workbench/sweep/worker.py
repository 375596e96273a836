"""One sweep point on a Dask worker: :func:`run_point`.

Standalone builds
-----------------
Protocols choose their build-cache key from the model *structure*
(:func:`workbench.backends.model_key`), so points that differ only in values passed through
``run_args`` reuse one compiled program, and points that change the structure get their own
build.  A build directory must never be used by two processes at once (the code is regenerated
into it, the binary rebuilt, and the results written beside it).  The sweep guarantees this:

``build_cache="worker"`` (default)
    every worker gets a private build cache ``<cache>/sweep-workers/<worker>`` (held under an
    exclusive :class:`filelock.FileLock` for each point, so two sweeps that share worker names
    still cannot collide).  Compiles: at most one per distinct model *per worker*.
``build_cache="shared"``
    all workers share one build cache ``<cache>/sweep-shared``; only allowed when
    :mod:`workbench.backends` locks each build directory itself (``backends.BUILD_LOCKING``).
    Compiles: one per distinct model.

Brian2 2.9 writes the random seed into the generated ``main.cpp``, so a new seed rebuilds the
program; the cache is therefore split per seed (``.../seed-<N>``) so that seeds never thrash one
build.

Compiles are counted by watching the build products in the point's build cache: ``objects.o``
rebuilt during a point is one compile of a model, a ``main`` binary relinked without it is a
relink; events are identified by (path, mtime) so that concurrent observers count them once.

Overhead per point
------------------
Each point's record (``sweep-log.jsonl``) has the protocol's own wall and CPU time
(``protocol_wall_s``, ``protocol_cpu_s``) and the worker's work around it (``overhead_wall_s``,
``overhead_cpu_s``: garbage collection, provenance, archive writing; CPU time counts the task
thread and its child processes, :func:`workbench.timing.cpu_seconds` with ``thread=True``, so it
does not grow with the machine's load), with ``save_s`` and ``gc_scan_s``.  What it was measured
to be, and where it goes (mostly ``archive.save``): BENCHMARKS.md, "Sweeps on Dask"
(``benchmarks/sweep_throughput.py``).  The collection before each point is cheap because the worker
freezes what survived the last one (:func:`_collect_garbage`), and the git state in the provenance
is cached per process (:func:`workbench.archive.git_commit`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import logging
import os
import re
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Mapping

import brian2
from brian2.utils.logger import BrianLogger
from filelock import FileLock

from .. import archive
from ..protocol import load_protocol, run
from ..timing import cpu_seconds
from .folder import write_json

__all__ = ["run_point", "GC_FULL_EVERY"]

_PROCESS_LOCK = threading.Lock()  # Brian2's device state is per process: one point at a time
_PROTOCOLS: dict[tuple, Any] = {}

#: Every this many points a worker undoes its ``gc.freeze()`` and runs a full collection
#: (see :func:`_collect_garbage`).
GC_FULL_EVERY = 16
_GC_POINTS = [0]


def _collect_garbage() -> str:
    """Free the last point's Brian2 objects before this point builds its network; cheaply.

    Why collect at all: see :func:`run_point`.  A full collection walks every
    object of the worker (Brian2, sympy, xarray, Dask).  After it, ``gc.freeze()``
    moves the survivors (modules, caches: long-lived by then) into the permanent
    generation, so the next point's collection walks only what was created since,
    i.e. the last point's network.  Frozen objects that later become cyclic garbage
    are not freed until an unfreeze, so every :data:`GC_FULL_EVERY` points the
    freeze is undone and a full collection runs.  Returns ``'full'`` or ``'young'``.
    """
    kind = "young"
    if _GC_POINTS[0] % GC_FULL_EVERY == 0:
        gc.unfreeze()
        kind = "full"
    gc.collect()
    gc.freeze()
    _GC_POINTS[0] += 1
    return kind


def _cpu() -> float:
    """CPU seconds of this thread plus its finished child processes (compiler, binary, git)."""
    return cpu_seconds(children=True, thread=True)


def _timed(proto, box: dict):
    """``proto`` with its run function timed (wall and CPU) into ``box``: the point's simulation
    part, everything the protocol does, as opposed to the sweep's and the runner's overhead."""
    func = proto.func

    def timed(params, ctx):
        c0, t0 = _cpu(), time.perf_counter()
        try:
            return func(params, ctx)
        finally:
            box["protocol_cpu_s"] = _cpu() - c0
            box["protocol_func_wall_s"] = time.perf_counter() - t0

    return dataclasses.replace(proto, func=timed)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "worker"


def _worker_lock(path: Path) -> FileLock:
    """An exclusive lock on ``path`` (created with its folder if needed), for a ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path))


def _binaries(root: Path) -> dict[str, int]:
    """Standalone build products under a build cache: path -> mtime_ns.

    ``*/objects.o`` (every array and object of the model: rebuilt when the model's code
    changes) marks a compile; ``*/main`` (the linked program) also changes on a relink,
    e.g. when only ``main.cpp`` changed.
    """
    out = {}
    if not root.is_dir():
        return out
    for pattern in ("*/main", "*/objects.o"):
        for p in root.glob(pattern):
            try:
                out[str(p)] = p.stat().st_mtime_ns
            except OSError:
                continue
    return out


def _changes(before: dict, after: dict):
    """(compiles, relinks) between two :func:`_binaries` snapshots, as (path, mtime_ns) events."""
    changed = {p: m for p, m in after.items() if before.get(p) != m}
    compiles = sorted((p, m) for p, m in changed.items() if p.endswith("objects.o"))
    compiled_dirs = {os.path.dirname(p) for p, _ in compiles}
    relinks = sorted((p, m) for p, m in changed.items()
                     if p.endswith("main") and os.path.dirname(p) not in compiled_dirs)
    return compiles, relinks


@contextlib.contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _worker_label() -> str:
    try:
        from distributed import get_worker  # optional 'dist' extra; only on a Dask worker
    except ImportError:
        return f"pid{os.getpid()}"
    try:
        return _safe(get_worker().name)
    except ValueError:  # not inside a Dask task (a point run in-process)
        return f"pid{os.getpid()}"


def _load(spec) -> Any:
    proto = spec["protocol"]
    if not isinstance(proto, str):
        return proto
    key = (proto, spec.get("root"))
    if key not in _PROTOCOLS:
        if spec.get("root"):
            with _env("WORKBENCH_ROOT", spec["root"]):
                _PROTOCOLS[key] = load_protocol(proto)
        else:
            _PROTOCOLS[key] = load_protocol(proto)
    return _PROTOCOLS[key]


def run_point(spec: Mapping[str, Any]) -> dict:
    """Run one sweep point (on a Dask worker): write its archive or its error record.

    Never raises for an error of the protocol: the error goes to
    ``<point>.error.json`` and the returned record says ``status='failed'``.
    """
    t_start, c_start = time.perf_counter(), _cpu()
    t_submit = spec.get("submitted", None)
    archive_path = Path(spec["archive"])
    error_path = Path(spec["error"])
    label = _worker_label()
    record = {"hash": spec["hash"], "seed": spec["seed"], "worker": label, "status": "failed",
              "compiles": [], "protocol_wall_s": float("nan"), "save_s": 0.0, "wait_s": 0.0}
    with _PROCESS_LOCK:
        t_locked = time.perf_counter()
        if spec["build_cache"] == "worker":
            worker_root = Path(spec["build_root"]) / "sweep-workers" / label
            cache = worker_root / f"seed-{spec['seed']}"
            lock = _worker_lock(worker_root.parent / f"{worker_root.name}.lock")
        else:  # backends.BUILD_LOCKING: use_backend locks each build directory itself
            cache = Path(spec["build_root"]) / "sweep-shared" / f"seed-{spec['seed']}"
            lock = contextlib.nullcontext()
        with lock, _env("WORKBENCH_BUILD_DIR", str(cache)):
            record["wait_s"] = time.perf_counter() - t_start
            # Brian2 names unnamed objects (clocks of run_regularly operations...) with a counter
            # over the objects still alive: the last point's network, kept by reference cycles,
            # would rename this point's (ctrl_clock_1), change the generated code and force a full
            # recompile of an otherwise identical model.  Collect it first.
            tg = time.perf_counter()
            record["gc"] = _collect_garbage()
            before = _binaries(cache)
            record["gc_scan_s"] = time.perf_counter() - tg
            try:
                proto = _timed(_load(spec), record)
                ds = run(proto, spec["overrides"], backend=spec["backend"], seed=spec["seed"], out=None,
                         progress=False, threads=spec.get("threads", 1))
                record["protocol_wall_s"] = float(ds.attrs.get("wall_time_s", float("nan")))
                record["compiles"], record["relinks"] = _changes(before, _binaries(cache))
                ds.attrs.update({
                    "sweep_point": spec["hash"],
                    "sweep_coords": json.dumps(spec["coords"], sort_keys=True),
                    "sweep_worker": label,
                    "sweep_compiles": len(record["compiles"]),
                    "sweep_relinks": len(record["relinks"]),
                })
                ts = time.perf_counter()
                archive.save(ds, archive_path)
                record["save_s"] = time.perf_counter() - ts
                if error_path.exists():
                    error_path.unlink()
                record["status"] = "complete"
            except Exception as exc:  # recorded, never takes the sweep down
                record["error"] = f"{type(exc).__name__}: {exc}"
                write_json(error_path, {
                    "protocol": getattr(spec["protocol"], "name", spec["protocol"]),
                    "hash": spec["hash"], "seed": spec["seed"], "overrides": spec["overrides"],
                    "coords": spec["coords"], "backend": spec["backend"], "worker": label,
                    "error_type": type(exc).__name__, "error": str(exc),
                    "traceback": traceback.format_exc(),
                    "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                })
    record["task_wall_s"] = time.perf_counter() - t_start
    record["task_cpu_s"] = _cpu() - c_start
    # the sweep's and the runner's own work on the worker: CPU time is robust to machine load
    record["overhead_cpu_s"] = record["task_cpu_s"] - record.get("protocol_cpu_s", 0.0)
    record["overhead_wall_s"] = record["task_wall_s"] - record.get("protocol_func_wall_s", 0.0)
    record["lock_wait_s"] = t_locked - t_start
    if t_submit is not None:
        record["submitted"] = t_submit
    return record


class WorkerSetup:
    """Worker plugin body (see :func:`workbench.sweep.client`): prepare a worker process once.

    ``import brian2`` installs a SIGINT handler, which Python allows only in the main thread;
    tasks run in a worker thread, so Brian2 must be imported where the plugin is set up (this
    module imports it).  Here Brian2's console logging is quietened, the archive backend is
    imported and the git state of the provenance computed once, not in the first point.
    """

    name = "workbench-import-brian2"
    idempotent = True

    def setup(self, worker=None):
        brian2.prefs.logging.console_log_level = "WARNING"
        if getattr(BrianLogger, "console_handler", None) is not None:
            BrianLogger.console_handler.setLevel(logging.WARNING)
        import h5netcdf  # noqa: F401  (warm-up: the archive backend, imported once per worker, not per point)
        import xarray.backends.h5netcdf_  # noqa: F401  (warm-up, as above)

        archive.git_commit()

    def teardown(self, worker=None):
        pass

    def transition(self, key, start, finish, **kwargs):
        pass
