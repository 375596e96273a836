"""e-prop on the Brian2 workbench: the NEST 3.10 example tasks at their sizes; one JSON line.

    python benchmarks/eprop_bench.py sine --n-iter 200                 # 100 in, 100 LIF, 1 out, 1 s, batch 1
    python benchmarks/eprop_bench.py sine --n-iter 200 --set optimizer=sgd --set lr=1e-4
    python benchmarks/eprop_bench.py evidence --n-iter 50              # 40 in, 50 LIF + 50 ALIF, batch 32

Runs ``protocols/eprop.py`` on cpp_standalone (one build, re-run with run_args).  Run it twice:
the first call builds (cached in $WORKBENCH_BUILD_DIR), the second measures without compiling.
Reported: loss (sine: 1/2 sum_t (y - y*)^2 per trial, as NEST) or test accuracy (256 fresh trials),
median wall and CPU seconds per iteration (simulation + reading the accumulators), peak memory of the
simulation processes (this one and the standalone binary).
"""
import argparse
import json
import resource
import sys

from workbench.protocol import run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task", choices=["sine", "evidence"])
    ap.add_argument("--n-iter", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--out", help="archive to write")
    args = ap.parse_args(argv)
    over = {"task": "pattern", "n_out": 1} if args.task == "sine" else {"task": "evidence"}
    over["n_iter"] = args.n_iter
    for kv in args.set:
        k, _, v = kv.partition("=")
        over[k] = v
    ds = run("eprop", over, backend="cpp_standalone", seed=args.seed, out=args.out, progress=False)
    loss = ds["loss"].values
    out = {"simulator": f"Brian2 {ds.attrs['brian2_version']} cpp_standalone (workbench e-prop)", "task": args.task,
           "n_iter": args.n_iter, "overrides": {k: str(v) for k, v in over.items()},
           "s_per_iteration_wall": float(ds["sim_wall_time_per_iteration"]),
           "s_per_iteration_cpu": float(ds["sim_cpu_time_per_iteration"]),
           "total_wall_s": float(ds.attrs["wall_time_s"]),
           "max_rss_GiB_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
           "max_rss_GiB_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20,
           "loss_first": float(loss[0]), "loss_last": float(loss[-1]), "loss_min": float(loss.min())}
    if args.task == "sine":
        out["final_loss"] = float(ds["final_loss"])
        for k in (10, 50, 100, 200, 500, 1000, 2000):
            if k <= len(loss):
                out[f"loss_at_{k}"] = float(loss[k - 1])
    else:
        out["test_accuracy"] = float(ds["test_accuracy"])
        if "validation_accuracy" in ds:
            out["validation_accuracy"] = [float(a) for a in ds["validation_accuracy"].values]
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
