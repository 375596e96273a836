"""Biosignal protocol at a small size: synthetic ECG (CV), an aeon subset (given split), the
model hook, bad settings, and every figure script."""
import numpy as np
import pytest
from brian2 import Hz, ms

from workbench.experiments import biosignal as bio
from workbench.params import ParameterError
from workbench.protocol import load_figure, run

SMALL = {"synthetic_per_class": 4, "cv_folds": 2, "n_time": 100, "fs": 250 * Hz, "shape": [5, 3, 3],
         "n_readout": 3, "dt": 0.5 * ms, "grid_input_scale": (), "grid_readout_input": (), "minirocket_kernels": 84,
         "baselines": ("raw", "input")}


def test_synthetic_ecg_cv_run_and_figures(tmp_path):
    ds = run("biosignal", dict(SMALL, liquid_sizes=[9, 27], baselines=("raw", "input", "minirocket")),
             backend="numpy", out=tmp_path / "run.nc", progress=False)
    for v in ("test_accuracy", "balanced_accuracy", "test_accuracy_raw", "test_accuracy_input",
              "test_accuracy_minirocket", "balanced_accuracy_minirocket",
              "input_spikes_per_sample", "model_spikes_per_sample", "synaptic_events_per_classification"):
        assert ds[v].ndim == 0 and ds[v].attrs["units"] in ("1", "ms")
    assert 0 <= float(ds["test_accuracy"]) <= 1
    assert ds["fold_accuracy"].sizes == {"model": 4, "fold": 2}
    assert list(ds["model"].values) == ["lsm", "raw", "input", "minirocket"]
    assert ds["sensitivity"].sizes == {"model": 4, "class_": 3} and "positive_predictivity" in ds
    assert float(ds["test_accuracy"]) == pytest.approx(float(ds["fold_accuracy"].sel(model="lsm").mean()))
    assert int(ds["confusion"].sel(model="lsm").sum()) == 12  # every sample tested once
    assert ds.attrs["cross_validated"] == 1
    for name in ("biosignal-encoding", "biosignal-raster", "biosignal-confusion", "biosignal-size", "biosignal-study"):
        fig = load_figure(name)(ds)
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_aeon_subset_given_split():
    ds = run("biosignal", {"dataset": "aeon:BasicMotions", "max_samples": 24, "n_time": 20, "fs": 100 * Hz,
                           "encoder": "sigma_delta", "shape": [5, 3, 3], "n_readout": 2,
                           "dt": 0.5 * ms}, backend="numpy",
             progress=False)
    assert ds.attrs["cross_validated"] == 0 and ds.sizes["fold"] == 1
    assert float(ds["input_spikes_per_sample"]) > 0


def nearest_mean(data, params, ctx):
    """A model is one function: encoded spikes + labels + folds in, predictions out."""
    counts = np.array([s.counts() for s in data.spikes], float)
    preds = []
    for tr, te in data.folds:
        means = np.array([counts[tr][data.labels[tr] == c].mean(0) for c in range(len(data.class_names))])
        preds.append(np.argmin(((counts[te, None, :] - means[None]) ** 2).sum(-1), axis=1))
    return bio.ModelResult(predictions=preds)


def test_model_hook_and_encoders_without_liquid():
    bio.register_model("nearest_mean", nearest_mean, replace=True)
    try:
        for enc in ("bsa", "filterbank", "rate"):
            ds = run("biosignal", dict(SMALL, model="nearest_mean", encoder=enc, band_high=40 * Hz),
                     backend="numpy", progress=False)
            assert list(ds["model"].values) == ["nearest_mean", "raw", "input"]
            assert "liquid_spike_time" not in ds
    finally:
        bio.MODELS.pop("nearest_mean", None)


def test_bad_settings_are_named():
    with pytest.raises(ParameterError, match="band_high"):
        run("biosignal", dict(SMALL, encoder="filterbank", band_high=200 * Hz), backend="numpy", progress=False)
    with pytest.raises(ParameterError, match="model='eprop2'"):
        run("biosignal", dict(SMALL, model="eprop2"), backend="numpy", progress=False)
    with pytest.raises(Exception, match="fewer than n_splits=9"):  # no class has 9 samples
        run("biosignal", dict(SMALL, cv_folds=9), backend="numpy", progress=False)
    with pytest.raises(ParameterError):
        run("biosignal", dict(SMALL, encoder="morse"), backend="numpy", progress=False)


def test_mitdb_class_error(mitdb_dir):
    from workbench.datasets.biosignal import DatasetError

    with pytest.raises(DatasetError, match="F"):
        run("biosignal", {"dataset": f"mitdb:{mitdb_dir}", "classes": ["N", "F"]}, backend="numpy", progress=False)


def test_ucr_single_file_uses_stratified_cv(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat([1, 2], 10)
    t = np.linspace(0, 1, 40)
    X = np.sin(2 * np.pi * (2 + 2 * y[:, None]) * t) + 0.1 * rng.normal(size=(20, 40))
    path = tmp_path / "Waves.tsv"
    path.write_text("\n".join("\t".join([str(lab)] + [f"{v:.4f}" for v in row]) for lab, row in zip(y, X)))
    bio.register_model("nearest_mean", nearest_mean, replace=True)
    try:
        ds = run("biosignal", {"dataset": f"ucr:{path}", "model": "nearest_mean", "fs": 40 * Hz}, backend="numpy",
                 progress=False)
    finally:
        bio.MODELS.pop("nearest_mean", None)
    assert ds.attrs["cross_validated"] == 1 and ds.sizes["fold"] == 5
    assert float(ds["test_accuracy"]) == pytest.approx(float(ds["fold_accuracy"].sel(model="nearest_mean").mean()))
    assert float(ds["test_accuracy_raw"]) > 0.9
