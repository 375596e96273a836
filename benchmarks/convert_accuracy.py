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
    python benchmarks/convert_accuracy.py --keep DIR   # convert archives kept in DIR, reused when their
                                                       # configuration, seed, backend and sources match

``--keep`` lets the long step 1 (the MLP on all 60,000 images) be reused by a later run of steps 2 and 3
after a change to the deployment code; a kept archive is reused only if its configuration hash, seed,
backend and the hashes of its science sources are those of this checkout (otherwise it is made again).
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
from workbench.archive import open_archive  # noqa: E402
from workbench.protocol import load_protocol, run  # noqa: E402
from workbench.sources import changed_sources, science_sources, source_hashes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

MITDB = ROOT.parent / "shared" / "data" / "mitdb"


def _cpu_of_rerun(build_dir):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["./main"], cwd=build_dir, check=True, capture_output=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def _convert_sources():
    return source_hashes(science_sources([ROOT / "protocols" / "convert.py"], ROOT), ROOT)


def _reusable(path, params):
    """The kept convert archive at ``path`` if it was made from ``params`` by this checkout's sources
    (recorded beside it in ``path.sources.json``)."""
    sidecar = path.with_suffix(".sources.json")
    if not (path.is_file() and sidecar.is_file()):
        return None
    ds = open_archive(path)
    changed = changed_sources(json.loads(sidecar.read_text()), ROOT)
    same = (not changed and ds.attrs.get("config_hash") == load_protocol("convert").resolve(params).hash()
            and int(ds.attrs.get("seed", -1)) == 0 and ds.attrs.get("backend") == "cpp_standalone"
            and ds.attrs.get("status") == "complete")
    print(f"{path}: {'reused' if same else 'made again (configuration or sources differ: ' + str(changed) + ')'}",
          flush=True)
    return ds if same else None


def one(tag, overrides, hw_n_test, folder, values, config):
    path = Path(folder) / f"{tag}.nc"
    params = dict(steps=200, record_every=5, normalisation=["percentile", "max"], input="current", **overrides)
    ds = _reusable(path, params)
    if ds is None:
        path.unlink(missing_ok=True)
        hashes = _convert_sources()
        ds = run("convert", params, backend="cpp_standalone", out=path, progress=False)
        path.with_suffix(".sources.json").write_text(json.dumps(hashes))
    config[f"{tag}_convert_archive"] = dict(config_hash=ds.attrs["config_hash"], end_time=ds.attrs["end_time"],
                                            wall_time_s=float(ds.attrs["wall_time_s"]))
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
    p.add_argument("--keep", default="", help="folder for the convert archives, reused when still valid")
    a = p.parse_args(argv)
    values, config = {}, {"hw_n_test": a.hw_n_test}

    def record():  # after each data set, so a finished part is kept if a later one is stopped
        write_result("convert_accuracy", values, config=config, protocols=["convert", "hardware"],
                     how_chosen="nothing chosen on test data: MLP early stopping on a 10% validation split of the "
                                "training data; normalisation from training activations; sizes fixed in advance")

    with tempfile.TemporaryDirectory(prefix="convert-bench-") as tmp:
        folder = a.keep or tmp
        Path(folder).mkdir(parents=True, exist_ok=True)
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
