"""The biosignal protocol as a comparison study (issue 15): subject-wise folds by default (Myo
participants, EDF subjects), rare classes warned about and named in the archive, UCR files without a
rate refused, RR-interval features, choices by inner CV on training samples only, repeats with
paired statistics."""
import warnings

import numpy as np
import pytest
from brian2 import Hz, ms
from scipy import stats

from workbench.datasets.biosignal import DatasetError
from workbench.datasets.mitdb import rr_features
from workbench.datasets.splits import RareClassWarning
from workbench.experiments import biosignal as bio
from workbench.experiments.biosignal_eval import paired_statistics, segment_folds
from workbench.protocol import run

FAST = {"n_readout": 2, "dt": 0.5 * ms, "shape": [3, 3, 3], "grid_input_scale": (), "grid_readout_input": (),
        "minirocket_kernels": 84, "baselines": ("raw", "input")}


def nearest_mean(data, params, ctx):
    counts = np.array([s.counts() for s in data.spikes], float)
    preds = []
    for tr, te in data.folds:
        present = np.unique(data.labels[tr])
        means = np.array([counts[tr][data.labels[tr] == c].mean(0) for c in present])
        preds.append(present[np.argmin(((counts[te, None, :] - means[None]) ** 2).sum(-1), axis=1)])
    return bio.ModelResult(predictions=preds)


@pytest.fixture
def nm_model():
    bio.register_model("nearest_mean", nearest_mean, replace=True)
    yield "nearest_mean"
    bio.MODELS.pop("nearest_mean", None)


def test_paired_statistics_match_scipy():
    rng = np.random.default_rng(0)
    a = rng.uniform(0.8, 0.9, 8)
    b = a - rng.uniform(0.0, 0.05, 8)
    st = paired_statistics(np.array([a, b, a]), ["lsm", "raw", "same"], "lsm")
    assert np.isnan(st["mean"][0]) and st["mean"][1] == pytest.approx(np.mean(a - b))
    assert st["wilcoxon_p"][1] == pytest.approx(stats.wilcoxon(a, b).pvalue)
    assert st["ttest_p"][1] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert st["wilcoxon_p"][2] == 1.0 and st["mean"][2] == 0.0  # identical scores: no difference


def test_segment_folds_are_contiguous_blocks_of_every_record():
    groups = np.repeat([100, 101], [10, 7])
    folds = segment_folds(groups, 3)
    assert sorted(np.concatenate([te for _, te in folds]).tolist()) == list(range(17))
    assert folds[0][1].tolist() == [0, 1, 2, 3, 10, 11, 12]  # the first third of each record


def test_rr_features_previous_next_local_record():
    t = np.array([0.0, 1.0, 2.0, 2.5, 3.5, 4.5])  # a premature beat at 2.5 s
    f = rr_features(t)
    assert f[3, 0] == pytest.approx(0.5) and f[3, 1] == pytest.approx(1.0)  # short before, compensatory after
    assert f[0, 0] == f[0, 1] == pytest.approx(1.0) and np.allclose(f[:, 3], 0.9)
    assert np.all((f[:, 2] > 0.5) & (f[:, 2] < 1.0))


def _ucr(path, counts, length=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(1, len(counts) + 1), counts)
    X = np.sin(np.linspace(0, 6, length)[None] * y[:, None]) + 0.1 * rng.normal(size=(len(y), length))
    path.write_text("\n".join("\t".join([str(lab)] + [f"{v:.4f}" for v in row]) for lab, row in zip(y, X)))
    return path


