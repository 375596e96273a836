"""The validation study that chose the liquid of the JapaneseVowels comparison (``bio_study.py jv``),
on the 270 training utterances only: the test utterances are not read.

The training utterances are written to a UEA ``.ts`` file (``--workdir``) and every variant runs
``workbench run biosignal`` on it with 3-fold stratified cross-validation, 2 repeats (new liquid and
folds), the raw-signal and input-spike baselines beside the LSM, rate encoding (at 100 Hz unless a
variant says otherwise).  Unequal utterances (7 to 29 points) are zero-padded to the longest unless a
variant resamples every one to ``n_time`` points.  Within each fold the LSM's grid is chosen by inner
CV as usual; across variants, the one with the best mean validation accuracy of the LSM sets the
study's command.  A variant whose archive is
already in ``--workdir`` is read, not run again (the study takes about 56 minutes on one core with the
default backend, cpp_standalone; on numpy it took about 10 minutes per 540-neuron variant).

    python benchmarks/bio_jv_validation.py --workdir /tmp/jv-validation

A logistic readout of the liquid (``--set readout=logistic``) was tried too and stopped after 23
minutes of its first variant: scikit-learn's cross-validated logistic regression on ~2,000 liquid
features per candidate was too slow for a grid; it is not among the variants.
"""
import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402

from workbench.protocol import run  # noqa: E402

BASE = dict(fs_data="100Hz", encoder="rate", cv="stratified", cv_folds=3, repeats=2, baselines="raw,input")
TAUS = "10ms,30ms,100ms"
V6 = dict(grid_tau_readout=TAUS, grid_weight_scale="0.5,1", shape="15,6,6")
MODELS = ("lsm", "raw", "input")  # the models compared in every variant (BASE's baselines beside the LSM)
#: name -> (what it changes, the parameters on top of BASE)
VARIANTS = {
    "v0": ("the study's earlier settings (135 neurons; input scale by inner CV)", {}),
    "v1": ("+ readout time constant 10/30/100 ms by inner CV", dict(grid_tau_readout=TAUS)),
    "v2": ("v1 with max_rate 800 Hz", dict(grid_tau_readout=TAUS, max_rate="800Hz")),
    "v4": ("v1 with max_rate 100 Hz", dict(grid_tau_readout=TAUS, max_rate="100Hz")),
    "v5": ("v1 + recurrent weight scale 0.5/1/2 by inner CV", dict(grid_tau_readout=TAUS,
                                                                    grid_weight_scale="0.5,1,2")),
    "v6": ("15 x 6 x 6 liquid (540 neurons), weight scale 0.5/1, tau 10/30/100 ms", V6),
    "v7": ("v1 + recurrent weight scale 0.125/0.25/0.5 by inner CV", dict(grid_tau_readout=TAUS,
                                                                           grid_weight_scale="0.125,0.25,0.5")),
    "v8": ("v6 presented at 200 Hz (130-ms utterances; no rate above the sample rate)", dict(V6, fs="200Hz")),
    "v9": ("v6 with every utterance resampled to 52 points at 200 Hz (260 ms)", dict(V6, fs="200Hz", n_time=52)),
    "v10": ("v6 with every utterance resampled to 26 points at 100 Hz (260 ms)", dict(V6, n_time=26)),
}


def write_training_ts(path: Path) -> Path:
    """JapaneseVowels' 270 training utterances (aeon's copy) as a UEA ``.ts`` file."""
    import aeon.datasets as ad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X, y = ad.load_japanese_vowels(split="train")
    lines = ["@problemName JVtrain", "@timeStamps false", "@missing false", "@univariate false", "@dimensions 12",
             "@equalLength false", "@classLabel true " + " ".join(sorted(set(y))), "@data"]
    for x, lab in zip(X, y):
        lines.append(":".join(",".join(repr(float(v)) for v in ch) for ch in np.asarray(x, float)) + ":" + lab)
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", default="/tmp/jv-validation")
    ap.add_argument("--backend", default="cpp_standalone")
    a = ap.parse_args(argv)
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    ts = write_training_ts(work / "JVtrain.ts")
    acc = np.full((len(VARIANTS), len(MODELS)), np.nan)
    for i, (name, (what, extra)) in enumerate(VARIANTS.items()):
        out = work / f"{name}.nc"
        if not out.exists():
            run("biosignal", dict(BASE, dataset=f"ucr:{ts}", **extra), backend=a.backend, seed=0, out=str(out),
                progress=True)
        with xr.open_dataset(out) as ds:
            acc[i] = [float(ds["accuracy"].sel(model=m)) for m in MODELS]
        print(f"{name}: {what}: " + ", ".join(f"{m} {x:.4f}" for m, x in zip(MODELS, acc[i])))
    names = list(VARIANTS)
    best = names[int(np.argmax(acc[:, 0]))]
    da = xr.DataArray(acc, dims=("variant", "model"), coords={"variant": names, "model": list(MODELS)},
                      attrs={"units": "1", "long_name": "validation accuracy (3-fold CV on the training utterances, "
                             "2 repeats)"})
    values = {"validation_accuracy": da}
    for i, name in enumerate(names):  # one scalar per variant and model (BENCHMARKS.md reads scalars)
        for j, m in enumerate(MODELS):
            values[f"{m}_{name}"] = (float(acc[i, j]), "1", f"validation accuracy, {m}, {name}: {VARIANTS[name][0]}")
    write_result("bio_jv_validation", values, protocols=["biosignal"],
                 config=dict(BASE, backend=a.backend, seed=0, variants={k: v[1] for k, v in VARIANTS.items()}),
                 how_chosen="validation only: 3-fold CV on JapaneseVowels' 270 training utterances; the test "
                            "utterances are not read", notes=f"best variant: {best}: {VARIANTS[best][0]}")
    print(f"best: {best}")


if __name__ == "__main__":
    sys.exit(main())
