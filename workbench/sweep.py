"""Parameter sweeps on Dask: one archive per point, resumable, merged into one Dataset.

    workbench sweep fi-curve --grid current_scale=0.8,1.2 --grid dt=0.05ms,0.1ms \\
        --set models=lif --seeds 2 --backend cpp_standalone --workers 2 --out sweeps/fi
    workbench collect sweeps/fi --out sweeps/fi.nc
    workbench figure sweep-heatmap sweeps/fi.nc

Scheduling is Dask's (``dask.distributed``), never our own: by default a
``LocalCluster`` of worker *processes* with one thread each (Brian2's device
state is global per process); with ``scheduler=ADDRESS`` the same tasks go to
an existing cluster.  Each point runs :func:`workbench.protocol.run` on a
worker and writes its own archive atomically, named by the point's hash
(``config_hash`` of protocol, resolved parameters, seed and backend), so a
rerun with the same arguments skips every point whose archive exists.  A point
that raises is recorded as ``<name>.error.json`` (with the traceback) and the
sweep goes on.

Standalone builds
-----------------
Protocols choose their build-cache key from the model *structure*
(:func:`workbench.backends.model_key`), so points that differ only in values
passed through ``run_args`` reuse one compiled program, and points that change
the structure get their own build.  A build directory must never be used by two
processes at once (the code is regenerated into it, the binary rebuilt, and the
results written beside it).  The sweep guarantees this itself:

``build_cache="worker"`` (default)
    every worker gets a private build cache ``<cache>/sweep-workers/<worker>``
    (held under an exclusive ``fcntl`` lock for each point, so two sweeps that
    share worker names still cannot collide).  Compiles: at most one per
    distinct model *per worker*.
``build_cache="shared"``
    all workers share one build cache ``<cache>/sweep-shared``; only allowed when
    :mod:`workbench.backends` locks each build directory itself
    (``backends.BUILD_LOCKING``).  Compiles: one per distinct model.

Brian2 2.9 writes the random seed into the generated ``main.cpp``, so a new seed
rebuilds the program; the cache is therefore split per seed
(``.../seed-<N>``) so that seeds never thrash one build.

Compiles are counted by watching the build products in the point's build
cache: ``objects.o`` rebuilt during a point is one compile of a model, a
``main`` binary relinked without it is a relink (Brian2 2.9 writes the clock
resets into ``main.cpp`` in set order, so a process that rebuilds the same
model recompiles ``main.cpp`` and relinks, a few seconds); events are
identified by (path, mtime) so that concurrent observers count them once.

Overhead per point
------------------
Each point's record (``sweep-log.jsonl``) has the protocol's own wall and CPU time
(``protocol_wall_s``, ``protocol_cpu_s``) and the worker's work around it
(``overhead_wall_s``, ``overhead_cpu_s``: garbage collection, provenance, archive
writing; CPU time counts the task thread and its child processes, so it does not
grow with the machine's load), with ``save_s`` and ``gc_scan_s``.  Measured: about
0.25-0.4 s of CPU per point, most of it writing the archive
(benchmarks/RESULTS_sweep.md).  The collection before each point is cheap because
the worker freezes what survived the last one (:func:`_collect_garbage`), and the
git state in the provenance is cached per process (:func:`workbench.archive.git_commit`).

:func:`collect` merges the points into one Dataset with the swept parameters
(and ``seed``) as dimensions, lazily (``xarray.open_mfdataset``, Dask-backed);
missing and failed points are NaN, with ``point_status`` and ``point_error``
saying why.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gc
import itertools
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "SweepError",
    "Point",
    "SweepResult",
    "parse_grid",
    "expand",
    "sweep",
    "collect",
    "run_point",
    "add_cli_commands",
]

MANIFEST = "sweep.json"
POINTS = "points"
LOG = "sweep-log.jsonl"

#: point_status values in a collected Dataset
STATUS_COMPLETE, STATUS_FAILED, STATUS_MISSING = 1, 0, -1


class SweepError(ValueError):
    """A sweep was asked for wrongly (bad grid, output folder of another sweep, no cluster...)."""


# --------------------------------------------------------------------------- grid


def _split_values(text: str) -> list[str]:
    """``'a,b,c'`` -> ['a', 'b', 'c']; with a ';' anywhere, ';' separates (for list-valued keys)."""
    sep = ";" if ";" in text else ","
    values = [v.strip() for v in text.split(sep)]
    if not values or any(v == "" for v in values):
        raise SweepError(f"--grid value list {text!r} has an empty entry")
    return values


def parse_grid(items: Iterable[str] | Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """Parse ``['key=v1,v2', ...]`` (from ``--grid``) or check a ``{key: [values]}`` mapping.

    Values are separated by commas; a value list that contains ``;`` is split on
    ``;`` instead (so list-valued parameters can be swept: ``models=lif,adex;hh_traub``).
    """
    grid: dict[str, list[Any]] = {}
    if isinstance(items, Mapping):
        pairs = [(str(k), list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v]) for k, v in items.items()]
    else:
        pairs = []
        for item in items:
            if "=" not in item:
                raise SweepError(f"--grid expects key=v1,v2,..., got {item!r}")
            key, values = item.split("=", 1)
            pairs.append((key.strip().replace("-", "_"), _split_values(values)))
    for key, values in pairs:
        if not key:
            raise SweepError("--grid: empty parameter name")
        if key in grid:
            raise SweepError(f"--grid {key!r} given twice; give all its values in one --grid {key}=v1,v2")
        if not values:
            raise SweepError(f"--grid {key!r} has no values")
        grid[key] = values
    return grid


def _display_unit(q):
    """The unit a coordinate is stored in: the field's usual one (ms, mV, pA, nS, Hz), else Brian2's best."""
    from brian2 import Hz, mV, ms, nS, pA, second

    for unit in (ms, mV, pA, nS, Hz):
        if q.dim is unit.dim:
            return unit
    if np.ndim(q) == 0 and float(np.abs(q)) > 0:
        return q.get_best_unit()
    return second if q.dim is second.dim else q.get_best_unit()


def _coordinate(param, value) -> tuple[Any, str]:
    """A NetCDF-friendly coordinate value for a parameter value, and its units."""
    from brian2.units.fundamentalunits import Quantity

    if isinstance(value, Quantity):
        unit = _display_unit(param.default if isinstance(param.default, Quantity) else value)
        return float(f"{float(value / unit):.12g}"), str(unit)  # 100 us and 0.1 ms: one coordinate
    if isinstance(value, (bool, np.bool_)):
        return int(value), "1"
    if isinstance(value, (int, np.integer)):
        return int(value), "1"
    if isinstance(value, (float, np.floating)):
        return float(value), "1"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)), ""
    return str(value), ""


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its overrides (base + grid values), seed, hash and coordinates."""

    overrides: Mapping[str, Any]
    seed: int
    hash: str
    coords: Mapping[str, Any]

    @property
    def name(self) -> str:
        return f"point-{self.hash}"


