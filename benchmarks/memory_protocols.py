"""Peak memory of every protocol at its largest documented size, against the estimate it makes before it starts.

    nice -n 10 python benchmarks/memory_protocols.py [--only NAME ...] [--workdir /tmp/memory_protocols]

Each case is one ``workbench run`` in its own process with a fresh standalone build cache (a user's first
run: the compile is part of it).  Its peak memory is the largest sum of the proportional set sizes of the
whole process tree (the Python process, make and the compilers, the standalone program), sampled every
100 ms with psutil, and at least ``/usr/bin/time``'s maximum resident memory of a single process; the estimate is the archive's
``memory_estimate_bytes`` (the protocol's ``memory`` function, :mod:`workbench.protocol.estimates`).
The sizes are those the protocols' docstrings and the README give a user (``CASES``); e-prop runs fewer
iterations than its 1200 (its arrays do not grow with them, only the learning curve's few numbers).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402

from workbench.protocol import load_protocol  # noqa: E402
from workbench.protocol.estimates import ESTIMATES  # noqa: E402
from workbench.protocol.memory import check_memory  # noqa: E402

#: name -> (protocol, arguments, where the size is documented)
CASES = {
    "fi_curve": ("fi-curve", ["--set", "n_currents=20", "--set", "duration=500 ms", "--backend", "cpp_standalone"],
                 "README (command line)"),
    "stdp_window": ("stdp-window", [], "protocols/stdp_window.py docstring (defaults)"),
    "lsm": ("lsm", [], "protocols/lsm.py docstring (defaults)"),
    "eprop": ("eprop", ["--set", "task=evidence", "--set", "n_iter=10", "--set", "validate_every=5",
                        "--set", "n_test=256"], "protocols/eprop.py docstring (evidence; 10 of 1200 iterations)"),
    "biosignal": ("biosignal", ["--set", "dataset=mitdb:../shared/data/mitdb", "--set", "records=100",
                                "--set", "cv=segments", "--set", "chunk=1135", "--set", "n_readout=5",
                                "--set", "grid_input_scale=1"],
                  "BENCHMARKS.md's MIT-BIH record 100 study (bio_mitdb100: LSM, raw, input, MiniRocket)"),
    "biosignal_jv": ("biosignal", ["--set", "dataset=aeon:JapaneseVowels", "--set", "encoder=rate", "--set", "fs=200Hz",
                                   "--set", "n_time=52", "--set", "shape=15,6,6", "--set", "grid_weight_scale=0.5,1",
                                   "--set", "grid_tau_readout=10ms,30ms,100ms", "--set", "repeats=1"],
                     "BENCHMARKS.md's JapaneseVowels study (bio_jv: benchmarks/bio_study.py's jv preset, six grid "
                     "liquids firing about 217 Hz per neuron), one of its five repeats (a repeat keeps only its "
                     "predictions, counts and example spikes)"),
    "convert": ("convert", ["--set", "dataset=fashion-mnist", "--set", "hidden=500"],
                "issue 13's size, BENCHMARKS.md's convert_accuracy (all 60,000 / 10,000 Fashion-MNIST images, 784-500-10)"),
}


class TreeSampler(threading.Thread):
    """Largest summed proportional set size (PSS) of a process and its descendants, sampled every ``period``
    seconds.  PSS, not RSS: a child forked by Python shares its parent's pages until it execs, and a sum of
    RSS counted them twice (seen: python 274 MiB twice at fi-curve's peak)."""

    def __init__(self, pid, period=0.1):
        super().__init__(daemon=True)
        self.root, self.period, self.peak, self.at_peak, self.done = psutil.Process(pid), period, 0, [], False

    def run(self):
        while not self.done:
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                break
            total, names = 0, []
            for p in procs:
                try:
                    r = p.memory_full_info().pss
                    total += r
                    names.append(f"{p.name()}:{r >> 20}")
                except psutil.Error:
                    pass
            if total > self.peak:
                self.peak, self.at_peak = total, names
            time.sleep(self.period)


def measure(name, proto, args, work):
    out = work / f"{name}.nc"
    if out.exists():
        out.unlink()
    builds = work / f"builds-{name}"
    shutil.rmtree(builds, ignore_errors=True)  # a first run: the compile is part of it
    env = dict(os.environ, WORKBENCH_BUILD_DIR=str(builds))
    cmd = ["/usr/bin/time", "-f", "MAXRSS_KB %M", sys.executable, "-m", "workbench.cli", "run", "--quiet", proto,
           *args, "--out", str(out)]
    log = work / f"{name}.log"
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=Path(__file__).resolve().parents[1])
        sampler = TreeSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        sampler.done = True
        sampler.join()
    wall = time.perf_counter() - t0
    text = log.read_text()
    if rc != 0:
        raise SystemExit(f"{name}: {' '.join(cmd)} failed (exit {rc}); see {log}")
    kb = [int(line.split()[1]) for line in text.splitlines() if line.startswith("MAXRSS_KB")]
    peak = max(sampler.peak, kb[-1] * 1024)
    ds = xr.open_dataset(out, engine="h5netcdf")
    config, backend = ds.attrs["config"], ds.attrs["backend"]
    ds.close()
    est, formula = estimate(proto, config, backend)
    print(f"{name:<12} peak {peak / 2**30:.3f} GiB (single process {kb[-1] / 2**20:.3f}) estimate "
          f"{est / 2**30:.3f} GiB ratio {peak / est:.2f} wall {wall:.0f} s  at peak: {' '.join(sampler.at_peak)}",
          flush=True)
    return dict(peak=peak, single=kb[-1] * 1024, estimate=est, wall=wall, formula=formula,
                at_peak=" ".join(sampler.at_peak), protocol=proto, config=config, backend=backend)


