"""Biosignal protocol at a small size: synthetic ECG (CV), an aeon subset (given split), the
model hook, bad settings, and every figure script."""
import numpy as np
import pytest
from brian2 import Hz, ms

from workbench.encoders import SpikeTrains
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


class _Bar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def test_chunked_liquid_states_equal_the_whole_run_and_only_examples_keep_spikes():
    """The LSM turns each chunk's spikes into filtered states at once and keeps spikes only of the
    example samples: the states equal those of all spikes filtered together, to the bit."""
    from types import SimpleNamespace

    from workbench.experiments import biosignal_models as bm
    from workbench.networks.liquid import make_liquid
    from workbench.protocol import load_protocol

    rng = np.random.default_rng(3)
    n, n_in, dur = 7, 4, 60.0
    spikes = [SpikeTrains(rng.integers(0, n_in, 40), rng.uniform(0, dur, 40), n_in, dur)
              for _ in range(n)]
    labels = np.array([0, 1, 2, 0, 1, 2, 0])
    data = bm.EncodedData(spikes=spikes, labels=labels, folds=[(np.arange(4), np.arange(4, 7))], duration_ms=dur,
                          n_in=n_in, class_names=["a", "b", "c"], signals=np.zeros((n, 10, 1)))
    params = load_protocol("biosignal").resolve({"chunk": 3, "dt": 0.5 * ms, "n_readout": 0})
    ctx = SimpleNamespace(backend="numpy", threads=1, progress_bar=lambda **kw: _Bar())
    liquid = make_liquid((3, 3, 3), n_in, rng=np.random.default_rng(0), input_scale=3.0)
    taus = [10.0, 30.0]
    every = bm._simulate_chunks(liquid, data, params, ctx, 5, taus, keep=np.arange(n))
    sample, neuron, times = every["spikes"]
    assert len(times) > 0 and set(np.unique(sample)) <= set(range(n))
    for tau in taus:
        whole = bm._states(sample, neuron, times, n, liquid.N, dur, params, tau)
        np.testing.assert_array_equal(every["states"][tau], whole)
    ex = bm.example_samples(data)
    assert ex.tolist() == [6, 4, 5]  # the first test sample of each class
    few = bm._simulate_chunks(liquid, data, params, ctx, 5, taus, keep=ex)
    assert set(np.unique(few["spikes"][0])) <= set(ex.tolist())
    m = np.isin(sample, ex)
    for a, b in zip(few["spikes"], (sample[m], neuron[m], times[m])):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(few["counts"], every["counts"])


def test_examples_of_merged_repeats_are_the_first_repeats():
    """The LSM keeps spikes of ``example_samples`` of its repeat's data; the archive names the examples from the
    merged repeats: both must be the first repeat's (a later repeat's folds come after it)."""
    from dataclasses import replace

    from workbench.experiments import biosignal_models as bm
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    base = bm.EncodedData(spikes=[None] * 9, labels=labels, folds=[], duration_ms=10.0, n_in=1,
                          class_names=["a", "b", "c"], signals=np.zeros((9, 2, 1)))
    r0 = replace(base, folds=[(np.arange(3, 9), np.array([0, 1])), (np.arange(3), np.array([5, 4, 3]))])
    r1 = replace(base, folds=[(np.arange(6), np.array([8, 7, 6]))])
    merged, _ = bio.merge_repeats([(r0, {}), (r1, {})])
    assert bm.example_samples(merged).tolist() == bm.example_samples(r0).tolist() == [0, 1, 5]
    # a class tested only in a later repeat has no example (its spikes were not kept)
    r0 = replace(base, folds=[(np.arange(3, 9), np.array([0, 1]))])
    merged, _ = bio.merge_repeats([(r0, {}), (r1, {})])
    assert bm.example_samples(merged).tolist() == bm.example_samples(r0).tolist() == [0, 1]