def point_hash(protocol_name: str, params, seed: int, backend: str) -> str:
    """The name of a point: a hash of protocol, full resolved configuration, seed and backend."""
    from .params import config_hash

    return config_hash({"protocol": protocol_name, "config": params.to_dict(), "seed": int(seed),
                        "backend": backend})


def _seed_list(seeds) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise SweepError(f"--seeds must be >= 1, got {seeds}")
        return list(range(int(seeds)))
    out = [int(s) for s in seeds]
    if not out or any(s < 0 for s in out) or len(set(out)) != len(out):
        raise SweepError(f"seeds must be distinct non-negative integers, got {seeds!r}")
    return out


def expand(protocol, grid: Mapping[str, Sequence[Any]], *, overrides: Mapping[str, Any] | None = None,
           seeds=1, backend: str | None = None):
    """All points of the product grid (validated), and the coordinate units per swept key.

    Every point is resolved through the protocol's parameters before anything
    runs, so an unknown key or a wrong unit fails the whole sweep up front.
    """
    from . import backends
    from .params import ParameterError

    overrides = dict(overrides or {})
    grid = parse_grid(grid)
    both = sorted(set(grid) & set(overrides))
    if both:
        raise SweepError(f"parameter(s) {both} are both fixed (--set) and swept (--grid); keep one")
    if "seed" in grid:
        raise SweepError("'seed' is not a protocol parameter: sweep seeds with --seeds N")
    backend = backends.canonical(backend or protocol.default_backend)
    seeds = _seed_list(seeds)
    protocol.resolve(overrides)  # the fixed part alone must be valid
    units: dict[str, str] = {}
    coord_values: dict[str, list] = {k: [] for k in grid}
    points = []
    for combo in itertools.product(*grid.values()):
        point_over = dict(overrides)
        point_over.update(dict(zip(grid, combo)))
        try:
            params = protocol.resolve(point_over)
        except ParameterError as exc:
            raise SweepError(f"grid point {dict(zip(grid, combo))}: {exc}") from None
        coords = {}
        for key in grid:
            value, unit = _coordinate(protocol.params[key], params[key])
            if key in units and units[key] != unit:
                raise SweepError(f"--grid {key}: values in different units ({units[key]!r}, {unit!r})")
            units[key] = unit
            coords[key] = value
        for key in grid:
            coord_values[key].append(coords[key])
        for seed in seeds:
            points.append(Point(overrides=point_over, seed=seed,
                                hash=point_hash(protocol.name, params, seed, backend),
                                coords={**coords, "seed": seed}))
    for key, values in coord_values.items():
        distinct = list(dict.fromkeys(values))
        if len(distinct) != len(grid[key]):
            raise SweepError(f"--grid {key}: two values give the same parameter value ({grid[key]})")
    return points, units, backend, seeds


