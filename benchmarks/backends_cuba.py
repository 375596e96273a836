"""Wall time per simulated second of the CUBA benchmark network on each backend.

Brette et al. 2007 CUBA (as in Brian2's examples/CUBA.py): 4000 LIF neurons, 80% excitatory,
2% connectivity, exponential currents, built from the workbench model library.
Compile/build time is reported separately from the simulation time; the timed run is the second
run of the same network (runtime: code already generated and compiled; standalone: the compiled
program re-run).  CPU time (this process and the standalone child) is the figure to compare on a
shared machine; wall time is an upper bound.  Writes ``benchmarks/results/backends_cuba.nc``.

    python benchmarks/backends_cuba.py --backends numpy cython cpp_standalone --duration 1
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from brian2 import Network, SpikeMonitor, defaultclock, mV, ms, second

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402  (the benchmarks' own helper, next to this script)

from workbench import models  # noqa: E402
from workbench.backends import Simulation, model_key, use_backend  # noqa: E402


def build(N=4000):
    lif = models.neuron("lif").with_params(tau_m=20 * ms, E_L=-49 * mV, v_th=-50 * mV, v_reset=-60 * mV,
                                           t_ref=5 * ms)
    # CUBA: dv/dt = (ge + gi - (v - El))/taum with ge, gi in volt: use delta-free exp currents scaled by R_m
    R = lif.params["R_m"]
    exc = models.synapse("exp_curr").receptor("e", tau=5 * ms)
    inh = models.synapse("exp_curr").receptor("i", tau=10 * ms)
    G = models.neuron_group(lif, N, receptors=[exc, inh], name="cuba")
    G.v = "-60*mV + rand()*10*mV"
    Ne = int(0.8 * N)
    Se = models.connect(G[:Ne], G, exc, w_scale=(60 * 0.27 / 10) * mV / R, name="cuba_e")
    Si = models.connect(G[Ne:], G, inh, w_scale=(-20 * 4.5 / 10) * mV / R, name="cuba_i")
    Se.connect(p=0.02)
    Si.connect(p=0.02)
    Se.w = 1.0
    Si.w = 1.0
    M = SpikeMonitor(G)
    return Network(G, Se, Si, M), M


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backends", nargs="+", default=["numpy", "cython", "cpp_standalone"])
    p.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    p.add_argument("--N", type=int, default=4000)
    args = p.parse_args(argv)
    results = {}
    for name in args.backends:
        t0 = time.perf_counter()
        with use_backend(name, key=model_key("cuba-bench", args.N, args.duration), seed=1) as be:
            defaultclock.dt = 0.1 * ms
            net, M = build(args.N)
            sim = Simulation(net, args.duration * second, be)
            if be.standalone:
                sim.run()  # build (+ compile) and a first run
                wall = sim.run()  # timed re-run of the compiled binary
                build_s = sim.build_time
            else:
                # runtime: first run includes code generation (and Cython compilation)
                sim.run()
                wall = sim.run()
                build_s = float("nan")
            cpu = sim.cpu_times[-1]
            rate = M.num_spikes / args.N / args.duration
        results[name] = {"wall_s_per_sim_s": wall / args.duration, "cpu_s_per_sim_s": cpu / args.duration,
                         "build_s": build_s, "total_s": time.perf_counter() - t0, "rate_Hz": float(rate)}
        print(f"{name:15s} {wall / args.duration:8.3f} s wall, {cpu / args.duration:8.3f} s CPU per simulated s"
              f"   build {build_s:6.1f} s   rate {rate:5.1f} Hz", flush=True)
    print(json.dumps(results))
    values = {}
    for name, r in results.items():
        values[f"{name}_cpu_per_sim_s"] = (r["cpu_s_per_sim_s"], "s", f"{name}: CPU seconds per simulated second")
        values[f"{name}_wall_per_sim_s"] = (r["wall_s_per_sim_s"], "s", f"{name}: wall seconds per simulated second")
        values[f"{name}_build_s"] = (r["build_s"], "s", f"{name}: build and compile wall time (standalone)")
        values[f"{name}_rate"] = (r["rate_Hz"], "Hz", f"{name}: mean firing rate")
    write_result("backends_cuba", values, config={"N": args.N, "duration_s": args.duration, "dt_ms": 0.1,
                                                   "backends": ",".join(args.backends), "seed": 1})


if __name__ == "__main__":
    main()
