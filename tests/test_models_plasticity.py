"""Plasticity rules in Brian2 against their definitions: spike trains, Tsodyks-Markram fixed points."""
import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, StateMonitor, TimedArray, defaultclock, mV, ms,
                    second)

from workbench import models
from workbench.experiments.stdp_window import reference_dw


def _drive(pre_times_ms, post_times_ms, rule, w0=0.5, **overrides):
    """One synapse; pre from a SpikeGeneratorGroup, post spikes forced through a TimedArray."""
    dt = float(defaultclock.dt / ms)
    T = max(np.max(pre_times_ms), np.max(post_times_ms)) + 5
    flags = np.zeros(int(round(T / dt)) + 2)
    flags[np.round(np.asarray(post_times_ms) / dt).astype(int)] = 1
    post_flag = TimedArray(flags, dt=defaultclock.dt)
    pre = SpikeGeneratorGroup(1, np.zeros(len(pre_times_ms), int), np.asarray(pre_times_ms) * ms)
    post = NeuronGroup(1, "v : volt", threshold="post_flag(t) > 0.5", reset="", namespace={"post_flag": post_flag})
    S = models.connect(pre, post, "v", plasticity=rule, w_scale=1 * mV, **overrides)
    S.connect()
    models.init_synapses(S)
    S.w = w0
    Network(pre, post, S).run(T * ms)
    return float(S.w[0]) - w0


@pytest.fixture(scope="module")
def trains():
    rng = np.random.default_rng(7)
    grid = rng.choice(np.arange(1, 6000), size=60, replace=False) * 0.1      # ms, on the 0.1 ms grid
    return np.sort(grid[:30]), np.sort(grid[30:])                             # disjoint: no ties


@pytest.mark.parametrize("rule", ["stdp_add", "stdp_add_nearest", "stdp_mult", "stdp_mult_nearest", "triplet_stdp"])
def test_rule_on_spike_trains_matches_definition(trains, rule):
    defaultclock.dt = 0.1 * ms
    pre, post = trains
    dw = _drive(pre, post, models.plasticity(rule))
    expected = reference_dw(rule, pre, post, 0.5)
    assert dw == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert abs(expected) > 1e-4


def test_all_to_all_and_nearest_differ(trains):
    pre, post = trains
    a = reference_dw("stdp_add", pre, post, 0.5)
    n = reference_dw("stdp_add_nearest", pre, post, 0.5)
    assert abs(a - n) > 0.1 * abs(a)


def test_hard_and_soft_bounds():
    defaultclock.dt = 0.1 * ms
    pre = np.arange(1, 41) * 25.0
    post = pre + 5.0                                       # 40 causal pairings
    rule = models.plasticity("stdp_add")
    assert _drive(pre, post, rule, w0=0.95, A_plus=0.05) == pytest.approx(0.05)          # clipped at w_max
    # soft bounds: potentiation shrinks as w -> w_max, so the weight settles below it
    soft = _drive(pre, post, models.plasticity("stdp_mult"), w0=0.95, A_plus=0.05)
    assert 0.95 + soft < 0.99 and soft == pytest.approx(reference_dw("stdp_mult", pre, post, 0.95,
                                                                  dict(rule.params, A_plus=0.05)), rel=1e-9)


# --------------------------------------------------------------------------------- Tsodyks-Markram

def _tm_fixed_point(U, D, F, isi):
    """Markram, Wang & Tsodyks 1998 recursion at its fixed point: u* and R*, efficacy u*R*."""
    u = U / (1 - (1 - U) * np.exp(-isi / F))
    R = (1 - np.exp(-isi / D)) / (1 - (1 - u) * np.exp(-isi / D))
    return u * R


def _tm_recursion(U, D, F, isi, n):
    u, R, out = U, 1.0, []
    for _ in range(n):
        out.append(u * R)
        u, R = U + u * (1 - U) * np.exp(-isi / F), 1 + (R - u * R - 1) * np.exp(-isi / D)
    return np.array(out)


@pytest.mark.parametrize("kind,U,D,F", [("depressing", 0.5, 1100.0, 50.0),      # Maass et al. 2002, E->E
                                        ("facilitating", 0.05, 125.0, 1200.0)])  # Maass et al. 2002, E->I
def test_tsodyks_markram_against_recursion_and_fixed_point(kind, U, D, F):
    defaultclock.dt = 1 * ms
    isi, n = 25.0, 120                                     # 40 Hz
    src = SpikeGeneratorGroup(1, np.zeros(n, int), (np.arange(n) * isi + 1) * ms)
    tgt = NeuronGroup(1, "v : volt")
    S = models.connect(src, tgt, "v", plasticity=models.plasticity("tsodyks_markram"), w_scale=1 * mV,
                       U=U, tau_d=D * ms, tau_f=F * ms)
    S.connect()
    models.init_synapses(S)
    S.w = 1.0
    M = StateMonitor(tgt, "v", record=0, when="end")
    Network(src, tgt, S, M).run((n * isi + 2) * ms)
    v = np.asarray(M.v[0] / mV)
    steps = (np.arange(n) * isi + 1).astype(int)
    efficacy = np.diff(np.concatenate([[0.0], v[steps]]))  # transmitted u*R per spike
    np.testing.assert_allclose(efficacy, _tm_recursion(U, D, F, isi, n), rtol=1e-9)
    fixed = _tm_fixed_point(U, D, F, isi)
    assert efficacy[-1] == pytest.approx(fixed, rel=1e-3)
    if kind == "depressing":
        assert efficacy[-1] < 0.2 * efficacy[0]
    else:
        assert efficacy[-1] > 1.5 * efficacy[0]


def test_stp_parameters_are_checked():
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    tgt = NeuronGroup(1, "v : volt")
    with pytest.raises(models.ModelError, match="tau_d"):
        models.connect(src, tgt, "v", plasticity=models.plasticity("tsodyks_markram"), w_scale=1 * mV,
                       tau_d=3 * mV)