# --------------------------------------------------------------------------- worker side

_PROCESS_LOCK = threading.Lock()  # Brian2's device state is per process: one point at a time
_PROTOCOLS: dict[tuple, Any] = {}

#: Every this many points a worker undoes its ``gc.freeze()`` and runs a full collection
#: (see :func:`_collect_garbage`).
GC_FULL_EVERY = 16
_GC_POINTS = [0]


def _collect_garbage() -> str:
    """Free the last point's Brian2 objects before this point builds its network; cheaply.

    Why collect at all: see :func:`run_point`.  A full collection walks every
    object of the worker (Brian2, sympy, xarray, Dask: 0.12-0.25 s of CPU per
    point here).  After it, ``gc.freeze()`` moves the survivors (modules,
    caches: long-lived by then) into the permanent generation, so the next
    point's collection walks only what was created since, i.e. the last
    point's network.  Frozen objects that later become cyclic garbage are not
    freed until an unfreeze, so every :data:`GC_FULL_EVERY` points the freeze
    is undone and a full collection runs.  Returns ``'full'`` or ``'young'``.
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
    t = os.times()
    return time.thread_time() + t.children_user + t.children_system


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


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive ``fcntl.flock`` on ``path`` (created if needed), released on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _binaries(root: Path) -> dict[str, int]:
    """Standalone build products under a build cache: path -> mtime_ns.

    ``*/objects.o`` (every array and object of the model: rebuilt when the model's code
    changes) marks a compile; ``*/main`` (the linked program) also changes on a relink,
    e.g. when only ``main.cpp`` changed: Brian2 2.9 writes the clock resets in ``main.cpp``
    in set order, which differs between processes.
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
        from distributed import get_worker

        return _safe(get_worker().name)
    except (ImportError, ValueError):
        return f"pid{os.getpid()}"


