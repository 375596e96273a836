"""Accuracy of the stdp-digits protocol for one configuration; prints a JSON summary.

    python benchmarks/stdp_digits_accuracy.py --set dataset=fashion-mnist --set n_exc=400 \
        --set n_train=2000 --set n_assign=1000 --set n_test=1000 --out fm400.nc --figures figs/

The archive is the protocol's own (``workbench run stdp-digits`` would write the same); the summary
holds test accuracy, times per phase, presentations and repeats, and the runaway counters.
The default job (``workbench run stdp-digits``: digits, 100 neurons, 3 epochs) as a result archive:

    python benchmarks/stdp_digits_accuracy.py --record stdp_default
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


def record(name: str, s: dict, args) -> None:
    """The summary as a result archive (benchmarks/_record.py)."""
    from _record import write_result  # benchmarks/_record.py: on the path when this script runs

    runaway = s["runaway_slots"]
    write_result(name, {
        "test_accuracy": (s["test_accuracy"], "1", "test accuracy (classes assigned on training images)"),
        "cpu_ms_per_train_image": (s["cpu_ms_per_train_image"], "ms", "CPU time per training image (run only)"),
        "ms_per_train_image": (s["ms_per_train_image"], "ms", "wall time per training image (run only)"),
        "training_time": (s["training_time_s"], "s", "training time, wall (compile excluded)"),
        "build_time": (s["build_time_s"], "s", "standalone compile time"),
        "n_train_images": (s["n_train"] * s["epochs"], "1", "training presentations of distinct images x epochs"),
        "n_test": (s["n_test"], "1", "test images"),
        "n_exc": (s["n_exc"], "1", "excitatory neurons"),
        "runaway_slots": (runaway, "1", "slots with runaway activity"),
    }, config={"set": args.set, "backend": args.backend, "seed": args.seed, "threads": 1},
        protocols=["stdp-digits"],
        how_chosen="nothing chosen: the protocol's defaults (classes assigned on training images, test set used "
                   "once)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--backend", default="cpp_standalone")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out")
    ap.add_argument("--figures", help="folder for the three stdp figures")
    ap.add_argument("--json")
    ap.add_argument("--record", help="also write benchmarks/results/NAME.nc (e.g. stdp_default)")
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
    if args.record:
        record(args.record, s, args)
    if args.figures:
        from workbench.plotting import save, use_style

        use_style()
        folder = Path(args.figures)
        for name in ("stdp-receptive-fields", "stdp-confusion", "stdp-accuracy"):
            save(load_figure(name)(ds), folder / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
