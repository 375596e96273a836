"""The client side of a sweep: :func:`sweep` writes the manifest, starts or joins a Dask cluster,
submits the points that have no archive yet and logs each point's record."""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from tqdm.auto import tqdm

from .. import backends
from ..paths import project_root
from ..protocol import Protocol, load_protocol
from .folder import LOG, MANIFEST, points_dir, write_json
from .grid import SweepError, expand, parse_grid
from .worker import WorkerSetup, run_point

__all__ = ["SweepResult", "sweep"]


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


def _register_worker_setup(client) -> None:
    from distributed import WorkerPlugin  # optional 'dist' extra (dask.distributed): only when sweeping

    plugin = type("WorkbenchWorkerSetup", (WorkerSetup, WorkerPlugin), {})()
    client.register_plugin(plugin)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None, timeout: float = 20):
    from distributed import Client, LocalCluster  # optional 'dist' extra (dask.distributed): only when sweeping

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


def _manifest(proto, grid_parsed, overrides, units, seed_list, points, backend) -> dict:
    return {
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
    """Run ``protocol`` over the product ``grid`` (times ``seeds``) on Dask; see the package docs.

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
        How standalone builds are kept apart between concurrent workers
        (:mod:`workbench.sweep.worker`).
    connect_timeout : float
        Seconds to wait for ``scheduler``.
    """
    from distributed import as_completed  # optional 'dist' extra (dask.distributed): only when sweeping

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
    pdir = points_dir(directory)
    pdir.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(proto, parse_grid(grid), overrides, units, seed_list, points, backend)
    mpath = directory / MANIFEST
    if mpath.is_file():
        old = json.loads(mpath.read_text())
        if old.get("protocol") != proto.name:
            raise SweepError(f"{directory} holds a sweep of {old.get('protocol')!r}, not {proto.name!r}; "
                             "use another --out folder")
    write_json(mpath, manifest)

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
        _register_worker_setup(client)
        # seed-major order: a worker finishes one seed's builds before the next
        specs = [{
            "protocol": name if name else proto, "root": root, "overrides": dict(p.overrides),
            "seed": p.seed, "backend": backend, "hash": p.hash, "coords": p.coords,
            "archive": str(pdir / f"{p.name}.nc"), "error": str(pdir / f"{p.name}.error.json"),
            "build_cache": build_cache, "build_root": build_root, "threads": threads,
        } for p in sorted(todo, key=lambda p: p.seed)]
        t_submit = time.perf_counter()
        futures = [client.submit(run_point, s, pure=False, key=f"wb-{s['hash']}-{os.getpid()}-{time.time_ns()}")
                   for s in specs]
        by_future = dict(zip(futures, specs))
        bar = tqdm(total=len(futures), desc=f"sweep {proto.name}", unit="point", file=sys.stderr,
                   dynamic_ncols=True, leave=False, disable=not progress)
        with open(directory / LOG, "a") as log, bar:
            for fut in as_completed(futures):
                spec = by_future[fut]
                try:
                    rec = fut.result()
                except Exception as exc:  # the worker died (segfault, out of memory...): record it here
                    rec = {"hash": spec["hash"], "seed": spec["seed"], "status": "failed", "compiles": [],
                           "error": f"{type(exc).__name__}: {exc}"}
                    write_json(Path(spec["error"]), {
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
                bar.update(1)
    result.wall_s = time.perf_counter() - t0
    return result