def _load(spec) -> Any:
    proto = spec["protocol"]
    if not isinstance(proto, str):
        return proto
    from .protocol import load_protocol

    key = (proto, spec.get("root"))
    if key not in _PROTOCOLS:
        if spec.get("root"):
            with _env("WORKBENCH_ROOT", spec["root"]):
                _PROTOCOLS[key] = load_protocol(proto)
        else:
            _PROTOCOLS[key] = load_protocol(proto)
    return _PROTOCOLS[key]


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1, default=str)
    os.replace(tmp, path)


def run_point(spec: Mapping[str, Any]) -> dict:
    """Run one sweep point (on a Dask worker): write its archive or its error record.

    Never raises for an error of the protocol: the error goes to
    ``<point>.error.json`` and the returned record says ``status='failed'``.
    """
    from . import archive
    from .protocol import run

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
            lock = _file_lock(worker_root.parent / f"{worker_root.name}.lock")
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
                _write_json(error_path, {
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


# --------------------------------------------------------------------------- client side


@dataclass
class SweepResult:
    """What :func:`sweep` did: counts, timings and the per-point records."""

    directory: Path
    n_points: int
    n_skipped: int
    records: list = field(default_factory=list)
    wall_s: float = 0.0
    n_workers: int = 0

    @property
    def n_complete(self) -> int:
        return sum(r["status"] == "complete" for r in self.records)

    @property
    def n_failed(self) -> int:
        return sum(r["status"] != "complete" for r in self.records)

    @property
    def compile_events(self) -> set:
        """Distinct standalone compiles of a model (``objects.o`` rebuilt) during the sweep."""
        return {tuple(c) for r in self.records for c in r.get("compiles", [])}

    @property
    def relink_events(self) -> set:
        """Distinct relinks of a program whose model did not change (only ``main.cpp`` did)."""
        return {tuple(c) for r in self.records for c in r.get("relinks", [])}

    def summary(self) -> str:
        lines = [f"sweep {self.directory}: {self.n_points} points, {self.n_skipped} already done, "
                 f"{self.n_complete} ran, {self.n_failed} failed, on {self.n_workers} worker(s) "
                 f"in {self.wall_s:.1f} s; {len(self.compile_events)} standalone compile(s), "
                 f"{len(self.relink_events)} relink(s)"]
        for r in self.records:
            if r["status"] != "complete":
                lines.append(f"  FAILED {r['hash']} seed {r['seed']}: {r.get('error', '?').splitlines()[0]}"
                             f" (see {r.get('error_file', '')})")
        return "\n".join(lines)


def _points_dir(directory: Path) -> Path:
    return directory / POINTS


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise SweepError(f"{directory}: no {MANIFEST}; is this a sweep folder (workbench sweep ... --out DIR)?")
    return json.loads(path.read_text())


class _ImportBrian2:
    """Worker plugin: import Brian2 (and the workbench) in the worker's main thread.

    ``import brian2`` installs a SIGINT handler, which Python allows only in the
    main thread; tasks run in a worker thread, so the import must happen here first.
    """

    name = "workbench-import-brian2"
    idempotent = True

    def setup(self, worker=None):
        import brian2

        brian2.prefs.logging.console_log_level = "WARNING"
        import logging

        from brian2.utils.logger import BrianLogger

        if getattr(BrianLogger, "console_handler", None) is not None:
            BrianLogger.console_handler.setLevel(logging.WARNING)
        # what every point needs, imported once here rather than inside the first point
        import h5netcdf  # noqa: F401
        import xarray.backends.h5netcdf_  # noqa: F401

        from . import archive, protocol  # noqa: F401

        archive.git_commit()

    def teardown(self, worker=None):
        pass

    def transition(self, key, start, finish, **kwargs):
        pass


def _register_import_plugin(client) -> None:
    from distributed import WorkerPlugin

    plugin = type("ImportBrian2", (_ImportBrian2, WorkerPlugin), {})()
    client.register_plugin(plugin)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None, timeout: float = 20):
    from distributed import Client, LocalCluster

    if scheduler:
        if workers:
            raise SweepError("--workers is for the local cluster; with --scheduler the cluster has its workers")
        try:
            client = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            raise SweepError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start one with "
                             "'dask scheduler' and workers with 'dask worker ADDRESS --nthreads 1'") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = int(workers or max(1, min(os.cpu_count() or 1, 4)))
    if n < 1:
        raise SweepError(f"--workers must be >= 1, got {workers}")
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                      worker_dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def sweep(
    protocol,
    grid: Mapping[str, Sequence[Any]] | Iterable[str],
    *,
    out: str | os.PathLike,
    overrides: Mapping[str, Any] | None = None,
    seeds=1,
    backend: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    threads: int = 1,
    build_cache: str = "worker",
    progress: bool = True,
    connect_timeout: float = 20,
) -> SweepResult:
    """Run ``protocol`` over the product ``grid`` (times ``seeds``) on Dask; see the module docs.

    Parameters
    ----------
    protocol : Protocol or str
        The name of a script in ``protocols/`` (each worker loads it), or a
        Protocol object, which is pickled to the workers: its run function must
        live in an importable module (not ``__main__`` or a test file).
    grid : mapping or list of ``'key=v1,v2'`` strings
        The swept parameters and their values (strings are parsed like ``--set``).
    out : path
        The sweep folder: ``sweep.json`` (the manifest), ``points/*.nc`` and
        ``points/*.error.json``.  It must be reachable by every worker.
    overrides : mapping, optional
        Fixed parameter values for every point.
    seeds : int or list of int
        ``N`` runs seeds ``0..N-1``; a list runs those seeds.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); default a LocalCluster.
    workers : int, optional
        LocalCluster worker processes (default ``min(cores, 4)``).
    build_cache : {'worker', 'shared'}
        How standalone builds are kept apart between concurrent workers (module docs).
    connect_timeout : float
        Seconds to wait for ``scheduler``.
    """
    from distributed import as_completed

    from . import backends
    from .paths import project_root
    from .protocol import Protocol, load_protocol

    if build_cache not in ("worker", "shared"):
        raise SweepError(f"build_cache must be 'worker' or 'shared', got {build_cache!r}")
    if build_cache == "shared" and not getattr(backends, "BUILD_LOCKING", False):
        raise SweepError("build_cache='shared' needs workbench.backends to lock build directories "
                         "(backends.BUILD_LOCKING); use build_cache='worker'")
    name = protocol if isinstance(protocol, str) else None
    proto = load_protocol(protocol) if isinstance(protocol, str) else protocol
    if not isinstance(proto, Protocol):
        raise SweepError(f"not a workbench Protocol: {protocol!r}")
    points, units, backend, seed_list = expand(proto, grid, overrides=overrides, seeds=seeds, backend=backend)
    directory = Path(out).resolve()
    if directory.suffix in (".nc", ".zarr"):
        raise SweepError(f"--out {str(out)!r} is a file name; a sweep writes a folder of point archives")
    pdir = _points_dir(directory)
    pdir.mkdir(parents=True, exist_ok=True)
    grid_parsed = parse_grid(grid)
    manifest = {
        "format": "workbench-sweep-1",
        "protocol": proto.name,
        "backend": backend,
        "overrides": {k: str(v) for k, v in (overrides or {}).items()},
        "base_config": proto.resolve(overrides or {}).to_dict(),
        "grid": {k: [str(v) for v in vals] for k, vals in grid_parsed.items()},
        "units": units,
        "long_names": {k: proto.params[k].doc for k in grid_parsed},
        "seeds": seed_list,
        "dims": list(grid_parsed) + ["seed"],
        "points": [{"hash": p.hash, "seed": p.seed, "coords": p.coords,
                    "overrides": {k: str(v) for k, v in p.overrides.items()}} for p in points],
    }
    mpath = directory / MANIFEST
    if mpath.is_file():
        old = json.loads(mpath.read_text())
        if old.get("protocol") != proto.name:
            raise SweepError(f"{directory} holds a sweep of {old.get('protocol')!r}, not {proto.name!r}; "
                             "use another --out folder")
    _write_json(mpath, manifest)

    todo = [p for p in points if not (pdir / f"{p.name}.nc").exists()]
    result = SweepResult(directory=directory, n_points=len(points), n_skipped=len(points) - len(todo))
    if not todo:
        return result
    root = str(project_root()) if name else None
    build_root = str(backends.build_cache_root().resolve())
    t0 = time.perf_counter()
    with _client(scheduler, workers, connect_timeout) as client:
        result.n_workers = len(client.scheduler_info()["workers"])
        if result.n_workers == 0:
            client.wait_for_workers(1, timeout=60)
            result.n_workers = len(client.scheduler_info()["workers"])
        _register_import_plugin(client)
        specs = []
        # seed-major order: a worker finishes one seed's builds before the next
        for p in sorted(todo, key=lambda p: p.seed):
            specs.append({
                "protocol": name if name else proto, "root": root, "overrides": dict(p.overrides),
                "seed": p.seed, "backend": backend, "hash": p.hash, "coords": p.coords,
                "archive": str(pdir / f"{p.name}.nc"), "error": str(pdir / f"{p.name}.error.json"),
                "build_cache": build_cache, "build_root": build_root, "threads": threads,
            })
        t_submit = time.perf_counter()
        futures = [client.submit(run_point, s, pure=False, key=f"wb-{s['hash']}-{os.getpid()}-{time.time_ns()}")
                   for s in specs]
        by_future = dict(zip(futures, specs))
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(futures), desc=f"sweep {proto.name}", unit="point", file=sys.stderr,
                       dynamic_ncols=True, leave=False)
        with open(directory / LOG, "a") as log:
            for fut in as_completed(futures):
                spec = by_future[fut]
                try:
                    rec = fut.result()
                except Exception as exc:  # the worker died (segfault, out of memory...): record it here
                    rec = {"hash": spec["hash"], "seed": spec["seed"], "status": "failed", "compiles": [],
                           "error": f"{type(exc).__name__}: {exc}"}
                    _write_json(Path(spec["error"]), {
                        "protocol": proto.name, "hash": spec["hash"], "seed": spec["seed"],
                        "overrides": spec["overrides"], "coords": spec["coords"], "backend": backend,
                        "error_type": type(exc).__name__, "error": str(exc), "traceback": "",
                        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    })
                rec["done_s"] = time.perf_counter() - t_submit
                if rec["status"] != "complete":
                    rec["error_file"] = spec["error"]
                result.records.append(rec)
                log.write(json.dumps(rec, default=str) + "\n")
                log.flush()
                if bar is not None:
                    bar.update(1)
        if bar is not None:
            bar.close()
    result.wall_s = time.perf_counter() - t0
    return result


