"""CUBA benchmark on the GPU backends beside cpp_standalone: wall time per simulated second.

The network of Brian2's ``examples/CUBA.py`` (Brette et al. 2007, benchmark 2):
``N`` LIF neurons (80% excitatory), current-based exponential synapses
(``tau_e = 5 ms``, ``tau_i = 10 ms``), ``K = 80`` synapses per neuron on average
(``p = K/N``: the original 4000 neurons with p = 0.02), weights
``w_e = 60*0.27/10 mV``, ``w_i = -20*4.5/10 mV``, initial ``v`` uniform in
[-60, -50] mV.  Each backend and size runs in its own process through
:func:`workbench.backends.use_backend` and :class:`workbench.backends.Simulation`:
the first run generates, compiles and runs; the timed second run re-runs the
compiled binary (``run_args``, no rebuild).

    python benchmarks/gpu_cuba.py --backends cpp_standalone cuda --N 4000 40000 400000 --duration 1

Reports per (backend, N): build time (code generation + compile + first run),
the wall time of the re-run per simulated second (binary start to exit, CUDA
context creation included), Brian2's own simulation-loop time per simulated
second (``device._last_run_time``), and the mean firing rate (a sanity check:
the same network gives about the same rate on every backend).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from brian2 import NeuronGroup, Network, SpikeMonitor, Synapses, defaultclock, device, mV, ms, prefs, second

from workbench.backends import Simulation, use_backend

__all__ = ["build_cuba", "bench_one", "main"]


def build_cuba(N: int, K: float = 80.0):
    """The CUBA network (Brian2 ``examples/CUBA.py``) with ``K`` synapses per neuron on average."""
    taum = 20 * ms  # membrane time constant
    taue = 5 * ms  # excitatory synaptic time constant
    taui = 10 * ms  # inhibitory synaptic time constant
    Vt = -50 * mV  # spike threshold
    Vr = -60 * mV  # reset potential
    El = -49 * mV  # resting potential
    we = (60 * 0.27 / 10) * mV  # excitatory synaptic weight (voltage)
    wi = (-20 * 4.5 / 10) * mV  # inhibitory synaptic weight
    eqs = """
    dv/dt  = (ge + gi - (v - El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    ns = dict(taum=taum, taue=taue, taui=taui, Vt=Vt, Vr=Vr, El=El, we=we, wi=wi)
    P = NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="exact",
                    namespace=ns, name="cuba")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    Ne = int(0.8 * N)
    p = min(1.0, K / N)
    Ce = Synapses(P[:Ne], P, on_pre="ge += we", namespace=ns, name="cuba_e")
    Ci = Synapses(P[Ne:], P, on_pre="gi += wi", namespace=ns, name="cuba_i")
    Ce.connect(p=p)
    Ci.connect(p=p)
    M = SpikeMonitor(P, name="cuba_spikes")
    return Network(P, Ce, Ci, M), M, Ce, Ci


def bench_one(backend: str, N: int, duration_s: float, seed: int = 1) -> dict:
    """Build and run CUBA once on ``backend``, then time a re-run (in this process).

    ``use_backend('cuda')`` applies :func:`workbench.backends.gpu.cuda_compat` (brian2cuda 1.0a7 with
    CUDA 13 needs C++17)."""
    out = {"backend": backend, "N": N, "duration_s": duration_s}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"cuba-{backend}-") as tmp:
        with use_backend(backend, build_dir=tmp, seed=seed) as be:
            defaultclock.dt = 0.1 * ms
            net, M, Ce, Ci = build_cuba(N)
            sim = Simulation(net, duration_s * second, be)
            first = sim.run()  # code generation + compile + first run
            out["build_and_first_run_s"] = first
            out["compile_s"] = sim.build_time
            wall = sim.run()  # re-run of the compiled binary
            out["rerun_wall_s"] = wall
            out["wall_s_per_sim_s"] = wall / duration_s
            loop = getattr(device, "_last_run_time", None)
            out["brian_loop_s_per_sim_s"] = (float(loop) / duration_s) if loop is not None else None
            out["n_spikes"] = int(M.num_spikes)
            out["rate_Hz"] = float(M.num_spikes) / N / duration_s
            out["n_synapses"] = int(len(Ce) + len(Ci))
    out["total_s"] = time.perf_counter() - t0
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backends", nargs="+", default=["cpp_standalone", "cuda"])
    p.add_argument("--N", nargs="+", type=int, default=[4000, 40000])
    p.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", help="append one JSON line per result to this file")
    p.add_argument("--timeout", type=float, default=900, help="seconds per (backend, N) before giving up")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child process mode
    args = p.parse_args(argv)
    if args.one:
        prefs.logging.console_log_level = "WARNING"
        res = bench_one(args.backends[0], args.N[0], args.duration, args.seed)
        print("RESULT " + json.dumps(res), flush=True)
        return 0
    results = []
    for N in args.N:
        for backend in args.backends:
            cmd = [sys.executable, os.path.abspath(__file__), "--one", "--backends", backend, "--N", str(N),
                   "--duration", str(args.duration), "--seed", str(args.seed)]
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
                lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
                if proc.returncode == 0 and lines:
                    res = json.loads(lines[-1][len("RESULT "):])
                else:
                    tail = (proc.stderr or proc.stdout).strip().splitlines()[-25:]
                    res = {"backend": backend, "N": N, "error": "\n".join(tail)}
            except subprocess.TimeoutExpired:
                res = {"backend": backend, "N": N, "error": f"timed out after {args.timeout} s"}
            res["process_s"] = time.perf_counter() - t0
            results.append(res)
            if "error" in res:
                print(f"{backend:15s} N={N:<8d} FAILED: {res['error']}", flush=True)
            else:
                print(f"{backend:15s} N={N:<8d} {res['wall_s_per_sim_s']:8.3f} s/sim-s (binary)  "
                      f"{res['brian_loop_s_per_sim_s'] or float('nan'):8.3f} s/sim-s (loop)  "
                      f"build+1st {res['build_and_first_run_s']:6.1f} s  rate {res['rate_Hz']:5.1f} Hz  "
                      f"syn {res['n_synapses']}", flush=True)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(json.dumps(res) + "\n")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
