"""Speed and memory of the stdp-digits protocol beside a plain Brian2 standalone baseline.

Measures, in one invocation and on one core (cpp_standalone, no OpenMP):

* ``faithful``: the workbench protocol's training phase (controller, repeat rule,
  normalisation before every presentation, checkpoints between batches; on cpp_standalone the fused
  input projection and lateral inhibition, or Brian2's own pathways with ``--input-path brian2``):
  CPU and wall time per training image (the compile excluded), compile time separately, peak RSS of
  the simulation process (from a second process that reuses the cached build, so the compiler is
  not counted), input synaptic events per image;
* ``plain``: a straightforward hand-written Brian2 cpp_standalone Diehl & Cook port (the authors'
  equations integrated with Brian2's exponential Euler -- their forward Euler runs away on
  28x28 images --, per-synapse event-driven STDP traces, random delays, Poisson input from a
  TimedArray, the weights normalised before every image), no repeats, one run over all images: the
  baseline for the speed ratio.  It reports its excitatory spikes (per image and in the rests) and a
  rough learning check (how well learned weights match class-mean images).

    python benchmarks/stdp_digits_speed.py --n-exc 400 --images 500 --batch 250 --dataset fashion-mnist \
        --record stdp_speed_400
    python benchmarks/stdp_digits_speed.py --n-exc 6400 --images 200 --batch 100 --dataset fashion-mnist \
        --skip-plain --record stdp_speed_6400

CPU times (``ms_per_image_cpu``) are the figure to compare on a shared machine; wall
times include waiting for the CPU.  Do not time with ``--profile`` (see its help).

Prints one JSON object (also written to --json).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def faithful(args) -> dict:
    """Compile (first process), then time the training runs in a fresh process on the cached build."""
    os.environ.setdefault("WORKBENCH_BUILD_DIR", str(ROOT / ".workbench_builds"))
    out = {}
    cmd = [sys.executable, __file__, "--_child", "faithful", "--n-exc", str(args.n_exc), "--images",
           str(args.images), "--dataset", args.dataset, "--batch", str(args.batch), "--method", args.method,
           "--input-path", args.input_path]
    if args.profile:
        cmd.append("--profile")
    # 1: compile (and a first short run)
    r = subprocess.run(cmd + ["--_compile-only"], capture_output=True, text=True, env=os.environ)
    if r.returncode:
        raise SystemExit(r.stderr[-4000:])
    out.update({"compile": json.loads(r.stdout.strip().splitlines()[-1])})
    # 2: timed run on the cached build
    r = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
    if r.returncode:
        raise SystemExit(r.stderr[-4000:])
    out.update(json.loads(r.stdout.strip().splitlines()[-1]))
    return out


def _child_faithful(args) -> dict:
    import numpy as np
    from brian2 import defaultclock, ms, prefs

    from workbench.backends import Simulation, model_key, use_backend
    from workbench.datasets import load_images
    from workbench.experiments import stdp_digits as sd
    from workbench.networks.diehl_cook import DC_PARAMS, build_network

    data = load_images(args.dataset)
    n_input = int(np.prod(data.shape))
    p = dict(DC_PARAMS)
    slots = args.batch
    fused = args.input_path == "fused"
    key = model_key("stdp-digits-bench-3", args.n_exc, n_input, slots, args.profile, args.method, fused)
    images = data.train_images[: args.images].reshape(args.images, -1).astype(float)
    rss_file = Path(tempfile.gettempdir()) / f"stdp-bench-maxrss-{os.getpid()}.txt"
    # Peak RSS of the simulation program itself (not of the compiler): run ./main under a wrapper.
    wrapper = ("import resource, subprocess, sys; r = subprocess.call(sys.argv[2:]); "
               "open(sys.argv[1], 'a').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n'); "
               "sys.exit(r)")
    with use_backend("cpp_standalone", key=key, seed=1) as be:
        # around the command the backend chose (it may run ./main under setpriv --pdeathsig)
        cmd = prefs.devices.cpp_standalone.run_cmd_unix
        cmd = cmd.split() if isinstance(cmd, str) else list(cmd)
        prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", wrapper, str(rss_file), *cmd]
        defaultclock.dt = 0.5 * ms
        t0 = time.perf_counter()
        m = build_network(args.n_exc, n_input, slots, params=p, rng=np.random.default_rng(1), method=args.method,
                          fused=fused)
        sim = Simulation(m.network, m.duration, be, namespace={}, profile=args.profile,
                         seed_variable=m.controller.rngseed)
        state = sd.initial_state(m, p)
        pos, pres, reps = 0, 0, 0
        n_images = slots if args._compile_only else args.images
        wall, cpu, batches, events, spikes, timed = 0.0, 0.0, 0, 0.0, 0, 0
        while pos < n_images:
            sel = images[pos: pos + slots]
            table = np.zeros((slots, n_input))
            table[: len(sel)] = sel
            res = sd.run_batch(sim, m, table, len(sel), 1.0, state, 1000 + batches)
            sc = sd.slot_counts(res, args.n_exc, slots, m.steps_slot, m.steps_present, 40)
            state = res["state"]
            n_done = state.pop("img")
            pos += n_done
            pres += sc["n_presentations"]
            reps += sc["n_repeats"]
            # timed: full batches only (a last, partly filled batch simulates its empty slots too)
            if not args._compile_only and len(sel) == slots:
                wall += sim.run_times[-1]
                cpu += res["cpu"]
                spikes += len(res["spike_i_e"])
                timed += n_done
                if fused:
                    events += float(m.controller.input_events[0])
            batches += 1
            if args._compile_only:
                break
        result = {"n_exc": args.n_exc, "dataset": args.dataset, "method": args.method, "input_path": args.input_path,
                  "images": pos, "images_timed": timed, "presentations": int(pres), "exc_spikes": spikes,
                  "input_events_per_image": events / max(timed, 1) if fused else None,
                  "repeats": int(reps), "batches": batches, "batch_slots": slots,
                  "build_s": sim.build_time, "setup_plus_build_s": time.perf_counter() - t0}
        if not args._compile_only:
            result.update({"run_wall_s": wall, "run_cpu_s": cpu, "ms_per_image_wall": 1e3 * wall / timed,
                           "ms_per_image_cpu": 1e3 * cpu / timed,
                           "max_rss_MiB": max(int(x) for x in rss_file.read_text().split()) / 1024})
            if args.profile:
                from brian2 import device

                info = device.network_get_profiling_info(m.network)[:12]   # last batch only
                result["profile_last_batch_s"] = {name: float(t) for name, t in info}
    return result


PLAIN = """
from brian2 import *
import numpy as np, json, sys, time, os, resource
n_e, n_img, dataset, build = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
set_device('cpp_standalone', directory=build, build_on_run=False)
prefs.codegen.cpp.extra_link_args = ['-ffast-math']
defaultclock.dt = 0.5*ms
from workbench.datasets import load_images
x = load_images(dataset).train_images[:n_img].reshape(n_img, -1).astype(float)
n_in = x.shape[1]
# slots of 350 ms input (rate pixel/4, DC intensity 2) + 150 ms rest on a 50 ms grid (7 + 3 bins)
grid = np.zeros((n_img, 10, n_in)); grid[:, :7, :] = (x/4.0)[:, None, :]; grid = grid.reshape(-1, n_in)
stim = TimedArray(grid*Hz, dt=50*ms)
inp = PoissonGroup(n_in, rates='stim(t, i)')
# DC's equations, integrated with Brian2's exponential Euler (DC's forward Euler runs away once about
# two dozen inhibitory spikes arrive together: dt*(1 + ge + gi)/tau > 2)
eqs_e = '''dv/dt = ((-65*mV - v) + ge*(-v) + gi*(-100*mV - v))/(100*ms) : volt (unless refractory)
dge/dt = -ge/ms : 1
dgi/dt = -gi/(2*ms) : 1
dtheta/dt = -theta/(1e7*ms) : volt
wsum : 1'''
eqs_i = '''dv/dt = ((-60*mV - v) + ge*(-v) + gi*(-85*mV - v))/(10*ms) : volt (unless refractory)
dge/dt = -ge/ms : 1
dgi/dt = -gi/(2*ms) : 1'''
E = NeuronGroup(n_e, eqs_e, threshold='v > theta - 20*mV - 52*mV', reset='v = -65*mV; theta += 0.05*mV',
                refractory=5*ms, method='exponential_euler')
