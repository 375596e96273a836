"""The hardware protocol on crossbars: a tiny trained stdp-digits archive and a tiny biosignal (LSM) archive
deployed on PCM and RRAM; ideal devices give the float chip model's spikes through the protocol path."""
import numpy as np
import pytest
from brian2 import Hz, ms

from workbench.params import ParameterError
from workbench.plotting import save
from workbench.protocol import load_figure, run

FAST = dict(t_present="200 ms", t_rest="50 ms", epochs=1)
TINY = dict(n_exc=10, n_train=12, n_assign=6, n_test=6, batch=6, **FAST)
DEPLOY = dict(n_test=12, n_assign=12, t_present="150 ms", max_repeats=1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("xbar") / "dc.nc"
    run("stdp-digits", TINY, backend="numpy", seed=3, out=out, progress=False)
    return out


def test_ideal_crossbar_gives_the_float_models_spikes_through_the_protocol(trained):
    # fails if the crossbar path drew other input spikes than the float reference, lost a weight in the
    # mapping, or read with noise: the readout spike counts of every test image would differ
    for chip in ("pcm", "rram"):
        ds = run("hardware", dict(source=str(trained), chip=chip, ideal_devices=True, drift_time=3.15e7, **DEPLOY),
                 progress=False)
        assert ds["readout_counts"].values.sum() > 0
        assert np.array_equal(ds["readout_counts"].values, ds["float_readout_counts"].values), chip
        assert float(ds["test_accuracy"]) == float(ds["float_accuracy"])
        assert float(ds["weight_rel_rms_error"]) < 1e-12
    real = run("hardware", dict(source=str(trained), chip="pcm", drift_time=3.15e7, **DEPLOY), progress=False)
    assert not np.array_equal(real["readout_counts"].values, real["float_readout_counts"].values)
    assert float(real["weight_rel_rms_error"]) > 0.01


def test_crossbar_archive_has_energy_by_part_and_a_drift_sweep(trained, tmp_path):
    ds = run("hardware", dict(source=str(trained), chip="pcm", drift_time=86400.0, sweep_drift_times="1,3.15e8",
                              **DEPLOY), progress=False)
    for k in ("test_accuracy", "energy_per_inference", "latency_per_inference", "reads_per_inference"):
        assert k in ds and ds[k].attrs["units"]
    e = ds["energy_by_part"]
    assert list(e["energy_part"].values) == ["array", "converters", "digital", "static"]
    assert np.isclose(float(e.sum()), float(ds["energy_per_inference"])) and np.all(e.values[:3] > 0)
    assert np.isclose(float(ds["energy_by_event"].sum()), float(ds["energy_per_inference"]))
    err = ds["drift_weight_error"]
    assert err.shape == (2, 2)
    # ten years of drift: compensation removes most of the weight error that drift adds
    assert float(err.sel(compensation="none")[1]) > 2 * float(err.sel(compensation="global")[1])
    assert float(err.sel(compensation="none")[1]) > float(err.sel(compensation="none")[0])
    with pytest.raises(ParameterError, match="learning"):
        run("hardware", dict(source=str(trained), chip="pcm", learning="chip"), progress=False)
    fig = load_figure("hw-drift")(ds)
    assert len(fig.axes) == 3 and save(fig, tmp_path / "drift.png").stat().st_size > 10_000
    # energy beside digital chips counted on the crossbar's spikes; levels and wire-resistance variants
    ds = run("hardware", dict(source=str(trained), chip="rram", sweep_levels="2,16", sweep_r_wire="0,50",
                              compare_chips="loihi", **DEPLOY), progress=False)
    assert list(ds["compare_chip"].values) == ["loihi"] and float(ds["compare_energy_by_event"].sum()) > 0
    assert float(ds["levels_weight_error"][0]) > float(ds["levels_weight_error"][1])
    assert float(ds["r_wire_weight_error"][1]) > float(ds["r_wire_weight_error"][0])
    fig = load_figure("hw-crossbar")(ds)
    assert len(fig.axes) == 3 and save(fig, tmp_path / "xbar.png").stat().st_size > 10_000


def test_lsm_archive_on_rram(tmp_path):
    run("biosignal", {"synthetic_per_class": 4, "cv_folds": 2, "n_time": 60, "fs": 250 * Hz, "shape": [4, 3, 3],
                      "n_readout": 2, "dt": 0.5 * ms}, backend="numpy", seed=3, out=tmp_path / "bio.nc",
        progress=False)
    ideal = run("hardware", dict(source=str(tmp_path / "bio.nc"), chip="rram", ideal_devices=True, dt="1 ms"),
                progress=False)
    assert float(ideal["test_accuracy"]) == float(ideal["float_accuracy"])
    assert np.array_equal(ideal["prediction"].values, ideal["float_prediction"].values)
    ds = run("hardware", dict(source=str(tmp_path / "bio.nc"), chip="rram", dt="1 ms", drift_time=172800.0),
             progress=False)
    assert ds.attrs["source_protocol"] == "biosignal" and float(ds["energy_per_inference"]) > 0
    assert 0 <= float(ds["test_accuracy"]) <= 1 and float(ds["weight_rel_rms_error"]) > 0
