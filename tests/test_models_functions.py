"""exp_fast (generated-code exponential) and the hand-written Diehl & Cook membrane step."""
import numpy as np
import pytest
from brian2 import NeuronGroup, Network, StateMonitor, defaultclock, ms, mV, volt

from workbench import models
from workbench.backends import use_backend
from workbench.models import diehl_cook as dc
from workbench.models.functions import exp_fast

X = np.concatenate([np.linspace(-700, 700, 1401), np.linspace(-1, 1, 1001), [0.0, 1e-300, -1e-12, 709.0, -708.0]])
STEP = 0.5 * ms


def _groups():
    """Brian2's exponential Euler on the registered D&C excitatory model, and the hand-written step."""
    quiet = dict(v_thresh_e=10 * volt)      # no spikes: the membrane alone
    ref = models.neuron_group(dc.DIEHL_COOK_EXC, 6, name="ref", **quiet)
    assert dc.DIEHL_COOK_EXC.method == "exponential_euler"
    hand = dc.neuron_group(dc.DIEHL_COOK_EXC, 6, method="exponential_euler", dt=STEP, name="hand", **quiet)
    assert "exp_fast" in hand.namespace
    for g in (ref, hand):
        g.v = np.linspace(-110, -40, 6) * mV
        g.ge = [0, 0.1, 1, 5, 20, 80]       # up to 80: exp(-dt*81/tau) far from 1
        g.gi = [0, 17, 0.5, 34, 0, 170]
    # the fourth neuron spiked 2 ms ago: clamped for 3 more ms in both
    ref.lastspike[3] = hand.lastspike[3] = -2 * ms
    return ref, hand


def test_exp_fast_and_membrane_step_in_generated_code():
    with use_backend("cpp_standalone", seed=1) as be:
        from brian2 import device

        defaultclock.dt = STEP
        probe = NeuronGroup(len(X), "x : 1\ny : 1", namespace={"exp_fast": exp_fast}, name="probe")
        probe.x = X
        probe.run_regularly("y = exp_fast(x)", name="probe_exp")
        ref, hand = _groups()
        mons = [StateMonitor(g, "v", record=True) for g in (ref, hand)]
        net = Network(probe, ref, hand, *mons)
        net.run(20 * ms)
        device.build(directory=str(be.build_dir), compile=True, run=True, with_output=False)
        y = np.array(probe.y[:])
        v_ref, v_hand = np.array(mons[0].v / mV), np.array(mons[1].v / mV)
    want = np.exp(X)
    ok = want > 1e-300
    rel = np.abs(y[ok] - want[ok]) / want[ok]
    # -ffast-math may fold the two-part range reduction: ~2e-14 at |x| = 700, ulp-level near 0
    assert rel.max() < 5e-14, f"exp_fast relative error {rel.max():.2e} at x={X[ok][rel.argmax()]}"
    small = np.abs(X[ok]) <= 2
    assert rel[small].max() < 1e-15, f"exp_fast relative error {rel[small].max():.2e} for |x| <= 2"
    assert y[X == 0.0][0] == 1.0
    assert np.all(y[~ok] < 1e-300)
    # the hand-written step is Brian2's exponential Euler (to rounding), refractoriness included
    np.testing.assert_allclose(v_hand, v_ref, rtol=1e-12, atol=1e-12)
    assert np.all(v_ref[3, :6] == v_ref[3, 0])        # clamped while refractory ...
    assert v_ref[3, -1] != v_ref[3, 0]                # ... then free
    # and the conductances were large enough to matter
    assert np.ptp(v_ref[:, -1]) > 10


@pytest.mark.parametrize("target", ["numpy", "cython"])
def test_membrane_step_runtime_targets(target):
    if target == "cython":
        pytest.importorskip("Cython")
    with use_backend(target, seed=1):
        defaultclock.dt = STEP
        ref, hand = _groups()
        mons = [StateMonitor(g, "v", record=True) for g in (ref, hand)]
        Network(ref, hand, *mons).run(5 * ms)
        np.testing.assert_allclose(mons[1].v / mV, mons[0].v / mV, rtol=1e-12, atol=1e-12)