def test_rare_class_warns_goes_on_and_is_named(tmp_path, nm_model):
    # ECG5000-like: a class of 2 samples with cv_folds=5; scikit-learn warns and makes the folds, the
    # archive names the folds whose test part lacks the class (before issue 15: refused)
    path = _ucr(tmp_path / "Rare.tsv", [10, 10, 2])
    with pytest.warns(Warning, match="least populated class|lacks"):
        ds = run("biosignal", dict(FAST, dataset=f"ucr:{path}", model=nm_model, fs=250 * Hz), backend="numpy",
                 progress=False)
    assert ds.sizes["fold"] == 5 and "test lacks 3" in ds.attrs["folds_lacking_class"]
    counts = ds["fold_class_count"].values  # (fold, part, class)
    assert counts.shape == (5, 2, 3) and (counts[:, 1, 2] == 0).sum() == 3 and int(counts[:, 1].sum()) == 22


def test_ucr_without_rate_is_refused_and_sample_duration_is_stated(tmp_path, nm_model):
    path = _ucr(tmp_path / "Beats_TRAIN.tsv", [8, 8], length=140)
    with pytest.raises(DatasetError, match="no sampling rate.*fs_data"):
        run("biosignal", dict(FAST, dataset=f"ucr:{path}", model=nm_model), backend="numpy", progress=False)
    ds = run("biosignal", dict(FAST, dataset=f"ucr:{path}", model=nm_model, sample_duration=500 * ms, cv_folds=2),
             backend="numpy", progress=False)
    assert float(ds["sample_duration"]) == pytest.approx(500.0) and float(ds["fs_presented"]) == pytest.approx(280.0)
    assert "sample_duration=0.5 s" in ds.attrs["fs_from"]


def test_myo_defaults_hold_participants_out(tmp_path, nm_model):
    from test_datasets_myo import write_session

    for k, part in enumerate(("11111", "22222", "33333")):
        write_session(tmp_path / f"{part}-1", n_periods=4, period=250, seed=k)
    ds = run("biosignal", dict(FAST, dataset=f"myo:{tmp_path}", model=nm_model), backend="numpy", progress=False)
    assert ds.attrs["fold_method"] == "leave-one-group-out" and ds.sizes["fold"] == 3
    role = ds["fold_role"].values
    assert np.all((role == 2).sum(0) == 1)  # every window tested once, with its participant held out
    assert ds["class_"].size == 8


def test_edf_defaults_classify_t1_t2_with_subjects_held_out(tmp_path, nm_model):
    pytest.importorskip("edfio")
    from test_datasets_edf import write_run

    for s in (1, 2, 3):
        write_run(tmp_path / f"S{s:03d}" / f"S{s:03d}R04.edf", seed=s, n_events=10)
    ds = run("biosignal", dict(FAST, dataset=f"edf:{tmp_path}", model=nm_model, n_time=80), backend="numpy",
             progress=False)
    assert ds.attrs["fold_method"] == "leave-one-group-out" and ds.sizes["fold"] == 3  # 3 subjects < 5 folds
    assert sorted(ds.attrs["class_names"].split(",")) == ["imagined left fist", "imagined right fist"]


def test_rr_features_and_inner_cv_choice_with_repeats(mitdb_dir):
    """Record 100 (N vs S): RR intervals in every readout; the LSM's settings chosen per fold by
    inner CV on training beats; 2 repeats x 2 segments give 4 paired test parts."""
    p = dict(FAST, dataset=f"mitdb:{mitdb_dir}", max_samples=400, cv="segments", cv_folds=2, repeats=2,
             fs_data=100 * Hz, grid_input_scale=(0.5, 2.0), inner_folds=2, raw_readout="ridge")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RareClassWarning)
        ds = run("biosignal", p, backend="numpy", progress=False)
    assert ds.attrs["extra_features"] == "rr_previous,rr_next,rr_local,rr_record"
    assert ds.sizes["fold"] == 4 and ds["fold_repeat"].values.tolist() == [0, 0, 1, 1]
    chosen = ds["chosen_lsm"].values
    assert all(c.startswith(("input_scale=0.5,", "input_scale=2,")) for c in chosen)
    assert "inner folds of that fold's training samples" in ds.attrs["how_chosen"]
    assert np.isfinite(ds["paired_accuracy_difference"].sel(model="raw"))
    assert ds["fold_class_count"].sizes["fold"] == 4