# --------------------------------------------------------------------------- collect


def _point_status(directory: Path, manifest: dict):
    pdir = _points_dir(directory)
    status = []
    for p in manifest["points"]:
        nc = pdir / f"point-{p['hash']}.nc"
        err = pdir / f"point-{p['hash']}.error.json"
        if nc.exists():
            status.append((p, STATUS_COMPLETE, str(nc), ""))
        elif err.exists():
            try:
                e = json.loads(err.read_text())
                msg = f"{e.get('error_type', 'Error')}: {e.get('error', '')}"
            except (OSError, ValueError) as exc:
                msg = f"unreadable error record {err}: {exc}"
            status.append((p, STATUS_FAILED, None, msg))
        else:
            status.append((p, STATUS_MISSING, None, "not run yet"))
    return status


def collect(directory: str | os.PathLike, out: str | os.PathLike | None = None, *, lazy: bool = True):
    """Merge a sweep folder's points into one Dataset with the swept parameters as dimensions.

    The point archives are opened lazily with :func:`xarray.open_mfdataset`
    (Dask-backed), concatenated along ``point`` and unstacked into the grid
    dimensions plus ``seed``; missing or failed points are NaN.  Added
    variables: ``point_status`` (1 complete, 0 failed, -1 not run),
    ``point_error`` and ``point_wall_time``.  With ``out`` the result is
    written atomically as a workbench archive.
    """
    import xarray as xr

    from . import archive as _archive
    from .params import config_hash

    directory = Path(directory)
    manifest = _read_manifest(directory)
    dims = manifest["dims"]
    status = _point_status(directory, manifest)
    done = [s for s in status if s[1] == STATUS_COMPLETE]
    if not done:
        failed = [s for s in status if s[1] == STATUS_FAILED]
        hint = f"; first error: {failed[0][3]}" if failed else ""
        raise SweepError(f"{directory}: no completed points to collect ({len(status)} points{hint})")

    walls = {}

    def _pre(ds):
        h = ds.attrs.get("sweep_point")
        walls[h] = float(ds.attrs.get("wall_time_s", np.nan))
        ds = ds.drop_attrs(deep=False) if hasattr(ds, "drop_attrs") else ds.assign_attrs({})
        # dims without coordinates get 0..n-1, so points of different sizes align (outer join, NaN)
        ds = ds.assign_coords({d: np.arange(n) for d, n in ds.sizes.items() if d not in ds.coords})
        return ds.expand_dims(point=[h])

    try:
        merged = xr.open_mfdataset(
            [s[2] for s in done], engine="h5netcdf", combine="nested", concat_dim="point",
            preprocess=_pre, data_vars="all", coords="minimal", compat="override", join="outer",
            combine_attrs="override", parallel=False, chunks={},
        )
    except Exception as exc:
        raise SweepError(f"{directory}: cannot merge the point archives ({type(exc).__name__}: {exc})") from None
    order = {p["hash"]: p for p, *_ in status}
    hashes = [str(h) for h in merged["point"].values]
    merged = merged.assign_coords({d: ("point", [order[h]["coords"][d] for h in hashes]) for d in dims})
    merged = merged.drop_vars("point").set_index(point=dims).unstack("point")
    # a full grid (also when whole rows of points failed), in the grid's own order
    full = {d: list(dict.fromkeys(p["coords"][d] for p in manifest["points"])) for d in dims}
    merged = merged.reindex(full)
    merged = merged.transpose(*dims, ...)
    # the point files' on-disk encodings (int dtypes, chunking) do not fit NaN-filled merged data
    for var in merged.variables.values():
        var.encoding = {}

    shape = [len(full[d]) for d in dims]
    st = np.full(shape, STATUS_MISSING, dtype=np.int8)
    err = np.full(shape, "", dtype=object)
    wall = np.full(shape, np.nan)
    for p, code, _, msg in status:
        idx = tuple(full[d].index(p["coords"][d]) for d in dims)
        st[idx] = code
        err[idx] = msg
        wall[idx] = walls.get(p["hash"], np.nan)
    merged["point_status"] = (dims, st, {"units": "1", "long_name": "point status (1 complete, 0 failed, -1 not run)"})
    merged["point_error"] = (dims, err.astype(str), {"units": "", "long_name": "error of a failed point"})
    merged["point_wall_time"] = (dims, wall, {"units": "s", "long_name": "wall time of the point's protocol run"})
    for d in dims:
        if d == "seed":
            merged[d].attrs.update(units="1", long_name="random seed")
        else:
            merged[d].attrs.update(units=manifest["units"].get(d, ""), long_name=manifest["long_names"].get(d) or d)
    counts = {c: int((st == c).sum()) for c in (STATUS_COMPLETE, STATUS_FAILED, STATUS_MISSING)}
    merged.attrs = _archive.provenance(
        protocol=manifest["protocol"], config=manifest["base_config"],
        config_hash=config_hash({"base": manifest["base_config"], "grid": manifest["grid"],
                                 "seeds": manifest["seeds"]}),
        seed=None, backend=manifest["backend"], wall_time=float(np.nansum(wall)),
    )
    merged.attrs.update({
        "status": "sweep",
        "sweep_dims": json.dumps(dims),
        "sweep_grid": json.dumps(manifest["grid"], sort_keys=True),
        "sweep_points": len(status),
        "sweep_complete": counts[STATUS_COMPLETE],
        "sweep_failed": counts[STATUS_FAILED],
        "sweep_missing": counts[STATUS_MISSING],
        "sweep_directory": str(directory.resolve()),
    })
    if not lazy:
        merged = merged.load()
    if out is not None:
        _archive.save(merged, out)
    return merged


