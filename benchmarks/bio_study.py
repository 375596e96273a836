"""Comparison studies of the biosignal protocol: the LSM (its settings chosen by inner CV on the
training samples) against the raw-signal logistic regression, the readout of the input spikes and
MiniRocket, over the same folds and several seeds, with paired statistics.  Each preset runs
``workbench run biosignal`` once (through :func:`workbench.protocol.run`) and writes
``benchmarks/results/bio_PRESET.nc`` with :func:`_record.write_result`; the protocol's own archive
goes to ``--out`` (for the figure: ``python figures/biosignal_study.py ARCHIVE``).

Presets (the data at hand offline):

``jv``
    JapaneseVowels (aeon; the standard split, 270 train / 370 test speakers' utterances, 12 LPC
    channels), rate encoding, every utterance resampled to 52 points presented at 200 Hz, a 15 x 6
    x 6 liquid with recurrent weight scale 0.5/1 and readout time constant 10/30/100 ms chosen by
    inner CV (variant v9 of ``bio_jv_validation.py``, chosen on the training utterances); 5 repeats
    (liquid, readout, MiniRocket seeds) on the fixed split.
``mitdb100``
    MIT-BIH record 100 (N vs S), RR intervals beside the morphology, 5 contiguous time segments
    (one tested per fold) -- record-wise, as only record 100 is at hand.
``myo``
    Myo armband EMG, 8 gestures, leave one participant out (3 folds); a random subset of
    ``--max-samples`` windows to fit the shared machine (0: all 7,211).

    nice -n 10 python benchmarks/bio_study.py jv --out /tmp/jv.nc
    nice -n 10 python benchmarks/bio_study.py mitdb100 --set chunk=1135 --set n_readout=5 --set grid_input_scale=1 \
        --set shape=15,6,6 --set grid_weight_scale=0.5,1 --set grid_tau_readout=10ms,30ms,100ms --out /tmp/m100.nc
    nice -n 10 python benchmarks/bio_study.py myo --max-samples 1800 --set chunk=900 --out /tmp/myo.nc
"""
import argparse
import sys
from pathlib import Path

import numpy as np
from brian2 import Hz

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import ROOT, write_result  # noqa: E402

from workbench.params import format_value  # noqa: E402
from workbench.protocol import run  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PRESETS = {
    "jv": dict(dataset="aeon:JapaneseVowels", encoder="rate", fs=200 * Hz, n_time=52, shape="15,6,6",
               grid_weight_scale="0.5,1", grid_tau_readout="10ms,30ms,100ms", repeats=5),
    "mitdb100": dict(dataset=f"mitdb:{DATA / 'mitdb'}", records=("100",), cv="segments", cv_folds=5, repeats=1),
    "myo": dict(dataset=f"myo:{DATA / 'emg-myo'}", repeats=1),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("preset", choices=sorted(PRESETS))
    p.add_argument("--out", default=None, help="the protocol's archive (default: none kept)")
    p.add_argument("--backend", default="cpp_standalone")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=0, help="override the preset's repeats")
    p.add_argument("--max-samples", type=int, default=0, help="random subset of samples (0: all)")
    p.add_argument("--set", action="append", default=[], help="KEY=VALUE protocol parameter, repeatable")
    a = p.parse_args(argv)
    params = dict(PRESETS[a.preset])
    if a.repeats:
        params["repeats"] = a.repeats
    if a.max_samples:
        params["max_samples"] = a.max_samples
    for kv in a.set:
        k, _, v = kv.partition("=")
        params[k] = v
    ds = run("biosignal", params, backend=a.backend, seed=a.seed, out=a.out, progress=True)
    names = [str(m) for m in ds["model"].values]
    main_model = names[0]
    values = {}
    for m in names:
        values[f"accuracy_{m}"] = (float(ds["accuracy"].sel(model=m)), "1", f"test accuracy ({m}), mean over folds")
        values[f"accuracy_std_{m}"] = (float(ds["accuracy_std"].sel(model=m)), "1",
                                       f"SD of the test accuracy ({m}) over folds and repeats")
        values[f"balanced_accuracy_{m}"] = (float(ds["balanced_accuracy_by_model"].sel(model=m)), "1",
                                            f"balanced accuracy ({m})")
        if m != main_model:
            for k, what in (("difference", "mean paired accuracy difference"),
                            ("wilcoxon_p", "Wilcoxon signed-rank p"), ("ttest_p", "paired t-test p")):
                values[f"paired_{k}_{m}"] = (float(ds[f"paired_accuracy_{k}"].sel(model=m)), "1",
                                             f"{what}, {main_model} vs {m}")
        for c in ds["class_"].values:
            if str(c) in ("S", "V"):
                values[f"sensitivity_{c}_{m}"] = (float(ds["sensitivity"].sel(model=m, class_=c)), "1",
                                                  f"sensitivity of {c} beats ({m})")
                values[f"ppv_{c}_{m}"] = (float(ds["positive_predictivity"].sel(model=m, class_=c)), "1",
                                          f"positive predictivity of {c} beats ({m})")
    values["n_pairs"] = (float(ds["n_pairs"]), "1", "paired (repeat, fold) test parts")
    values["n_samples"] = (float(ds.attrs["n_samples"]), "1", "samples")
    config = {k: format_value(v) for k, v in params.items()}
    config.update(seed=a.seed, backend=a.backend, folds=ds.attrs["folds"], repeats=int(ds.attrs["repeats"]),
                  folds_lacking_class=ds.attrs["folds_lacking_class"], extra_features=ds.attrs["extra_features"],
                  chosen_lsm=";".join(np.unique(ds["chosen_lsm"].values).tolist()) if "chosen_lsm" in ds else "")
    path = write_result(f"bio_{a.preset}", values, config=config, protocols=["biosignal"],
                        how_chosen=ds.attrs["how_chosen"], notes=ds.attrs["paired_test"])
    print(path)
    for k, (v, _, _) in values.items():
        print(f"{k} = {v:.4f}")


if __name__ == "__main__":
    main()
