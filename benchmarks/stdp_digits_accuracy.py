"""Accuracy of the stdp-digits protocol for one configuration; prints a JSON summary.

    python benchmarks/stdp_digits_accuracy.py --set dataset=fashion-mnist --set n_exc=400 \
        --set n_train=2000 --set n_assign=1000 --set n_test=1000 --out fm400.nc --figures figs/

The archive is the protocol's own (``workbench run stdp-digits`` would write the same); the summary
holds test accuracy, times per phase, presentations and repeats, and the runaway counters.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def summary(ds) -> dict:
    def f(name):
        return float(ds[name].values)

    cfg = json.loads(ds.attrs["config"])
    return {
        "dataset": cfg["dataset"], "n_exc": cfg["n_exc"], "n_train": cfg["n_train"], "epochs": cfg["epochs"],
        "n_assign": int(ds.attrs.get("n_assign", -1)), "n_test": cfg["n_test"], "backend": ds.attrs["backend"],
        "seed": int(ds.attrs["seed"]), "test_accuracy": f("test_accuracy"),
        "running_accuracy_last": float(ds["running_accuracy"].values[-1]) if ds.sizes.get("checkpoint") else None,
        "training_time_s": f("training_time"), "ms_per_train_image": f("time_per_train_image"),
        "cpu_ms_per_train_image": f("cpu_time_per_train_image"), "assignment_time_s": f("assignment_time"),
        "test_time_s": f("test_time"), "build_time_s": f("build_time"), "wall_time_s": float(ds.attrs["wall_time_s"]),
        "presentations_per_phase": ds["book_n_presentations"].values.tolist(),
        "repeats_per_phase": ds["book_n_repeats"].values.tolist(),
        "runaway_slots": int(f("runaway_slots")), "rest_spikes": int(f("rest_spikes")),
        "mean_theta_mV": float(ds["theta"].mean()), "git_commit": ds.attrs.get("git_commit"),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--backend", default="cpp_standalone")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out")
    ap.add_argument("--figures", help="folder for the three stdp figures")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    from workbench.params import parse_assignments
    from workbench.protocol import load_figure, run

    ds = run("stdp-digits", parse_assignments(args.set), backend=args.backend, seed=args.seed, out=args.out,
             progress=False)
    s = summary(ds)
    text = json.dumps(s, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    if args.figures:
        from workbench.plotting import save, use_style

        use_style()
        folder = Path(args.figures)
        for name in ("stdp-receptive-fields", "stdp-confusion", "stdp-accuracy"):
            save(load_figure(name)(ds), folder / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
