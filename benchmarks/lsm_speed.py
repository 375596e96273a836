"""Speed of the LSM on one core (cpp_standalone, one thread): samples of 1 s per second.

Every sample is 1 s of delta-encoded synthetic ECG (neurokit2, 250 Hz, threshold 0.2 SD);
all samples run through one build (``batch`` copies of the liquid x slots).  Reports the
build time (code generation + compile) and the run time of the compiled program separately:
wall time of the run, and the CPU (user + sys) time of one more run of the program -- the
number that does not depend on how loaded the machine is.

    python benchmarks/lsm_speed.py --neurons 135 --samples 500 --dt 0.1
    python benchmarks/lsm_speed.py --neurons 1000 --samples 100 --dt 0.1
"""
import argparse
import json
import resource
import subprocess
import time

import numpy as np
from brian2 import ms, second

from workbench import encoders
from workbench.datasets.biosignal import synthetic_ecg
from workbench.networks import liquid as lsm
from workbench.readout import filtered_states


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--neurons", type=int, default=135, help="liquid size (135 -> 15x3x3, 1000 -> 10x10x10)")
    p.add_argument("--samples", type=int, default=500)
    p.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    p.add_argument("--batch", type=int, default=0)
    p.add_argument("--backend", default="cpp_standalone")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    shape = {135: (15, 3, 3), 1000: (10, 10, 10)}.get(a.neurons, (max(1, a.neurons // 9), 3, 3))
    sset = synthetic_ecg(n_per_class=int(np.ceil(a.samples / 3)), fs=250.0, seed=a.seed)
    X = np.stack(sset.samples)[: a.samples]
    X = (X - X.mean()) / X.std()
    t0 = time.perf_counter()
    spikes = [encoders.delta(x, 250.0, 0.2) for x in X]
    t_enc = time.perf_counter() - t0
    liq = lsm.make_liquid(shape, spikes[0].n_channels, rng=a.seed)
    run = lsm.simulate(liq, [(s.channel, s.times) for s in spikes], 1 * second, dt=a.dt * ms, backend=a.backend,
                       seed=a.seed, batch=a.batch)
    cpu = float("nan")
    if a.backend == "cpp_standalone" and run.build_dir:
        # CPU time of the compiled program alone (re-run once): on a shared, loaded machine the
        # wall time measures the other users too; user+sys time of the one thread does not.
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(["./main"], cwd=run.build_dir, check=True, capture_output=True)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    t1 = time.perf_counter()
    filtered_states(run.liquid_sample, run.liquid_neuron, run.liquid_time, run.n_samples, run.N,
                        np.linspace(200, 1000, 5) - 1e-6)
    t_feat = time.perf_counter() - t1
    out = dict(neurons=liq.N, synapses=int(len(liq.pre)), samples=a.samples, dt_ms=a.dt, batch=run.batch,
               slots=run.slots, build_s=round(run.wall_build, 2), run_s=round(run.wall_run, 3),
               samples_per_s_run=round(a.samples / run.wall_run, 1),
               run_cpu_s=round(cpu, 3), samples_per_cpu_s=round(a.samples / cpu, 1),
               encode_s=round(t_enc, 2), readout_features_s=round(t_feat, 2),
               liquid_rate_hz=round(len(run.liquid_sample) / (a.samples * liq.N), 2),
               input_spikes_per_sample=round(float(run.input_counts().mean()), 1),
               synaptic_events_per_sample=round(float(run.synaptic_events.mean()), 1),
               build_dir=run.build_dir)
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
