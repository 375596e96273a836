"""Sweep throughput on 1 and 2 Dask workers: points per minute, compiles, overhead per point.

    python benchmarks/sweep_throughput.py --out /tmp/sweep-bench
    python benchmarks/sweep_throughput.py --protocol fi-curve --grid current_scale=0.5,0.75,1,1.25 \\
        --grid dt=0.05ms,0.1ms,0.2ms,0.25ms --set models=lif --out /tmp/sweep-bench-fi

Default: a 16-point sweep of stdp-digits (Diehl & Cook) at a small size on cpp_standalone,
``n_train`` x ``n_test`` (4 x 4 values, both given to the compiled network at run time, so
the whole sweep is one model).  Each worker count starts from an empty build cache, so
the first compile is included and counted.  Reported per worker count:

- wall time of the sweep (LocalCluster start included) and points per minute;
- standalone compiles (binaries that appeared or changed, counted once per event);
- per point: the protocol's own wall time (its ``wall_time_s``: code generation, make,
  simulation, analysis) and the overhead around it on the worker (archive writing,
  provenance, garbage collection, locks) and on the client (submission and result
  collection: the time from the first submission to the last result, times the workers,
  minus the time the workers spent in points, per point; idle workers at the end of an
  uneven sweep count here too);
- the same worker overhead in CPU time (the task thread's CPU time plus its child
  processes', minus that of the protocol's run function): unlike wall time it does not
  grow when other jobs load the machine;
- the load average (1 min) sampled every 5 s during the sweep, and the LocalCluster's
  start and close, once per sweep.

``--build-cache shared`` (one compile per model for all workers; the backends lock each
build directory) can be measured beside the default ``worker``.

``--in-process N`` runs the first N points with ``workbench.sweep.run_point`` in this process
instead (no Dask), timing the protocol's run function by wrapping it, so that the overhead of
another version of the library (one with the ``workbench/sweep/`` package and
``workbench.timing``) can be measured with this script (``PYTHONPATH=<snapshot>``)::

    git archive <commit> | tar -x -C /tmp/wb-old
    PYTHONPATH=/tmp/wb-old WORKBENCH_ROOT=/tmp/wb-old python benchmarks/sweep_throughput.py \
        --in-process 6 --grid n_test=10,20,30,40,50,60 --set n_train=20 --set n_exc=20 \
        --set batch=20 --set dataset=digits --out /tmp/overhead-old
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

from workbench.timing import cpu_seconds


class LoadSampler(threading.Thread):
    """The 1-minute load average every ``period`` seconds until stopped."""

    def __init__(self, period: float = 5.0):
        super().__init__(daemon=True)
        self.period, self.samples, self._stop_event = period, [os.getloadavg()[0]], threading.Event()

    def run(self):
        while not self._stop_event.wait(self.period):
            self.samples.append(os.getloadavg()[0])

    def stop(self):
        self._stop_event.set()
        self.join()
        self.samples.append(os.getloadavg()[0])
        return self.samples


def _stats(values, prefix):
    values = [v for v in values if v == v]
    if not values:
        return {f"{prefix}_mean_s": float("nan"), f"{prefix}_median_s": float("nan"), f"{prefix}_max_s": float("nan")}
    return {f"{prefix}_mean_s": statistics.mean(values), f"{prefix}_median_s": statistics.median(values),
            f"{prefix}_max_s": max(values)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--protocol", default="stdp-digits")
    p.add_argument("--grid", action="append")
    p.add_argument("--set", action="append")
    p.add_argument("--backend", default="cpp_standalone")
    p.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    p.add_argument("--build-cache", nargs="+", choices=("worker", "shared"), default=["worker"],
                   help="build-cache modes to measure (each with every worker count)")
    p.add_argument("--in-process", type=int, metavar="N",
                   help="run N points in this process (no Dask) and report each point's overhead")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    grid = args.grid or ["n_train=20,30,40,50", "n_test=10,20,30,40"]
    sets = args.set or (["n_exc=20", "batch=20", "dataset=digits"] if args.protocol == "stdp-digits" else [])
    from workbench.params import parse_assignments
    from workbench.sweep import sweep

    overrides = parse_assignments(sets)
    out = Path(args.out)
    if args.in_process:
        return _in_process(args, grid, overrides, out)
    rows = []
    for mode in args.build_cache:
        for n in args.workers:
            row = _measure(args, grid, overrides, out, n, mode, sweep)
            rows.append(row)
            print(json.dumps(row), flush=True)
            with open(out / "results.jsonl", "a") as fh:
                fh.write(json.dumps(row) + "\n")
    _record(args, grid, sets, rows)
    return 0


def _record(args, grid, sets, rows) -> None:
    """The measured rows as ``benchmarks/results/sweep_throughput.nc`` (one set of variables per row)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _record import write_result  # the benchmarks' own helper, next to this script

    values = {}
    for r in rows:
        tag = f"w{r['workers']}_{r['build_cache']}"
        values.update({
            f"{tag}_points": (r["points"], "1", f"{tag}: points in the sweep"),
            f"{tag}_failed": (r["failed"], "1", f"{tag}: failed points"),
            f"{tag}_wall_s": (r["wall_s"], "s", f"{tag}: wall time of the sweep (cluster start included)"),
            f"{tag}_points_per_min": (r["points_per_min"], "1/min", f"{tag}: points per minute"),
            f"{tag}_compiles": (r["compiles"], "1", f"{tag}: standalone compiles"),
            f"{tag}_overhead_cpu_median_s": (r["worker_overhead_cpu_median_s"], "s",
                                             f"{tag}: worker overhead per point beyond the protocol, CPU, median"),
            f"{tag}_overhead_cpu_max_s": (r["worker_overhead_cpu_max_s"], "s",
                                          f"{tag}: worker overhead per point beyond the protocol, CPU, max"),
            f"{tag}_overhead_wall_median_s": (r["worker_overhead_median_s"], "s",
                                              f"{tag}: worker overhead per point beyond the protocol, wall, median"),
            f"{tag}_protocol_wall_median_s": (r["protocol_wall_median_s"], "s", f"{tag}: protocol wall time, median"),
            f"{tag}_loadavg_mean": (r["loadavg_mean"], "1", f"{tag}: 1-min load average during the sweep, mean"),
        })
    write_result("sweep_throughput", values, config={"protocol": args.protocol, "backend": args.backend,
                                                      "grid": ";".join(grid), "set": ";".join(sets), "seed": 0},
                 protocols=[args.protocol], scripts=[ROOT_SWEEP])


