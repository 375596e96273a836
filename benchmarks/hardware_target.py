"""Trained for the chip vs converted after training: a Diehl & Cook network trained on Loihi's model
(``workbench run stdp-digits --set target=loihi``) deployed on the Loihi preset and on a PCM crossbar, beside
the Brian2-trained network on the same crossbar (its Loihi rows: ``benchmarks/hardware_dc.py``).

    nice -n 10 python benchmarks/hardware_target.py CHIP.nc DC.nc [--n-test 450] [--n-assign -1]
        [--result hardware_target]

CHIP.nc: ``workbench run stdp-digits --set target=loihi --set target_bits=8 --set epochs=1``; DC.nc: the
Brian2 archive (``workbench run stdp-digits``).  The hardware protocol (``protocols/hardware.py``) deploys
each at 8 bits on Loihi (``float_accuracy``: the network's own float model, float64 with exact decays) and
on PCM one day after programming (compensated), on the same test images.  The chip-trained network on
Loihi at its own 8 bits is the integer network it learned as (rebuilt from the archive's record,
:func:`workbench.hardware.deploy.rebuild_trained`): with the training run's seed, ``--n-test`` and
``--n-assign`` it gives that run's test spike counts, so the loss against its own run is 0.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target")
    ap.add_argument("posthoc")
    ap.add_argument("--n-test", type=int, default=450)
    ap.add_argument("--n-assign", type=int, default=-1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--result", default="hardware_target")
    a = ap.parse_args(argv)

    from workbench.archive import open_archive
    from workbench.protocol import run

    common = dict(n_test=a.n_test, n_assign=a.n_assign)
    values = {"n_test": (a.n_test, "1", "test images")}
    src = open_archive(a.target)
    values["target_source_accuracy"] = (float(src["test_accuracy"]), "1", "accuracy of the chip-trained network "
                                        "in its own training run (Loihi model, its own input draws)")
    values["target_train_presentations"] = (float(src["train_presentations"]), "1", "training presentations")
    values["target_time_per_train_image"] = (float(src["time_per_train_image"]), "ms", "wall time per training "
                                             "image on the AER simulator")
    lo = run("hardware", dict(common, source=a.target, chip="loihi", weight_bits=8), seed=a.seed, progress=False)
    values["target_float_accuracy"] = (float(lo["float_accuracy"]), "1", "chip-trained network, its own float "
                                       "model (float64)")
    values["target_loihi8_accuracy"] = (float(lo["test_accuracy"]), "1", "chip-trained network on Loihi, 8 bits")
    values["target_loihi8_loss"] = (float(lo["accuracy_loss"]), "1", "its float model minus Loihi 8 bits")
    own = float(src["test_accuracy"])
    same = len(src["prediction"]) == len(lo["prediction"])
    values["target_loihi8_loss_own_run"] = (own - float(lo["test_accuracy"]), "1", "its own training run "
                                            "minus Loihi 8 bits (the network it learned as, rebuilt)")
    values["target_loihi8_agreement_own_run"] = (
        float((lo["prediction"].values == src["prediction"].values).mean()) if same else float("nan"), "1",
        "fraction of test images classified as in its own training run (same images, seed and streams)")
    values["target_loihi8_energy"] = (float(lo["energy_per_inference"]), "J", "energy per inference on Loihi")
    ph = run("hardware", dict(common, source=a.posthoc, chip="loihi", weight_bits=8), seed=a.seed, progress=False)
    dc = open_archive(a.posthoc)
    n = min(a.n_test, len(dc["prediction"]))
    values["posthoc_source_accuracy"] = (float((dc["prediction"].values[:n] == dc["label"].values[:n]).mean()), "1",
                                         "Brian2-trained network in its own run (Brian2), on the same first test "
                                         "images (classes assigned in that run)")
    values["posthoc_float_accuracy"] = (float(ph["float_accuracy"]), "1", "Brian2-trained network, its float model "
                                        "(conductance synapses, float64)")
    values["posthoc_chip_float_accuracy"] = (float(ph["chip_float_accuracy"]), "1", "Brian2-trained network, "
                                             "Loihi's arithmetic in float64 (currents at threshold)")
    values["posthoc_loihi8_accuracy"] = (float(ph["test_accuracy"]), "1", "Brian2-trained network on Loihi, 8 bits")
    values["posthoc_loihi8_loss"] = (float(ph["accuracy_loss"]), "1", "its float model minus Loihi 8 bits")
    for name, path in (("target", a.target), ("posthoc", a.posthoc)):
        xb = run("hardware", dict(common, source=path, chip="pcm", drift_time=86400.0, compare_chips=""),
                 seed=a.seed, progress=False)
        values[f"{name}_pcm_accuracy"] = (float(xb["test_accuracy"]), "1", f"{name} network on PCM, 1 day after "
                                          "programming (compensated)")
        values[f"{name}_pcm_float_accuracy"] = (float(xb["float_accuracy"]), "1", f"{name} network, float model "
                                                "on the crossbar's test inputs")
        values[f"{name}_pcm_energy"] = (float(xb["energy_per_inference"]), "J", f"{name} network on PCM: energy "
                                        "per inference")
    write_result(a.result, values, config=dict(target=a.target, posthoc=a.posthoc, n_test=a.n_test,
                                               n_assign=a.n_assign, seed=a.seed,
                                               target_config=src.attrs.get("config", ""),
                                               target_loihi8_network=lo.attrs.get("network", "")),
                 protocols=["hardware", "stdp-digits"],
                 how_chosen="nothing chosen on the test images: classes assigned from training images; fixed "
                            "presets, 8 bits")


if __name__ == "__main__":
    main()
