"""Bounded memory at real sizes: Diehl & Cook trained on Fashion-MNIST, deployed on the simulated chip.

    nice -n 10 python benchmarks/memory_hardware.py [--n-train 8000] [--n-assign 1000] [--n-test 2000]
        [--workdir /tmp/memory_hardware]

1. ``workbench run stdp-digits --set dataset=fashion-mnist --set n_train=N --set epochs=1 --set n_test=2000``
   (kept in --workdir and reused if present);
2. ``workbench run hardware --set source=THAT --set n_test=2000 --set n_assign=M`` (Loihi, 8-bit).

Each step runs as its own process under ``/usr/bin/time -f %M``: its peak resident memory (the
largest of the Python process and the standalone program), compared with the protocol's own
estimate (``memory_estimate_bytes`` in its archive, :mod:`workbench.experiments.memory`).
Before the issue-16 chunking, step 2 asked for a float64 array of n_assign x 700 ticks x 784
inputs at once (32.7 GiB at 8,000 images).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402

from workbench.protocol import load_protocol  # noqa: E402


def measured(cmd, log):
    """Run ``cmd`` under /usr/bin/time; return (peak RSS bytes, wall s)."""
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        rc = subprocess.call(["/usr/bin/time", "-f", "MAXRSS_KB %M"] + cmd, stdout=fh, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    text = Path(log).read_text()
    if rc != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {rc}); see {log}")
    kb = [int(line.split()[1]) for line in text.splitlines() if line.startswith("MAXRSS_KB")]
    return kb[-1] * 1024, wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-train", type=int, default=8000)
    ap.add_argument("--n-assign", type=int, default=1000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--workdir", default="/tmp/memory_hardware")
    ap.add_argument("--source", help="an existing stdp-digits archive (training is not run again)")
    ap.add_argument("--train-log", help="/usr/bin/time -v log of the run that made --source (its peak RSS)")
    a = ap.parse_args(argv)
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    wb = [sys.executable, "-m", "workbench.cli", "run", "--quiet"]
    train_cmd = ["stdp-digits", "--set", "dataset=fashion-mnist", "--set", f"n_train={a.n_train}", "--set",
                 "epochs=1", "--set", f"n_test={a.n_test}"]
    src = Path(a.source) if a.source else work / f"dc_fmnist_{a.n_train}.nc"
    train_rss = train_wall = float("nan")
    if not src.exists():
        train_rss, train_wall = measured(wb + train_cmd + ["--out", str(src)], work / "train.log")
    if a.train_log:
        lines = Path(a.train_log).read_text().splitlines()
        train_rss = int([ln.split(":")[1] for ln in lines if "Maximum resident set size" in ln][-1]) * 1024
        wall = [ln.split("):")[1].strip() for ln in lines if "Elapsed (wall clock) time" in ln][-1]
        train_wall = sum(float(x) * 60**k for k, x in enumerate(reversed(wall.split(":"))))
    dc = xr.open_dataset(src, engine="h5netcdf")
    train_est = float(dc.attrs.get("memory_estimate_bytes", float("nan")))
    if train_est != train_est:  # made before the estimate was recorded: the protocol's own function
        proto = load_protocol("stdp-digits")
        train_est = proto.memory(proto.resolve(json.loads(dc.attrs["config"]))).bytes
    dc_acc = float(dc["test_accuracy"])
    dc.close()
    hw_out = work / "hw.nc"
    hw_cmd = ["hardware", "--set", f"source={src}", "--set", f"n_test={a.n_test}", "--set", f"n_assign={a.n_assign}"]
    hw_rss, hw_wall = measured(wb + hw_cmd + ["--out", str(hw_out)], work / "hardware.log")
    hw = xr.open_dataset(hw_out, engine="h5netcdf")
    hw_est = float(hw.attrs["memory_estimate_bytes"])
    values = {
        "n_train": (a.n_train, "1", "Fashion-MNIST training images (one epoch)"),
        "n_assign": (a.n_assign, "1", "training images for the chip's class assignment"),
        "n_test": (a.n_test, "1", "test images deployed"),
        "deploy_peak_rss": (hw_rss / 2**30, "GiB", "peak resident memory of workbench run hardware"),
        "deploy_estimate": (hw_est / 2**30, "GiB", "its estimate before the run (memory_estimate_bytes)"),
        "deploy_ratio": (hw_rss / hw_est, "1", "measured over estimated peak memory, hardware"),
        "deploy_wall": (hw_wall / 60, "min", "wall time of workbench run hardware"),
        "chip_accuracy": (float(hw["test_accuracy"]), "1", "chip test accuracy (Loihi, 8-bit)"),
        "float_accuracy": (float(hw["float_accuracy"]), "1", "float reference test accuracy"),
        "brian2_accuracy": (dc_acc, "1", "Brian2 test accuracy of the trained network"),
        "train_peak_rss": (train_rss / 2**30, "GiB", "peak resident memory of workbench run stdp-digits"),
        "train_estimate": (train_est / 2**30, "GiB", "its estimate before the run"),
        "train_ratio": (train_rss / train_est, "1", "measured over estimated peak memory, stdp-digits"),
        "train_wall": (train_wall / 60, "min", "wall time of workbench run stdp-digits"),
    }
    hw.close()
    for k, (v, u, _) in values.items():
        print(f"{k:<18} {v:.4g} {u}")
    write_result("memory_hardware", values, protocols=["stdp-digits", "hardware"],
                 config={"n_train": a.n_train, "n_assign": a.n_assign, "n_test": a.n_test, "dataset": "fashion-mnist",
                         "chip": "loihi", "weight_bits": 8, "cpu_threads": 1, "nice": os.getpriority(0, 0)},
                 how_chosen="nothing chosen: sizes fixed by issue 16 (n_assign lowered for time, see notes)",
                 notes="peak RSS from /usr/bin/time %M (the largest of the process and its standalone child)",
                 command=" ".join(["python benchmarks/memory_hardware.py", f"--n-train {a.n_train}",
                                   f"--n-assign {a.n_assign}", f"--n-test {a.n_test}"]))


if __name__ == "__main__":
    main()
