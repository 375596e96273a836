"""Run NEST 3.10's e-prop examples (Bellec 2020 tasks) headless and report loss/accuracy, time and memory.

NEST is not a workbench dependency: install it in its own environment, e.g.

    python -m venv /tmp/nestvenv && /tmp/nestvenv/bin/pip install nest-simulator matplotlib ipython
    PYTHONPATH=. /tmp/nestvenv/bin/python benchmarks/eprop_nest.py sine --n-iter 200
    PYTHONPATH=. /tmp/nestvenv/bin/python benchmarks/eprop_nest.py evidence --n-iter 50

(``PYTHONPATH=.`` for ``workbench.timing``, which needs nothing but the standard library.)

The example scripts shipped in the wheel (nest/doc/examples/pynest/eprop_plasticity/) are run
unchanged except for the number of iterations and plotting switched off; ``nest.Simulate`` is
timed.  One JSON line is printed.
"""
import argparse
import json
import resource
import sys
import time
import types
from pathlib import Path

from workbench.timing import cpu_seconds

EXAMPLES = {
    "sine": ("eprop_supervised_regression_sine-waves_bsshslm_2020.py", "n_iter = 200"),
    "evidence": ("eprop_supervised_classification_evidence-accumulation_bsshslm_2020.py", "n_iter_train = 50"),
}


def _cpu():
    """CPU seconds of this process (NEST runs in it, no child processes)."""
    return cpu_seconds(children=False)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task", choices=sorted(EXAMPLES))
    ap.add_argument("--n-iter", type=int, required=True)
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import nest
    import numpy as np

    fname, line = EXAMPLES[args.task]
    src = (Path(nest.__file__).parent / "doc" / "examples" / "pynest" / "eprop_plasticity" / fname).read_text()
    if line not in src:
        raise SystemExit(f"{fname}: expected line {line!r} not found (NEST version {nest.__version__})")
    src = src.replace(line, line.split("=")[0] + f"= {args.n_iter}")
    src = src.replace("do_plotting = True", "do_plotting = False")
    sys.modules.setdefault("IPython", types.ModuleType("IPython"))
    disp = types.ModuleType("IPython.display")
    disp.Image = lambda *a, **k: None
    sys.modules["IPython.display"] = disp
    sim_time = [0.0]
    orig = nest.Simulate

    def timed(*a, **k):
        t0 = time.perf_counter()
        out = orig(*a, **k)
        sim_time[0] += time.perf_counter() - t0
        return out

    src = src.replace("nest.Simulate(", "_timed_simulate(")
    ns = {"__name__": "__nest_example__", "_timed_simulate": timed}
    t0, c0 = time.perf_counter(), _cpu()
    try:
        exec(compile(src, fname, "exec"), ns)
    except SystemExit:
        pass
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    out = {"simulator": f"NEST {nest.__version__}", "task": args.task, "n_iter": args.n_iter,
           "wall_s": wall, "cpu_s": cpu, "simulate_s": sim_time[0],
           "max_rss_GiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}
    if args.task == "sine":
        loss = np.asarray(ns["loss"])
        out.update(loss_first=float(loss[0]), loss_last=float(loss[-1]), loss_min=float(loss.min()),
                   s_per_iteration_simulate=sim_time[0] / args.n_iter)
    else:
        r = ns["results_dict"]
        test = np.asarray(r["label"]) == "test"
        err = np.asarray(r["error"])[: len(test)]
        out.update(test_accuracy=float(1 - err[test].mean()), n_iter_sim=int(ns["n_iter_sim"]),
                   s_per_iteration_simulate=sim_time[0] / int(ns["n_iter_sim"]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