ROOT_SWEEP = Path(__file__).resolve().parent.parent / "workbench" / "sweep" / "__init__.py"


def _cpu() -> float:
    """CPU seconds of this thread and its finished children (what the sweep's records count)."""
    return cpu_seconds(children=True, thread=True)


def _in_process(args, grid, overrides, out) -> int:
    """Points one after another in this process; overhead = run_point minus the protocol function."""
    import dataclasses

    import brian2

    import workbench.sweep as sweep_pkg
    from workbench.protocol import load_protocol
    from workbench.sweep import worker as sw

    brian2.prefs.logging.console_log_level = "WARNING"
    box = {}
    load = sw._load

    def _load(spec):
        proto = load(spec)
        func = proto.func

        def timed(params, ctx):
            c0, t0 = _cpu(), time.perf_counter()
            try:
                return func(params, ctx)
            finally:
                box["cpu"], box["wall"] = _cpu() - c0, time.perf_counter() - t0

        return dataclasses.replace(proto, func=timed)

    sw._load = _load
    sw.WorkerSetup().setup()  # what a Dask worker does once
    proto = load_protocol(args.protocol)
    points, *_ = sweep_pkg.expand(proto, grid, overrides=overrides, backend=args.backend)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, p in enumerate(points[:args.in_process]):
        spec = {"protocol": args.protocol, "root": None, "overrides": dict(p.overrides), "seed": p.seed,
                "backend": args.backend, "hash": p.hash, "coords": p.coords,
                "archive": str(out / f"{p.name}.nc"), "error": str(out / f"{p.name}.error.json"),
                "build_cache": "shared", "build_root": str(out / "builds"), "threads": 1}
        c0, t0 = _cpu(), time.perf_counter()
        rec = sw.run_point(spec)
        cpu, wall = _cpu() - c0, time.perf_counter() - t0
        rows.append({"point": i, "status": rec["status"], "overhead_cpu_s": cpu - box.get("cpu", 0.0),
                     "overhead_wall_s": wall - box.get("wall", 0.0), "save_s": rec.get("save_s"),
                     "gc_s": rec.get("gc_scan_s"), "compiles": len(rec.get("compiles", [])),
                     "loadavg": os.getloadavg()[0]})
        print(json.dumps(rows[-1]), flush=True)
    later = [r for r in rows if not r["compiles"]] or rows
    summary = {"in_process": len(rows), "protocol": args.protocol, "backend": args.backend,
               **_stats([r["overhead_cpu_s"] for r in later], "overhead_cpu"),
               **_stats([r["overhead_wall_s"] for r in later], "overhead_wall"),
               "loadavg_mean": statistics.mean(r["loadavg"] for r in rows),
               "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    print(json.dumps(summary), flush=True)
    with open(out / "results.jsonl", "a") as fh:
        fh.write(json.dumps(summary) + "\n")
    return 0


def _measure(args, grid, overrides, out, n, mode, sweep) -> dict:
    tag = f"{mode}-{n}" if mode != "worker" else f"{n}"
    d = out / f"workers-{tag}"
    builds = out / f"builds-{tag}"
    shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(builds, ignore_errors=True)
    os.environ["WORKBENCH_BUILD_DIR"] = str(builds)
    load = LoadSampler()
    load.start()
    t0 = time.perf_counter()
    res = sweep(args.protocol, grid, overrides=overrides, out=d, backend=args.backend, workers=n,
                build_cache=mode, progress=False)
    wall = time.perf_counter() - t0
    loads = load.stop()
    recs = [r for r in res.records if r["status"] == "complete"]
    after_compile = [r for r in recs if not r["compiles"]]
    proto = [r["protocol_wall_s"] for r in recs]
    busy = sum(r["task_wall_s"] for r in res.records)
    span = max(r["done_s"] for r in res.records)  # first submission to last result
    client_over = (span * n - busy) / max(1, len(res.records))
    row = {
        "protocol": args.protocol, "backend": args.backend, "workers": n, "build_cache": mode,
        "points": res.n_points, "failed": res.n_failed, "wall_s": wall,
        "points_per_min": 60 * len(recs) / wall,
        # throughput once the model is compiled: points without a compile, over the workers' time in them
        "points_per_min_after_compile": (60 * n * len(after_compile) / sum(r["task_wall_s"] for r in after_compile)
                                         if after_compile else float("nan")),
        "compiles": len(res.compile_events),
        "relinks": len(res.relink_events),
        "protocol_wall_mean_s": statistics.mean(proto) if proto else float("nan"),
        "protocol_wall_median_s": statistics.median(proto) if proto else float("nan"),
        **_stats([r["task_wall_s"] - r["protocol_wall_s"] for r in recs], "worker_overhead"),
        **_stats([r.get("overhead_cpu_s", float("nan")) for r in recs], "worker_overhead_cpu"),
        **_stats([r.get("protocol_cpu_s", float("nan")) for r in recs], "protocol_cpu"),
        "save_mean_s": statistics.mean(r["save_s"] for r in recs) if recs else float("nan"),
        "save_median_s": statistics.median(r["save_s"] for r in recs) if recs else float("nan"),
        "gc_scan_mean_s": statistics.mean(r.get("gc_scan_s", float("nan")) for r in recs) if recs else float("nan"),
        "client_overhead_per_point_s": client_over,
        "cluster_start_and_close_s": res.wall_s - span,
        "loadavg_start": loads[0], "loadavg_end": loads[-1], "loadavg_mean": statistics.mean(loads),
        "loadavg_min": min(loads), "loadavg_max": max(loads),
        "cpus": os.cpu_count(),
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return row


if __name__ == "__main__":
    sys.exit(main())