def estimate(proto, config, backend):
    """The protocol's estimate for the run's configuration (its archive's ``config``), with the code as it is
    now (the archive's ``memory_estimate_bytes`` is the same where the code has not changed since)."""
    p = load_protocol(proto)
    est = check_memory(p, p.resolve(json.loads(config)), backend, ESTIMATES.get(proto))
    return float(est.bytes), est.formula


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=None, choices=list(CASES), help="cases to run (default: all not in --reuse; none: only re-estimate)")
    ap.add_argument("--workdir", default="/tmp/memory_protocols")
    ap.add_argument("--reuse", help="JSON of earlier measurements (cases not run again)")
    ap.add_argument("--json", help="write the measurements here")
    ap.add_argument("--partial", action="store_true", help="write the archive without the cases not measured")
    a = ap.parse_args(argv)
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results = json.loads(Path(a.reuse).read_text()) if a.reuse else {}
    for r in results.values():  # earlier measurements: the estimate of the code as it is now
        r["estimate"], r["formula"] = estimate(r["protocol"], r["config"], r["backend"])
    for name in (a.only if a.only is not None else [c for c in CASES if c not in results]):
        proto, args, _ = CASES[name]
        results[name] = measure(name, proto, args, work)
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1))
    missing = [c for c in CASES if c not in results]
    if missing and not a.partial:
        print(f"not measured: {', '.join(missing)}; no archive written (--partial writes the others)")
        return
    values = {}
    for name, r in results.items():
        values[f"peak_{name}"] = (r["peak"] / 2**30, "GiB", f"peak memory of workbench run {CASES[name][0]}")
        values[f"estimate_{name}"] = (r["estimate"] / 2**30, "GiB", "its estimate before the run")
        values[f"ratio_{name}"] = (r["peak"] / r["estimate"], "1", "measured over estimated peak memory")
        values[f"wall_{name}"] = (r["wall"] / 60, "min", "wall time (fresh build cache)")
    ratios = [r["peak"] / r["estimate"] for r in results.values()]
    values["ratio_min"] = (min(ratios), "1", "smallest measured over estimated peak memory, all cases")
    values["ratio_max"] = (max(ratios), "1", "largest measured over estimated peak memory, all cases")
    write_result("memory_protocols", values, protocols=sorted({c[0] for c in CASES.values()}),
                 scripts=[Path(__file__).resolve().parents[1] / "workbench" / "protocol" / "estimates.py"],
                 config={k: {"protocol": v[0], "args": v[1], "size": v[2]} for k, v in CASES.items()},
                 how_chosen="nothing chosen: the documented sizes (CASES); estimates' constants measured once "
                            "(workbench/protocol/estimates.py)",
                 notes="; ".join(f"{k}: {r['formula']} | at peak: {r['at_peak']}" for k, r in results.items())
                 + (f"; not measured: {', '.join(missing)}" if missing else ""),
                 command="python benchmarks/memory_protocols.py" + (f" --only {' '.join(results)}" if missing else ""))


if __name__ == "__main__":
    main()
