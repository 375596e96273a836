"""e-prop evidence accumulation (Bellec et al. 2020, Fig. 3) with the protocol's defaults: one run, one result.

    nice -n 10 python benchmarks/eprop_evidence.py [--seed 0] [--out evidence.nc]

The same run as ``workbench run eprop --set task=evidence`` (cpp_standalone, seed 0): 40 inputs,
50 LIF + 50 ALIF, batch 32, Adam from lr 0.005; every 50 iterations a fixed set of 256 validation
trials (drawn once, from their own random stream) is scored; the learning rate halves after 3
validations without a new best validation loss (floor 0.0005), the weights of the best validation
accuracy are kept, training stops early at 93 % validation accuracy, at most 1200 iterations
(``protocols/eprop.py``).  The 256 test trials are scored once, at the end.  Writes
``benchmarks/results/eprop_evidence.nc`` (test and validation accuracy, iterations, CPU time,
``how_chosen``, the validation curve); ``--out`` keeps the full protocol archive (weights, rasters)
for ``workbench figure eprop-learning|eprop-raster|eprop-outputs``.
"""
import argparse
import sys

import numpy as np

from _record import write_result
from workbench.protocol import run
from workbench.recording import variable


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="full protocol archive (checkpoints go there during the run)")
    args = ap.parse_args(argv)
    over = {"task": "evidence"}
    ds = run("eprop", over, backend="cpp_standalone", seed=args.seed, out=args.out, progress=True)
    val = ds["validation"].values
    values = {
        "test_accuracy": (float(ds["test_accuracy"]), "1", "test accuracy, 256 fresh trials scored once"),
        "validation_accuracy": (float(ds["validation_accuracy_chosen"]), "1",
                                "validation accuracy of the kept weights (fixed set of 256 trials; selected on it)"),
        "iterations": (int(ds["iterations_trained"]), "1", "training iterations run"),
        "chosen_iteration": (int(ds["chosen_iteration"]), "1", "iteration whose weights were kept"),
        "cpu_time_total": (float(ds["sim_cpu_time_total"]), "s",
                           "CPU time of all simulations (training, validation, test)"),
        "cpu_time_per_iteration": (float(ds["sim_cpu_time_per_iteration"]), "s", "median CPU time per iteration"),
        "wall_time": (float(ds.attrs["wall_time_s"]), "s", "wall time of the whole run (machine shared)"),
        "final_learning_rate": (float(ds["learning_rate"].values[-1]), "1", "learning rate at the end"),
        "validation_curve": variable(ds["validation_accuracy"].values, "validation", "1", "validation accuracy",
                                     coords={"validation": variable(val, "validation", "1", "iteration")}),
        "validation_loss_curve": variable(ds["validation_loss"].values, "validation", "1",
                                          "validation cross-entropy loss",
                                          coords={"validation": variable(val, "validation", "1", "iteration")}),
    }
    write_result("eprop_evidence", values, protocols=["eprop"],
                 config={"protocol": "eprop", "overrides": over, "backend": "cpp_standalone", "seed": args.seed,
                         "equivalent_command": "workbench run eprop --set task=evidence"},
                 how_chosen=ds.attrs["how_chosen"],
                 notes=f"early stop at iteration {ds.attrs['early_stop_iteration']} (0: none); "
                       f"learning rates used: {sorted(set(np.round(ds['learning_rate'].values, 6)), reverse=True)}")
    print(f"test accuracy {float(ds['test_accuracy']):.3f}, validation {float(ds['validation_accuracy_chosen']):.3f}, "
          f"{int(ds['iterations_trained'])} iterations (kept {int(ds['chosen_iteration'])}), "
          f"{float(ds['sim_cpu_time_total']):.0f} CPU-s")


if __name__ == "__main__":
    sys.exit(main())
