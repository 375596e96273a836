"""Converted ReLU networks (protocol convert): SNN against ANN at 50 and 200 time steps, 8-bit
deployment on the Loihi-like chip, test images per second in standalone at 100 steps.

Two data sets: Fashion-MNIST (784-H-10, issue 13: H = 500) and the beats of MIT-BIH record 100
(1-s windows at 360 Hz as 360-value feature vectors, the record's first half of beats trains, the
second half tests; 360-H-classes).  Per data set:

1. ``workbench run convert`` (cpp_standalone, one thread, constant-current input, 99.9th-percentile
   and max normalisation, 200 steps, accuracy every 5 steps) on the whole test set;
2. ``workbench run hardware --set source=... --set weight_bits=8`` on the first ``--hw-n-test`` test
   samples (rate-coded input, the source's 200 ticks; float reference and 8-bit chip);
3. the archive's network re-run on every test sample for 100 steps in one standalone build (one
   thread): test samples per wall-clock second of the run, and per CPU second of the compiled
   program (re-run once; the machine is shared, so CPU time is the number that does not depend
   on the load).

    python benchmarks/convert_accuracy.py                     # the issue's sizes (all 60k / 10k images)
    python benchmarks/convert_accuracy.py --fashion-n-train 10000 --fashion-n-test 2000 --hw-n-test 100
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402  (benchmarks/ is not a package)

from workbench.networks.converted import network_from_dataset, simulate  # noqa: E402
from workbench.protocol import run  # noqa: E402

MITDB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mitdb"


def _cpu_of_rerun(build_dir):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["./main"], cwd=build_dir, check=True, capture_output=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def one(tag, overrides, hw_n_test, folder, values, config):
    path = Path(folder) / f"{tag}.nc"
    base = dict(steps=200, record_every=5, normalisation=["percentile", "max"], input="current")
    ds = run("convert", {**base, **overrides}, backend="cpp_standalone", out=path, progress=False)
    acc = ds["accuracy_vs_steps_by_normalisation"]
    ann = float(ds["ann_accuracy"])
    n_test = int(ds.sizes["test_sample"])
    for norm in ("percentile", "max"):
        for T in (50, 200):
            a = float(acc.sel(normalisation=norm, steps=T))
            nm = "" if norm == "percentile" else "_max"
            values[f"{tag}_snn{nm}_accuracy_{T}"] = (a, "1", f"{tag}: SNN test accuracy after {T} steps ({norm})")
            if norm == "percentile":
                values[f"{tag}_gap_{T}"] = (ann - a, "1", f"{tag}: ANN minus SNN accuracy after {T} steps")
    values[f"{tag}_ann_accuracy"] = (ann, "1", f"{tag}: ANN test accuracy")
    values[f"{tag}_n_test"] = (n_test, "1", f"{tag}: test samples")
    values[f"{tag}_n_train"] = (int(ds["n_train_samples"]), "1", f"{tag}: training samples (validation included)")
    sizes = json.loads(ds.attrs["sizes"])
    values[f"{tag}_n_input"] = (sizes[0], "1", f"{tag}: input features")
    values[f"{tag}_n_hidden"] = (sizes[1], "1", f"{tag}: neurons of the first hidden layer")
    values[f"{tag}_n_hidden_layers"] = (len(sizes) - 2, "1", f"{tag}: hidden layers")
    values[f"{tag}_spikes_per_inference"] = (float(ds["spikes_per_inference"]), "1",
                                             f"{tag}: spikes per inference, 200 steps")
    values[f"{tag}_synops_per_inference"] = (float(ds["synops_per_inference"]), "1",
                                             f"{tag}: synaptic operations per inference, 200 steps")
    values[f"{tag}_ann_macs_per_inference"] = (float(ds["ann_macs_per_inference"]), "1", f"{tag}: ANN MACs")
    config[tag] = dict(overrides, sizes=ds.attrs["sizes"], ann_epochs=int(ds.attrs["ann_iterations"]))
    # 8-bit deployment
    hw = run("hardware", dict(source=str(path), weight_bits=8, n_test=hw_n_test), backend="numpy", progress=False)
    for k, long in (("test_accuracy", "8-bit chip test accuracy"), ("float_accuracy", "chip float reference "
                    "accuracy (rate-coded input)"), ("energy_per_inference", "energy per inference (8 bits)"),
                    ("latency_per_inference", "latency per inference (8 bits)")):
        values[f"{tag}_hw_{k}"] = (float(hw[k]), hw[k].attrs["units"], f"{tag}: {long}")
    values[f"{tag}_hw_n_test"] = (int(hw.sizes["test_image"]), "1", f"{tag}: test samples on the chip")
    values[f"{tag}_hw_snn_accuracy"] = (float((ds["prediction"].values[:hw_n_test] == ds["label"].values[:hw_n_test])
                                              .mean()), "1", f"{tag}: Brian2 SNN accuracy on the chip's test samples")
    # speed at 100 steps
    net = network_from_dataset(ds)
    X = np.asarray(ds["test_input"].values, float)
    r = simulate([net], X, 100, input="current", record_every=100, backend="cpp_standalone", seed=1, threads=1)[0]
    cpu = _cpu_of_rerun(r.build_dir)
    values[f"{tag}_images_per_second"] = (len(X) / r.wall_run, "1/s", f"{tag}: test samples per wall-clock second, "
                                          "100 steps, standalone, one thread (run only)")
    values[f"{tag}_images_per_cpu_second"] = (len(X) / cpu, "1/s", f"{tag}: test samples per CPU second of the "
                                              "compiled program, 100 steps")
    values[f"{tag}_build_s"] = (r.wall_build, "s", f"{tag}: standalone compile time (speed run)")
    print(tag, {k: v[0] for k, v in values.items() if k.startswith(tag)}, flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--fashion-hidden", default="500")
    p.add_argument("--fashion-n-train", type=int, default=-1)
    p.add_argument("--fashion-n-test", type=int, default=-1)
    p.add_argument("--beats-hidden", default="100")
    p.add_argument("--hw-n-test", type=int, default=200)
    p.add_argument("--only", choices=("fashion", "beats"), default=None)
    a = p.parse_args(argv)
    values, config = {}, {"hw_n_test": a.hw_n_test}

    def record():  # after each data set, so a finished part is kept if a later one is stopped
        write_result("convert_accuracy", values, config=config, protocols=["convert", "hardware"],
                     how_chosen="nothing chosen on test data: MLP early stopping on a 10% validation split of the "
                                "training data; normalisation from training activations; sizes fixed in advance")

    with tempfile.TemporaryDirectory(prefix="convert-bench-") as folder:
        if a.only in (None, "beats"):
            one("beats", dict(dataset=f"mitdb:{MITDB}", records=["100"], hidden=a.beats_hidden, balance="oversample"),
                a.hw_n_test,
                folder, values, config)
            record()
        if a.only in (None, "fashion"):
            one("fashion", dict(dataset="fashion-mnist", hidden=a.fashion_hidden, n_train=a.fashion_n_train,
                                n_test=a.fashion_n_test), a.hw_n_test, folder, values, config)
            record()


if __name__ == "__main__":
    main()
