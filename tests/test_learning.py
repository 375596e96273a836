"""Learning happens: each model that learns beats chance, or lowers its loss, by a stated margin at a small
size with a fixed seed, and each test fails when the learning is switched off (numbers in the comments,
measured on the 2-core development machine; the commands are in each test's docstring).

- Diehl & Cook (STDP, unsupervised) on digits: 20 neurons, one pass over the training images;
- the liquid (Maass et al. 2002) separates different inputs and a linear readout of it beats chance;
- e-prop lowers the loss of a tiny pattern-generation task, and does not at a zero learning rate;
- the trained Diehl & Cook network deployed on the chip model (Loihi's numbers with conductance synapses,
  8-bit weights) stays within a stated distance of its Brian2 accuracy.
"""
import numpy as np
import pytest
from brian2 import Hz, ms

from workbench.backends import use_backend
from workbench.eprop.tasks import pattern_task
from workbench.eprop.train import Trainer
from workbench.experiments import lsm
from workbench.networks import liquid
from workbench.networks.lsnn import LSNNConfig
from workbench.protocol import run
from workbench.readout import filtered_states

#: Diehl & Cook at a small size: 20 excitatory neurons, one pass over the 1347 digits training images, classes
#: assigned on 500 of them, 200 test images, the paper's timing (350 + 150 ms) and learning rates
DC_SMALL = dict(n_exc=20, n_train=1347, epochs=1, n_assign=500, n_test=200, batch=700)
CHANCE = 0.1  # ten digit classes
DC_MARGIN = 0.25  # trained: 0.485 (seed 0); potentiation off (nu_post=0): 0.225, which fails


@pytest.fixture(scope="module")
def dc_archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("learning") / "dc.nc"
    ds = run("stdp-digits", DC_SMALL, backend="cpp_standalone", seed=0, out=out, progress=False)
    return ds, out


def test_diehl_cook_beats_chance(dc_archive):
    """``workbench run stdp-digits --set n_exc=20 --set epochs=1 --set n_assign=500 --set n_test=200
    --set batch=700`` (seed 0): test accuracy 0.485.  The same with ``--set nu_post=0`` (STDP
    potentiation switched off, depression and normalisation left on): 0.225 -- above chance (random
    initial weights and adaptive thresholds are features of a sort) but below chance + the margin, so
    this test fails.  (At 200 training images instead of 1347 the two were 0.25 and 0.23: too few for
    STDP to matter, hence the full pass.)"""
    ds, _ = dc_archive
    acc = float(ds["test_accuracy"])
    assert acc >= CHANCE + DC_MARGIN, acc


def test_liquid_separates_inputs_and_its_readout_beats_chance():
    """Three classes of jittered Poisson templates (4 channels) into a 135-neuron liquid (numpy backend).
    Liquid states of different classes lie further apart than those of one class, and a ridge readout of
    them, trained on half the samples, beats chance (1/3) by 0.3.  Measured: distance ratio 2.79,
    readout accuracy 1.0.  With the input synapses removed (``liq.in_A[:] = 0``) the liquid is silent:
    ratio nan, readout accuracy 0.28, and this test fails."""
    rng = np.random.default_rng(0)
    stim = lsm.template_stimuli(rng, 3, 4, 12, 20 * Hz, 120 * ms, 0.5 * ms, 2 * ms)
    liq = liquid.make_liquid((15, 3, 3), 4, rng=1)
    res = liquid.simulate(liq, stim.inputs, 120 * ms, dt=0.5 * ms, backend="numpy", seed=2)
    times = np.array([60.0, 110.0])
    st = filtered_states(res.liquid_sample, res.liquid_neuron, res.liquid_time, len(stim.labels), liq.N, times)[:, -1]
    d = np.sqrt(((st[:, None] - st[None]) ** 2).sum(-1))
    same = stim.labels[:, None] == stim.labels[None]
    off = ~np.eye(len(d), dtype=bool)
    ratio = d[~same].mean() / d[same & off].mean()
    acc_liquid, _ = lsm.template_accuracies(res, stim.labels, times, 30 * ms, 0.5, seed=0)
    assert ratio > 1.3, ratio
    assert acc_liquid.max() >= 1 / 3 + 0.3, acc_liquid


def _eprop_losses(lr, n_iter):
    cfg = LSNNConfig(n_in=10, n_lif=12, n_alif=0, n_out=2, tau_m=20.0, tau_out=20.0, v_th=0.3, n_ref=0, loss="mse")
    x, y, m = pattern_task(10, 2, 80, 50.0, np.random.default_rng(0))
    with use_backend("numpy", seed=0) as be:
        tr = Trainer(cfg, 1, 80, be, np.random.default_rng(1), lr=0.01)
        tr.opt.lr = lr  # set directly: the optimiser's constructor refuses a zero rate
        return np.array([float(tr.step(x, y, m)["loss"][0]) for _ in range(n_iter)])


def test_eprop_lowers_the_loss():
    """A frozen Poisson pattern (10 inputs, 80 ms) into 12 LIF neurons whose 2 readouts learn sum-of-sines
    targets (numpy backend).  Adam at lr 0.05: the mean loss of iterations 10-12 falls below 0.7 of the
    first (measured 24.9 -> 9.7; one spike to 80 at iteration 6 on the way).  At lr 0 the loss stays
    exactly at its first value (the weights never change), so the first assertion would fail; that
    control runs here too (3 iterations)."""
    losses = _eprop_losses(0.05, 12)
    assert losses[-3:].mean() < 0.7 * losses[0], losses
    frozen = _eprop_losses(0.0, 3)
    assert np.all(frozen == frozen[0]) and frozen[0] == pytest.approx(losses[0])


def test_chip_model_stays_near_brian2(dc_archive, tmp_path):
    """The trained network of ``test_diehl_cook_beats_chance`` deployed on Loihi's numbers with conductance
    synapses at 8-bit weights (the hardware protocol: classes assigned from the chip's own responses to the
    same 500 training images, the same 200 test images): test accuracy within 0.08 of Brian2's.  Measured:
    chip 0.50 vs Brian2 0.485.  At 1-bit weights (``weight_bits=1``) the chip gives 0.305 (Brian2 0.485): fails.  (With
    200 assignment images and 100 test images the chip gave 0.38 against Brian2's 0.49 on the same images:
    too few responses to assign classes, so the full sets are kept.)"""
    _, src = dc_archive
    chip = tmp_path / "coba.toml"
    chip.write_text('base = "loihi"\nname = "loihi+conductance"\nsynapse_types = ["current", "delta", "conductance"]\n')
    hw = run("hardware", dict(source=str(src), chip=str(chip), weight_bits=8, n_test=-1), seed=0, progress=False)
    brian2, on_chip = float(hw["source_accuracy"]), float(hw["test_accuracy"])
    assert abs(on_chip - brian2) <= 0.08, (on_chip, brian2)
