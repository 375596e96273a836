"""Wall time per simulated second of the CUBA benchmark network on each backend.

Brette et al. 2007 CUBA (as in Brian2's examples/CUBA.py): 4000 LIF neurons, 80% excitatory,
2% connectivity, exponential currents, built from the workbench model library.
Compile/build time is reported separately from the simulation time.

    python benchmarks/backends_cuba.py --backends numpy cython cpp_standalone --duration 1
"""
import argparse
import json
import time

import numpy as np
from brian2 import Network, SpikeMonitor, defaultclock, mV, ms, second

from workbench import models
from workbench.backends import Simulation, model_key, use_backend


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
            rate = M.num_spikes / args.N / args.duration
        results[name] = {"wall_s_per_sim_s": wall / args.duration, "build_s": build_s,
                         "total_s": time.perf_counter() - t0, "rate_Hz": float(rate)}
        print(f"{name:15s} {wall / args.duration:8.3f} s per simulated s   build {build_s:6.1f} s   "
              f"rate {rate:5.1f} Hz", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