I = NeuronGroup(n_e, eqs_i, threshold='v > -40*mV', reset='v = -45*mV', refractory=2*ms,
                method='exponential_euler')
E.v = -105*mV; I.v = -100*mV; E.theta = 20*mV
S = Synapses(inp, E, '''w : 1
dpre/dt = -pre/(20*ms) : 1 (event-driven)
dpost1/dt = -post1/(20*ms) : 1 (event-driven)
dpost2/dt = -post2/(40*ms) : 1 (event-driven)''',
             on_pre='ge_post += w; pre = 1.; w = clip(w - 0.0001*post1, 0, 1)',
             on_post='w = clip(w + 0.01*pre*post2, 0, 1); post1 = 1.; post2 = 1.')
S.connect(); S.w = '(rand() + 0.01)*0.3'; S.delay = 'rand()*10*ms'
# DC normalize_weights() before every image: the input weights onto each neuron sum to 78
E.run_regularly('wsum = 0', dt=500*ms, when='start', order=0)
S.run_regularly('wsum_post += w', dt=500*ms, when='start', order=1)
S.run_regularly('w = w*78/wsum_post', dt=500*ms, when='start', order=2)
EI = Synapses(E, I, on_pre='ge_post += 10.4'); EI.connect(j='i')
IE = Synapses(I, E, on_pre='gi_post += 17.0'); IE.connect(condition='i != j')
M = SpikeMonitor(E)
run(n_img*500*ms)
t0 = time.perf_counter(); device.build(directory=build, compile=True, run=False); tb = time.perf_counter() - t0
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter(); device.run(); tr = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
tms = np.asarray(M.t/ms)
# learning, roughly: how well the weights of each neuron that fired >= 5 times match the closest
# class-mean image (Pearson r): about 0.1 for the initial random weights, well above once learned
data = load_images(dataset)
lab = data.train_labels[:n_img]
means = np.array([x[lab == c].mean(axis=0) for c in np.unique(lab)])
wm = np.asarray(S.w[:]).reshape(n_in, n_e).T
def _z(a): a = a - a.mean(axis=1, keepdims=True); return a/np.linalg.norm(a, axis=1, keepdims=True)
won = np.bincount(np.asarray(M.i[:]), minlength=n_e) >= 5     # neurons that took part in learning
match = float(np.mean((_z(wm[won]) @ _z(means).T).max(axis=1))) if won.any() else float('nan')
rest = (tms % 500) >= 370
print(json.dumps({'build_s': tb, 'run_wall_s': tr, 'ms_per_image_wall': 1e3*tr/n_img,
                  'ms_per_image_cpu': 1e3*(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)/n_img,
                  'exc_spikes': int(M.num_spikes), 'images': n_img,
                  'exc_spikes_per_image': float(M.num_spikes)/n_img, 'rest_spikes': int(rest.sum()),
                  'silent_images': int(n_img - len(np.unique((tms // 500).astype(int)))),
                  'rf_class_match': match, 'max_rss_MiB_incl_compiler': r1.ru_maxrss/1024}))
"""


def plain(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="stdp-plain-") as build:
        r = subprocess.run([sys.executable, "-c", PLAIN, str(args.n_exc), str(args.images), args.dataset, build],
                           capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stderr[-4000:])
        return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-exc", type=int, default=400)
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--skip-plain", action="store_true")
    ap.add_argument("--method", default="exponential_euler", choices=("exponential_euler", "implicit_euler", "euler"))
    ap.add_argument("--input-path", default="fused", choices=("fused", "brian2"),
                    help="the input projection: the fused C++ step (the protocol's default on cpp_standalone) or "
                         "Brian2's own pathway (spike queue + on_pre), for the before/after comparison")
    ap.add_argument("--record", help="also write benchmarks/results/NAME.nc (e.g. stdp_speed_400)")
    ap.add_argument("--profile", action="store_true",
                    help="Brian2 per-code-object profiling: the breakdown only -- it calls std::clock() (a system "
                         "call) per code object and step, which made the run ~3x slower here")
    ap.add_argument("--json")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    ap.add_argument("--_compile-only", dest="_compile_only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child == "faithful":
        print(json.dumps(_child_faithful(args)))
        return 0
    result = {"machine": os.uname().nodename, "cpus": os.cpu_count(), "faithful": faithful(args)}
    if not args.skip_plain:
        result["plain"] = plain(args)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    if args.record:
        record(args, result)
    return 0


def record(args, result) -> None:
    """The numbers as a result archive (benchmarks/_record.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _record import write_result  # benchmarks/ is not a package: importable once it is on the path

    f = result["faithful"]
    v = {"ms_per_image_cpu": (f["ms_per_image_cpu"], "ms", "CPU time per training image, protocol (run only)"),
         "ms_per_image_wall": (f["ms_per_image_wall"], "ms", "wall time per training image, protocol (shared machine)"),
         "max_rss": (f["max_rss_MiB"], "MiB", "peak resident memory of the simulation program"),
         "build_s": (f["compile"]["build_s"], "s", "standalone compile time"),
         "images": (f["images_timed"], "1", "training images timed (full batches)"),
         "presentations": (f["presentations"], "1", "presentations (repeats included)"),
         "exc_spikes_per_image": (f["exc_spikes"] / f["images_timed"], "1", "excitatory spikes per training image"),
         "n_exc": (args.n_exc, "1", "excitatory neurons")}
    if f.get("input_events_per_image") is not None:
        v["events_per_image"] = (f["input_events_per_image"], "1", "input synaptic events per training image")
        v["ns_per_event"] = (1e6 * f["ms_per_image_cpu"] / f["input_events_per_image"], "ns",
                             "CPU time per input synaptic event (whole run / events)")
    if "plain" in result:
        pl = result["plain"]
        v.update({"plain_ms_per_image_cpu": (pl["ms_per_image_cpu"], "ms", "CPU time per image, plain Brian2 port"),
                  "plain_exc_spikes_per_image": (pl["exc_spikes"] / pl["images"], "1",
                                                 "excitatory spikes per image, plain port"),
                  "plain_rest_spikes": (pl["rest_spikes"], "1", "excitatory spikes in the rests, plain port"),
                  "plain_rf_class_match": (pl["rf_class_match"], "1",
                                           "plain port: mean Pearson r of learned weights with the closest class mean"),
                  "speedup": (pl["ms_per_image_cpu"] / f["ms_per_image_cpu"], "1",
                              "plain port CPU time / protocol CPU time, same run")})
    write_result(args.record, v, config={"n_exc": args.n_exc, "images": args.images, "dataset": args.dataset,
                                         "batch": args.batch, "method": args.method, "input_path": args.input_path,
                                         "backend": "cpp_standalone", "threads": 1},
                 protocols=["stdp-digits"],
                 notes="CPU times of the simulation program only (compile excluded), niced, on a machine "
                       "shared with other jobs; training phase of the protocol (normalisation and repeats on)")


if __name__ == "__main__":
    sys.exit(main())