# --------------------------------------------------------------------------- CLI


def _fail(msg: str) -> int:
    print(f"workbench: error: {msg}", file=sys.stderr)
    return 2


def _cmd_sweep(args) -> int:
    from . import backends
    from .params import ParameterError, load_toml, parse_assignments
    from .protocol import ProtocolError

    try:
        overrides = {}
        if args.config:
            overrides.update(load_toml(args.config))
        overrides.update(parse_assignments(args.set or []))
        if not args.grid:
            raise SweepError("give at least one --grid key=v1,v2,...")
        result = sweep(args.name, args.grid, out=args.out, overrides=overrides, seeds=args.seeds,
                       backend=args.backend, scheduler=args.scheduler, workers=args.workers,
                       threads=args.threads, build_cache=args.build_cache, progress=not args.quiet)
    except (SweepError, ProtocolError, ParameterError, backends.BackendError) as exc:
        return _fail(str(exc))
    print(result.summary())
    print(f"collect with: workbench collect {args.out} --out {Path(args.out).as_posix().rstrip('/')}.nc")
    return 0 if result.n_failed == 0 else 1


def _cmd_collect(args) -> int:
    try:
        ds = collect(args.directory, out=args.out)
    except SweepError as exc:
        return _fail(str(exc))
    print(f"collected {ds.attrs['sweep_complete']} of {ds.attrs['sweep_points']} points "
          f"({ds.attrs['sweep_failed']} failed, {ds.attrs['sweep_missing']} not run) over "
          + ", ".join(f"{d}={ds.sizes[d]}" for d in json.loads(ds.attrs["sweep_dims"])))
    print(f"archive: {args.out}")
    ds.close()
    return 0


