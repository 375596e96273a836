"""The eprop protocol and its figure scripts, at tiny sizes on the numpy backend."""
import numpy as np
import pytest

from workbench import archive
from workbench.protocol import load_figure, load_protocol, run
from workbench.params import ParameterError

TINY_PATTERN = dict(task="pattern", n_iter=3, n_in=10, n_lif=8, n_out=2, duration="60 ms", record_neurons=4)
TINY_EVIDENCE = dict(task="evidence", n_iter=2, n_in=8, n_lif=4, n_alif=4, batch=4, n_cues=3,
                     cue_interval="10 ms", delay="20 ms", recall="10 ms", n_test=4, validate_every=1,
                     n_val=8, record_neurons=8)


@pytest.mark.parametrize("over", [TINY_PATTERN, TINY_EVIDENCE], ids=["pattern", "evidence"])
def test_protocol_archive_and_figures(over, tmp_path):
    out = tmp_path / "run.nc"
    ds = run("eprop", over, backend="numpy", seed=3, out=out, progress=False)
    back = archive.open_archive(out)
    for name, var in back.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    assert back.sizes["iteration"] == over["n_iter"]
    assert not np.allclose(back["w_in_initial"], back["w_in_final"])  # training changed the weights
    assert back["spike_time"].size > 0 and back["input_spike_time"].size > 0
    if over["task"] == "pattern":
        assert float(back["final_loss"]) > 0 and np.isfinite(back["nmse"]).all()
    else:
        assert 0 <= float(back["test_accuracy"]) <= 1
        assert back.sizes["validation"] == over["n_iter"]
        assert set(np.unique(back["cell_type"].values)) == {"LIF", "ALIF"}
        # adaptive threshold rises above v_th for spiking ALIF neurons only
        thr = back["threshold"].values
        alif = back["state_cell_type"].values == "ALIF"
        assert np.allclose(thr[~alif], thr[~alif][0, 0])
    for fig_name in ("eprop-learning", "eprop-raster", "eprop-outputs"):
        fig = load_figure(fig_name)(back)
        fig.savefig(tmp_path / f"{fig_name}.png")
        assert (tmp_path / f"{fig_name}.png").stat().st_size > 5000
    assert ds.attrs["protocol"] == "eprop"
    if over["task"] == "pattern":  # continue training from the archive's final weights
        ds2 = run("eprop", dict(over, n_iter=1, init_from=str(out)), backend="numpy", seed=3, progress=False)
        np.testing.assert_array_equal(ds2["w_rec_initial"].values, back["w_rec_final"].values)
        with pytest.raises(ValueError, match="shape"):
            run("eprop", dict(over, n_lif=5, init_from=str(out)), backend="numpy", seed=3, progress=False)


def test_protocol_rejects_bad_values():
    proto = load_protocol("eprop")
    with pytest.raises(ParameterError):
        proto.resolve({"task": "sorting"})
    with pytest.raises(ParameterError):
        proto.resolve({"tau_m": "20 mV"})
    with pytest.raises(ValueError, match="n_out"):
        run("eprop", dict(TINY_EVIDENCE, n_out=3), backend="numpy", progress=False)


def test_validation_draws_do_not_change_the_training_trials():
    """Training, validation and test trials come from separate random streams (ctx.stream)."""
    small = dict(TINY_EVIDENCE, record_neurons=0, raster_trials=1)
    a = run("eprop", dict(small, validate_every=1), backend="numpy", seed=5, progress=False)
    b = run("eprop", dict(small, validate_every=0), backend="numpy", seed=5, progress=False)
    assert "validation_accuracy" in a and "validation_accuracy" not in b
    np.testing.assert_array_equal(a["loss"].values, b["loss"].values)
    np.testing.assert_array_equal(a["w_rec_final"].values, b["w_rec_final"].values)
    np.testing.assert_array_equal(a["label"].values, b["label"].values)


def test_plateau_schedule_looks_only_at_the_losses_it_is_given():
    """The learning rate halves after `patience` validations without a new best smoothed loss, not below lr_min."""
    from workbench.eprop.optim import Plateau

    p = Plateau(0.004, factor=0.5, patience=2, lr_min=0.0015, window=1)
    lrs = [p.observe(v) for v in (1.0, 0.9, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9, 0.9)]
    assert lrs == [0.004, 0.004, 0.004, 0.002, 0.002, 0.002, 0.0015, 0.0015, 0.0015]
    assert [Plateau(0.01, factor=1.0, patience=1).observe(v) for v in (1, 2, 3)] == [0.01] * 3  # constant
    with pytest.raises(ValueError, match="factor"):
        Plateau(0.01, factor=1.5)


def test_early_stop_and_kept_weights_follow_validation():
    """Early stop on the smoothed validation accuracy; the kept weights are those of the best validation;
    the archive says how it was chosen, and the test trials are scored after training."""
    ds = run("eprop", dict(TINY_EVIDENCE, n_iter=4, stop_accuracy=0.01, val_window=1, record_neurons=0,
                           raster_trials=1), backend="numpy", seed=3, progress=False)
    assert ds.sizes["iteration"] == 1 and ds.attrs["early_stop_iteration"] == 1
    assert int(ds["chosen_iteration"]) == 1 and "validation" in ds.attrs["how_chosen"]
    assert "scored once" in ds.attrs["how_chosen"] and 0 <= float(ds["test_accuracy"]) <= 1
    assert ds["learning_rate"].values.tolist() == [0.005]


def test_validation_scores_the_same_trials_every_time():
    """The validation set is drawn once: with (almost) frozen weights every validation gives the same loss
    (fresh draws would scatter); and it never needs the test trials."""
    ds = run("eprop", dict(TINY_EVIDENCE, n_iter=3, lr=1e-12, lr_decay=1.0, stop_accuracy=0.0, record_neurons=0,
                           raster_trials=1), backend="numpy", seed=4, progress=False)
    loss = ds["validation_loss"].values
    assert loss.size == 3 and np.allclose(loss, loss[0], rtol=1e-6, atol=0)
    assert "fixed set of 8 trials" in ds.attrs["how_chosen"]
    with pytest.raises(ValueError, match="n_val"):
        run("eprop", dict(TINY_EVIDENCE, n_val=0), backend="numpy", progress=False)
