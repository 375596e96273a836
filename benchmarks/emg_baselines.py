"""Non-spiking baselines on the Myo EMG gestures with participants held out (leave one participant
out over the three), for the spiking models to be measured against.  Prints JSON.

Windows: :func:`workbench.datasets.myo.load_myo` with its defaults (0.25 s, no overlap, 0.75 s
skipped after each cue, rest from 0.txt: 8 classes).  Baselines, each fitted on two participants
and tested on the third:

- ``features``: per channel the mean absolute value, root mean square and waveform length of each
  window (Hudgins et al. 1993; Englehart & Hudgins 2003), standardised, then a multinomial logistic
  regression whose C is chosen from 1e-3..1e3 by inner cross-validation over the two training
  participants (one inner fold per participant, balanced accuracy).
- ``minirocket``: aeon's MiniRocketClassifier (Dempster et al. 2021; 10,000 kernels, its ridge
  regression's alpha chosen by leave-one-out on the training windows), unless ``--no-minirocket``.

``--structure`` prints instead what the window rule of the loader rests on: the time the EMG
envelope takes to reach 90 % of its level after each rest-to-gesture cue, and the sampling rate
estimated from the cue clock of every session.

    python benchmarks/emg_baselines.py                 # ../shared/data/emg-myo beside the checkout
                                                       # -> benchmarks/results/bio_emg_baselines.nc
    python benchmarks/emg_baselines.py --data DIR --no-minirocket
    python benchmarks/emg_baselines.py --structure
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from workbench.datasets.myo import CUE_PERIOD, MYO_FS, estimate_fs, find_sessions, label_runs, load_myo, read_myo_file
from workbench.datasets.splits import held_out_groups, inner_folds, make_folds
from workbench.readout import classification_metrics

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "emg-myo"
C_GRID = np.logspace(-3, 3, 7)


def emg_features(X):
    """(window, time, channel) -> (window, 3 * channel): MAV, RMS and waveform length per channel."""
    X = X - X.mean(axis=1, keepdims=True)
    mav = np.abs(X).mean(axis=1)
    rms = np.sqrt((X ** 2).mean(axis=1))
    wl = np.abs(np.diff(X, axis=1)).sum(axis=1)
    return np.hstack([mav, rms, wl])


def feature_baseline(F, y, groups, tr, te, rng, c_grid=C_GRID):
    """Logistic regression on standardised features, C by inner CV over the training participants."""
    inner = inner_folds(y, tr, groups, n_splits=len(np.unique(groups[tr])), rng=rng)
    pos = {int(i): k for k, i in enumerate(tr)}
    cv = [(np.array([pos[int(i)] for i in a]), np.array([pos[int(i)] for i in b])) for a, b in inner]
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
                          {"logisticregression__C": list(c_grid)}, cv=cv, scoring="balanced_accuracy")
    search.fit(F[tr], y[tr])
    return search.predict(F[te]), {"C": float(search.best_params_["logisticregression__C"])}


def minirocket_baseline(X, y, tr, te, seed):
    from aeon.classification.convolution_based import MiniRocketClassifier  # optional, heavy (numba)

    clf = MiniRocketClassifier(random_state=seed, n_jobs=1)
    clf.fit(X[tr].transpose(0, 2, 1), y[tr])  # aeon wants (case, channel, time)
    return clf.predict(X[te].transpose(0, 2, 1)), {}


def structure(folder):
    """Rise time of the EMG envelope after the rest-to-gesture cues, its fall time after the
    gesture-to-rest cues (to 10 % of the step, levels from the 1-4 s before / after), the level in
    the last 0.5 s before a gesture-to-rest cue over the gesture's level, and fs from the cue clock."""
    rise, fall, hold, rates = [], [], [], {}
    for participant, session, path in find_sessions(folder):
        labels = []
        for g in range(1, 8):
            emg, lab = read_myo_file(path / f"{g}.txt")
            labels.append(lab)
            x = emg - emg.mean(axis=0)
            env = np.convolve(np.sqrt((x ** 2).mean(axis=1)), np.ones(10) / 10, "same")  # 50 ms at 200 Hz
            n1, n4 = int(1 * MYO_FS), int(4 * MYO_FS)
            for label, a, b in label_runs(lab):
                if a < n4 or a + n4 > len(env):
                    continue
                before, after = np.median(env[a - n4:a - n1]), np.median(env[a + n1:a + n4])
                if label:
                    rise.append(np.argmax(env[a:a + n4] >= before + 0.9 * (after - before)) / MYO_FS)
                else:
                    fall.append(np.argmax(env[a:a + n4] <= after + 0.1 * (before - after)) / MYO_FS)
                    hold.append(np.median(env[a - n1 // 2:a]) / before)
        rates[f"{participant}-{session}"] = round(estimate_fs(labels, CUE_PERIOD), 1)
    pct = lambda v: {q: round(float(np.percentile(v, p)), 2) for q, p in  # noqa: E731
                     (("median", 50), ("q90", 90), ("q95", 95), ("max", 100))}
    return {"onset_cues": len(rise), "rise_to_90pct_s": pct(rise), "offset_cues": len(fall),
            "fall_to_10pct_s": pct(fall), "last_half_second_over_gesture_level": pct(hold),
            "fs_estimate_hz": rates}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(DEFAULT_DATA), help="folder of PARTICIPANT-SESSION folders")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-minirocket", action="store_true")
    p.add_argument("--c-grid", default=",".join(f"{c:g}" for c in C_GRID),
                   help="values of the logistic regression's C tried by the inner CV")
    p.add_argument("--structure", action="store_true", help="print the data facts behind the window rule")
    p.add_argument("--result", default=None, help="result archive name (default: bio_emg_baselines for the "
                                                  "default data folder, none for another folder)")
    a = p.parse_args(argv)
    if a.structure:
        print(json.dumps(structure(a.data), indent=1))
        return
    sset = load_myo(a.data)
    X, y, groups = np.stack(sset.samples), sset.labels, sset.groups
    F = emg_features(X)
    folds = make_folds(y, groups, method="leave-one-group-out")
    cv_seq, rocket_seq = np.random.SeedSequence(a.seed).spawn(2)
    cv_rng = np.random.default_rng(cv_seq)
    rocket_seed = int(rocket_seq.generate_state(1)[0] % 2**31)
    c_grid = [float(c) for c in a.c_grid.split(",")]
    models = {"features": lambda tr, te: feature_baseline(F, y, groups, tr, te, cv_rng, c_grid)}
    if not a.no_minirocket:
        models["minirocket"] = lambda tr, te: minirocket_baseline(X, y, tr, te, rocket_seed)
    out = {"data": str(a.data), "windows": len(y), "classes": sset.class_names, "window_s": sset.meta["window_s"],
           "seed": a.seed, "split": "leave-one-participant-out", "results": {}}
    for name, fit in models.items():
        rows = []
        for (tr, te), held in zip(folds, held_out_groups(folds, groups)):
            t0 = time.perf_counter()
            pred, extra = fit(tr, te)
            m = classification_metrics(y[te], pred, np.arange(len(sset.class_names)))
            rows.append({"held_out": str(held[0]), "n_test": int(len(te)), "accuracy": round(m["accuracy"], 4),
                         "balanced_accuracy": round(m["balanced_accuracy"], 4),
                         "seconds": round(time.perf_counter() - t0, 1), **extra})
        out["results"][name] = {"folds": rows,
                                "mean_accuracy": round(float(np.mean([r["accuracy"] for r in rows])), 4),
                                "mean_balanced_accuracy": round(float(np.mean([r["balanced_accuracy"] for r in rows])), 4)}
    print(json.dumps(out, indent=1))
    name = a.result if a.result is not None else ("bio_emg_baselines" if Path(a.data) == DEFAULT_DATA else "")
    if name:
        record(name, out, a)


def record(name, out, a):
    """``benchmarks/results/NAME.nc`` with the mean and per-participant accuracies of every baseline."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _record import write_result  # the benchmarks' archive writer, beside this script

    values = {"windows": (float(out["windows"]), "1", "windows (all participants)")}
    for model, res in out["results"].items():
        values[f"accuracy_{model}"] = (res["mean_accuracy"], "1", f"test accuracy ({model}), mean over held-out "
                                       "participants")
        values[f"balanced_accuracy_{model}"] = (res["mean_balanced_accuracy"], "1", f"balanced accuracy ({model})")
        for f in res["folds"]:
            values[f"accuracy_{model}_{f['held_out']}"] = (f["accuracy"], "1",
                                                           f"test accuracy ({model}), participant {f['held_out']} held out")
    write_result(name, values, config={"data": out["data"], "seed": a.seed, "c_grid": a.c_grid,
                                       "split": out["split"], "window_s": out["window_s"]},
                 how_chosen="logistic regression C by inner CV over the training participants (one inner fold per "
                            "participant, balanced accuracy); MiniRocket's ridge alpha by leave-one-out on the "
                            "training windows; nothing chosen on the held-out participant")


if __name__ == "__main__":
    main()