def add_cli_commands(sub):
    """Register ``workbench sweep`` and ``workbench collect`` on the CLI's subparsers."""
    q = sub.add_parser("sweep", help="run a protocol over a parameter grid on Dask")
    q.add_argument("name", help="protocol name")
    q.add_argument("--grid", action="append", metavar="KEY=V1,V2,...",
                   help="swept parameter and its values (repeatable; ';' separates values that hold commas)")
    q.add_argument("--set", action="append", metavar="KEY=VALUE", help="fixed parameter value (repeatable)")
    q.add_argument("--config", help="TOML file of fixed parameter values")
    q.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 per grid point (default 1)")
    q.add_argument("--backend", help="numpy, cython, cpp_standalone, genn or cuda (default: the protocol's)")
    q.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a LocalCluster)")
    q.add_argument("--workers", type=int, help="LocalCluster worker processes (default min(cores, 4))")
    q.add_argument("--threads", type=int, default=1, help="OpenMP threads per point for cpp_standalone")
    q.add_argument("--build-cache", choices=("worker", "shared"), default="worker",
                   help="standalone builds per worker (default) or shared with per-directory locks")
    q.add_argument("--out", required=True, help="sweep folder (point archives, manifest, log)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.set_defaults(func=_cmd_sweep)

    q = sub.add_parser("collect", help="merge a sweep folder into one archive")
    q.add_argument("directory")
    q.add_argument("--out", required=True, help="archive path (.nc or .zarr)")
    q.set_defaults(func=_cmd_collect)
    return sub
